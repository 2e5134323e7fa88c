"""The one accessor for the content catalogue the app loaded at start-up (courses, banks, quizzes,
scenarios, rubric, framework): services call :func:`catalog` instead of reaching into the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from flask import current_app

if TYPE_CHECKING:  # the catalogue sits above the features (it loads their content); only its type is needed
    from trainer.catalog import ContentRegistry


def catalog() -> ContentRegistry:
    return cast("ContentRegistry", current_app.extensions["content"])
