"""``course.yaml``: the course's id, titles and modules in order, with prerequisites checked for cycles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainer.content.source import Problems, check_keys, line_of, load_yaml_file
from trainer.learn.course.fields import localized_or_blank, string_list, valid_id


@dataclass
class ModuleSpec:
    id: str
    title: Mapping[str, str]
    summary: Mapping[str, str]
    prerequisites: list[str]
    lesson_ids: list[str]
    line: int


@dataclass
class CourseSpec:
    id: str
    folder: Path
    manifest: Path
    title: Mapping[str, str]
    description: Mapping[str, str]
    modules: list[ModuleSpec]
    listed_at: dict[str, int]  # lesson id -> line in course.yaml


def read_manifest(folder: Path, problems: Problems) -> CourseSpec | None:
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
    if valid_id(course_id, manifest, line_of(data, "id"), problems, "course") and course_id != folder.name:
        problems.add(
            manifest,
            line_of(data, "id"),
            f"course id '{course_id}' does not match its folder '{folder.name}'",
        )
    course_id = folder.name  # the folder is what URLs and images hang on
    title = localized_or_blank(data, "title", manifest, problems, "course title")
    description = localized_or_blank(data, "description", manifest, problems, "course description")

    modules: list[ModuleSpec] = []
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
    return CourseSpec(course_id, folder, manifest, title, description, modules, listed_at)


def _read_module(
    raw: Any,
    index: int,
    container: Any,
    manifest: Path,
    listed_at: dict[str, int],
    problems: Problems,
) -> ModuleSpec | None:
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
    if not valid_id(module_id, manifest, line_of(raw, "id", line), problems, where):
        return None
    where = f"module '{module_id}'"
    title = localized_or_blank(raw, "title", manifest, problems, f"{where} title")
    summary = localized_or_blank(raw, "summary", manifest, problems, f"{where} summary")
    prerequisites = (
        string_list(
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
        if not valid_id(lesson_id, manifest, at, problems, f"{where} lesson {position + 1}"):
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
    return ModuleSpec(module_id, title, summary, prerequisites, lesson_ids, line_of(raw, "id", line))


def _check_prerequisites(modules: list[ModuleSpec], manifest: Path, problems: Problems) -> None:
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
