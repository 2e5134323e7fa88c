"""The immutable course objects the loader builds, and the limits lessons are checked against."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from trainer.content.source import pick

MIN_MINUTES = 5
MAX_MINUTES = 12
MIN_TAKEAWAYS, MAX_TAKEAWAYS = 3, 5
MIN_OPTIONS, MAX_OPTIONS = 2, 5

UrlForLesson = Callable[[str, str], str]
"""(course_id, lesson_id) -> URL of the lesson page."""
UrlForImage = Callable[[str, str], str]
"""(course_id, file name relative to the course's images/ folder) -> URL of the image."""


def frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Competency:
    id: str
    title: Mapping[str, str] = field(hash=False)


@dataclass(frozen=True)
class CheckOption:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Check:
    """The ungraded "check yourself" question at the end of a lesson."""

    question: str
    options: tuple[CheckOption, ...]

    @property
    def correct_index(self) -> int:
        return next(i for i, option in enumerate(self.options) if option.correct)


@dataclass(frozen=True)
class LessonText:
    """One language version of a lesson, with its body already rendered and sanitized."""

    lang: str
    title: str
    html: str
    takeaways: tuple[str, ...]
    check: Check
    source: str  # path of the Markdown file


@dataclass(frozen=True)
class Lesson:
    id: str
    course_id: str
    module_id: str
    minutes: int
    competencies: tuple[str, ...]
    texts: tuple[LessonText, ...]  # in LANGUAGES order

    def text(self, lang: str) -> LessonText:
        """The version in ``lang`` ('zh', 'en', 'zh_CN', 'en-US' ...), falling back to Chinese."""
        by_lang = {t.lang: t for t in self.texts}
        return by_lang[pick({code: code for code in by_lang}, lang)]

    def title(self, lang: str) -> str:
        return self.text(lang).title

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(t.source for t in self.texts)


@dataclass(frozen=True)
class Module:
    id: str
    course_id: str
    title: Mapping[str, str] = field(hash=False)
    summary: Mapping[str, str] = field(hash=False)
    prerequisites: tuple[str, ...]
    lessons: tuple[Lesson, ...]

    @property
    def lesson_ids(self) -> tuple[str, ...]:
        return tuple(lesson.id for lesson in self.lessons)

    @property
    def minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)


@dataclass(frozen=True)
class Course:
    id: str
    title: Mapping[str, str] = field(hash=False)
    description: Mapping[str, str] = field(hash=False)
    modules: tuple[Module, ...]
    source: str  # path of course.yaml

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        """All lessons in path order (modules in order, lessons in order within each)."""
        return tuple(lesson for module in self.modules for lesson in module.lessons)

    @property
    def minutes(self) -> int:
        return sum(module.minutes for module in self.modules)

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def neighbours(self, lesson_id: str) -> tuple[Lesson | None, Lesson | None]:
        """(previous, next) lesson along the path; raises KeyError for an unknown id."""
        ids = [lesson.id for lesson in self.lessons]
        index = ids.index(lesson_id) if lesson_id in ids else -1
        if index < 0:
            raise KeyError(lesson_id)
        lessons = self.lessons
        before = lessons[index - 1] if index > 0 else None
        after = lessons[index + 1] if index + 1 < len(lessons) else None
        return before, after


def lesson_index(courses: Mapping[str, Course]) -> dict[str, Lesson]:
    """Every lesson of every course by id (ids are unique across courses)."""
    return {lesson.id: lesson for course in courses.values() for lesson in course.lessons}
