"""The competency framework (``courses/competencies.yaml``) with its self-assessment material.

``load_competencies`` (in :mod:`trainer.learn.course`) reads only the dimension ids and titles,
which is all that tagging lessons, questions and scenarios needs. :func:`load_framework` reads the
whole file: per dimension a ``description``, 4-5 ``statements`` a trainee rates 1-5, and
``levels`` 1..5 describing what each level looks like in practice. It validates those in full and
returns an immutable :class:`Framework` plus every problem found, each as ``path:line: message``.

Ids and titles are validated by ``load_competencies`` (called from here), so a caller that uses
``load_framework`` gets one complete problem list and should not call ``load_competencies`` too.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from trainer.content.source import (
    Problem,
    Problems,
    check_keys,
    check_localized,
    line_of,
    load_yaml_file,
    localized,
    pick,
)
from trainer.learn.course import Competency, load_competencies

__all__ = [
    "LEVELS",
    "MAX_STATEMENTS",
    "MIN_STATEMENTS",
    "Dimension",
    "Framework",
    "Level",
    "Statement",
    "load_framework",
]

LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5)
"""The rating scale of every statement and the levels every dimension describes, lowest first."""
MIN_STATEMENTS, MAX_STATEMENTS = 4, 5

_SUFFIX = re.compile(r"^[a-z0-9][a-z0-9_]*$")

Text = Mapping[str, str]


def _frozen(texts: Mapping[str, str]) -> Text:
    return MappingProxyType(dict(texts))


@dataclass(frozen=True)
class Statement:
    """One behaviour the trainee rates 1-5, e.g. ``credit_assessment.s1``."""

    id: str
    dimension_id: str
    text: Text = field(hash=False)

    def text_in(self, lang: str) -> str:
        return pick(self.text, lang)


@dataclass(frozen=True)
class Level:
    """What level ``level`` (1..5) of a dimension looks like in practice."""

    level: int
    text: Text = field(hash=False)

    def text_in(self, lang: str) -> str:
        return pick(self.text, lang)


@dataclass(frozen=True)
class Dimension:
    id: str
    title: Text = field(hash=False)
    description: Text = field(hash=False)
    statements: tuple[Statement, ...]
    levels: tuple[Level, ...]  # exactly LEVELS, in order

    def level(self, level: int) -> Level:
        """The description of ``level`` (1..5); KeyError outside the scale."""
        for item in self.levels:
            if item.level == level:
                return item
        raise KeyError(level)

    @cached_property
    def statement_ids(self) -> tuple[str, ...]:
        """Built once per dimension (the dashboard asks for them per member)."""
        return tuple(s.id for s in self.statements)


@dataclass(frozen=True)
class Framework:
    """The dimensions in file order; treat as read-only."""

    dimensions: tuple[Dimension, ...]
    source: str = ""

    def __iter__(self) -> Iterator[Dimension]:
        return iter(self.dimensions)

    def __len__(self) -> int:
        return len(self.dimensions)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.dimensions)

    def dimension(self, dimension_id: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(dimension_id)

    @property
    def statements(self) -> tuple[Statement, ...]:
        """Every statement, dimension by dimension (the order of the self-assessment form)."""
        return tuple(s for d in self.dimensions for s in d.statements)

    def statement(self, statement_id: str) -> Statement:
        for statement in self.statements:
            if statement.id == statement_id:
                return statement
        raise KeyError(statement_id)

    @property
    def competencies(self) -> dict[str, Competency]:
        """The ids and titles in the shape ``load_competencies`` returns (for tag validation)."""
        return {d.id: Competency(d.id, d.title) for d in self.dimensions}


def load_framework(path: str | Path) -> tuple[Framework, list[Problem]]:
    """Read and validate ``courses/competencies.yaml`` in full.

    Returns the framework (best effort: only dimensions without problems are in it) and every
    problem found, sorted. The file is valid exactly when the list is empty.
    """
    path = Path(path)
    competencies, found = load_competencies(path)
    problems = Problems()
    problems.extend(found)
    data = load_yaml_file(path, Problems())  # read errors are already in ``found``
    raw_dimensions = data.get("dimensions") if isinstance(data, Mapping) else None
    dimensions: list[Dimension] = []
    if not isinstance(raw_dimensions, list):
        return Framework((), str(path)), list(problems)

    seen_statements: dict[str, int] = {}
    for index, raw in enumerate(raw_dimensions):
        if not isinstance(raw, Mapping):
            continue  # reported by load_competencies
        dim_id = raw.get("id")
        where = f"dimension '{dim_id}'" if isinstance(dim_id, str) else f"dimension {index + 1}"
        at = line_of(raw_dimensions, index)
        before = len(problems)
        for key in ("description", "statements", "levels"):
            if key not in raw:
                problems.add(path, at, f"{where}: missing key '{key}'")
        description_ok = "description" in raw and check_localized(
            raw["description"],
            path=path,
            problems=problems,
            where=f"{where} description",
            line=line_of(raw, "description", at),
        )
        statements = (
            _statements(raw["statements"], str(dim_id), path, problems, where, line_of(raw, "statements", at))
            if "statements" in raw
            else None
        )
        for statement_id, line in (statements or {}).items():
            if statement_id in seen_statements:
                problems.add(path, line, f"{where}: duplicate statement id '{statement_id}'")
            seen_statements.setdefault(statement_id, line)
        levels = (
            _levels(raw["levels"], path, problems, where, line_of(raw, "levels", at))
            if "levels" in raw
            else None
        )
        competency = competencies.get(dim_id) if isinstance(dim_id, str) else None
        if competency is None or len(problems) > before or not description_ok:
            continue
        if statements is None or levels is None:
            continue
        dimensions.append(
            Dimension(
                id=competency.id,
                title=competency.title,
                description=_frozen(localized(raw["description"])),
                statements=tuple(
                    Statement(item["id"], competency.id, _frozen(localized(item["text"])))
                    for item in raw["statements"]
                ),
                levels=levels,
            )
        )
    return Framework(tuple(dimensions), str(path)), list(problems)


def _statements(
    raw: Any, dim_id: str, path: Path, problems: Problems, where: str, line: int
) -> dict[str, int] | None:
    """Validate a dimension's statements; returns {statement id: line} when all of them are sound."""
    if not isinstance(raw, list):
        problems.add(path, line, f"{where}: statements must be a list")
        return None
    if not MIN_STATEMENTS <= len(raw) <= MAX_STATEMENTS:
        problems.add(
            path,
            line,
            f"{where}: expected {MIN_STATEMENTS} to {MAX_STATEMENTS} statements, found {len(raw)}",
        )
    result: dict[str, int] = {}
    ok = True
    for position, item in enumerate(raw):
        at = line_of(raw, position, line)
        label = f"{where} statement {position + 1}"
        if not check_keys(item, required=("id", "text"), path=path, problems=problems, where=label):
            ok = False
            continue
        if "id" not in item or "text" not in item:
            ok = False
            continue
        statement_id = item["id"]
        id_line = line_of(item, "id", at)
        prefix = f"{dim_id}."
        if (
            not isinstance(statement_id, str)
            or not statement_id.startswith(prefix)
            or not _SUFFIX.match(statement_id[len(prefix) :])
        ):
            problems.add(
                path,
                id_line,
                f"{label}: id must be '{dim_id}.' followed by lower-case letters, digits or '_' "
                f"(e.g. '{dim_id}.s{position + 1}'), got {statement_id!r}",
            )
            ok = False
            continue
        if statement_id in result:
            problems.add(path, id_line, f"{where}: duplicate statement id '{statement_id}'")
            ok = False
            continue
        result[statement_id] = id_line
        if not check_localized(
            item["text"], path=path, problems=problems, where=f"{label} text", line=line_of(item, "text", at)
        ):
            ok = False
    return result if ok and MIN_STATEMENTS <= len(raw) <= MAX_STATEMENTS else None


def _levels(raw: Any, path: Path, problems: Problems, where: str, line: int) -> tuple[Level, ...] | None:
    """Validate ``levels``: a list of ``{level: n, text: {zh, en}}`` for exactly 1..5 in order."""
    expected = ", ".join(str(n) for n in LEVELS)
    if not isinstance(raw, list):
        problems.add(path, line, f"{where}: levels must be a list of the levels {expected}")
        return None
    numbers = [item.get("level") if isinstance(item, Mapping) else None for item in raw]
    if len(raw) != len(LEVELS) or any(
        isinstance(n, bool) or n != expected_n for n, expected_n in zip(numbers, LEVELS, strict=False)
    ):
        shown = ", ".join(str(n) for n in numbers)
        problems.add(path, line, f"{where}: levels must be exactly {expected} in order (found: {shown})")
        return None
    result: list[Level] = []
    ok = True
    for position, item in enumerate(raw):
        at = line_of(raw, position, line)
        label = f"{where} level {LEVELS[position]}"
        if not check_keys(item, required=("level", "text"), path=path, problems=problems, where=label):
            ok = False
            continue
        if "text" not in item or not check_localized(
            item["text"], path=path, problems=problems, where=f"{label} text", line=line_of(item, "text", at)
        ):
            ok = False
            continue
        result.append(Level(LEVELS[position], _frozen(localized(item["text"]))))
    return tuple(result) if ok else None
