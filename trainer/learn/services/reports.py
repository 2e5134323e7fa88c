"""What other features read about learning (the manager's dashboard, the quiz demo seeder): lesson
completions, certificates and last visits, as plain values. Every function that covers many people
takes them as :data:`~trainer.accounts.selection.UserIds` and runs one query whatever their number."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.sql import Select

from trainer.accounts.selection import UserIds, user_id_filter
from trainer.extensions import db
from trainer.learn.models import Certificate, LessonProgress


@dataclass(frozen=True)
class LessonCompletion:
    """One lesson a person completed, and when."""

    course_id: str
    lesson_id: str
    completed_at: datetime


def completed_counts(members: UserIds, course_id: str, lesson_ids: Sequence[str]) -> dict[int, int]:
    """How many of ``lesson_ids`` of the course each person completed (people with none left out)."""
    rows = db.session.execute(
        select(LessonProgress.user_id, func.count())
        .where(
            LessonProgress.user_id.in_(user_id_filter(members)),
            LessonProgress.course_id == course_id,
            LessonProgress.lesson_id.in_(list(lesson_ids)),
            LessonProgress.completed_at.is_not(None),
        )
        .group_by(LessonProgress.user_id)
    ).all()
    return {user_id: int(count) for user_id, count in rows}


def certified_ids(members: UserIds, course_id: str) -> set[int]:
    """The people who hold the course's certificate."""
    return set(
        db.session.scalars(
            select(Certificate.user_id).where(
                Certificate.user_id.in_(user_id_filter(members)), Certificate.course_id == course_id
            )
        ).all()
    )


def last_visits(members: Select) -> Select:
    """Each person's latest lesson visit as a ``(user_id, at)`` SELECT, for the dashboard to union
    with the other features' activity into one query."""
    return (
        select(LessonProgress.user_id.label("user_id"), func.max(LessonProgress.visited_at).label("at"))
        .where(LessonProgress.user_id.in_(members))
        .group_by(LessonProgress.user_id)
    )


def completions(user_id: int, *, course_id: str | None = None, limit: int | None = None) -> list[LessonCompletion]:
    """The lessons one person completed (of one course, or of all), newest first."""
    query = (
        select(LessonProgress.course_id, LessonProgress.lesson_id, LessonProgress.completed_at)
        .where(LessonProgress.user_id == user_id, LessonProgress.completed_at.is_not(None))
        .order_by(LessonProgress.completed_at.desc())
        .limit(limit)
    )
    if course_id is not None:
        query = query.where(LessonProgress.course_id == course_id)
    return [LessonCompletion(c, lesson, at) for c, lesson, at in db.session.execute(query).all() if at is not None]


def certificate_dates(user_id: int) -> list[datetime]:
    """When each of the person's certificates was issued."""
    return list(db.session.scalars(select(Certificate.issued_at).where(Certificate.user_id == user_id)).all())
