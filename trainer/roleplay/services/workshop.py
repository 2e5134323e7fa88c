"""Facilitated pair workshops: open a session with a room code, seat participants in groups of two
or three with a role each (salesperson, customer, observer), rotate the roles between rounds, take
the observers' rubric scores, show the facilitator a live board and reveal the debrief.

Who scores: the observer in a group of three; in a pair, the customer player (there is no one else).

This module holds the sessions (codes, opening, closing, who may facilitate); the groups and roles
are in ``seating``, the rubric in ``workshop_scores``, the screens in ``workshop_screens`` and the
model conversation in ``workshop_debrief``.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from trainer.accounts import audit
from trainer.accounts.models import User
from trainer.core.content import catalog
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.roleplay.models import Participant, RubricScore, WorkshopSession
from trainer.roleplay.rubric import Rubric
from trainer.roleplay.scenarios import Scenario

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Room code letters: no 0/O and no 1/I, which people mix up when reading a projector."""
CODE_LENGTH = 6
DEFAULT_HOURS = 8
DEFAULT_CAPACITY = 30
GROUP_SIZE = 3


class WorkshopError(Exception):
    """Refused: ``message`` is for the user, ``status`` the HTTP status to answer."""

    def __init__(self, message: Any, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


# --------------------------------------------------------------------------- codes and sessions


def new_code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str | None) -> str:
    """Upper case without spaces or dashes, as people type a code read off a screen."""
    return "".join(ch for ch in (raw or "").upper() if not ch.isspace() and ch != "-")


def rubric() -> Rubric:
    """The workshop rubric; content loading refuses to start without one."""
    loaded = catalog().rubric
    if loaded is None:  # pragma: no cover - load_content reports a missing rubric
        raise RuntimeError("no rubric loaded")
    return loaded


def open_session(
    facilitator: User,
    scenario: Scenario,
    *,
    rng: random.Random | None = None,
    hours: float = DEFAULT_HOURS,
    capacity: int = DEFAULT_CAPACITY,
    now: datetime | None = None,
    commit: bool = True,
) -> WorkshopSession:
    """A new open session with a unique room code (cryptographic randomness unless ``rng`` is given)."""
    if not (facilitator.is_manager or facilitator.is_admin):
        raise WorkshopError(_l("Only managers and admins can run a workshop."), 403)
    generator = rng or secrets.SystemRandom()
    now = now or utcnow()
    for _attempt in range(20):
        code = new_code(generator)
        if db.session.scalar(select(WorkshopSession.id).where(WorkshopSession.code == code)) is None:
            break
    else:  # pragma: no cover - 32**6 codes
        raise WorkshopError(_l("Could not find a free room code; try again."), 503)
    session = WorkshopSession(
        code=code,
        facilitator_id=facilitator.id,
        scenario_id=scenario.id,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
        capacity=capacity,
        group_size=GROUP_SIZE,
    )
    db.session.add(session)
    audit.record(facilitator, "roleplay.workshop.open", code, scenario=dict(scenario.title))
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return session


def find_by_code(raw: str | None) -> WorkshopSession | None:
    code = normalise_code(raw)
    if not code:
        return None
    return db.session.scalar(select(WorkshopSession).where(WorkshopSession.code == code))


def is_open(session: WorkshopSession, now: datetime | None = None) -> bool:
    return session.status == "open" and (now or utcnow()) < session.expires_at


def can_facilitate(user: User, session: WorkshopSession) -> bool:
    return user.is_admin or (user.is_manager and session.facilitator_id == user.id)


def sessions_for(user: User) -> list[WorkshopSession]:
    """The sessions a facilitator ran (admins see every session), newest first."""
    query = select(WorkshopSession).order_by(WorkshopSession.created_at.desc(), WorkshopSession.id.desc())
    if not user.is_admin:
        query = query.where(WorkshopSession.facilitator_id == user.id)
    return list(db.session.scalars(query.limit(100)).all())


def reveal_debrief(facilitator: User, session: WorkshopSession) -> None:
    require_facilitator(facilitator, session)
    session.debrief_revealed = True
    db.session.commit()


def close(facilitator: User, session: WorkshopSession) -> None:
    require_facilitator(facilitator, session)
    session.status = "closed"
    audit.record(facilitator, "roleplay.workshop.close", session.code)
    db.session.commit()


def require_facilitator(user: User, session: WorkshopSession) -> None:
    if not can_facilitate(user, session):
        raise WorkshopError(_l("Only the facilitator of this workshop can do that."), 403)


def my_workshops(user: User) -> list[dict[str, Any]]:
    """Each workshop the user took part in, with the rubric scores they received as salesperson."""
    seats = db.session.scalars(
        select(Participant).where(Participant.user_id == user.id).order_by(Participant.joined_at.desc())
    ).all()
    received = db.session.scalars(
        select(RubricScore).where(RubricScore.salesperson_id == user.id).order_by(RubricScore.round)
    ).all()
    given = db.session.scalars(select(RubricScore).where(RubricScore.observer_id == user.id)).all()
    result = []
    for seat in seats:
        session = seat.session
        result.append(
            {
                "session": session,
                "seat": seat,
                "open": is_open(session),
                "received": [r for r in received if r.session_id == session.id],
                "given": sum(1 for r in given if r.session_id == session.id),
            }
        )
    return result


def open_seats(user: User, now: datetime | None = None) -> list[Participant]:
    """Seats the user holds in workshops that are still open."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Participant)
            .join(WorkshopSession, WorkshopSession.id == Participant.session_id)
            .where(
                Participant.user_id == user.id,
                WorkshopSession.status == "open",
                WorkshopSession.expires_at > now,
            )
            .order_by(Participant.joined_at.desc())
        ).all()
    )
