"""Grading of every question type, partial credit, tolerance edges, grading properties and attempt
totals (instances, drawing and the answer form are in test_instances.py)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.quiz.answer_shapes import (
    AnswerError,
    normalize_answer,
    parse_number,
)
from trainer.quiz.bank.model import DrawRule, Question, QuestionBankSet
from trainer.quiz.grading import (
    expected_value,
    format_expected,
    grade,
    instance_text,
    kept_percent,
    score_attempt,
)
from trainer.quiz.instances import (
    QuestionInstance,
    draw_instance,
)

from .conftest import answer_for, inst, quiz

# --------------------------------------------------------------------------------------------------
# single, multi, truefalse
# --------------------------------------------------------------------------------------------------


def test_single(mini: QuestionBankSet) -> None:
    q = mini["q-single"]
    i = inst(q)
    right = grade(q, i, "b")
    assert (right.score, right.max_score, right.correct, right.answered) == (1.0, 1.0, True, True)
    assert [f["en"] for f in right.feedback] == ["Right."]
    wrong = grade(q, i, "a")
    assert (wrong.score, wrong.correct) == (0.0, False)
    assert [f["en"] for f in wrong.feedback] == ["No."]
    assert {p.id: (p.given, p.expected) for p in wrong.parts}["b"] == (False, True)
    blank = grade(q, i, None)
    assert (blank.score, blank.answered) == (0.0, False)


@pytest.mark.parametrize(
    ("picked", "score"),
    [
        (["a", "b"], 1.0),
        (["b", "a"], 1.0),
        (["a"], 0.5),
        (["a", "c"], 0.0),  # 50 - 50
        (["a", "b", "c"], 0.5),  # 100 - 50
        (["a", "b", "c", "d"], 0.0),  # 100 - 150, clamped at zero
        (["d"], 0.0),
        ([], 0.0),
    ],
)
def test_multi_partial_credit(mini: QuestionBankSet, picked: list[str], score: float) -> None:
    q = mini["q-multi"]
    result = grade(q, inst(q), picked)
    assert result.score == pytest.approx(score)
    assert result.correct is (score == 1.0)
    assert result.answered


def test_multi_feedback_and_parts(mini: QuestionBankSet) -> None:
    q = mini["q-multi"]
    result = grade(q, inst(q, shuffle=False), ["a", "d"])
    assert [f["en"] for f in result.feedback] == ["Yes.", "That is a good habit."]  # in display order
    parts = {p.id: p for p in result.parts}
    assert parts["a"].credit == pytest.approx(0.5) and parts["d"].credit == pytest.approx(-1.0)
    assert parts["b"].correct is False  # should have been ticked


def test_truefalse(mini: QuestionBankSet) -> None:
    q = mini["q-tf"]
    i = inst(q)
    assert grade(q, i, True).correct
    assert grade(q, i, "true").score == 1.0
    wrong = grade(q, i, "false")
    assert wrong.score == 0.0 and [f["en"] for f in wrong.feedback] == ["Not so."]


# --------------------------------------------------------------------------------------------------
# numeric and calculated
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "score"),
    [
        ("45", 1.0),
        ("44.5", 1.0),  # lower edge of ±0.5, inclusive
        ("45.5", 1.0),  # upper edge, inclusive
        ("45.51", 0.5),  # outside ±0.5, inside the alternative ±2 (half credit)
        ("47", 0.5),  # edge of the alternative
        ("43", 0.5),
        ("47.01", 0.0),
        ("-45", 0.0),
        ("４５", 1.0),  # full-width digits
        ("45%", 1.0),
        (" +45.0 ", 1.0),
        ("1,045", 0.0),
    ],
)
def test_numeric_tolerance_edges(mini: QuestionBankSet, typed: str, score: float) -> None:
    q = mini["q-numeric"]
    assert grade(q, inst(q), typed).score == score


def test_numeric_feedback_and_review(mini: QuestionBankSet) -> None:
    q = mini["q-numeric"]
    i = inst(q)
    assert [f["en"] for f in grade(q, i, "45.2").feedback] == ["Right: 45 days."]
    assert [f["en"] for f in grade(q, i, "46").feedback] == ["Close."]
    assert grade(q, i, "50").feedback == ()
    assert format_expected(q, i) == "45"
    assert (
        instance_text(q, i, q.text)["en"]
        == "Annual credit sales 730, average receivables 90. What is the DSO?"
    )
    assert instance_text(q, i, q.explanation)["en"] == "DSO = 90 / 730 × 365 = 45 days"
    assert grade(q, i, "").answered is False


def test_relative_tolerance_edges(mini: QuestionBankSet) -> None:
    q = mini["q-pct"]
    i = inst(q)
    answer = expected_value(q, i)
    assert answer == pytest.approx(37.2449, abs=1e-4)
    assert grade(q, i, f"{answer * 1.01:.10f}").score == 1.0
    assert grade(q, i, f"{answer * 0.99:.10f}").score == 1.0
    assert grade(q, i, f"{answer * 1.0102:.10f}").score == 0.0
    assert format_expected(q, i) == "37.2"


@pytest.mark.parametrize("typed", ["abc", "45,5", "4 5.5.", "1e3", "--4", ".", "", "45" * 30])
def test_numeric_rejects_non_numbers(mini: QuestionBankSet, typed: str) -> None:
    q = mini["q-numeric"]
    if not typed:
        assert normalize_answer(q, inst(q), typed) is None
        return
    with pytest.raises(AnswerError):
        grade(q, inst(q), typed)


def test_parse_number() -> None:
    assert parse_number("1,234.5") == 1234.5
    assert parse_number("-.5") == -0.5
    assert parse_number("−3") == -3.0  # a typographic minus sign
    with pytest.raises(AnswerError):
        parse_number("12,34")


def test_calculated_with_fixed_seed(mini: QuestionBankSet) -> None:
    q = mini["q-calc"]
    first, again, other = inst(q, seed=2024), inst(q, seed=2024), inst(q, seed=7)
    assert first == again  # the same seed draws the same params
    assert first.params != other.params
    s, a = first.params["S"], first.params["A"]
    assert 500 <= s <= 900 and s % 10 == 0 and 40 <= a <= 120 and a.is_integer()
    answer = a / s * 365
    assert expected_value(q, first) == pytest.approx(answer)
    assert grade(q, first, f"{answer + 0.49:.6f}").score == 1.0
    assert grade(q, first, f"{answer - 0.51:.6f}").score == 0.0  # no alternative on this question
    text = instance_text(q, first, q.text)
    assert f"{s:.0f}" in text["zh"] and f"{a:,.0f}" in text["en"] and "{" not in text["en"]


def test_stored_instance_reproduces_the_grade(mini: QuestionBankSet) -> None:
    for q in mini:
        i = inst(q, seed=99)
        stored = json.loads(json.dumps(i.to_dict()))
        again = QuestionInstance.from_dict(stored)
        assert again == i
        answer = canonical_answer(q, i)
        assert grade(q, again, answer) == grade(q, i, answer)


# --------------------------------------------------------------------------------------------------
# ordering and matching
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "score"),
    [
        (["remind", "call", "letter", "legal"], 1.0),
        (["legal", "letter", "call", "remind"], 0.0),
        (["call", "remind", "letter", "legal"], 2 / 3),  # one adjacent swap: 3 in order
        (["call", "letter", "legal", "remind"], 2 / 3),  # first moved to the end: 3 still in order
        (["remind", "legal", "letter", "call"], 1 / 3),
    ],
)
def test_ordering_longest_ordered_run(mini: QuestionBankSet, order: list[str], score: float) -> None:
    q = mini["q-order"]
    result = grade(q, inst(q), order)
    assert result.score == pytest.approx(score)
    assert result.correct is (score == 1.0)


def test_ordering_parts_and_errors(mini: QuestionBankSet) -> None:
    q = mini["q-order"]
    i = inst(q)
    result = grade(q, i, ["call", "letter", "legal", "remind"])
    parts = {p.id: p for p in result.parts}
    assert (parts["remind"].given, parts["remind"].expected, parts["remind"].correct) == (4, 1, False)
    assert parts["call"].correct and parts["legal"].correct
    for bad in (["remind", "call", "letter"], ["remind", "call", "letter", "fax"], ["remind"] * 4, "remind"):
        with pytest.raises(AnswerError):
            grade(q, i, bad)


def test_matching(mini: QuestionBankSet) -> None:
    q = mini["q-match"]
    i = inst(q)
    assert grade(q, i, ({"paid": "paid", "lost": "lost", "budget": "budget"})).score == 1.0
    swapped = grade(q, i, ({"paid": "lost", "lost": "paid", "budget": "budget"}))
    assert swapped.score == pytest.approx(1 / 3)
    assert {p.id: p.given for p in swapped.parts}["paid"] == "lost"
    partial = grade(q, i, ({"paid": "paid"}))
    assert partial.score == pytest.approx(1 / 3) and partial.answered
    assert grade(q, i, {}).answered is False


@pytest.mark.parametrize(
    "answer",
    [
        {"fax": "paid"},  # prompt not in the question
        {"paid": "r1"},  # a form key is not a canonical answer
        {"paid": "fax"},
        ["paid", "lost", "budget"],
        {"paid": 1},
    ],
)
def test_matching_rejects_tampered_answers(mini: QuestionBankSet, answer: Any) -> None:
    q = mini["q-match"]
    with pytest.raises(AnswerError):
        grade(q, inst(q), answer)


@pytest.mark.parametrize(
    ("qid", "answer"),
    [
        ("q-single", "z"),
        ("q-single", ["b"]),
        ("q-single", 1),
        ("q-multi", "a"),
        ("q-multi", ["a", "a"]),
        ("q-multi", ["a", "z"]),
        ("q-tf", "maybe"),
        ("q-tf", 1),
        ("q-numeric", True),
        ("q-numeric", ["45"]),
    ],
)
def test_tampered_answers_are_rejected(mini: QuestionBankSet, qid: str, answer: Any) -> None:
    q = mini[qid]
    with pytest.raises(AnswerError):
        normalize_answer(q, inst(q), answer)


# --------------------------------------------------------------------------------------------------
# Hypothesis properties
# --------------------------------------------------------------------------------------------------


def canonical_answer(question: Question, instance: QuestionInstance) -> Any:
    """A fixed, meaningful answer expressed for this instance (right for most types)."""
    if question.type == "single":
        return next(o.id for o in question.options if o.correct)
    if question.type == "multi":
        return [o.id for o in question.options if o.weight > 0][:1] + [question.options[-1].id]
    if question.type == "truefalse":
        return True
    if question.is_numeric:
        return f"{expected_value(question, instance) + 0.3:.4f}"
    if question.type == "ordering":
        ids = [item.id for item in question.items]
        return ids[1:] + ids[:1]
    return {p.id: p.id for p in question.pairs[:-1]}


@settings(max_examples=300, deadline=None)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_score_is_always_between_zero_and_the_mark(
    mini: QuestionBankSet, data: st.DataObject, seed: int
) -> None:
    question = data.draw(st.sampled_from(list(mini)))
    instance = draw_instance(question, random.Random(seed))
    answer = data.draw(answer_for(question, instance))
    result = grade(question, instance, answer)
    assert 0.0 <= result.score <= result.max_score
    assert result.correct == (result.score == result.max_score and result.answered)


@st.composite
def semantic_answer(draw: st.DrawFn, question: Question) -> Any:
    """An answer in terms of the question's own ids, independent of any instance."""
    if question.type in ("single", "multi"):
        ids = [o.id for o in question.options]
        return (
            draw(st.sampled_from(ids))
            if question.type == "single"
            else draw(st.lists(st.sampled_from(ids), unique=True))
        )
    if question.type == "truefalse":
        return draw(st.booleans())
    if question.type == "ordering":
        return draw(st.permutations([item.id for item in question.items]))
    if question.type == "matching":
        ids = [p.id for p in question.pairs]
        return draw(st.dictionaries(st.sampled_from(ids), st.sampled_from(ids)))
    return f"{draw(st.floats(min_value=0, max_value=100, allow_nan=False)):.2f}"


@settings(max_examples=300, deadline=None)
@given(data=st.data(), seed_a=st.integers(0, 2**32 - 1), seed_b=st.integers(0, 2**32 - 1))
def test_shuffling_never_changes_a_grade(
    mini: QuestionBankSet, data: st.DataObject, seed_a: int, seed_b: int
) -> None:
    question = data.draw(st.sampled_from([q for q in mini if q.type != "calculated"]))
    answer = data.draw(semantic_answer(question))
    first, second = (
        draw_instance(question, random.Random(seed_a)),
        draw_instance(question, random.Random(seed_b)),
    )
    a, b = grade(question, first, answer), grade(question, second, answer)
    assert (a.score, a.correct, a.answered) == (b.score, b.correct, b.answered)


# --------------------------------------------------------------------------------------------------
# attempt totals
# --------------------------------------------------------------------------------------------------


def test_attempt_score_and_kept_percent(mini: QuestionBankSet) -> None:
    definition = quiz(DrawRule(1), grading="highest")
    grades = [
        grade(mini["q-single"], inst(mini["q-single"]), "b"),
        grade(mini["q-multi"], inst(mini["q-multi"]), ["a"]),
    ]
    total = score_attempt(definition, grades)
    assert (total.score, total.max_score, total.percent, total.passed) == (1.5, 2.0, 75.0, True)
    assert kept_percent(definition, [60, 80, 70]) == 80
    assert kept_percent(quiz(DrawRule(1), grading="last"), [60, 80, 70]) == 70
    assert kept_percent(definition, []) is None
