"""The observer rubric: the real file validates; broken rubrics are reported; scoring."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.content.source import Problems
from trainer.roleplay.rubric import RubricError, load_rubric, rubric_info, score_rubric

REAL = Path(__file__).resolve().parents[3] / "scenarios" / "rubric.yaml"
ITEMS = [
    "prepared_documents",
    "stated_amount_due",
    "listened_first",
    "restated_concern",
    "offered_options",
    "written_commitment",
    "professional_lawful",
]


@pytest.fixture(scope="module")
def rubric():  # type: ignore[no-untyped-def]
    problems = Problems()
    loaded = load_rubric(REAL, problems)
    assert not problems, [str(p) for p in problems]
    return loaded


def test_real_rubric_has_the_seven_items_with_four_levels_each(rubric) -> None:  # type: ignore[no-untyped-def]
    assert [item.id for item in rubric.items] == ITEMS
    assert all(len(item.levels) == 4 for item in rubric.items)
    assert rubric.maximum == 21


def test_scoring_total_and_percent(rubric) -> None:  # type: ignore[no-untyped-def]
    result = score_rubric(rubric, dict.fromkeys(ITEMS, 3))
    assert (result.total, result.maximum, result.percent) == (21, 21, 100.0)
    scores = dict(zip(ITEMS, [3, 2, 2, 1, 0, 3, 3], strict=True))
    result = score_rubric(rubric, scores)
    assert result.total == 14 and result.percent == 66.7
    assert list(result.scores) == ITEMS


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("listened_first"), "not scored: listened_first"),
        (lambda s: s.update(charm=2), "unknown rubric items: charm"),
        (lambda s: s.update(listened_first=4), "listened_first: a score is a whole number from 0 to 3"),
        (lambda s: s.update(listened_first=-1), "whole number"),
        (lambda s: s.update(listened_first=1.5), "whole number"),
        (lambda s: s.update(listened_first="2"), "whole number"),
        (lambda s: s.update(listened_first=True), "whole number"),
    ],
)
def test_scoring_refuses_bad_scores(rubric, change, message) -> None:  # type: ignore[no-untyped-def]
    scores = dict.fromkeys(ITEMS, 2)
    change(scores)
    with pytest.raises(RubricError, match=message):
        score_rubric(rubric, scores)


def test_rubric_info_in_one_language(rubric) -> None:  # type: ignore[no-untyped-def]
    info = rubric_info(rubric, "zh")
    assert info["maximum"] == 21
    assert info["items"][0]["title"] == "准备好单据资料"
    assert [level["score"] for level in info["items"][0]["levels"]] == [0, 1, 2, 3]
    assert rubric_info(rubric, "en")["items"][6]["title"] == "Stayed professional and lawful"


BROKEN = """\
id: broken
title: {zh: 表, en: Sheet}
instructions: {zh: 说明}
items:
  - id: a
    title: {zh: 甲, en: A}
    levels:
      - {score: 0, text: {zh: 零, en: zero}}
      - {score: 2, text: {zh: 二, en: two}}
      - {score: 1, text: {zh: 一, en: one}}
      - {score: 3, text: {zh: 三, en: three}}
  - id: a
    title: {zh: 乙}
    levels:
      - {score: 0, text: {zh: 零, en: zero}}
  - id: B!
    title: {zh: 丙, en: C}
    levels: []
    weight: 2
"""


def test_broken_rubric_reports_every_problem_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "rubric.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    problems = Problems()
    assert load_rubric(path, problems) is None
    found = [f"{p.line}: {p.message}" for p in problems]
    assert found == [
        "3: instructions: missing en text",
        "9: item 'a': levels must list the scores 0, 1, 2, 3 in order",
        "12: item 'a': duplicate id",
        "13: item 'a' title: missing en text",
        "14: item 'a': levels must list exactly the scores 0, 1, 2, 3",
        "16: item 3: id must be lower-case letters, digits and '_'",
        "19: item 3: unknown key 'weight' (allowed: id, levels, title)",
    ]
