"""Grading document questions (pure): full and partial credit, wrong, too many and duplicate picks,
unknown ids and tampered form values (a clear error, never a crash)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainer.quiz.bank.document_model import FIXES, STEPS, DecisionOption, Document, Line
from trainer.quiz.document_grading import (
    DECISION_PART,
    DocumentAnswerError,
    document_from_form,
    document_to_form,
    grade_document,
    normalize_document,
)


def t(text: str) -> dict[str, str]:
    return {"zh": text, "en": text}


def aging() -> Document:
    """Eight lines; a, b, c, d, e are the five calls (steps below); x, y, z are not."""
    expected = {"a": "executive", "b": "legal", "c": "manager", "d": "agency", "e": "salesperson"}
    lines = tuple(Line(i, t(i), expected.get(i)) for i in "abcdexyz")
    return Document("aging", t("Aging"), None, "CNY", lines, STEPS, slots=5, false_pick_cost=0.0)


def contract() -> Document:
    """Clauses c1..c6; c2 needs fix 'acceptance_deadline', c4 'late_fee'; the rest are sound."""
    expected = {"c2": "acceptance_deadline", "c4": "late_fee"}
    lines = tuple(Line(f"c{n}", t(f"clause {n}"), expected.get(f"c{n}")) for n in range(1, 7))
    return Document("contract", t("Contract"), None, "CNY", lines, FIXES)


def remittance() -> Document:
    lines = (Line("payer", t("payer"), None), Line("account", t("account"), ""), Line("amount", t("amount"), None),
             Line("date", t("date"), ""))
    options = (DecisionOption("trace", t("trace"), True), DecisionOption("clear", t("clear"), False))
    return Document("remittance", t("Advice"), None, "CNY", lines, (), label_share=0.0, decision_weight=0.4,
                    decision=options, decision_prompt=t("next?"))


def answer(lines: dict[str, str], decision: str | None = None) -> dict[str, Any]:
    return {"lines": lines, "decision": decision}


def fraction(document: Document, value: dict[str, Any] | None) -> float:
    return grade_document(document, normalize_document(document, value))[0]


FULL_AGING = {"a": "executive", "b": "legal", "c": "manager", "d": "agency", "e": "salesperson"}


def test_full_credit_for_the_five_calls_with_their_steps() -> None:
    assert fraction(aging(), answer(FULL_AGING)) == pytest.approx(1.0)


def test_a_right_call_with_the_wrong_step_earns_half_a_line() -> None:
    value = {**FULL_AGING, "b": "agency", "e": ""}
    assert fraction(aging(), answer(value)) == pytest.approx(0.8)


def test_a_wrong_pick_on_an_aging_report_costs_only_its_place() -> None:
    value = {"a": "executive", "b": "legal", "c": "manager", "d": "agency", "x": "reminder"}
    assert fraction(aging(), answer(value)) == pytest.approx(0.8)
    _, parts = grade_document(aging(), normalize_document(aging(), answer(value)))
    by_id = {part[0]: part for part in parts}
    assert by_id["x"] == ("x", "reminder", None, False, 0.0)
    assert by_id["e"] == ("e", None, "salesperson", False, 0.0)
    assert by_id["y"] == ("y", None, None, True, 0.0)


def test_nothing_marked_scores_zero_and_is_not_an_answer() -> None:
    assert normalize_document(aging(), answer({})) is None
    assert grade_document(aging(), None)[0] == 0.0


def test_false_marks_cost_half_a_line_but_never_below_zero() -> None:
    doc = contract()
    assert fraction(doc, answer({"c2": "acceptance_deadline", "c4": "late_fee"})) == pytest.approx(1.0)
    assert fraction(doc, answer({"c2": "acceptance_deadline", "c4": "late_fee", "c1": "late_fee"})) == pytest.approx(0.75)
    assert fraction(doc, answer({"c2": "late_fee"})) == pytest.approx(0.25)  # right clause, wrong fix
    assert fraction(doc, answer({"c1": "late_fee", "c3": "late_fee", "c5": "late_fee"})) == 0.0


def test_marking_every_clause_is_not_a_winning_strategy() -> None:
    doc = contract()
    everything = {line.id: "late_fee" for line in doc.lines}
    assert fraction(doc, answer(everything)) < 0.5


def test_the_decision_is_forty_percent_of_a_remittance_check() -> None:
    doc = remittance()
    assert fraction(doc, answer({"account": "", "date": ""}, "trace")) == pytest.approx(1.0)
    assert fraction(doc, answer({"account": "", "date": ""}, "clear")) == pytest.approx(0.6)
    assert fraction(doc, answer({}, "trace")) == pytest.approx(0.4)
    assert fraction(doc, answer({"account": "", "payer": ""}, "trace")) == pytest.approx(0.4 + 0.6 * 0.25)
    _, parts = grade_document(doc, normalize_document(doc, answer({}, "clear")))
    assert parts[-1] == (DECISION_PART, "clear", "trace", False, 0.0)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"lines": {"nope": "legal"}}, "line 'nope' is not in this question"),
        ({"lines": {"a": "sue-them"}}, "label 'sue-them' is not in this question"),
        ({"lines": {"a": 3}}, "label 3 is not in this question"),
        ({"lines": dict.fromkeys("abcdex", "legal")}, "too many lines marked: at most 5"),
        ({"lines": ["a"]}, "expected a mapping of line ids to labels"),
        ({"lines": {}, "extra": 1}, "expected a mapping of marked lines and a decision"),
        ({"lines": {}, "decision": "trace"}, "decision 'trace' is not in this question"),
        ("a", "expected a mapping of marked lines and a decision"),
    ],
)
def test_answers_that_do_not_fit_are_refused(value: Any, reason: str) -> None:
    with pytest.raises(DocumentAnswerError, match=reason):
        normalize_document(aging(), value)


def test_the_form_uses_positional_keys_and_comes_back_the_same() -> None:
    doc = aging()
    posted = {"s1": "l2", "s1k": "k5", "s2": "l1", "s2k": "k4", "s3": "", "s3k": "k1"}
    value = document_from_form(doc, posted)
    assert value == {"lines": {"a": "executive", "b": "legal"}, "decision": None}  # a label without a line is dropped
    assert document_to_form(doc, value) == {"s1": "l1", "s1k": "k4", "s2": "l2", "s2k": "k5"}
    remit = remittance()
    value = document_from_form(remit, {"l2": "on", "l4": "on", "d": "d1"})
    assert value == {"lines": {"account": "", "date": ""}, "decision": "trace"}
    assert document_to_form(remit, value) == {"l2": "on", "l4": "on", "d": "d1"}


@pytest.mark.parametrize(
    ("posted", "reason"),
    [
        ({"s1": "l1", "s2": "l1"}, "a line is given twice"),
        ({"s6": "l1"}, "too many lines marked"),
        ({"s1": "l9"}, "choice 'l9' is not in this question"),
        ({"s1": "l1", "s1k": "k7"}, "choice 'k7' is not in this question"),
        ({"s1": "a"}, "choice 'a' is not in this question"),  # an id instead of a key
        ({"l1": "k1"}, "field 'l1' is not in this question"),  # an inline key on a slot document
        ({"s1": ["l1"]}, "choice \\['l1'\\] is not in this question"),
        ({"d": "d1"}, "decision 'd1' is not in this question"),
        (["l1"], "expected the fields"),
    ],
)
def test_tampered_form_values_raise_a_clear_error(posted: Any, reason: str) -> None:
    with pytest.raises(DocumentAnswerError, match=reason):
        document_from_form(aging(), posted)


def test_inline_documents_refuse_slot_keys_and_bad_ticks() -> None:
    with pytest.raises(DocumentAnswerError, match="field 's1' is not in this question"):
        document_from_form(contract(), {"s1": "l1"})
    with pytest.raises(DocumentAnswerError, match="label 'on' is not in this question"):
        document_from_form(contract(), {"l2": "on"})
    with pytest.raises(DocumentAnswerError, match="label 'k1' is not in this question"):
        document_from_form(remittance(), {"l2": "k1"})


@given(st.dictionaries(st.sampled_from("abcdexyz"), st.sampled_from([s.id for s in STEPS] + [""]), max_size=5))
def test_credit_stays_between_zero_and_one(lines: dict[str, str]) -> None:
    value = fraction(aging(), answer(lines))
    assert 0.0 <= value <= 1.0
    assert (value == pytest.approx(1.0)) == (lines == FULL_AGING)
