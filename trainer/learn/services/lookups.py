"""The errors learning refuses requests with, and course/lesson lookups in the content catalogue."""

from __future__ import annotations

from collections.abc import Iterable
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


LESSONS_TO_REVIEW_LIMIT = 6


def lessons_to_review(missed: Iterable[tuple[str, Iterable[str]]]) -> list[Lesson]:
    """The lessons to reread after missing questions, each given as (module id, competency ids):
    the module's lessons that teach one of the question's competencies, or the whole module when
    none does; in path order, at most LESSONS_TO_REVIEW_LIMIT."""
    topics_by_module = [(module_id, set(competencies)) for module_id, competencies in missed]
    wanted: set[str] = set()
    for course in courses().values():
        for module_id, topics in topics_by_module:
            module = course.module(module_id)
            if module is None:
                continue
            matching = [lesson.id for lesson in module.lessons if topics & set(lesson.competencies)]
            wanted.update(matching or [lesson.id for lesson in module.lessons])
    ordered = [lesson for course in courses().values() for lesson in course.lessons if lesson.id in wanted]
    return ordered[:LESSONS_TO_REVIEW_LIMIT]
