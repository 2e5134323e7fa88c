"""Server-side grading of every question type, and drawing question instances for an attempt.

An attempt stores, per question, a :class:`QuestionInstance`: the option order, item order,
matching answer order and calculated params the trainee saw. Review and regrading use the stored
instance, so they reproduce exactly what was shown even though drawing is random.

Answers have two forms. The **form** (what the page posts) names options, items and matching
answers by positional keys from :meth:`QuestionInstance.choices` (``o1`` = first option shown,
``i1`` = first item shown, ``r1`` = first matching answer shown), never by content ids: authors
tend to make option ``a`` the right one, and an id in the page source would give it away. The
**canonical** form (what is stored, graded, counted in item statistics) uses the question's ids.
Convert with :func:`answer_from_form` (validates, raises :class:`AnswerError`) and back with
:func:`answer_to_form` (to re-fill the form from a saved answer).

===========  ================================  ==============================================
type         form (posted)                     canonical (stored)
===========  ================================  ==============================================
single       ``"o2"``                          ``"b"`` (option id)
multi        ``["o1", "o3"]``                  ``["a", "c"]`` (option ids, display order)
truefalse    ``"true"``/``"false"`` or bool    ``true`` / ``false``
numeric,     ``"41.5"`` as typed               the same text, stripped (``1,234.5``,
calculated                                     full-width digits, a trailing ``%`` accepted)
ordering     ``["i3", "i1", ...]`` every key   ``["remind", "call", ...]`` (item ids)
matching     ``{"wired": "r2", ...}``          ``{"wired": "proof", ...}`` prompt pair id ->
             prompt pair id -> answer key      pair id of the chosen answer; unanswered
                                               prompts left out
===========  ================================  ==============================================

``None`` (and ``""`` for numbers) means "not answered" for every type and scores 0. An answer
that names something not in the instance, or has the wrong shape, raises :class:`AnswerError`
so the web layer rejects it and stores nothing.

Partial credit:

- multi: sum of the weights of the ticked options (percent), clamped to [0, 100] — wrong picks
  cost marks, never below zero. Weights are normalised by the sum of the positive weights, so
  ticking exactly the correct options is worth exactly the full mark.
- ordering: based on the longest run of items in the correct relative order (the longest
  increasing subsequence of their correct positions): ``(L - 1) / (n - 1)``. Moving one step to the
  wrong place costs one item, not every item after it (as "counting items in the right position"
  would); the reversed order scores 0 and the right order 1.
- matching: the fraction of prompts matched to their right answer.
- numeric / calculated: full credit within the tolerance (edges inclusive), otherwise the best
  ``credit`` of an alternative answer that accepts the value.
"""

from __future__ import annotations

import bisect
import math
import random
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from trainer.quiz.bank.formula import FormulaError, evaluate
from trainer.quiz.bank.model import Localized, Question, QuestionBankSet, QuizDefinition
from trainer.quiz.bank.placeholders import fill_placeholders, format_value

__all__ = [
    "AnswerError",
    "AttemptScore",
    "answer_from_form",
    "answer_to_form",
    "DrawError",
    "Grade",
    "InstanceError",
    "PartResult",
    "QuestionInstance",
    "check_instance",
    "draw_instance",
    "draw_quiz",
    "expected_value",
    "format_expected",
    "grade",
    "instance_text",
    "kept_percent",
    "normalize_answer",
    "parse_number",
    "score_attempt",
]

MAX_NUMERIC_ANSWER = 40
_EPS = 1e-9


class AnswerError(ValueError):
    """An answer that does not fit the question instance; reject it and store nothing."""


class InstanceError(ValueError):
    """A stored instance no longer fits its question (the content changed after the attempt)."""


class DrawError(RuntimeError):
    """A quiz cannot be drawn from the banks (validation should have caught it)."""


# --------------------------------------------------------------------------------------------------
# Instances
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInstance:
    """What one attempt shows of one question; store ``to_dict()`` with the attempt.

    - ``order``: single/multi: option ids as shown; ordering: item ids in the (scrambled) order
      first shown; matching: pair ids of the prompts as shown.
    - ``answer_order``: matching only: pair ids whose answers are shown, in order.
    - ``params``: numeric: the question's fixed params; calculated: the values drawn.
    """

    question_id: str
    type: str
    order: tuple[str, ...] = ()
    answer_order: tuple[str, ...] = ()
    params: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def choices(self) -> list[tuple[str, str]]:
        """``[(form key, id), ...]`` in display order: options (``o1``...) of single/multi, items
        (``i1``..., in the order first shown) of ordering, answers (``r1``...) of matching with the
        pair id each belongs to. Empty for other types."""
        if self.type in ("single", "multi"):
            prefix, ids = "o", self.order
        elif self.type == "ordering":
            prefix, ids = "i", self.order
        elif self.type == "matching":
            prefix, ids = "r", self.answer_order
        else:
            return []
        return [(f"{prefix}{index + 1}", item_id) for index, item_id in enumerate(ids)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for the attempt row."""
        data: dict[str, Any] = {"question_id": self.question_id, "type": self.type}
        if self.order:
            data["order"] = list(self.order)
        if self.answer_order:
            data["answer_order"] = list(self.answer_order)
        if self.params:
            data["params"] = dict(self.params)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionInstance:
        """Rebuild a stored instance; raises :class:`InstanceError` for a malformed record."""
        try:
            params = data.get("params") or {}
            if not isinstance(params, Mapping) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in params.values()
            ):
                raise TypeError("params must map names to numbers")
            order = data.get("order") or ()
            answer_order = data.get("answer_order") or ()
            if not all(isinstance(x, str) for x in (*order, *answer_order)):
                raise TypeError("orders must list ids")
            return cls(
                question_id=str(data["question_id"]),
                type=str(data["type"]),
                order=tuple(order),
                answer_order=tuple(answer_order),
                params=MappingProxyType({str(k): float(v) for k, v in params.items()}),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise InstanceError(f"malformed question instance: {exc}") from None


def _shuffled(
    ids: Sequence[str], rng: random.Random, *, avoid: Sequence[str] | None = None
) -> tuple[str, ...]:
    """A shuffled copy; with ``avoid``, never that exact order (it would give the answer away)."""
    result = list(ids)
    for _ in range(20):
        rng.shuffle(result)
        if avoid is None or len(result) < 2 or result != list(avoid):
            return tuple(result)
    return tuple(result[1:] + result[:1])  # pragma: no cover - 20 identical shuffles of >= 2 items


def draw_instance(question: Question, rng: random.Random, *, shuffle: bool = True) -> QuestionInstance:
    """Fix option/item/answer order and calculated params for one attempt.

    ``shuffle`` (the quiz's setting) and the question's own ``shuffle`` control option and prompt
    order; ordering items and matching answers are always scrambled, since their order is the answer.
    """
    qid, qtype = question.id, question.type
    if qtype in ("single", "multi"):
        ids = [o.id for o in question.options]
        order = _shuffled(ids, rng) if shuffle and question.shuffle else tuple(ids)
        return QuestionInstance(qid, qtype, order=order)
    if qtype == "truefalse":
        return QuestionInstance(qid, qtype)
    if qtype == "numeric":
        return QuestionInstance(qid, qtype, params=question.params)
    if qtype == "calculated":
        for _ in range(100):
            params = {name: r.draw(rng) for name, r in sorted(question.ranges.items())}
            try:
                evaluate(question.answers[0].formula, params)
            except FormulaError:
                continue
            return QuestionInstance(qid, qtype, params=MappingProxyType(params))
        raise DrawError(f"question {qid}: no drawn params give an answer")
    if qtype == "ordering":
        ids = [item.id for item in question.items]
        return QuestionInstance(qid, qtype, order=_shuffled(ids, rng, avoid=ids))
    if qtype == "matching":
        ids = [pair.id for pair in question.pairs]
        prompts = _shuffled(ids, rng) if shuffle and question.shuffle else tuple(ids)
        return QuestionInstance(qid, qtype, order=prompts, answer_order=_shuffled(ids, rng, avoid=prompts))
    raise ValueError(f"unknown question type {qtype!r}")  # pragma: no cover - the loader refuses these


def check_instance(question: Question, instance: QuestionInstance) -> None:
    """Raise :class:`InstanceError` unless the stored instance still fits the question."""

    def fail(reason: str) -> None:
        raise InstanceError(f"question {question.id}: stored instance does not fit ({reason})")

    if instance.question_id != question.id or instance.type != question.type:
        fail(f"instance is for {instance.question_id} ({instance.type})")
    qtype = question.type
    if qtype in ("single", "multi"):
        expected = sorted(o.id for o in question.options)
        if sorted(instance.order) != expected:
            fail("the options changed")
    elif qtype == "ordering":
        if sorted(instance.order) != sorted(i.id for i in question.items):
            fail("the items changed")
    elif qtype == "matching":
        ids = sorted(p.id for p in question.pairs)
        if sorted(instance.order) != ids or sorted(instance.answer_order) != ids:
            fail("the pairs changed")
    elif qtype in ("numeric", "calculated"):
        needed = set(question.params) if qtype == "numeric" else set(question.ranges)
        if set(instance.params) != needed:
            fail("the params changed")


# --------------------------------------------------------------------------------------------------
# Answers
# --------------------------------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$")


def parse_number(text: str) -> float:
    """Read a typed number: ``41.5``, ``-3``, ``1,234.5``, ``.5``, full-width ``４１．５``, ``37.2%``.

    Commas only as thousands separators (``41,5`` is refused rather than guessed).
    """
    cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "").replace("\u2212", "-")
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    if not cleaned or not _NUMBER_RE.match(cleaned) or not any(ch.isdigit() for ch in cleaned):
        raise AnswerError(f"not a number: {text!r} (type digits with a point for decimals, e.g. 41.5)")
    value = float(cleaned.replace(",", ""))
    if not math.isfinite(value):  # pragma: no cover - the regex admits only finite numbers
        raise AnswerError(f"not a finite number: {text!r}")
    return value


def _ids_in(raw: Any, allowed: Sequence[str], what: str, qid: str) -> list[str]:
    if not isinstance(raw, list | tuple) or not all(isinstance(x, str) for x in raw):
        raise AnswerError(f"question {qid}: expected a list of {what} ids")
    unknown = [x for x in raw if x not in allowed]
    if unknown:
        raise AnswerError(f"question {qid}: {what} {unknown[0]!r} is not in this question")
    if len(set(raw)) != len(raw):
        raise AnswerError(f"question {qid}: a {what} is given twice")
    return list(raw)


def normalize_answer(question: Question, instance: QuestionInstance, raw: Any) -> Any:
    """Check a canonical answer (ids) against the instance and return it in canonical shape.

    Returns None for "not answered". Raises :class:`AnswerError` for anything naming an option,
    item, prompt or answer that is not in the instance, or of the wrong shape.
    """
    qid, qtype = question.id, question.type
    if raw is None:
        return None
    if qtype == "single":
        if not isinstance(raw, str):
            raise AnswerError(f"question {qid}: expected one option id")
        if raw not in instance.order:
            raise AnswerError(f"question {qid}: option {raw!r} is not in this question")
        return raw
    if qtype == "multi":
        picked = set(_ids_in(raw, instance.order, "option", qid))
        return [option_id for option_id in instance.order if option_id in picked]
    if qtype == "truefalse":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        raise AnswerError(f"question {qid}: expected true or false")
    if qtype in ("numeric", "calculated"):
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise AnswerError(f"question {qid}: expected a number")
        text = str(raw).strip()
        if not text:
            return None
        if len(text) > MAX_NUMERIC_ANSWER:
            raise AnswerError(f"question {qid}: the answer is too long")
        parse_number(text)
        return text
    if qtype == "ordering":
        given = _ids_in(raw, instance.order, "item", qid)
        if len(given) != len(instance.order):
            raise AnswerError(f"question {qid}: put every item in order ({len(instance.order)} items)")
        return given
    if qtype == "matching":
        if not isinstance(raw, Mapping):
            raise AnswerError(f"question {qid}: expected a mapping of prompt ids to answers")
        result: dict[str, str] = {}
        for prompt_id, chosen in raw.items():
            if prompt_id not in instance.order:
                raise AnswerError(f"question {qid}: prompt {prompt_id!r} is not in this question")
            if chosen is None or chosen == "":
                continue
            if not isinstance(chosen, str) or chosen not in instance.answer_order:
                raise AnswerError(f"question {qid}: answer {chosen!r} is not in this question")
            result[str(prompt_id)] = chosen
        return {prompt_id: result[prompt_id] for prompt_id in instance.order if prompt_id in result}
    raise AnswerError(f"question {qid}: unknown question type {qtype!r}")  # pragma: no cover


def _key(posted: Any, keys: Mapping[str, str], qid: str, what: str) -> str:
    if not isinstance(posted, str) or posted not in keys:
        raise AnswerError(f"question {qid}: {what} {posted!r} is not in this question")
    return keys[posted]


def answer_from_form(question: Question, instance: QuestionInstance, posted: Any) -> Any:
    """Turn what the form posted (positional keys) into the canonical answer to store and grade.

    Raises :class:`AnswerError` for a key, prompt or value that is not in the instance.
    """
    qid, qtype = question.id, question.type
    keys = dict(instance.choices())
    if posted is None:
        return None
    if qtype == "single":
        return normalize_answer(question, instance, _key(posted, keys, qid, "option"))
    if qtype in ("multi", "ordering"):
        what = "option" if qtype == "multi" else "item"
        if not isinstance(posted, list | tuple):
            raise AnswerError(f"question {qid}: expected a list of {what}s")
        return normalize_answer(question, instance, [_key(p, keys, qid, what) for p in posted])
    if qtype == "matching":
        if not isinstance(posted, Mapping):
            raise AnswerError(f"question {qid}: expected a mapping of prompt ids to answer keys")
        chosen = {
            prompt: (None if value is None or value == "" else _key(value, keys, qid, "answer"))
            for prompt, value in posted.items()
        }
        return normalize_answer(question, instance, chosen)
    return normalize_answer(question, instance, posted)


def answer_to_form(question: Question, instance: QuestionInstance, answer: Any) -> Any:
    """The form values that show a stored canonical answer again (e.g. after a reload)."""
    value = normalize_answer(question, instance, answer)
    key_of = {item_id: key for key, item_id in instance.choices()}
    if value is None:
        return None
    if question.type == "single":
        return key_of[value]
    if question.type in ("multi", "ordering"):
        return [key_of[v] for v in value]
    if question.type == "matching":
        return {prompt: key_of[chosen] for prompt, chosen in value.items()}
    if question.type == "truefalse":
        return "true" if value else "false"
    return value


# --------------------------------------------------------------------------------------------------
# Grades
# --------------------------------------------------------------------------------------------------


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
    """Grade an answer to one question instance (see the module docstring for formats and credit)."""
    check_instance(question, instance)
    value = normalize_answer(question, instance, answer)
    qtype = question.type
    if qtype in ("single", "multi"):
        picked = {value} if qtype == "single" and value is not None else set(value or ())
        total_positive = sum(o.weight for o in question.options if o.weight > 0) or 100.0
        parts = []
        fraction = 0.0
        for option_id in instance.order:
            option = question.option(option_id)
            ticked = option_id in picked
            credit = option.weight / total_positive if ticked else 0.0
            fraction += credit
            parts.append(PartResult(option_id, ticked, option.correct, ticked == option.correct, credit))
        feedback = [
            question.option(option_id).feedback for option_id in instance.order if option_id in picked
        ]
        return _make_grade(question, fraction, parts, feedback, answered=value is not None)
    if qtype == "truefalse":
        if value is None:
            return _make_grade(
                question, 0.0, [PartResult("answer", None, question.answer, False)], answered=False
            )
        right = value == question.answer
        part = PartResult("answer", value, question.answer, right, 1.0 if right else 0.0)
        earned = question.feedback_true if value else question.feedback_false
        return _make_grade(question, 1.0 if right else 0.0, [part], [earned])
    if qtype in ("numeric", "calculated"):
        expected = expected_value(question, instance)
        if value is None:
            return _make_grade(question, 0.0, [PartResult("value", None, expected, False)], answered=False)
        given = parse_number(value)
        best, best_feedback = 0.0, None
        for accepted in question.answers:
            target = (
                expected if accepted is question.answers[0] else evaluate(accepted.formula, instance.params)
            )
            if accepted.tolerance.allows(given, target) and accepted.credit / 100.0 > best:
                best, best_feedback = accepted.credit / 100.0, accepted.feedback
        part = PartResult("value", value, expected, best >= 1.0, best)
        feedback = [instance_text(question, instance, best_feedback)] if best_feedback else []
        return _make_grade(question, best, [part], feedback)
    if qtype == "ordering":
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
    if qtype == "matching":
        given_map = value or {}
        parts = []
        right = 0
        for prompt_id in instance.order:
            chosen = given_map.get(prompt_id)
            ok = chosen == prompt_id
            right += ok
            parts.append(
                PartResult(prompt_id, chosen, prompt_id, ok, 1.0 / len(instance.order) if ok else 0.0)
            )
        return _make_grade(question, right / len(instance.order), parts, answered=bool(given_map))
    raise ValueError(f"unknown question type {qtype!r}")  # pragma: no cover


# --------------------------------------------------------------------------------------------------
# Quizzes
# --------------------------------------------------------------------------------------------------


def draw_quiz(
    definition: QuizDefinition,
    bank_set: QuestionBankSet,
    rng: random.Random,
    prefer: Sequence[str] = (),
) -> list[QuestionInstance]:
    """Draw the questions of one attempt by the definition's rules.

    ``prefer`` lists question ids to draw first where a rule allows them (the trainee's due and
    least-retained questions from spaced repetition, most urgent first); the rest of each rule is
    drawn at random. A question is drawn at most once. Rules are filled narrowest first so a broad
    rule ("any 15") does not use up what a narrow one ("5 from module 2") needs. Kind ``review``
    draws only preferred ids (the due cards), up to the rules' total. Question and option order are
    shuffled when the definition says so.
    """
    questions = list(bank_set)
    preferred = list(dict.fromkeys(qid for qid in prefer if qid in bank_set))
    if definition.kind == "review":
        picked = [qid for qid in preferred if any(rule.matches(bank_set[qid]) for rule in definition.draw)]
        chosen = picked[: definition.question_count]
        if definition.shuffle:
            rng.shuffle(chosen)
        return [draw_instance(bank_set[qid], rng, shuffle=definition.shuffle) for qid in chosen]

    rules = sorted(
        enumerate(definition.draw),
        key=lambda pair: sum(1 for q in questions if pair[1].matches(q)),
    )
    for _ in range(20):
        chosen_by_rule: dict[int, list[str]] = {}
        taken: set[str] = set()
        for rule_index, rule in rules:
            candidates = [q.id for q in questions if rule.matches(q) and q.id not in taken]
            candidate_set = set(candidates)
            first = [qid for qid in preferred if qid in candidate_set][: rule.count]
            first_set = set(first)
            rest = [qid for qid in candidates if qid not in first_set]
            need = rule.count - len(first)
            if need > len(rest):
                break
            picked = first + rng.sample(rest, need)
            chosen_by_rule[rule_index] = picked
            taken.update(picked)
        else:
            ordered = [qid for index in range(len(definition.draw)) for qid in chosen_by_rule[index]]
            if definition.shuffle:
                rng.shuffle(ordered)
            return [draw_instance(bank_set[qid], rng, shuffle=definition.shuffle) for qid in ordered]
    raise DrawError(
        f"quiz {definition.id}: the banks cannot supply {definition.question_count} distinct questions"
    )


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
