"""The observer's rubric for a workshop round: parse, check and store it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from trainer.accounts.models import User
from trainer.content.source import pick
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.roleplay.models import RubricScore, WorkshopSession
from trainer.roleplay.rubric import SCALE, score_rubric
from trainer.roleplay.services.seating import groups_of, scorer_role, seat_of
from trainer.roleplay.services.workshop import WorkshopError, is_open, rubric

COMMENT_MAX = 1000


def parse_scores(form: Mapping[str, str], prefix: str = "score-") -> dict[str, Any]:
    """``{item id: value}`` from form fields named ``score-<item id>``; values stay as typed."""
    result: dict[str, Any] = {}
    for key, value in form.items():
        if key.startswith(prefix):
            text = (value or "").strip()
            result[key[len(prefix) :]] = int(text) if text.lstrip("-").isdigit() else text
    return result


def submit_rubric(
    user: User,
    session: WorkshopSession,
    scores: Mapping[str, Any],
    comment: str,
    *,
    lang: str = "zh",
    now: datetime | None = None,
    commit: bool = True,
) -> RubricScore:
    """Store (or correct) this round's rubric for the user's group. Only the group's scorer may."""
    the_rubric = rubric()
    seat = seat_of(session, user)
    if seat is None:
        raise WorkshopError(_l("You are not in this workshop."), 403)
    if not is_open(session, now):
        raise WorkshopError(_l("This workshop has ended; scores can no longer be changed."), 409)
    members = groups_of(session)[seat.group_number]
    if len(members) < 2:
        raise WorkshopError(_l("Wait for a partner before scoring."), 409)
    if seat.role != scorer_role(len(members)):
        raise WorkshopError(_l("Only the observer of your group scores this round."), 403)
    salesperson = next((m for m in members if m.role == "salesperson"), None)
    if salesperson is None:  # pragma: no cover - groups always have one
        raise WorkshopError(_l("Your group has no salesperson this round."), 409)
    known = [item.id for item in the_rubric.items]
    unknown = sorted(str(k) for k in scores if k not in known)
    if unknown:
        raise WorkshopError(
            _l("These are not items of the rubric: %(items)s. Nothing was saved.", items=", ".join(unknown))
        )
    missing = [the_rubric.item(k) for k in known if k not in scores or scores[k] == ""]
    if missing:
        raise WorkshopError(
            _l(
                "Score every item (missing: %(items)s). Nothing was saved.",
                items=", ".join(pick(item.title, lang) for item in missing),
            )
        )
    for value in scores.values():
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            raise WorkshopError(
                _l(
                    "Each score is a whole number from %(low)s to %(high)s. Nothing was saved.",
                    low=SCALE[0],
                    high=SCALE[-1],
                )
            )
    if len(comment or "") > COMMENT_MAX:
        raise WorkshopError(_l("The comment is too long (at most %(n)s characters).", n=COMMENT_MAX))
    result = score_rubric(the_rubric, scores)
    row = db.session.scalar(
        select(RubricScore).where(
            RubricScore.session_id == session.id,
            RubricScore.round == session.round,
            RubricScore.group_number == seat.group_number,
        )
    )
    if row is None:
        row = RubricScore(session_id=session.id, round=session.round, group_number=seat.group_number)
        db.session.add(row)
    row.observer_id = user.id
    row.salesperson_id = salesperson.user_id
    row.items = dict(result.scores)
    row.total = result.total
    row.percent = result.percent
    row.comment = (comment or "").strip()
    row.at = now or utcnow()
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return row


def scores_of(session: WorkshopSession) -> list[RubricScore]:
    return list(
        db.session.scalars(
            select(RubricScore)
            .where(RubricScore.session_id == session.id)
            .order_by(RubricScore.round, RubricScore.group_number)
        ).all()
    )
