"""The one accessor for the content catalogue the app loaded at start-up (courses, banks, quizzes,
scenarios, rubric, framework): services call :func:`catalog` instead of reaching into the app.

``trainer.catalog`` imports only pure content loaders, so importing it here makes no cycle."""

from __future__ import annotations

from typing import cast

from flask import current_app

from trainer.catalog import ContentRegistry


def catalog() -> ContentRegistry:
    return cast(ContentRegistry, current_app.extensions["content"])
