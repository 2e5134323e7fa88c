"""The errors learning refuses requests with, and course/lesson lookups in the content catalogue."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from trainer.core.content import catalog
from trainer.learn.course import Course, Lesson


class LearningError(Exception):
    """A request the rules refuse; ``message`` is shown to the user."""

    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = message


class NotFound(LearningError):
    pass


class Locked(LearningError):
    pass


class BadAnswer(LearningError):
    pass


def courses() -> dict[str, Course]:
    return catalog().courses


def onboarding_course() -> Course | None:
    """The onboarding path: the first course (there is one today)."""
    return next(iter(courses().values()), None)


def get_course(course_id: str) -> Course:
    course = courses().get(course_id)
    if course is None:
        raise NotFound(_l("There is no such course."))
    return course


def get_lesson(course_id: str, lesson_id: str) -> tuple[Course, Lesson]:
    course = get_course(course_id)
    lesson = course.lesson(lesson_id)
    if lesson is None:
        raise NotFound(_l("There is no such lesson."))
    return course, lesson


def content_lang(lang: str) -> str:
    """'zh' or 'en' from a locale such as 'zh_CN'."""
    return "en" if (lang or "").lower().startswith("en") else "zh"
