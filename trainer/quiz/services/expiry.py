"""Lazy expiry of timed attempts: submit every open attempt whose time ran out.

Nothing runs in the background, so an attempt past ``deadline + GRACE`` is submitted (with the
answers saved in time) the next time anybody looks at it or at a list that shows it. This is the
one documented place where a GET request may commit: closing attempts whose time ran out, so that
every page shows the same, final result. Every other write happens on POST.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import defer

from trainer.core.readonly import commit_allowed_on_get
from trainer.extensions import db
from trainer.quiz.models import Attempt
from trainer.quiz.services.common import GRACE, now
from trainer.quiz.services.scoring import finalize


def deadline_passed(attempt: Attempt, moment: datetime) -> bool:
    """Whether the time limit, with the network grace, is over."""
    return attempt.deadline is not None and moment > attempt.deadline + GRACE


def close_if_expired(attempt: Attempt, moment: datetime | None = None) -> bool:
    """Submit this open attempt if its time ran out; True when it is (now) closed by expiry."""
    moment = moment or now()
    if attempt.submitted_at is not None or not deadline_passed(attempt, moment):
        return False
    with commit_allowed_on_get():
        finalize(attempt.id, moment)
    return True


def close_expired(
    *,
    user_ids: Iterable[int] | None = None,
    quiz_id: str | None = None,
    moment: datetime | None = None,
) -> int:
    """Submit every open attempt whose time ran out (with the answers saved in time)."""
    moment = moment or now()
    query = select(Attempt.id).where(
        Attempt.submitted_at.is_(None), Attempt.deadline.is_not(None), Attempt.deadline < moment - GRACE
    )
    if user_ids is not None:
        ids = list(user_ids)
        if not ids:
            return 0
        query = query.where(Attempt.user_id.in_(ids))
    if quiz_id is not None:
        query = query.where(Attempt.quiz_id == quiz_id)
    return _submit(db.session.scalars(query).all(), moment)


def _submit(attempt_ids: Iterable[int], moment: datetime) -> int:
    """Submit these expired attempts (the GET that found them may commit); how many it closed."""
    with commit_allowed_on_get():
        return sum(1 for attempt_id in attempt_ids if finalize(attempt_id, moment))


def attempts_closing_expired(user_id: int, moment: datetime | None = None) -> list[Attempt]:
    """Every attempt of one person, oldest first, after submitting the open ones whose time ran out.

    The pages that list a person's attempts anyway (the quiz list, a quiz's rules, the daily review)
    close them from the rows they read: one query, where :func:`close_expired` and then reading the
    attempts took two. The rows are read again only after closing some, which is rare."""
    moment = moment or now()
    # Without the drawn questions: a list needs none, and they are most of an attempt's row (read on
    # first use if a caller does want them).
    query = select(Attempt).options(defer(Attempt.instances)).where(Attempt.user_id == user_id).order_by(Attempt.id)
    attempts = list(db.session.scalars(query).all())
    expired = [attempt.id for attempt in attempts if attempt.submitted_at is None and deadline_passed(attempt, moment)]
    if not expired:
        return attempts
    _submit(expired, moment)
    return list(db.session.scalars(query).all())
