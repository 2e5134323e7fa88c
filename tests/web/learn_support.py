"""Helpers shared by the course and lesson page tests."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import COURSE
from trainer.extensions import db
from trainer.learn.models import LessonProgress
from trainer.learn.services import recording

COURSE_URL = f"/learn/{COURSE}"


def lesson_url(lesson_id: str) -> str:
    return f"{COURSE_URL}/{lesson_id}"


@pytest.fixture
def trainee(signed_in):
    return signed_in(email="amy@example.com", name="Amy Trainee")


def progress(user_id: int, lesson_id: str) -> LessonProgress | None:
    return db.session.scalar(
        select(LessonProgress).where(LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson_id)
    )


def finish_module(user, module) -> None:
    for lesson in module.lessons:
        recording.complete_lesson(user.id, lesson.course_id, lesson.id, "en")


def statuses(html: str, kind: str) -> dict[str, str]:
    """data-testid="module-x" / "lesson-x" -> its data-status on the course page."""
    return dict(re.findall(rf'data-testid="{kind}-([a-z0-9-]+)"[^>]*data-status="([a-z]+)"', html))


def mark_complete(actions, lesson_id: str, **kwargs):
    return actions.post(lesson_url(lesson_id) + "/complete", token_from=lesson_url(lesson_id), **kwargs)


def visit(actions, lesson_id: str):
    """What the lesson page's script does once the page is shown: report the visit (GET never writes)."""
    return actions.post(lesson_url(lesson_id) + "/visit", token_from=lesson_url(lesson_id))


def answer(actions, lesson_id: str, option, json: bool = False, token_from: str | None = None):
    headers = {"Accept": "application/json"} if json else {}
    data = {} if option is None else {"option": option}
    return actions.post(
        lesson_url(lesson_id) + "/check", data, token_from=token_from or lesson_url(lesson_id), headers=headers
    )
