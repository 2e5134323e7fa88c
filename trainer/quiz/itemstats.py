"""Item statistics for content owners: which questions are too easy, too hard, or do not
separate people who know the material from people who do not.

Input is one :class:`Response` per (attempt, question): the marks earned, the maximum, and the
choices ticked. Formulas (``n`` = attempts that contain the question):

- facility index ``F = mean(score / max_score)`` over the ``n`` responses, 0..1 (Moodle shows it
  as a percentage). Too easy if ``F > 0.9``, too hard if ``F < 0.2``.
- discrimination index ``D = r(x, y)``, the Pearson correlation over the ``n`` attempts of
  ``x`` = this question's score fraction and ``y`` = the rest of the attempt, i.e. (attempt total
  minus this question) / (attempt maximum minus this question's maximum). This is Moodle's
  "correlation of the item with the rest of the test": leaving the item out of the total avoids
  correlating it with itself. Moodle correlates raw marks; dividing the rest by its maximum gives
  the same ``r`` when all attempts come from one quiz with the same marks, and keeps attempts of
  different quizzes (module quiz, final, refreshers drawing from one bank) comparable.
  ``D`` is None when it is undefined (fewer than 2 usable attempts, or no spread in ``x`` or ``y``).
  Not discriminating if ``D < 0.2`` (negative means stronger trainees get it wrong more often:
  usually a wrong key or an ambiguous text).
- choice frequencies: how many responses ticked each option (``"true"``/``"false"`` for true/false
  questions; the lines marked on a document), and that count divided by ``n``.

Flags are only raised from ``min_attempts`` responses on (default 10): on a handful of attempts
every question looks broken.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from trainer.quiz.bank.short_match import normalize_short

__all__ = [
    "EASY_ABOVE",
    "HARD_BELOW",
    "LOW_DISCRIMINATION",
    "ItemStats",
    "Response",
    "choices_of",
    "item_statistics",
    "pearson",
]

EASY_ABOVE = 0.9
HARD_BELOW = 0.2
LOW_DISCRIMINATION = 0.2


@dataclass(frozen=True)
class Response:
    """One graded answer in one attempt (a row the service layer reads from the database)."""

    attempt_id: Hashable
    question_id: str
    score: float
    max_score: float
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemStats:
    """Statistics of one question; see the module docstring for the formulas."""

    question_id: str
    attempts: int
    facility: float | None
    discrimination: float | None
    choice_counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    flags: tuple[str, ...] = ()
    """Any of ``too_easy``, ``too_hard``, ``non_discriminating``."""

    def choice_rate(self, choice: str) -> float:
        return self.choice_counts.get(choice, 0) / self.attempts if self.attempts else 0.0


MAX_COUNTED_TEXT = 60


def choices_of(question_type: str, answer: Any) -> tuple[str, ...]:
    """The choices to count for a stored (normalised) answer: option ids, 'true'/'false', or a short
    answer's typed text in the form answers are compared in (so "Aging " and "aging" count once)."""
    if answer is None:
        return ()
    if question_type == "single":
        return (str(answer),)
    if question_type == "multi":
        return tuple(str(a) for a in answer)
    if question_type == "truefalse":
        return ("true" if answer else "false",)
    if question_type == "short" and isinstance(answer, str):
        return (normalize_short(answer)[:MAX_COUNTED_TEXT],)
    if question_type == "document" and isinstance(answer, Mapping):  # the lines marked
        return tuple(str(line) for line in answer.get("lines") or ())
    return ()


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Sample Pearson correlation; None when undefined (n < 2 or a constant variable)."""
    n = len(xs)
    if n < 2 or n != len(ys):
        return None
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def item_statistics(
    responses: Iterable[Response],
    *,
    min_attempts: int = 10,
    easy_above: float = EASY_ABOVE,
    hard_below: float = HARD_BELOW,
    low_discrimination: float = LOW_DISCRIMINATION,
) -> dict[str, ItemStats]:
    """Per-question statistics from all responses (of any quizzes), keyed by question id."""
    rows = list(responses)
    totals: dict[Hashable, float] = defaultdict(float)
    maxima: dict[Hashable, float] = defaultdict(float)
    by_question: dict[str, list[Response]] = defaultdict(list)
    for row in rows:
        totals[row.attempt_id] += row.score
        maxima[row.attempt_id] += row.max_score
        by_question[row.question_id].append(row)

    result: dict[str, ItemStats] = {}
    for qid, items in by_question.items():
        fractions = [r.score / r.max_score if r.max_score else 0.0 for r in items]
        facility = sum(fractions) / len(fractions) if fractions else None
        xs: list[float] = []
        ys: list[float] = []
        for row, fraction in zip(items, fractions, strict=True):
            rest_max = maxima[row.attempt_id] - row.max_score
            if rest_max <= 0:
                continue  # an attempt with only this question has no "rest of the test"
            xs.append(fraction)
            ys.append((totals[row.attempt_id] - row.score) / rest_max)
        discrimination = pearson(xs, ys)
        counts = Counter(choice for row in items for choice in row.choices)
        flags: list[str] = []
        if len(items) >= min_attempts and facility is not None:
            if facility > easy_above:
                flags.append("too_easy")
            if facility < hard_below:
                flags.append("too_hard")
            if discrimination is not None and discrimination < low_discrimination:
                flags.append("non_discriminating")
        result[qid] = ItemStats(
            question_id=qid,
            attempts=len(items),
            facility=facility,
            discrimination=discrimination,
            choice_counts=MappingProxyType(dict(counts)),
            flags=tuple(flags),
        )
    return result
