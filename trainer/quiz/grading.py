"""Server-side grading of every question type, and adding up an attempt.

Answers arrive in canonical shape (see :mod:`trainer.quiz.answer_shapes`) for a stored
:class:`~trainer.quiz.instances.QuestionInstance`.

Partial credit:

- single: the picked option's weight: 100 for the right one, a wrong one's partial ``credit``
  (Moodle's ``~%50%`` next to an ``=`` answer), else 0.
- multi: sum of the weights of the ticked options (percent), clamped to [0, 100] — wrong picks
  cost marks, never below zero. Weights are normalised by the sum of the positive weights, so
  ticking exactly the correct options is worth exactly the full mark.
- ordering: based on the longest run of items in the correct relative order (the longest
  increasing subsequence of their correct positions): ``(L - 1) / (n - 1)``. Moving one step to the
  wrong place costs one item, not every item after it (as "counting items in the right position"
  would); the reversed order scores 0 and the right order 1.
- matching: the fraction of prompts matched to their right answer.
- numeric / calculated: full credit within the tolerance (edges inclusive), otherwise the best
  ``credit`` of an alternative answer that accepts the value; a credit-0 alternative (a
  recognised slip) earns nothing but its feedback, shown in review.
- short: the best ``credit`` of an accepted answer the typed text matches
  (:mod:`trainer.quiz.bank.short_match`: case, spaces, full-width forms, ``*`` wildcards).

- document: per line of the document (:mod:`trainer.quiz.document_grading`): half a line for
  marking it, the other half for its right label; wrong marks cost; a remittance's next step is
  40 % of the mark.

Numeric and short answers that match nothing get the question's ``wrong_feedback`` if it has one.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from trainer.quiz.answer_shapes import normalize_answer, parse_number
from trainer.quiz.bank.formula import evaluate
from trainer.quiz.bank.model import Localized, Question, QuizDefinition
from trainer.quiz.bank.placeholders import fill_placeholders, format_value
from trainer.quiz.bank.short_match import best_match
from trainer.quiz.document_grading import grade_document
from trainer.quiz.instances import QuestionInstance, check_instance

_EPS = 1e-9


@dataclass(frozen=True)
class PartResult:
    """One line of the review: an option, an item, a prompt, or the typed value.

    ``given``/``expected`` per type: single/multi: ticked? / should be ticked?; truefalse: the
    booleans; numeric: the typed text / the right value; ordering: the position given / the right
    position (1-based), ``correct`` = the item is in the longest correctly ordered run; matching:
    the pair id of the answer chosen (None if unanswered) / the prompt's own pair id.
    """

    id: str
    given: Any
    expected: Any
    correct: bool
    credit: float = 0.0
    """What this part contributed to the fraction of the mark (multi: the weight / 100 if ticked)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "given": self.given,
            "expected": self.expected,
            "correct": self.correct,
            "credit": self.credit,
        }


@dataclass(frozen=True)
class Grade:
    """The result of grading one answer. ``score`` is in marks, ``0 <= score <= max_score``."""

    question_id: str
    score: float
    max_score: float
    correct: bool
    answered: bool
    parts: tuple[PartResult, ...] = ()
    feedback: tuple[Localized, ...] = ()
    """Feedback earned by this answer (ticked options' feedback, true/false feedback, the matched
    numeric answer's feedback), placeholders filled in. The general explanation is not included."""

    @property
    def fraction(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "score": self.score,
            "max_score": self.max_score,
            "correct": self.correct,
            "answered": self.answered,
            "parts": [p.to_dict() for p in self.parts],
            "feedback": [dict(f) for f in self.feedback],
        }


def _make_grade(
    question: Question,
    fraction: float,
    parts: Iterable[PartResult],
    feedback: Iterable[Localized | None] = (),
    answered: bool = True,
) -> Grade:
    fraction = min(1.0, max(0.0, fraction))
    if fraction > 1 - _EPS:
        fraction = 1.0
    return Grade(
        question_id=question.id,
        score=round(fraction * question.mark, 9),
        max_score=question.mark,
        correct=answered and fraction == 1.0,
        answered=answered,
        parts=tuple(parts),
        feedback=tuple(f for f in feedback if f),
    )


def _longest_ordered_run(positions: Sequence[int]) -> set[int]:
    """Indices (into ``positions``) of one longest strictly increasing subsequence."""
    tails: list[int] = []  # smallest tail value of an increasing run of each length
    tail_index: list[int] = []
    previous: list[int] = [-1] * len(positions)
    for index, value in enumerate(positions):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[k] = value
            tail_index[k] = index
        previous[index] = tail_index[k - 1] if k > 0 else -1
    run: set[int] = set()
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        run.add(index)
        index = previous[index]
    return run


def expected_value(question: Question, instance: QuestionInstance) -> float:
    """The right answer of a numeric/calculated instance, computed from its stored params."""
    return evaluate(question.answers[0].formula, instance.params)


def format_expected(question: Question, instance: QuestionInstance) -> str:
    """The right answer as the review shows it, rounded to the question's ``decimals``."""
    return format_value(round(expected_value(question, instance), question.decimals))


def instance_text(question: Question, instance: QuestionInstance, texts: Localized) -> Localized:
    """A question text with the instance's params (and ``{answer}``) filled in, both languages.

    Use it for the text, the explanation and numeric feedback of numeric/calculated questions; other
    types are returned unchanged.
    """
    if not question.is_numeric:
        return texts
    answer = expected_value(question, instance)
    return MappingProxyType(
        {
            lang: fill_placeholders(text, instance.params, answer, question.decimals)
            for lang, text in texts.items()
        }
    )


def grade(question: Question, instance: QuestionInstance, answer: Any) -> Grade:
    """Grade an answer to one question instance (see the module docstring for credit)."""
    check_instance(question, instance)
    value = normalize_answer(question, instance, answer)
    qtype = question.type
    if qtype in ("single", "multi"):
        return _grade_choice(question, instance, value)
    if qtype == "truefalse":
        return _grade_truefalse(question, value)
    if qtype in ("numeric", "calculated"):
        return _grade_numeric(question, instance, value)
    if qtype == "ordering":
        return _grade_ordering(question, value)
    if qtype == "matching":
        return _grade_matching(question, instance, value)
    if qtype == "short":
        return _grade_short(question, value)
    if qtype == "document":
        return _grade_document(question, value)
    raise ValueError(f"unknown question type {qtype!r}")  # pragma: no cover


def _grade_choice(question: Question, instance: QuestionInstance, value: Any) -> Grade:
    """Single: the weight (credit) of the picked option. Multi: the weights of the ticked options,
    normalised by the positive ones."""
    single = question.type == "single"
    picked = {value} if single and value is not None else set(value or ())
    total_positive = 100.0 if single else sum(o.weight for o in question.options if o.weight > 0) or 100.0
    parts = []
    fraction = 0.0
    for option_id in instance.order:
        option = question.option(option_id)
        ticked = option_id in picked
        credit = option.weight / total_positive if ticked else 0.0
        fraction += credit
        parts.append(PartResult(option_id, ticked, option.correct, ticked == option.correct, credit))
    feedback = [question.option(option_id).feedback for option_id in instance.order if option_id in picked]
    return _make_grade(question, fraction, parts, feedback, answered=value is not None)


def _grade_truefalse(question: Question, value: bool | None) -> Grade:
    if value is None:
        return _make_grade(
            question, 0.0, [PartResult("answer", None, question.answer, False)], answered=False
        )
    right = value == question.answer
    part = PartResult("answer", value, question.answer, right, 1.0 if right else 0.0)
    earned = question.feedback_true if value else question.feedback_false
    return _make_grade(question, 1.0 if right else 0.0, [part], [earned])


def _grade_numeric(question: Question, instance: QuestionInstance, value: str | None) -> Grade:
    """Full credit within the tolerance, else the best credit of an alternative that accepts it."""
    expected = expected_value(question, instance)
    if value is None:
        return _make_grade(question, 0.0, [PartResult("value", None, expected, False)], answered=False)
    given = parse_number(value)
    best, best_feedback, matched = 0.0, None, False
    for accepted in question.answers:
        target = expected if accepted is question.answers[0] else evaluate(accepted.formula, instance.params)
        # the highest credit wins; a credit-0 slip still gives its feedback when nothing better matches
        if accepted.tolerance.allows(given, target) and (accepted.credit / 100.0 > best or not matched):
            best, best_feedback, matched = accepted.credit / 100.0, accepted.feedback, True
    part = PartResult("value", value, expected, best >= 1.0, best)
    if not matched:
        best_feedback = question.wrong_feedback
    feedback = [instance_text(question, instance, best_feedback)] if best_feedback else []
    return _make_grade(question, best, [part], feedback)


def _grade_short(question: Question, value: str | None) -> Grade:
    """The best credit of an accepted answer the typed text matches; ``expected`` is its index."""
    if value is None:
        return _make_grade(question, 0.0, [PartResult("value", None, None, False)], answered=False)
    found = best_match(question, value)
    if found is None:
        return _make_grade(question, 0.0, [PartResult("value", value, None, False)], [question.wrong_feedback])
    fraction = found.credit / 100.0
    part = PartResult("value", value, question.accepted.index(found), fraction >= 1.0, fraction)
    return _make_grade(question, fraction, [part], [found.feedback])


def _grade_ordering(question: Question, value: list[str] | None) -> Grade:
    """Credit for the longest run of items in the right relative order."""
    correct_position = {item.id: index for index, item in enumerate(question.items)}
    n = len(question.items)
    if value is None:
        parts = [PartResult(i.id, None, p + 1, False) for p, i in enumerate(question.items)]
        return _make_grade(question, 0.0, parts, answered=False)
    positions = [correct_position[item_id] for item_id in value]
    run = _longest_ordered_run(positions)
    fraction = (len(run) - 1) / (n - 1) if n > 1 else 1.0
    parts = [
        PartResult(
            item_id,
            given + 1,
            correct_position[item_id] + 1,
            given in run,
            1.0 / n if given in run else 0.0,
        )
        for given, item_id in enumerate(value)
    ]
    return _make_grade(question, fraction, parts)


def _grade_matching(question: Question, instance: QuestionInstance, value: dict[str, str] | None) -> Grade:
    """The fraction of prompts matched to their own answer."""
    given_map = value or {}
    parts = []
    right = 0
    for prompt_id in instance.order:
        chosen = given_map.get(prompt_id)
        ok = chosen == prompt_id
        right += ok
        parts.append(PartResult(prompt_id, chosen, prompt_id, ok, 1.0 / len(instance.order) if ok else 0.0))
    return _make_grade(question, right / len(instance.order), parts, answered=bool(given_map))


def _grade_document(question: Question, value: dict[str, Any] | None) -> Grade:
    assert question.document is not None
    fraction, parts = grade_document(question.document, value)
    return _make_grade(question, fraction, [PartResult(*part) for part in parts], answered=value is not None)


@dataclass(frozen=True)
class AttemptScore:
    """The total of one attempt: marks, percent and whether it reaches the pass mark."""

    score: float
    max_score: float
    percent: float
    passed: bool


def score_attempt(definition: QuizDefinition, grades: Iterable[Grade]) -> AttemptScore:
    """Add up an attempt; ``percent`` is rounded to 2 decimals before it is compared to the pass mark."""
    grades = list(grades)
    score = sum(g.score for g in grades)
    max_score = sum(g.max_score for g in grades)
    percent = round(100.0 * score / max_score, 2) if max_score else 0.0
    return AttemptScore(round(score, 6), max_score, percent, percent >= definition.pass_mark)


def kept_percent(definition: QuizDefinition, attempt_percents: Sequence[float]) -> float | None:
    """The percent that counts for the quiz: the best attempt (``highest``) or the latest (``last``).

    ``attempt_percents`` are the finished attempts in the order they were taken.
    """
    if not attempt_percents:
        return None
    return max(attempt_percents) if definition.grading == "highest" else attempt_percents[-1]
