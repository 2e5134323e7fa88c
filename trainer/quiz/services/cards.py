"""Spaced repetition in the database: one FSRS card per person and question.

Every graded answer updates the card (correct = Good, wrong = Again; see
:mod:`trainer.quiz.spaced`). The daily review draws the cards that are due; refreshers draw the
due and least-retained questions first. Nothing here commits: the caller's transaction does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select

from trainer.extensions import db
from trainer.quiz import spaced
from trainer.quiz.models import ReviewCard
from trainer.quiz.services.common import banks


def _naive(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def record_reviews(user_id: int, results: Iterable[tuple[str, bool]], moment: datetime) -> None:
    """Update (or create) the person's card for each ``(question id, correct)`` at ``moment``."""
    bank_set = banks()
    # a retired question answered in an attempt begun before it was retired: no more scheduling
    results = [(qid, correct) for qid, correct in results if bank_set.is_drawable(qid)]
    if not results:
        return
    ids = [qid for qid, _ in results]
    existing = {
        card.question_id: card
        for card in db.session.scalars(
            select(ReviewCard).where(ReviewCard.user_id == user_id, ReviewCard.question_id.in_(ids))
        ).all()
    }
    for qid, correct in results:
        row = existing.get(qid)
        data, due = spaced.review(row.card if row else None, correct, moment)
        if row is None:
            row = ReviewCard(user_id=user_id, question_id=qid, card=data, due=_naive(due), reviews=0, lapses=0)
            db.session.add(row)
            existing[qid] = row
        row.card = data
        row.due = _naive(due)
        row.last_reviewed_at = _naive(moment)
        row.reviews = (row.reviews or 0) + 1
        if not correct:
            row.lapses = (row.lapses or 0) + 1


def user_cards(user_id: int) -> dict[str, dict]:
    """question id -> card dict, for questions still drawable (in the banks and not retired):
    a retired question's card stays in the table but is no longer scheduled."""
    bank_set = banks()
    rows = db.session.execute(
        select(ReviewCard.question_id, ReviewCard.card).where(ReviewCard.user_id == user_id)
    ).all()
    return {qid: card for qid, card in rows if bank_set.is_drawable(qid)}


def due_question_ids(user_id: int, moment: datetime, limit: int) -> list[str]:
    """Up to ``limit`` due questions, longest overdue and least retained first."""
    return spaced.pick_due(user_cards(user_id), moment, limit)


def due_count(user_id: int, moment: datetime) -> int:
    bank_set = banks()
    rows = db.session.scalars(
        select(ReviewCard.question_id).where(ReviewCard.user_id == user_id, ReviewCard.due <= _naive(moment))
    ).all()
    return sum(1 for qid in rows if bank_set.is_drawable(qid))


def next_due(user_id: int) -> datetime | None:
    """When the person's next drawable card falls due (retired questions' cards are not scheduled)."""
    return due_summary(user_id, datetime.now(UTC))[1]


def due_summary(user_id: int, moment: datetime) -> tuple[int, datetime | None]:
    """(:func:`due_count`, :func:`next_due`) in one query, for the daily review page."""
    bank_set = banks()
    cutoff = _naive(moment)
    dues = [due for qid, due in db.session.execute(
        select(ReviewCard.question_id, ReviewCard.due).where(ReviewCard.user_id == user_id)
    ).all() if bank_set.is_drawable(qid)]
    return sum(1 for due in dues if due <= cutoff), min(dues, default=None)


def refresher_preference(user_id: int, moment: datetime) -> list[str]:
    """Due questions first, then the rest from the least retained up (for refresher draws)."""
    return spaced.least_retained(user_cards(user_id), moment)
