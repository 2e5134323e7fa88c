"""Question instances, drawing the questions of an attempt, and the answer form's positional keys."""

from __future__ import annotations

import json
import random
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.quiz.answer_shapes import AnswerError, answer_from_form, answer_to_form, normalize_answer
from trainer.quiz.bank.model import DrawRule, QuestionBankSet
from trainer.quiz.grading import grade
from trainer.quiz.instances import (
    DrawError,
    InstanceError,
    QuestionInstance,
    check_instance,
    draw_instance,
    draw_quiz,
)

from .conftest import answer_for, inst, make_question, quiz

# --------------------------------------------------------------------------------------------------
# instances
# --------------------------------------------------------------------------------------------------


def test_ordering_and_matching_never_start_solved(mini: QuestionBankSet) -> None:
    order, match = mini["q-order"], mini["q-match"]
    for seed in range(200):
        assert list(inst(order, seed).order) != [item.id for item in order.items]
        m = inst(match, seed)
        assert m.answer_order != m.order


def test_no_shuffle_keeps_option_order(mini: QuestionBankSet) -> None:
    q = mini["q-single"]
    assert inst(q, shuffle=False).order == ("a", "b", "c", "d")
    assert {inst(q, seed).order for seed in range(30)} != {("a", "b", "c", "d")}


def test_instance_that_no_longer_fits_is_refused(mini: QuestionBankSet) -> None:
    q = mini["q-single"]
    with pytest.raises(InstanceError):
        check_instance(q, QuestionInstance("q-single", "single", order=("a", "b", "c")))
    with pytest.raises(InstanceError):
        grade(q, QuestionInstance("q-multi", "multi", order=("a", "b", "c", "d")), "a")
    with pytest.raises(InstanceError):
        QuestionInstance.from_dict({"type": "single"})
    with pytest.raises(InstanceError):
        QuestionInstance.from_dict({"question_id": "x", "type": "calculated", "params": {"S": "big"}})


# --------------------------------------------------------------------------------------------------
# drawing quizzes
# --------------------------------------------------------------------------------------------------


def bank_of(counts: dict[str, int]) -> QuestionBankSet:
    questions = {}
    for module, n in counts.items():
        for index in range(n):
            q = make_question(
                f"{module}-{index:02d}", module=module, difficulty="hard" if index % 3 == 0 else "easy"
            )
            questions[q.id] = q
    return QuestionBankSet(MappingProxyType({}), MappingProxyType(questions))


def test_draw_quiz_follows_the_rules() -> None:
    bank_set = bank_of({"m1-basics": 8, "m2-risk": 8})
    definition = quiz(DrawRule(3, module="m1-basics"), DrawRule(2, module="m2-risk", difficulty="hard"))
    instances = draw_quiz(definition, bank_set, random.Random(5))
    ids = [i.question_id for i in instances]
    assert len(ids) == len(set(ids)) == 5
    assert sum(1 for qid in ids if bank_set[qid].module == "m1-basics") == 3
    assert all(bank_set[qid].difficulty == "hard" for qid in ids if bank_set[qid].module == "m2-risk")
    assert [i.question_id for i in draw_quiz(definition, bank_set, random.Random(5))] == ids


def test_draw_quiz_prefers_due_questions_within_the_rules() -> None:
    bank_set = bank_of({"m1-basics": 10, "m2-risk": 10})
    definition = quiz(DrawRule(4, module="m1-basics"))
    prefer = ["m2-risk-01", "m1-basics-07", "unknown", "m1-basics-03"]
    ids = {i.question_id for i in draw_quiz(definition, bank_set, random.Random(1), prefer=prefer)}
    assert {"m1-basics-07", "m1-basics-03"} <= ids and "m2-risk-01" not in ids and len(ids) == 4


def test_narrow_rules_are_filled_before_broad_ones() -> None:
    bank_set = bank_of({"m1-basics": 3, "m2-risk": 3})
    definition = quiz(DrawRule(4), DrawRule(2, module="m2-risk"))
    for seed in range(50):
        ids = [i.question_id for i in draw_quiz(definition, bank_set, random.Random(seed))]
        assert len(set(ids)) == 6


def test_review_draws_only_preferred_questions() -> None:
    bank_set = bank_of({"m1-basics": 10})
    definition = quiz(DrawRule(3), kind="review")
    ids = [
        i.question_id
        for i in draw_quiz(definition, bank_set, random.Random(1), prefer=["m1-basics-01", "m1-basics-02"])
    ]
    assert sorted(ids) == ["m1-basics-01", "m1-basics-02"]
    prefer = [f"m1-basics-0{n}" for n in range(6)]
    assert len(draw_quiz(definition, bank_set, random.Random(1), prefer=prefer)) == 3


def test_unsatisfiable_draw_raises() -> None:
    with pytest.raises(DrawError):
        draw_quiz(quiz(DrawRule(5, module="m1-basics")), bank_of({"m1-basics": 4}), random.Random(1))


# --------------------------------------------------------------------------------------------------
# the form: positional keys, never content ids
# --------------------------------------------------------------------------------------------------


def test_form_keys_do_not_reveal_ids(mini: QuestionBankSet) -> None:
    q = mini["q-single"]
    i = inst(q, seed=3)
    keys = dict(i.choices())
    assert list(keys) == ["o1", "o2", "o3", "o4"] and sorted(keys.values()) == ["a", "b", "c", "d"]
    right_key = next(key for key, option_id in keys.items() if option_id == "b")
    assert answer_from_form(q, i, right_key) == "b"
    assert grade(q, i, answer_from_form(q, i, right_key)).correct
    with pytest.raises(AnswerError):
        answer_from_form(q, i, "b")  # an option id is not a form key


@pytest.mark.parametrize(
    ("qid", "posted"),
    [
        ("q-single", "o9"),
        ("q-multi", ["o1", "o1"]),
        ("q-multi", ["o1", "a"]),
        ("q-multi", "o1"),
        ("q-order", ["i1", "i2", "i3"]),
        ("q-order", ["remind", "call", "letter", "legal"]),
        ("q-match", {"paid": "paid"}),
        ("q-match", {"paid": "r9"}),
        ("q-match", {"fax": "r1"}),
        ("q-match", ["r1"]),
        ("q-tf", "yes"),
        ("q-numeric", "forty"),
    ],
)
def test_tampered_forms_are_rejected(mini: QuestionBankSet, qid: str, posted: Any) -> None:
    q = mini[qid]
    with pytest.raises(AnswerError):
        answer_from_form(q, inst(q), posted)


def test_matching_form(mini: QuestionBankSet) -> None:
    q = mini["q-match"]
    i = inst(q)
    key_of = {pair_id: key for key, pair_id in i.choices()}
    posted = {"paid": key_of["paid"], "lost": key_of["budget"], "budget": ""}
    assert answer_from_form(q, i, posted) == {"paid": "paid", "lost": "budget"}
    assert answer_to_form(q, i, {"paid": "paid", "lost": "budget"}) == {
        "paid": key_of["paid"],
        "lost": key_of["budget"],
    }


@settings(max_examples=200, deadline=None)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_form_round_trip(mini: QuestionBankSet, data: st.DataObject, seed: int) -> None:
    question = data.draw(st.sampled_from(list(mini)))
    instance = draw_instance(question, random.Random(seed))
    answer = normalize_answer(question, instance, data.draw(answer_for(question, instance)))
    posted = answer_to_form(question, instance, answer)
    assert answer_from_form(question, instance, json.loads(json.dumps(posted))) == answer
