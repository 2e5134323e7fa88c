"""Results to the platform's gradebook (Assignment and Grade Services): a launch of a graded item
remembers the person's line item; a finished quiz or scenario (the signals in core.events) queues a
score row; :func:`deliver_due` posts the due rows and retries failures with back-off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.lti import rules
from trainer.lti.models import LtiGradeLink, LtiPlatform, LtiScore
from trainer.lti.services.platform_http import PlatformCallFailed, post_json

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))
MAX_TRIES = 8


def remember(user: User, platform: LtiPlatform, launch: rules.Launch) -> LtiGradeLink | None:
    """The person + resource link -> item and line item (no commit)."""
    if launch.item is None or not launch.resource_link_id:
        return None
    row = db.session.scalar(select(LtiGradeLink).where(
        LtiGradeLink.platform_id == platform.id, LtiGradeLink.resource_link_id == launch.resource_link_id,
        LtiGradeLink.user_id == user.id,
    ))
    if row is None:
        row = LtiGradeLink(platform_id=platform.id, resource_link_id=launch.resource_link_id, user_id=user.id)
        db.session.add(row)
    row.subject, row.item, row.updated_at = launch.subject, launch.item.key, utcnow()
    grades = launch.grades
    can_score = grades is not None and rules.SCOPE_SCORE in grades.scopes and bool(grades.lineitem)
    row.lineitem_url = grades.lineitem if grades is not None and can_score else ""
    row.scopes = " ".join(sorted(grades.scopes)) if grades is not None else ""
    return row


def queue(user_id: int, item: rules.Item, source: str, percent: float, finished_at: datetime) -> int:
    """A score row for each of the person's graded launches of ``item``; committed. How many."""
    links = db.session.scalars(select(LtiGradeLink).where(
        LtiGradeLink.user_id == user_id, LtiGradeLink.item == item.key, LtiGradeLink.lineitem_url != "",
    )).all()
    queued = 0
    for link in links:
        try:
            with db.session.begin_nested():
                db.session.add(LtiScore(grade_link_id=link.id, source=source, score_given=round(percent, 2),
                                        score_maximum=100.0, finished_at=finished_at, next_try_at=utcnow()))
            queued += 1
        except IntegrityError:
            continue  # already queued (a signal sent twice)
    if links:
        db.session.commit()
    return queued


def on_quiz_graded(sender: Any, *, user_id: int, attempt_id: int, quiz_id: str, percent: float | None,
                   submitted_at: datetime, **_: Any) -> None:
    if percent is not None:
        queue(user_id, rules.Item("quiz", quiz_id), f"attempt:{attempt_id}", percent, submitted_at)


def on_scenario_finished(sender: Any, *, user_id: int, play_id: int, scenario_id: str, percent: float,
                         finished_at: datetime, **_: Any) -> None:
    queue(user_id, rules.Item("scenario", scenario_id), f"play:{play_id}", percent, finished_at)


def scores_url(lineitem: str) -> str:
    """AGS: the score service is the line item URL with /scores appended to its path."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


@dataclass(frozen=True)
class Delivery:
    sent: int
    retrying: int
    failed: int


def _deliver(row: LtiScore, timeout: float) -> None:
    link = row.grade_link
    payload = rules.score_payload(user_id=link.subject, given=row.score_given, maximum=row.score_maximum,
                                  timestamp=_iso(row.finished_at))
    post_json(link.platform, scores_url(link.lineitem_url), payload, scopes=[rules.SCOPE_SCORE],
              media_type=rules.SCORE_MEDIA_TYPE, timeout=timeout)


def deliver_due(*, timeout: float, limit: int = 200, moment: datetime | None = None) -> Delivery:
    """Post every due score, oldest first; each row committed on its own."""
    moment = moment or utcnow()
    rows = db.session.scalars(select(LtiScore).where(
        LtiScore.status == "pending", LtiScore.next_try_at <= moment,
    ).order_by(LtiScore.id).limit(limit)).all()
    sent = retrying = failed = 0
    for row in rows:
        row.tries += 1
        try:
            if not row.grade_link.platform.active:
                raise PlatformCallFailed("the platform is disabled here")
            _deliver(row, timeout)
        except PlatformCallFailed as error:
            row.last_error = str(error)[:1000]
            if row.tries >= MAX_TRIES:
                row.status, failed = "failed", failed + 1
            else:
                row.next_try_at = moment + BACKOFF[min(row.tries, len(BACKOFF)) - 1]
                retrying += 1
        else:
            row.status, row.sent_at, row.last_error, sent = "sent", utcnow(), "", sent + 1
        db.session.commit()
    return Delivery(sent, retrying, failed)


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(select(LtiScore.status, func.count()).group_by(LtiScore.status)).all()
    return {str(status): int(count) for status, count in rows}


def recent_scores(limit: int = 20) -> list[LtiScore]:
    return list(db.session.scalars(select(LtiScore).order_by(LtiScore.id.desc()).limit(limit)).all())
