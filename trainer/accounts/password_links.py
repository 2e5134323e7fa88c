"""Use cases of one-time set-password links: issued in bulk by the CSV import (hashing a password per
row made a 300-user import miss gunicorn's timeout), redeemed once by the person they were made for.

A service module beside services.py (it commits); the token itself is never stored, only its SHA-256.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from trainer.accounts import audit, sessions
from trainer.accounts.models import SetPasswordToken, User
from trainer.accounts.services import AccountError, password_problem
from trainer.core.time import utcnow
from trainer.extensions import db

TOKEN_BYTES = 24  # 192 random bits, 32 URL-safe characters
MAX_TOKEN_LENGTH = 64  # anything longer was never issued; refused before hashing
LOOKUP_CHUNK = 500  # tokens per IN (...) query


class LinkState(enum.StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    INACTIVE = "inactive"


LINK_PROBLEMS: dict[LinkState, LazyString] = {
    LinkState.UNKNOWN: _l("This link is not valid. Check that you opened the whole link, or ask your "
                          "administrator for a new password."),
    LinkState.EXPIRED: _l("This link has expired. Please ask your administrator for a new password."),
    LinkState.USED: _l("This link has already been used. Sign in with the password you chose, or ask your "
                       "administrator for a new password."),
    LinkState.INACTIVE: _l("This account has been deactivated. Please contact your administrator."),
}


class LinkError(AccountError):
    """The link cannot be used; ``state`` says why (the page answers 404 or 410 accordingly)."""

    def __init__(self, state: LinkState):
        super().__init__(LINK_PROBLEMS[state])
        self.state = state


@dataclass(frozen=True)
class IssuedLink:
    """What the admin hands out: whose link it is and the token that goes into the URL."""

    name: str
    email: str
    role: str
    token: str
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token_rows(user_ids: Iterable[int], lifetime: timedelta) -> tuple[list[str], list[dict[str, object]]]:
    """Fresh tokens for these users and the rows to bulk-insert for them (same order)."""
    now = utcnow()
    tokens, rows = [], []
    for user_id in user_ids:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        tokens.append(token)
        rows.append({"user_id": user_id, "token_hash": token_hash(token), "created_at": now,
                     "expires_at": now + lifetime, "used_at": None})
    return tokens, rows


def issue_link(user: User, lifetime: timedelta) -> str:
    """One fresh link for this person (a password reset by e-mail); the caller commits."""
    tokens, rows = new_token_rows([user.id], lifetime)
    db.session.add(SetPasswordToken(**rows[0]))
    return tokens[0]


def check(token: str) -> tuple[LinkState, SetPasswordToken | None]:
    """What this link is worth now. Never raises, whatever the URL held (NUL, 10 KB, non-ASCII)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return LinkState.UNKNOWN, None
    row = db.session.scalar(select(SetPasswordToken).where(SetPasswordToken.token_hash == token_hash(token)))
    if row is None:
        return LinkState.UNKNOWN, None
    if row.used_at is not None:
        return LinkState.USED, row
    if row.expires_at <= utcnow():
        return LinkState.EXPIRED, row
    if not row.user.active:
        return LinkState.INACTIVE, row
    return LinkState.VALID, row


def redeem(token: str, password: str) -> User:
    """Set the first password through a link; the link and every other link of the person stop
    working. Two simultaneous submits cannot both win: the claim is one conditional UPDATE."""
    state, row = check(token)
    if state is not LinkState.VALID or row is None:
        raise LinkError(state)
    user = row.user
    problem = password_problem(password, user)
    if problem:
        raise AccountError(problem, field="new_password")
    now = utcnow()
    claimed = db.session.execute(
        update(SetPasswordToken)
        .where(SetPasswordToken.id == row.id, SetPasswordToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise LinkError(LinkState.USED)
    db.session.execute(
        update(SetPasswordToken)
        .where(SetPasswordToken.user_id == user.id, SetPasswordToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    user.set_password(password)
    user.must_change_password = False
    sessions.end_all(user.id)  # a reset by e-mail signs out whoever knew the old password
    audit.record(user, "user.set_password_link", user.email)
    db.session.commit()
    return user


def unused_links(tokens: Iterable[str]) -> list[IssuedLink]:
    """The links among ``tokens`` that still work, in the order given; the rest are left out, so a
    download can only ever list genuine links."""
    wanted = list(dict.fromkeys(t for t in tokens if t and len(t) <= MAX_TOKEN_LENGTH))
    by_hash = {token_hash(t): t for t in wanted}
    found: dict[str, IssuedLink] = {}
    hashes = list(by_hash)
    now = utcnow()
    for start in range(0, len(hashes), LOOKUP_CHUNK):
        query = (
            select(SetPasswordToken.token_hash, SetPasswordToken.expires_at, User.name, User.email, User.role)
            .join(User, User.id == SetPasswordToken.user_id)
            .where(SetPasswordToken.token_hash.in_(hashes[start:start + LOOKUP_CHUNK]),
                   SetPasswordToken.used_at.is_(None), SetPasswordToken.expires_at > now)
        )
        for digest, expires_at, name, email, role in db.session.execute(query):
            token = by_hash[digest]
            found[token] = IssuedLink(name, email, role, token, expires_at)
    return [found[t] for t in wanted if t in found]
