"""The real competency framework (``courses/competencies.yaml``) passes validation and is complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import COMPETENCIES
from trainer.content.source import LANGUAGES
from trainer.learn.course import load_competencies
from trainer.scorecard.framework import LEVELS, Framework, load_framework
from trainer.scorecard.rules import completeness, self_scores

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "courses" / "competencies.yaml"

DIMENSIONS = tuple(COMPETENCIES)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def framework() -> Framework:
    loaded, problems = load_framework(PATH)
    assert not problems, "\n".join(map(str, problems))
    return loaded


def test_eight_dimensions_in_order_matching_the_tags(framework: Framework) -> None:
    assert framework.ids == DIMENSIONS
    competencies, problems = load_competencies(PATH)
    assert not problems
    assert tuple(competencies) == DIMENSIONS
    for dimension in framework:
        assert dict(dimension.title) == dict(competencies[dimension.id].title)


def test_statements_and_levels_per_dimension(framework: Framework) -> None:
    for dimension in framework:
        assert 4 <= len(dimension.statements) <= 5, dimension.id
        assert dimension.statement_ids == tuple(
            f"{dimension.id}.s{n}" for n in range(1, len(dimension.statements) + 1)
        )
        assert tuple(level.level for level in dimension.levels) == LEVELS, dimension.id


def every_text(framework: Framework) -> list[tuple[str, dict[str, str]]]:
    texts: list[tuple[str, dict[str, str]]] = []
    for dimension in framework:
        texts.append((f"{dimension.id} description", dict(dimension.description)))
        texts += [(statement.id, dict(statement.text)) for statement in dimension.statements]
        texts += [(f"{dimension.id} level {level.level}", dict(level.text)) for level in dimension.levels]
    return texts


def test_every_text_in_both_languages(framework: Framework) -> None:
    for where, text in every_text(framework):
        assert tuple(text) == LANGUAGES, where
        assert _CJK.search(text["zh"]), f"{where}: the zh text has no Chinese"
        assert not _CJK.search(text["en"]), f"{where}: the en text contains Chinese"
        assert len(text["en"]) >= 40 and len(text["zh"]) >= 15, f"{where}: too short to be useful"


def test_statements_are_first_person_behaviours(framework: Framework) -> None:
    for statement in framework.statements:
        assert "我" in statement.text["zh"], statement.id
        assert re.search(r"\bI\b|\bMy\b", statement.text["en"]), statement.id


def test_no_text_is_used_twice(framework: Framework) -> None:
    for lang in LANGUAGES:
        seen: dict[str, str] = {}
        for where, text in every_text(framework):
            assert text[lang] not in seen, f"{where} repeats {seen.get(text[lang])} ({lang})"
            seen[text[lang]] = where


def test_the_form_is_scorable(framework: Framework) -> None:
    ratings = {statement.id: 3 for statement in framework.statements}
    assert completeness(framework, ratings).complete
    assert set(self_scores(framework, ratings).values()) == {3.0}
