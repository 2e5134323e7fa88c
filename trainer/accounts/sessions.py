"""Server-side session validity: a cookie alone no longer proves a sign-in.

Each sign-in gets a row (:class:`UserSession`) and a random token kept in the signed Flask session;
the row stores only the token's SHA-256. Every request checks that the row is live: not ended (by
signing out, a password change or deactivation) and not past its absolute expiry.

The idle timeout is checked from a "last seen" time kept in the signed cookie, not in the row: a
GET request never commits (``trainer.core.readonly``), and a write per request would cost a commit
on every page. A copied cookie carries the time it was copied, so it goes idle too; one that is kept
busy is still cut off by the row's absolute expiry and by signing out.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from trainer.accounts.models import User, UserSession
from trainer.core.time import utcnow
from trainer.extensions import db

TOKEN_BYTES = 32
# How often the "last seen" time in the cookie is refreshed (each refresh re-sends the cookie).
SEEN_REFRESH = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta


class SessionEnd(enum.Enum):
    """Why a session is no longer valid."""

    ENDED = "ended"
    EXPIRED = "expired"
    IDLE = "idle"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, limits: SessionLimits) -> str:
    """Open a session for ``user`` and return its token (for the signed cookie only)."""
    now = utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            or_(UserSession.ended_at.is_not(None), UserSession.expires_at <= now),
        )
    )
    db.session.add(
        UserSession(user_id=user.id, token_hash=hash_token(token), created_at=now, expires_at=now + limits.absolute)
    )
    db.session.commit()
    return token


def live_user(
    token: str | None, user_id: str, last_seen: datetime | None, now: datetime, limits: SessionLimits
) -> tuple[User | None, SessionEnd | None]:
    """The signed-in user when the session behind ``token`` is live, else (None, why it ended).

    Reads only: never writes, so it is safe on every GET.
    """
    if not token or not user_id.isdigit():
        return None, SessionEnd.ENDED
    row = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == hash_token(token))
    ).one_or_none()
    if row is None:
        return None, SessionEnd.ENDED
    record, user = row
    if record.user_id != int(user_id) or record.ended_at is not None or not user.active:
        return None, SessionEnd.ENDED
    if record.expires_at <= now:
        return None, SessionEnd.EXPIRED
    if last_seen is None or now - last_seen > limits.idle:
        return None, SessionEnd.IDLE
    return user, None


def end_message(reason: SessionEnd, limits: SessionLimits) -> str:
    """What the person reads on the sign-in page after their session stopped."""
    if reason is SessionEnd.EXPIRED:
        hours = int(limits.absolute.total_seconds() // 3600)
        return str(_l("Your session ended %(hours)d hours after you signed in. Please sign in again.", hours=hours))
    if reason is SessionEnd.IDLE:
        minutes = int(limits.idle.total_seconds() // 60)
        return str(
            _l("You were signed out after %(minutes)d minutes without activity. Please sign in again.", minutes=minutes)
        )
    return str(_l("This session has been ended (signed out, password changed or account deactivated). Please sign in again."))


def end(token: str | None) -> None:
    """Sign-out: end this session for every copy of its cookie."""
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == hash_token(token), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        db.session.commit()


def end_all(user_id: int, keep_token: str | None = None) -> None:
    """End every live session of the user except ``keep_token``'s; the caller commits."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep_token:
        query = query.where(UserSession.token_hash != hash_token(keep_token))
    db.session.execute(query.values(ended_at=utcnow()))
