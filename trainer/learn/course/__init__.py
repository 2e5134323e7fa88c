"""Courses: load ``courses/<course-id>/`` into immutable objects and validate every part of it.

Layout (see ``docs/content-formats.md``)::

    courses/competencies.yaml              the competency framework (``load_competencies``)
    courses/<course-id>/course.yaml        manifest: id, title, description, modules
    courses/<course-id>/lessons/<lesson-id>.<lang>.md   one file per lesson and language
    courses/<course-id>/images/*.svg       diagrams referenced as ``images/<name>.svg``

``load_courses`` never stops at the first mistake: it returns what it could build together with every
problem found, each located as ``path:line``. The app refuses to start when the list is not empty
(raise ``ContentError(problems)``); ``flask content check`` prints the same list.

Markdown is rendered here, once, through :func:`trainer.content.markdown.render_markdown`. Lesson
ids are unique across all courses, so ``[text](lesson:<id>)`` may point into any course. URLs come
from two callbacks supplied by the web layer, so this module does not import Flask.

Pure Python: no Flask, no database. The package's modules: ``model`` (the objects), ``competencies``,
``manifest`` (course.yaml), ``lessons`` (front matter), ``assembly`` (rendering), ``svg``, ``loader``.
"""

from __future__ import annotations

from trainer.learn.course.competencies import load_competencies
from trainer.learn.course.loader import load_courses
from trainer.learn.course.model import (
    MAX_MINUTES,
    MIN_MINUTES,
    Check,
    CheckOption,
    Competency,
    Course,
    Lesson,
    LessonText,
    Module,
    UrlForImage,
    UrlForLesson,
    lesson_index,
)

__all__ = [
    "MAX_MINUTES",
    "MIN_MINUTES",
    "Check",
    "CheckOption",
    "Competency",
    "Course",
    "Lesson",
    "LessonText",
    "Module",
    "UrlForImage",
    "UrlForLesson",
    "lesson_index",
    "load_competencies",
    "load_courses",
]
