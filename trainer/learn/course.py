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

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from trainer.content.markdown import LESSON_SCHEME, render_markdown
from trainer.content.source import (
    LANGUAGES,
    Problem,
    Problems,
    check_keys,
    check_localized,
    line_of,
    load_yaml_file,
    localized,
    pick,
    split_front_matter,
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

MIN_MINUTES = 5
MAX_MINUTES = 12
MIN_TAKEAWAYS, MAX_TAKEAWAYS = 3, 5
MIN_OPTIONS, MAX_OPTIONS = 2, 5

UrlForLesson = Callable[[str, str], str]
"""(course_id, lesson_id) -> URL of the lesson page."""
UrlForImage = Callable[[str, str], str]
"""(course_id, file name relative to the course's images/ folder) -> URL of the image."""

LESSON_KEYS = ("id", "title", "minutes", "competencies", "takeaways", "check")
WORKED_EXAMPLE_HEADING = {"zh": "算例", "en": "Worked example"}
LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LESSON_FILE = re.compile(r"^(?P<id>[^.]+)\.(?P<lang>[a-z]{2})\.md$")


# --------------------------------------------------------------------------------------------------
# Domain objects
# --------------------------------------------------------------------------------------------------


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
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


# --------------------------------------------------------------------------------------------------
# Competencies
# --------------------------------------------------------------------------------------------------


def load_competencies(path: Path) -> tuple[dict[str, Competency], list[Problem]]:
    """Read ``courses/competencies.yaml``: ``dimensions`` with an id and a bilingual title each.

    Dimensions may also carry ``description``, ``statements`` and ``levels`` (the self-assessment's
    material); their inner shape is validated by the scorecard, not here.
    """
    problems = Problems()
    result: dict[str, Competency] = {}
    data = load_yaml_file(path, problems)
    if data is None:
        if not problems:
            problems.add(path, 1, "empty file: expected a 'dimensions' list")
        return result, list(problems)
    if not check_keys(data, required=["dimensions"], path=path, problems=problems, where="competencies"):
        return result, list(problems)
    dimensions = data.get("dimensions")
    if not isinstance(dimensions, list) or not dimensions:
        problems.add(path, line_of(data, "dimensions"), "dimensions: expected a non-empty list")
        return result, list(problems)
    for index, item in enumerate(dimensions):
        where = f"dimension {index + 1}"
        line = line_of(dimensions, index)
        if not check_keys(
            item,
            required=["id", "title"],
            optional=["description", "statements", "levels"],
            path=path,
            problems=problems,
            where=where,
        ):
            continue
        dim_id = item.get("id")
        if not _valid_id(dim_id, path, line_of(item, "id", line), problems, where, pattern=r"^[a-z][a-z_]*$"):
            continue
        if dim_id in result:
            problems.add(path, line_of(item, "id", line), f"duplicate competency id '{dim_id}'")
            continue
        if "title" in item and check_localized(
            item["title"], path=path, problems=problems, where=f"{where} title", line=line_of(item, "title")
        ):
            result[dim_id] = Competency(dim_id, _frozen(localized(item["title"])))
    return result, list(problems)


# --------------------------------------------------------------------------------------------------
# Courses
# --------------------------------------------------------------------------------------------------


@dataclass
class _ModuleSpec:
    id: str
    title: Mapping[str, str]
    summary: Mapping[str, str]
    prerequisites: list[str]
    lesson_ids: list[str]
    line: int


@dataclass
class _CourseSpec:
    id: str
    folder: Path
    manifest: Path
    title: Mapping[str, str]
    description: Mapping[str, str]
    modules: list[_ModuleSpec]
    listed_at: dict[str, int]  # lesson id -> line in course.yaml


@dataclass
class _Draft:
    """One language file of a lesson after front-matter validation, before rendering."""

    lang: str
    path: Path
    meta: Any
    body: str
    body_line: int
    usable: bool  # front matter complete enough to build a LessonText


def load_courses(
    courses_dir: Path,
    *,
    competency_ids: Iterable[str],
    url_for_lesson: UrlForLesson,
    url_for_image: UrlForImage,
) -> tuple[dict[str, Course], list[Problem]]:
    """Load and validate every course folder under ``courses_dir``.

    Returns the courses by id (best effort: what could be built) and every problem found, sorted.
    Content is valid exactly when the problem list is empty.
    """
    problems = Problems()
    known_competencies = set(competency_ids)
    if not courses_dir.is_dir():
        problems.add(courses_dir, 1, "courses folder not found")
        return {}, list(problems)

    specs: list[_CourseSpec] = []
    for folder in sorted(p for p in courses_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        spec = _read_manifest(folder, problems)
        if spec is not None:
            specs.append(spec)

    seen_course: dict[str, Path] = {}
    for spec in specs:
        if spec.id in seen_course:
            problems.add(spec.manifest, 1, f"duplicate course id '{spec.id}' (also {seen_course[spec.id]})")
        seen_course.setdefault(spec.id, spec.manifest)

    # Lesson ids are global, so links can be checked across courses.
    owner: dict[str, str] = {}
    for spec in specs:
        for lesson_id, line in spec.listed_at.items():
            if lesson_id in owner and owner[lesson_id] != spec.id:
                problems.add(
                    spec.manifest,
                    line,
                    f"lesson id '{lesson_id}' is also used by course '{owner[lesson_id]}'",
                )
            owner.setdefault(lesson_id, spec.id)

    drafts = {spec.id: _read_lessons(spec, known_competencies, problems) for spec in specs}

    courses: dict[str, Course] = {}
    for spec in specs:
        if spec.id in courses:
            continue
        courses[spec.id] = _build_course(
            spec, drafts[spec.id], owner, url_for_lesson, url_for_image, problems
        )
        _check_svgs(spec.folder / "images", problems)
    return courses, list(problems)


def _valid_id(
    value: Any, path: Path, line: int, problems: Problems, where: str, pattern: str = _ID.pattern
) -> bool:
    if not isinstance(value, str) or not re.match(pattern, value):
        problems.add(path, line, f"{where}: id {value!r} must be lowercase letters, digits and hyphens")
        return False
    return True


def _string_list(value: Any, path: Path, line: int, problems: Problems, where: str) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add(path, line, f"{where}: expected a list of names")
        return None
    return [v.strip() for v in value]


def _read_manifest(folder: Path, problems: Problems) -> _CourseSpec | None:
    manifest = folder / "course.yaml"
    if not manifest.is_file():
        problems.add(folder, 1, "course folder without a course.yaml manifest")
        return None
    before = len(problems)
    data = load_yaml_file(manifest, problems)
    if data is None:
        if len(problems) == before:
            problems.add(manifest, 1, "empty manifest")
        return None
    if not check_keys(
        data,
        required=["id", "title", "description", "modules"],
        path=manifest,
        problems=problems,
        where="course",
    ):
        return None

    course_id = data.get("id")
    if _valid_id(course_id, manifest, line_of(data, "id"), problems, "course") and course_id != folder.name:
        problems.add(
            manifest,
            line_of(data, "id"),
            f"course id '{course_id}' does not match its folder '{folder.name}'",
        )
    course_id = folder.name  # the folder is what URLs and images hang on
    title = _localized_or_blank(data, "title", manifest, problems, "course title")
    description = _localized_or_blank(data, "description", manifest, problems, "course description")

    modules: list[_ModuleSpec] = []
    listed_at: dict[str, int] = {}
    raw_modules = data.get("modules")
    if not isinstance(raw_modules, list) or not raw_modules:
        problems.add(manifest, line_of(data, "modules"), "modules: expected a non-empty list")
        raw_modules = []
    for index, raw in enumerate(raw_modules):
        module = _read_module(raw, index, raw_modules, manifest, listed_at, problems)
        if module is None:
            continue
        if any(m.id == module.id for m in modules):
            problems.add(manifest, module.line, f"duplicate module id '{module.id}'")
            continue
        modules.append(module)

    _check_prerequisites(modules, manifest, problems)
    return _CourseSpec(course_id, folder, manifest, title, description, modules, listed_at)


def _read_module(
    raw: Any,
    index: int,
    container: Any,
    manifest: Path,
    listed_at: dict[str, int],
    problems: Problems,
) -> _ModuleSpec | None:
    where = f"module {index + 1}"
    line = line_of(container, index)
    if not check_keys(
        raw,
        required=["id", "title", "summary", "lessons"],
        optional=["prerequisites"],
        path=manifest,
        problems=problems,
        where=where,
    ):
        return None
    module_id = raw.get("id")
    if not _valid_id(module_id, manifest, line_of(raw, "id", line), problems, where):
        return None
    where = f"module '{module_id}'"
    title = _localized_or_blank(raw, "title", manifest, problems, f"{where} title")
    summary = _localized_or_blank(raw, "summary", manifest, problems, f"{where} summary")
    prerequisites = (
        _string_list(
            raw.get("prerequisites", []),
            manifest,
            line_of(raw, "prerequisites", line),
            problems,
            f"{where} prerequisites",
        )
        or []
    )
    lesson_ids: list[str] = []
    raw_lessons = raw.get("lessons")
    if not isinstance(raw_lessons, list) or not raw_lessons:
        problems.add(manifest, line_of(raw, "lessons", line), f"{where}: lessons: expected a non-empty list")
        raw_lessons = []
    for position, lesson_id in enumerate(raw_lessons):
        # Flow lists ([a, b]) sit on one line; block lists give each item its own line.
        at = line_of(raw_lessons, position, line_of(raw, "lessons", line))
        if not _valid_id(lesson_id, manifest, at, problems, f"{where} lesson {position + 1}"):
            continue
        if lesson_id in listed_at:
            problems.add(
                manifest,
                at,
                f"duplicate lesson id '{lesson_id}' (already listed on line {listed_at[lesson_id]})",
            )
            continue
        listed_at[lesson_id] = at
        lesson_ids.append(lesson_id)
    return _ModuleSpec(module_id, title, summary, prerequisites, lesson_ids, line_of(raw, "id", line))


def _localized_or_blank(
    mapping: Mapping[str, Any], key: str, path: Path, problems: Problems, where: str
) -> Mapping[str, str]:
    if key not in mapping:
        return _frozen({lang: "" for lang in LANGUAGES})  # check_keys already reported it
    value = mapping[key]
    if check_localized(value, path=path, problems=problems, where=where, line=line_of(mapping, key)):
        return _frozen(localized(value))
    return _frozen(
        {lang: str(value.get(lang) or "") if isinstance(value, Mapping) else "" for lang in LANGUAGES}
    )


def _check_prerequisites(modules: list[_ModuleSpec], manifest: Path, problems: Problems) -> None:
    by_id = {m.id: m for m in modules}
    for module in modules:
        for prerequisite in module.prerequisites:
            if prerequisite not in by_id:
                problems.add(
                    manifest,
                    module.line,
                    f"module '{module.id}': prerequisite '{prerequisite}' names no module",
                )
    # Depth-first search for cycles; report each cycle once, at its first module in file order.
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    reported: set[frozenset[str]] = set()

    def visit(module_id: str, stack: list[str]) -> None:
        state[module_id] = 1
        stack.append(module_id)
        for prerequisite in by_id[module_id].prerequisites:
            if prerequisite not in by_id:
                continue
            if state.get(prerequisite) == 1:
                cycle = stack[stack.index(prerequisite) :]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    first = min(cycle, key=lambda m: by_id[m].line)
                    start = cycle.index(first)
                    ordered = cycle[start:] + cycle[:start] + [first]
                    problems.add(
                        manifest,
                        by_id[first].line,
                        f"module prerequisites form a cycle: {' -> '.join(ordered)}",
                    )
            elif prerequisite not in state:
                visit(prerequisite, stack)
        stack.pop()
        state[module_id] = 2

    for module in modules:
        if module.id not in state:
            visit(module.id, [])


# --------------------------------------------------------------------------------------------------
# Lessons
# --------------------------------------------------------------------------------------------------


def _read_lessons(
    spec: _CourseSpec, competencies: set[str], problems: Problems
) -> dict[str, dict[str, _Draft]]:
    """Front matter of every listed lesson in every language; reports missing and stray files."""
    lessons_dir = spec.folder / "lessons"
    drafts: dict[str, dict[str, _Draft]] = {}
    if not lessons_dir.is_dir():
        problems.add(spec.manifest, 1, f"no lessons folder: {lessons_dir}")
        return drafts

    for path in sorted(p for p in lessons_dir.iterdir() if not p.name.startswith(".")):
        match = _LESSON_FILE.match(path.name)
        if not path.is_file() or match is None or match["lang"] not in LANGUAGES:
            problems.add(
                path, 1, f"unexpected file in lessons/: name files <lesson-id>.{'|'.join(LANGUAGES)}.md"
            )
        elif match["id"] not in spec.listed_at:
            problems.add(path, 1, f"lesson '{match['id']}' is not listed in any module of {spec.manifest}")

    for lesson_id, listed_line in spec.listed_at.items():
        present = {lang: lessons_dir / f"{lesson_id}.{lang}.md" for lang in LANGUAGES}
        missing = [lang for lang, p in present.items() if not p.is_file()]
        if len(missing) == len(LANGUAGES):
            problems.add(
                spec.manifest,
                listed_line,
                f"lesson '{lesson_id}' is listed but has no file "
                f"({', '.join(p.name for p in present.values())} missing in {lessons_dir})",
            )
            continue
        for lang in missing:
            problems.add(
                spec.manifest,
                listed_line,
                f"lesson '{lesson_id}' has no {LANGUAGE_NAMES[lang]} version ({present[lang]} missing)",
            )
        drafts[lesson_id] = {
            lang: _read_lesson_file(path, lesson_id, lang, competencies, problems)
            for lang, path in present.items()
            if lang not in missing
        }
        _check_languages_agree(drafts[lesson_id], problems)
    return drafts


def _read_lesson_file(
    path: Path, lesson_id: str, lang: str, competencies: set[str], problems: Problems
) -> _Draft:
    before = len(problems)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path, 1, f"cannot read file as UTF-8: {exc}")
        return _Draft(lang, path, None, "", 1, usable=False)
    document = split_front_matter(text, path, problems)
    meta = document.meta
    draft = _Draft(lang, path, meta, document.body, document.body_line, usable=False)
    if meta is None:
        if len(problems) == before:
            problems.add(path, 1, "empty front matter")
        return draft
    check_keys(meta, required=LESSON_KEYS, path=path, problems=problems, where="front matter")

    if "id" in meta and meta["id"] != lesson_id:
        problems.add(
            path, line_of(meta, "id"), f"id {meta['id']!r} does not match the file name '{path.name}'"
        )
    if "title" in meta and not _nonblank(meta["title"]):
        problems.add(path, line_of(meta, "title"), "title: expected a non-empty text")
    if "minutes" in meta:
        minutes = meta["minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            problems.add(path, line_of(meta, "minutes"), f"minutes: expected a whole number, got {minutes!r}")
        elif not MIN_MINUTES <= minutes <= MAX_MINUTES:
            problems.add(
                path,
                line_of(meta, "minutes"),
                f"minutes: {minutes} is outside {MIN_MINUTES}..{MAX_MINUTES}",
            )
    if "competencies" in meta:
        _check_competencies(meta, path, competencies, problems)
    if "takeaways" in meta:
        _check_takeaways(meta, path, problems)
    if "check" in meta:
        _check_check(meta["check"], path, line_of(meta, "check"), problems)

    heading = WORKED_EXAMPLE_HEADING[lang]
    if not re.search(rf"^##\s+{re.escape(heading)}", document.body, flags=re.MULTILINE | re.IGNORECASE):
        problems.add(path, document.body_line, f"the body has no '## {heading}' section")

    draft.usable = len(problems) == before
    return draft


def _nonblank(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_competencies(meta: Mapping[str, Any], path: Path, known: set[str], problems: Problems) -> None:
    value = meta["competencies"]
    at = line_of(meta, "competencies")
    names = _string_list(value, path, at, problems, "competencies")
    if names is None:
        return
    if not names:
        problems.add(path, at, "competencies: name at least one competency")
    for index, name in enumerate(names):
        if name not in known:
            problems.add(path, line_of(value, index, at), f"competencies: unknown competency '{name}'")
        elif names.index(name) != index:
            problems.add(path, line_of(value, index, at), f"competencies: '{name}' is listed twice")


def _check_takeaways(meta: Mapping[str, Any], path: Path, problems: Problems) -> None:
    value = meta["takeaways"]
    at = line_of(meta, "takeaways")
    if not isinstance(value, list) or not all(_nonblank(item) for item in value):
        problems.add(path, at, "takeaways: expected a list of short texts")
    elif not MIN_TAKEAWAYS <= len(value) <= MAX_TAKEAWAYS:
        problems.add(path, at, f"takeaways: {len(value)} items, expected {MIN_TAKEAWAYS} to {MAX_TAKEAWAYS}")


def _check_check(value: Any, path: Path, at: int, problems: Problems) -> None:
    if not check_keys(value, required=["question", "options"], path=path, problems=problems, where="check"):
        return
    if "question" in value and not _nonblank(value["question"]):
        problems.add(path, line_of(value, "question", at), "check: question: expected a non-empty text")
    options = value.get("options")
    if options is None:
        return
    options_line = line_of(value, "options", at)
    if not isinstance(options, list) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        problems.add(path, options_line, f"check: expected {MIN_OPTIONS} to {MAX_OPTIONS} options")
        if not isinstance(options, list):
            return
    correct = 0
    for index, option in enumerate(options):
        where = f"check option {index + 1}"
        if not check_keys(
            option,
            required=["text", "feedback"],
            optional=["correct"],
            path=path,
            problems=problems,
            where=where,
        ):
            continue
        here = line_of(options, index, options_line)
        for key in ("text", "feedback"):
            if key in option and not _nonblank(option[key]):
                problems.add(path, line_of(option, key, here), f"{where}: {key}: expected a non-empty text")
        flag = option.get("correct", False)
        if not isinstance(flag, bool):
            problems.add(path, line_of(option, "correct", here), f"{where}: correct: expected true or false")
        elif flag:
            correct += 1
    if correct != 1:
        problems.add(path, options_line, f"check: exactly one option must be correct, found {correct}")


def _check_languages_agree(drafts: Mapping[str, _Draft], problems: Problems) -> None:
    """Minutes and competencies belong to the lesson, not to a language: both files must agree."""
    readable = [d for d in drafts.values() if isinstance(d.meta, Mapping)]
    if len(readable) < 2:
        return
    first = readable[0]
    for other in readable[1:]:
        for key in ("minutes", "competencies"):
            if key not in first.meta or key not in other.meta:
                continue
            mine, theirs = first.meta[key], other.meta[key]
            if key == "competencies" and isinstance(mine, list) and isinstance(theirs, list):
                same = set(map(str, mine)) == set(map(str, theirs))
            else:
                same = mine == theirs
            if not same:
                problems.add(
                    other.path,
                    line_of(other.meta, key),
                    f"{key} ({_show(theirs)}) differ from the {first.lang} version ({_show(mine)})",
                )


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


# --------------------------------------------------------------------------------------------------
# Rendering and assembly
# --------------------------------------------------------------------------------------------------


def _build_course(
    spec: _CourseSpec,
    drafts: Mapping[str, Mapping[str, _Draft]],
    owner: Mapping[str, str],
    url_for_lesson: UrlForLesson,
    url_for_image: UrlForImage,
    problems: Problems,
) -> Course:
    modules = []
    for module in spec.modules:
        lessons = []
        for lesson_id in module.lesson_ids:
            lesson = _build_lesson(
                spec, module.id, lesson_id, drafts.get(lesson_id, {}), owner,
                url_for_lesson, url_for_image, problems,
            )  # fmt: skip
            if lesson is not None:
                lessons.append(lesson)
        modules.append(
            Module(
                id=module.id,
                course_id=spec.id,
                title=module.title,
                summary=module.summary,
                prerequisites=tuple(module.prerequisites),
                lessons=tuple(lessons),
            )
        )
    return Course(
        id=spec.id,
        title=spec.title,
        description=spec.description,
        modules=tuple(modules),
        source=str(spec.manifest),
    )


def _build_lesson(
    spec: _CourseSpec,
    module_id: str,
    lesson_id: str,
    drafts: Mapping[str, _Draft],
    owner: Mapping[str, str],
    url_for_lesson: UrlForLesson,
    url_for_image: UrlForImage,
    problems: Problems,
) -> Lesson | None:
    texts: list[LessonText] = []
    for lang in LANGUAGES:
        draft = drafts.get(lang)
        if draft is None:
            continue
        html = _render(draft, spec, owner, url_for_lesson, url_for_image, problems)
        if not draft.usable:
            continue
        meta = draft.meta
        check = meta["check"]
        texts.append(
            LessonText(
                lang=lang,
                title=meta["title"].strip(),
                html=html,
                takeaways=tuple(item.strip() for item in meta["takeaways"]),
                check=Check(
                    question=check["question"].strip(),
                    options=tuple(
                        CheckOption(
                            text=option["text"].strip(),
                            correct=bool(option.get("correct", False)),
                            feedback=option["feedback"].strip(),
                        )
                        for option in check["options"]
                    ),
                ),
                source=str(draft.path),
            )
        )
    if len(texts) != len(LANGUAGES):
        return None  # already reported; a half-built lesson is not worth showing
    meta = drafts[LANGUAGES[0]].meta
    return Lesson(
        id=lesson_id,
        course_id=spec.id,
        module_id=module_id,
        minutes=int(meta["minutes"]),
        competencies=tuple(meta["competencies"]),
        texts=tuple(texts),
    )


def _render(
    draft: _Draft,
    spec: _CourseSpec,
    owner: Mapping[str, str],
    url_for_lesson: UrlForLesson,
    url_for_image: UrlForImage,
    problems: Problems,
) -> str:
    def resolve_link(target: str) -> str | None:
        if target in owner:
            return url_for_lesson(owner[target], target)
        problems.add(
            draft.path,
            _line_in_body(draft, f"{LESSON_SCHEME}{target}"),
            f"broken link: no lesson with id '{target}'",
        )
        return None

    def resolve_image(src: str) -> str | None:
        name = _image_name(src)
        if name is None:
            problems.add(
                draft.path,
                _line_in_body(draft, src),
                f"image '{src}': use a file in this course's images/ folder (images/<name>)",
            )
            return None
        if not (spec.folder / "images" / name).is_file():
            problems.add(
                draft.path, _line_in_body(draft, src), f"image not found: {spec.folder / 'images' / name}"
            )
            return None
        return url_for_image(spec.id, name)

    return render_markdown(draft.body, resolve_link=resolve_link, resolve_image=resolve_image)


def _image_name(src: str) -> str | None:
    """``images/a.svg`` -> ``a.svg``; None for anything outside images/ (URLs, ``..``, absolute)."""
    if not src or ":" in src or src.startswith(("/", "\\")) or "\\" in src:
        return None
    parts = PurePosixPath(src).parts
    if len(parts) < 2 or parts[0] != "images" or any(part in ("..", ".") for part in parts):
        return None
    return "/".join(parts[1:])


def _line_in_body(draft: _Draft, needle: str) -> int:
    for offset, text in enumerate(draft.body.splitlines()):
        if needle in text:
            return draft.body_line + offset
    return draft.body_line


_SVG_NS_HREFS = ("href", "{http://www.w3.org/1999/xlink}href")


def _check_svgs(images_dir: Path, problems: Problems) -> None:
    """Served images must be self-contained: well-formed, no scripts, handlers or outside links."""
    if not images_dir.is_dir():
        return
    for path in sorted(images_dir.glob("*.svg")):
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError) as exc:
            problems.add(path, getattr(exc, "position", (1, 0))[0], f"not a well-formed SVG: {exc}")
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            if tag in ("script", "foreignObject"):
                problems.add(path, _line_in_text(text, f"<{tag}"), f"SVG must not contain <{tag}>")
            for attribute, value in element.attrib.items():
                name = attribute.rsplit("}", 1)[-1]
                if name.lower().startswith("on"):
                    problems.add(path, _line_in_text(text, name), f"SVG must not use event handler '{name}'")
                elif attribute in _SVG_NS_HREFS and not value.startswith("#"):
                    problems.add(
                        path, _line_in_text(text, value), f"SVG must not reference outside itself: {value!r}"
                    )
                elif "url(" in value and "url(#" not in value.replace(" ", ""):
                    problems.add(path, _line_in_text(text, value), "SVG must not load outside resources")


def _line_in_text(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1
