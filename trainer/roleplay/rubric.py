"""The observer rubric for pair workshops (``scenarios/rubric.yaml``): loading, validation, scoring.

Each item is scored 0-3; ``levels[n]`` describes score ``n`` in both languages. The observer scores
every item; :func:`score_rubric` turns the scores into a total and a percentage.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainer.content.source import (
    Problems,
    check_keys,
    check_localized,
    line_of,
    load_yaml_file,
    localized,
    pick,
)

SCALE: tuple[int, ...] = (0, 1, 2, 3)
"""The score of every item, lowest first."""

_ID = re.compile(r"^[a-z][a-z0-9_]*$")

Text = Mapping[str, str]


class RubricError(ValueError):
    """Scores that do not fit the rubric (missing, unknown or out-of-range items)."""


@dataclass(frozen=True)
class RubricItem:
    id: str
    title: Text
    levels: tuple[Text, ...]  # levels[score]


@dataclass(frozen=True)
class Rubric:
    id: str
    title: Text
    instructions: Text
    items: tuple[RubricItem, ...]

    @property
    def maximum(self) -> int:
        return SCALE[-1] * len(self.items)

    def item(self, item_id: str) -> RubricItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)


@dataclass(frozen=True)
class RubricScore:
    scores: Mapping[str, int]  # item id -> 0..3, in rubric order
    total: int
    maximum: int
    percent: float  # 0-100, one decimal


def load_rubric(path: str | Path, problems: Problems) -> Rubric | None:
    """Read and validate the rubric; problems go to ``problems``; None when anything is wrong."""
    path = Path(path)
    before = len(problems)
    data = load_yaml_file(path, problems)
    if data is None:
        return None
    if not check_keys(
        data, required=("id", "title", "instructions", "items"), path=path, problems=problems, where="rubric"
    ):
        return None
    texts = {}
    for key in ("title", "instructions"):
        if key in data and check_localized(
            data[key], path=path, problems=problems, where=key, line=line_of(data, key)
        ):
            texts[key] = localized(data[key])
    raw_items = data.get("items")
    items: list[RubricItem] = []
    if not isinstance(raw_items, list) or not raw_items:
        problems.add(path, line_of(data, "items"), "items must be a non-empty list")
        raw_items = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_items):
        where = f"item {index + 1}"
        if not check_keys(raw, required=("id", "title", "levels"), path=path, problems=problems, where=where):
            continue
        item_id = raw.get("id")
        if not isinstance(item_id, str) or not _ID.match(item_id):
            problems.add(path, line_of(raw, "id"), f"{where}: id must be lower-case letters, digits and '_'")
            continue
        where = f"item '{item_id}'"
        if item_id in seen:
            problems.add(path, line_of(raw, "id"), f"{where}: duplicate id")
        seen.add(item_id)
        title_ok = "title" in raw and check_localized(
            raw["title"], path=path, problems=problems, where=f"{where} title", line=line_of(raw, "title")
        )
        levels = _levels(raw.get("levels"), path, problems, where, line_of(raw, "levels"))
        if title_ok and levels is not None:
            items.append(RubricItem(item_id, localized(raw["title"]), levels))
    if len(problems) > before or len(texts) < 2:
        return None
    return Rubric(str(data["id"]), texts["title"], texts["instructions"], tuple(items))


def _levels(raw: Any, path: Path, problems: Problems, where: str, line: int) -> tuple[Text, ...] | None:
    expected = ", ".join(str(s) for s in SCALE)
    if not isinstance(raw, list) or len(raw) != len(SCALE):
        problems.add(path, line, f"{where}: levels must list exactly the scores {expected}")
        return None
    result = []
    for position, level in enumerate(raw):
        at = line_of(raw, position, line)
        if not check_keys(
            level, required=("score", "text"), path=path, problems=problems, where=f"{where} level"
        ):
            return None
        if level.get("score") != SCALE[position] or isinstance(level.get("score"), bool):
            problems.add(path, at, f"{where}: levels must list the scores {expected} in order")
            return None
        if not check_localized(
            level.get("text"), path=path, problems=problems, where=f"{where} level {SCALE[position]}", line=at
        ):
            return None
        result.append(localized(level["text"]))
    return tuple(result)


def score_rubric(rubric: Rubric, scores: Mapping[str, Any]) -> RubricScore:
    """Total and percentage for one observation; every item must be scored with an integer 0-3."""
    known = [item.id for item in rubric.items]
    unknown = sorted(set(scores) - set(known))
    if unknown:
        raise RubricError(f"unknown rubric items: {', '.join(map(str, unknown))}")
    missing = [item_id for item_id in known if item_id not in scores]
    if missing:
        raise RubricError(f"not scored: {', '.join(missing)}")
    clean: dict[str, int] = {}
    for item_id in known:
        value = scores[item_id]
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            raise RubricError(f"{item_id}: a score is a whole number from {SCALE[0]} to {SCALE[-1]}")
        clean[item_id] = value
    total = sum(clean.values())
    percent = round(100 * total / rubric.maximum, 1) if rubric.maximum else 0.0
    return RubricScore(clean, total, rubric.maximum, percent)


def rubric_info(rubric: Rubric, lang: str) -> dict[str, Any]:
    """The rubric as plain data in one language, for the observer's form."""
    return {
        "id": rubric.id,
        "title": pick(rubric.title, lang),
        "instructions": pick(rubric.instructions, lang),
        "maximum": rubric.maximum,
        "items": [
            {
                "id": item.id,
                "title": pick(item.title, lang),
                "levels": [
                    {"score": s, "text": pick(t, lang)} for s, t in zip(SCALE, item.levels, strict=True)
                ],
            }
            for item in rubric.items
        ],
    }
