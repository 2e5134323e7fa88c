"""Spaced repetition: a thin wrapper over the FSRS scheduler (the ``fsrs`` package, v6).

Every graded answer updates the trainee's card for that question: correct = ``Rating.Good``,
wrong = ``Rating.Again``. Cards are stored as JSON-able dicts (``fsrs.Card.to_dict()``), one per
(user, question); this module never touches the database.

Scheduler settings, and why:
- no learning or relearning steps: fsrs defaults to 1- and 10-minute steps, made for flashcard
  sessions; quiz questions come back in a *daily* review, so a card goes straight to day-based
  intervals (first Good: about 2 days; Again: about 1 day).
- no fuzzing: fsrs fuzzes intervals with the global ``random`` state, which this project does not
  use (results must be reproducible and testable).

All datetimes must be timezone-aware; naive ones are taken as UTC (fsrs insists on UTC).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from fsrs import Card, Rating, Scheduler

__all__ = [
    "due_at",
    "least_retained",
    "new_card",
    "pick_due",
    "retrievability",
    "review",
]

CardDict = dict[str, Any]


@cache
def _scheduler() -> Scheduler:
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _card(data: Mapping[str, Any] | None, now: datetime) -> Card:
    if not data:
        return Card(card_id=0, due=_utc(now))
    try:
        return Card.from_dict(dict(data))  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a stored FSRS card: {exc}") from None


def new_card(now: datetime) -> CardDict:
    """A card never reviewed, due immediately."""
    return dict(Card(card_id=0, due=_utc(now)).to_dict())


def review(card: Mapping[str, Any] | None, correct: bool, now: datetime) -> tuple[CardDict, datetime]:
    """Record one graded answer; returns the new card dict and when the question is due again.

    ``card`` None means the trainee meets this question for the first time.
    """
    moment = _utc(now)
    rating = Rating.Good if correct else Rating.Again
    updated, _log = _scheduler().review_card(_card(card, moment), rating, moment)
    return dict(updated.to_dict()), _utc(updated.due)


def due_at(card: Mapping[str, Any]) -> datetime:
    return _utc(datetime.fromisoformat(str(card["due"])))


def retrievability(card: Mapping[str, Any] | None, now: datetime) -> float:
    """Predicted probability (0..1) the trainee answers correctly at ``now``; 0 for a new card."""
    if not card:
        return 0.0
    return float(_scheduler().get_card_retrievability(_card(card, now), _utc(now)))


def pick_due(cards: Mapping[str, Mapping[str, Any]], now: datetime, limit: int) -> list[str]:
    """Ids of up to ``limit`` questions due at ``now``: the longest overdue first, ties broken by
    the lowest retrievability (most likely forgotten). ``cards`` maps question id -> card dict."""
    moment = _utc(now)
    due = [
        (due_at(card), retrievability(card, moment), qid)
        for qid, card in cards.items()
        if due_at(card) <= moment
    ]
    due.sort()
    return [qid for _, _, qid in due[: max(0, limit)]]


def least_retained(
    cards: Mapping[str, Mapping[str, Any]], now: datetime, limit: int | None = None
) -> list[str]:
    """Question ids for a refresher's ``prefer`` list: due cards first (as :func:`pick_due`), then
    the not-yet-due ones from the lowest retrievability up."""
    moment = _utc(now)
    due = pick_due(cards, moment, len(cards))
    due_set = set(due)
    rest = sorted(
        (
            (retrievability(card, moment), due_at(card), qid)
            for qid, card in cards.items()
            if qid not in due_set
        ),
    )
    ordered = due + [qid for _, _, qid in rest]
    return ordered if limit is None else ordered[: max(0, limit)]
