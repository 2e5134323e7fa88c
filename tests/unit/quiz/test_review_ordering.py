"""The ordering review says, per item, whether it sits in its right place, and states the partial
credit (the longest run in the right relative order) once, instead of calling a misplaced item
"in sequence"."""

from __future__ import annotations

from trainer.quiz.bank.model import QuestionBankSet
from trainer.quiz.grading import grade
from trainer.quiz.services.present import review_of

from .conftest import inst

TF = {True: "true", False: "false"}


def test_first_item_moved_to_the_end_is_not_in_its_place(mini: QuestionBankSet) -> None:
    q = mini["q-order"]
    i = inst(q)
    review = review_of(q, i, grade(q, i, ["call", "letter", "legal", "remind"]), "en", TF)
    placed = [(line.given, line.expected, line.correct) for line in review.lines]
    # every item is one place off: none is in its right place, though three keep their relative order
    assert placed == [("1", "2", False), ("2", "3", False), ("3", "4", False), ("4", "1", False)]
    assert review.in_order == 3


def test_items_in_their_place_say_so(mini: QuestionBankSet) -> None:
    q = mini["q-order"]
    i = inst(q)
    review = review_of(q, i, grade(q, i, ["remind", "letter", "call", "legal"]), "en", TF)
    assert [line.correct for line in review.lines] == [True, False, False, True]
    assert review.in_order == 3
    blank = review_of(q, i, grade(q, i, None), "en", TF)
    assert not any(line.correct for line in blank.lines) and blank.in_order == 0
