"""Lesson files (``lessons/<id>.<lang>.md``): front matter checked, both languages compared."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainer.content.source import LANGUAGES, Problems, check_keys, line_of, split_front_matter
from trainer.learn.course.fields import nonblank, string_list
from trainer.learn.course.manifest import CourseSpec
from trainer.learn.course.model import (
    MAX_MINUTES,
    MAX_OPTIONS,
    MAX_TAKEAWAYS,
    MIN_MINUTES,
    MIN_OPTIONS,
    MIN_TAKEAWAYS,
)

LESSON_KEYS = ("id", "title", "minutes", "competencies", "takeaways", "check")
WORKED_EXAMPLE_HEADING = {"zh": "算例", "en": "Worked example"}
LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}
_LESSON_FILE = re.compile(r"^(?P<id>[^.]+)\.(?P<lang>[a-z]{2})\.md$")


@dataclass
class LessonDraft:
    """One language file of a lesson after front-matter validation, before rendering."""

    lang: str
    path: Path
    meta: Any
    body: str
    body_line: int
    usable: bool  # front matter complete enough to build a LessonText


def read_lessons(
    spec: CourseSpec, competencies: set[str], problems: Problems
) -> dict[str, dict[str, LessonDraft]]:
    """Front matter of every listed lesson in every language; reports missing and stray files."""
    lessons_dir = spec.folder / "lessons"
    drafts: dict[str, dict[str, LessonDraft]] = {}
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
) -> LessonDraft:
    before = len(problems)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path, 1, f"cannot read file as UTF-8: {exc}")
        return LessonDraft(lang, path, None, "", 1, usable=False)
    document = split_front_matter(text, path, problems)
    meta = document.meta
    draft = LessonDraft(lang, path, meta, document.body, document.body_line, usable=False)
    if meta is None:
        if len(problems) == before:
            problems.add(path, 1, "empty front matter")
        return draft
    check_keys(meta, required=LESSON_KEYS, path=path, problems=problems, where="front matter")

    if "id" in meta and meta["id"] != lesson_id:
        problems.add(
            path, line_of(meta, "id"), f"id {meta['id']!r} does not match the file name '{path.name}'"
        )
    if "title" in meta and not nonblank(meta["title"]):
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


def _check_competencies(meta: Mapping[str, Any], path: Path, known: set[str], problems: Problems) -> None:
    value = meta["competencies"]
    at = line_of(meta, "competencies")
    names = string_list(value, path, at, problems, "competencies")
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
    if not isinstance(value, list) or not all(nonblank(item) for item in value):
        problems.add(path, at, "takeaways: expected a list of short texts")
    elif not MIN_TAKEAWAYS <= len(value) <= MAX_TAKEAWAYS:
        problems.add(path, at, f"takeaways: {len(value)} items, expected {MIN_TAKEAWAYS} to {MAX_TAKEAWAYS}")


def _check_check(value: Any, path: Path, at: int, problems: Problems) -> None:
    if not check_keys(value, required=["question", "options"], path=path, problems=problems, where="check"):
        return
    if "question" in value and not nonblank(value["question"]):
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
            if key in option and not nonblank(option[key]):
                problems.add(path, line_of(option, key, here), f"{where}: {key}: expected a non-empty text")
        flag = option.get("correct", False)
        if not isinstance(flag, bool):
            problems.add(path, line_of(option, "correct", here), f"{where}: correct: expected true or false")
        elif flag:
            correct += 1
    if correct != 1:
        problems.add(path, options_line, f"check: exactly one option must be correct, found {correct}")


def _check_languages_agree(drafts: Mapping[str, LessonDraft], problems: Problems) -> None:
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
