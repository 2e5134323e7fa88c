"""Question instances: what one attempt shows of each question, and drawing them for an attempt.

An attempt stores, per question, a :class:`QuestionInstance`: the option order, item order,
matching answer order and calculated params the trainee saw. Review and regrading use the stored
instance, so they reproduce exactly what was shown even though drawing is random. Randomness comes
from the ``random.Random`` passed in. Pure Python.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from trainer.quiz.bank.formula import FormulaError, evaluate
from trainer.quiz.bank.model import Question, QuestionBankSet, QuizDefinition


class InstanceError(ValueError):
    """A stored instance no longer fits its question (the content changed after the attempt)."""


class DrawError(RuntimeError):
    """A quiz cannot be drawn from the banks (validation should have caught it)."""


@dataclass(frozen=True)
class QuestionInstance:
    """What one attempt shows of one question; store ``to_dict()`` with the attempt.

    - ``order``: single/multi: option ids as shown; ordering: item ids in the (scrambled) order
      first shown; matching: pair ids of the prompts as shown; document: its line ids.
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
    if qtype in ("truefalse", "short"):
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
    if qtype == "document" and question.document is not None:  # a document keeps its own order
        return QuestionInstance(qid, qtype, order=tuple(line.id for line in question.document.lines))
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
    elif qtype == "document" and question.document is not None:
        if list(instance.order) != [line.id for line in question.document.lines]:
            fail("the document changed")
    elif qtype in ("numeric", "calculated"):
        needed = set(question.params) if qtype == "numeric" else set(question.ranges)
        if set(instance.params) != needed:
            fail("the params changed")


def draw_quiz(
    definition: QuizDefinition,
    bank_set: QuestionBankSet,
    rng: random.Random,
    prefer: Sequence[str] = (),
    lang: str | None = None,
) -> list[QuestionInstance]:
    """Draw the questions of one attempt by the definition's rules.

    ``prefer`` lists question ids to draw first where a rule allows them (the trainee's due and
    least-retained questions from spaced repetition, most urgent first); the rest of each rule is
    drawn at random. A question is drawn at most once; retired questions never. Rules are filled narrowest first so a broad
    rule ("any 15") does not use up what a narrow one ("5 from module 2") needs. Kind ``review``
    draws only preferred ids (the due cards), up to the rules' total. Question and option order are
    shuffled when the definition says so. ``lang`` adds the questions written only in that language
    (an imported bank awaiting translation); without it only questions in every language are drawn.
    """
    questions = bank_set.drawable(lang)
    preferred = list(dict.fromkeys(qid for qid in prefer if bank_set.is_drawable(qid, lang)))
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
