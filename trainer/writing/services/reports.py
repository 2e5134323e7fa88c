"""What other features read about writing: the manager dashboard's pending reviews and recent
scores, and the scorecard's evidence (each completed review's rubric score, tagged with the task's
competencies). Functions take the people as :data:`~trainer.accounts.selection.UserIds` and run one
query whatever their number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from trainer.accounts.models import User
from trainer.accounts.selection import UserIds, user_id_filter
from trainer.core.content import catalog
from trainer.extensions import db
from trainer.writing.models import WritingReview, WritingSubmission


@dataclass(frozen=True)
class WritingRow:
    submission_id: int
    user_id: int
    user_name: str
    task_id: str
    task_title: str
    version: int
    submitted_at: datetime
    checklist: str  # "found/total"
    score: int | None = None
    max_score: int | None = None
    reviewer: str = ""
    reviewed_at: datetime | None = None


def _title(task_id: str, lang: str) -> str:
    task = catalog().writing.tasks.get(task_id)
    return task.title[lang] if task else task_id


def pending_reviews(members: UserIds, lang: str, limit: int = 100) -> list[WritingRow]:
    """Each member's latest version of a task that nobody has reviewed yet, oldest first (one query)."""
    newer = aliased(WritingSubmission)
    done = select(WritingReview.id).where(
        WritingReview.submission_id == WritingSubmission.id, WritingReview.completed_at.is_not(None)
    )
    rows = db.session.execute(
        select(WritingSubmission, User.name)
        .join(User, User.id == WritingSubmission.user_id)
        .outerjoin(newer, and_(newer.user_id == WritingSubmission.user_id, newer.task_id == WritingSubmission.task_id,
                               newer.version > WritingSubmission.version))
        .where(WritingSubmission.user_id.in_(user_id_filter(members)), newer.id.is_(None), ~done.exists())
        .order_by(WritingSubmission.submitted_at)
        .limit(limit)
    ).all()
    return [
        WritingRow(s.id, s.user_id, name, s.task_id, _title(s.task_id, lang), s.version, s.submitted_at,
                   f"{s.checklist_found}/{s.checklist_total}")
        for s, name in rows
    ]


def recent_scores(members: UserIds, lang: str, start: datetime, end: datetime, limit: int = 50) -> list[WritingRow]:
    """The latest reviews of the members' work completed between ``start`` and ``end``, newest first (one query)."""
    author, reviewer = aliased(User), aliased(User)
    rows = db.session.execute(
        select(WritingSubmission, author.name, WritingReview, reviewer.name)
        .join(WritingReview, WritingReview.submission_id == WritingSubmission.id)
        .join(author, author.id == WritingSubmission.user_id)
        .join(reviewer, reviewer.id == WritingReview.reviewer_id)
        .where(WritingSubmission.user_id.in_(user_id_filter(members)), WritingReview.completed_at.is_not(None),
               WritingReview.completed_at >= start, WritingReview.completed_at <= end)
        .order_by(WritingReview.completed_at.desc())
        .limit(limit)
    ).all()
    return [
        WritingRow(s.id, s.user_id, name, s.task_id, _title(s.task_id, lang), s.version, s.submitted_at,
                   f"{s.checklist_found}/{s.checklist_total}", r.score, r.max_score, reviewer_name, r.completed_at)
        for s, name, r, reviewer_name in rows
    ]


@dataclass(frozen=True)
class ReviewResult:
    """A completed review of someone's writing: the task and the rubric score as a fraction 0..1."""

    user_id: int
    task_id: str
    fraction: float
    at: datetime


def review_results(members: UserIds, until: datetime) -> list[ReviewResult]:
    """Every completed review of the people's writing up to ``until`` (one query)."""
    rows = db.session.execute(
        select(WritingSubmission.user_id, WritingSubmission.task_id, WritingReview.score, WritingReview.max_score,
               WritingReview.completed_at)
        .join(WritingReview, WritingReview.submission_id == WritingSubmission.id)
        .where(WritingSubmission.user_id.in_(user_id_filter(members)), WritingReview.completed_at.is_not(None),
               WritingReview.completed_at <= until)
    ).all()
    return [
        ReviewResult(user_id, task_id, min(1.0, max(0.0, score / max_score)), at)
        for user_id, task_id, score, max_score, at in rows
        if score is not None and max_score and at is not None
    ]


def review_totals(members: UserIds, until: datetime) -> Select:
    """Per person: how many completed reviews, the latest, and the sum of scores, as a SELECT the
    scorecard unions with other features' into its one fingerprint query."""
    return (
        select(
            WritingSubmission.user_id.label("user_id"),
            func.count().label("entries"),
            func.max(WritingReview.completed_at).label("last"),
            func.sum(WritingReview.score).label("score_sum"),
        )
        .join(WritingReview, WritingReview.submission_id == WritingSubmission.id)
        .where(WritingSubmission.user_id.in_(user_id_filter(members)), WritingReview.completed_at.is_not(None),
               WritingReview.completed_at <= until)
        .group_by(WritingSubmission.user_id)
    )
