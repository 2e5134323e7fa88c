"""Near-duplicate items: the measure, its calibration on the duplicates the content review found,
and that only pairs sharing a draw pool are compared."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType

import pytest

from tests.conftest import COMPETENCIES
from trainer.contentlint.report import Thresholds
from trainer.contentlint.stems import draw_pools, item_text, near_duplicates, similarity_table, tokens
from trainer.quiz.bank.loader import load_banks
from trainer.quiz.bank.model import DrawRule, Question, QuestionBankSet, QuizDefinition

from .conftest import MODULES, single

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "banks"
KNOWN = [("m1-q008", "m4-q023"), ("m2-q014", "m4-q025"), ("m1-q009", "m5-q025"), ("m2-q023", "m5-q026")]
THRESHOLD = Thresholds().duplicate_similarity


@pytest.fixture(scope="module")
def calibration() -> QuestionBankSet:
    bank_set, problems = load_banks(FIXTURES, module_ids=MODULES, competency_ids=COMPETENCIES)
    assert not problems, "\n".join(map(str, problems))
    return bank_set


def quiz(quiz_id: str, *rules: DrawRule, kind: str = "final") -> QuizDefinition:
    return QuizDefinition(
        id=quiz_id,
        kind=kind,
        title=MappingProxyType({"zh": "测", "en": "T"}),
        draw=rules,
        pass_mark=70,
        time_limit_minutes=None,
        max_attempts=None,
        grading="highest",
        show_feedback="after_submit",
    )


def test_known_duplicates_are_caught_and_unrelated_pairs_are_not(calibration: QuestionBankSet) -> None:
    table = similarity_table(list(calibration))
    known = {frozenset(pair) for pair in KNOWN}
    for pair in KNOWN:
        score = table.get(pair, table.get((pair[1], pair[0])))
        assert score is not None and score >= THRESHOLD, (pair, score)
    others = {ids: score for ids, score in table.items() if frozenset(ids) not in known}
    closest = max(others, key=lambda ids: others[ids])
    # the closest unrelated pairs (same setup, another question: DSO vs turnover, BPDSO vs ADD) stay below
    assert others[closest] < THRESHOLD, (closest, others[closest])
    assert table[("m4-q012", "m4-q013")] < THRESHOLD and table[("m4-q008", "m4-q011")] < THRESHOLD


def test_numbers_and_placeholders_are_ignored(calibration: QuestionBankSet) -> None:
    calculated = calibration["m2-q023"]
    assert "{A}" in calculated.text["zh"]
    assert not any(ch.isdigit() for token in tokens(calculated, "zh") for ch in token)
    assert "ƒcarrying_cost" in tokens(calibration["m1-q008"], "en")  # the KPI function counts
    multi = calibration["m3-q006"]
    assert item_text(multi, "en").startswith(multi.text["en"])  # the options are part of the item
    assert all(option.text["en"] in item_text(multi, "en") for option in multi.options)


def test_identical_items_score_one_and_language_mean() -> None:
    a = single(
        "a",
        [("先款后货", "payment before goods"), ("先货后款", "goods before payment")],
        text=("客户要赊账，怎么办？", "The customer wants credit. What now?"),
    )
    b = dataclasses.replace(a, id="b")
    c = single(
        "c",
        [("仲裁", "arbitration"), ("诉讼", "litigation")],
        text=("合同里有仲裁条款，能否起诉？", "The contract has an arbitration clause. Can you sue?"),
    )
    table = similarity_table([a, b, c])
    assert table[("a", "b")] == pytest.approx(1.0)
    assert table[("a", "c")] < 0.2


def same_text_in(module: str, qid: str) -> Question:
    return single(
        qid,
        [("相同的选项", "the same option"), ("另一个", "another")],
        module=module,
        text=("完全相同的题干", "exactly the same stem"),
    )


def test_only_pairs_that_share_a_draw_pool_count() -> None:
    m1, m2 = same_text_in("m1-basics", "x1"), same_text_in("m2-risk", "x2")
    module_quizzes = {
        "m1": quiz("m1", DrawRule(1, module="m1-basics"), kind="module"),
        "m2": quiz("m2", DrawRule(1, module="m2-risk"), kind="module"),
    }
    apart = near_duplicates([m1, m2], module_quizzes, THRESHOLD)
    assert apart.compared == 0 and apart.passed
    with_final = {
        **module_quizzes,
        "final": quiz("final", DrawRule(1, module="m1-basics"), DrawRule(1, module="m2-risk")),
    }
    together = near_duplicates([m1, m2], with_final, THRESHOLD)
    assert together.compared == 1 and not together.passed
    (pair,) = together.flagged
    assert (pair.first, pair.second, pair.quizzes) == ("x1", "x2", ("final",))
    assert draw_pools([m1, m2], with_final) == {"m1": {"x1"}, "m2": {"x2"}, "final": {"x1", "x2"}}


def test_retired_questions_are_left_out() -> None:
    first, second = same_text_in("m1-basics", "y1"), same_text_in("m1-basics", "y2")
    quizzes = {"m1": quiz("m1", DrawRule(2, module="m1-basics"), kind="module")}
    assert not near_duplicates([first, second], quizzes, THRESHOLD).passed
    retired = dataclasses.replace(second, retired=True)
    stats = near_duplicates([first, retired], quizzes, THRESHOLD)
    assert stats.compared == 0 and stats.passed


def test_closest_pairs_show_a_few_below_the_threshold(calibration: QuestionBankSet) -> None:
    everything = {"final": quiz("final", DrawRule(30))}
    stats = near_duplicates(calibration, everything, THRESHOLD, show_below=3)
    assert len(stats.flagged) == 4 and len(stats.closest) == 7
    assert {frozenset((p.first, p.second)) for p in stats.flagged} == {frozenset(p) for p in KNOWN}
    assert [p.score for p in stats.closest] == sorted((p.score for p in stats.closest), reverse=True)
