"""Checking a password at sign-in, throttled atomically and answering the same for every account.

Throttling counts *before* the password is checked: each attempt takes a number from one atomic
upsert per key (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``), committed at once, and only
attempts whose number is within the limit reach the password hash. So thirty concurrent guesses
against a limit of five get exactly five checks, on SQLite and on PostgreSQL alike. A successful
sign-in clears the account's counters.

Keys are the account (a higher limit, against guessing spread over many addresses) and the account
from one address (the low limit). There is no per-address key: many people share one address behind
a NAT, and one of them mistyping must not lock out the others.

Unknown and deactivated accounts cost the same hash as a real one, and a deactivated account with a
wrong password gets the wrong-password answer, so the answer and its timing reveal nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.security import check_password_hash

from trainer.accounts import models
from trainer.accounts.models import LoginAttempt, LoginThrottle, User
from trainer.accounts.services import AccountError
from trainer.core.time import utcnow
from trainer.extensions import db


@dataclass(frozen=True)
class ThrottleLimits:
    per_account_address: int
    per_account: int
    window: timedelta


def throttle_keys(email: str, address: str) -> dict[str, str]:
    """The counter keys of one attempt: hashed, so the table holds no email addresses."""

    def key(*parts: str) -> str:
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    return {"account": key("account", email), "account_address": key("account+address", email, address)}


def _upsert_insert(dialect: str) -> Any:
    """The dialect's INSERT that knows ON CONFLICT (both supported databases have it)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def count_attempt(key: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
    """Add one attempt to ``key``'s window (a new window once the old one is over) in one atomic
    statement; return this attempt's number in the window and when the window started."""
    table = LoginThrottle.__table__
    stale = table.c.window_start <= now - window
    insert = _upsert_insert(db.session.get_bind().dialect.name)
    statement = (
        insert(table)
        .values(key=key, failures=1, window_start=now)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "window_start": case((stale, now), else_=table.c.window_start),
            },
        )
        .returning(table.c.failures, table.c.window_start)
    )
    number, window_start = db.session.execute(statement).one()
    return int(number), window_start


def reserve_attempt(email: str, address: str, limits: ThrottleLimits) -> int:
    """Count this attempt against every key and commit; return the minutes to wait (0: go ahead)."""
    now = utcnow()
    keys = throttle_keys(email, address)
    waits = []
    for name, limit in (("account_address", limits.per_account_address), ("account", limits.per_account)):
        number, window_start = count_attempt(keys[name], now, limits.window)
        if number > limit:
            remaining = window_start + limits.window - now
            waits.append(max(1, int(remaining.total_seconds() // 60) + 1))
    db.session.commit()
    return max(waits, default=0)


@cache
def _dummy_hash(generate: Callable[[str], str]) -> str:
    """A hash made the way real ones are (by the same function), for accounts with none to check."""
    return generate("no account has this password")


def password_matches(user: User | None, password: str) -> bool:
    """Check ``password``; without a usable account, check a dummy hash so it takes as long."""
    if user is not None and user.password_hash and "$" in user.password_hash:
        return check_password_hash(user.password_hash, password)
    check_password_hash(_dummy_hash(models.generate_password_hash), password)
    return False


def authenticate(email: str, password: str, address: str, limits: ThrottleLimits) -> User:
    """Return the user for valid credentials, or raise AccountError (throttled or wrong)."""
    email = (email or "").strip().lower()
    wait = reserve_attempt(email, address, limits)
    if wait:
        raise AccountError(
            _l("Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again.", minutes=wait)
        )
    # An address with control characters (a NUL, which PostgreSQL cannot even compare) names nobody.
    printable = email.isprintable()
    user = db.session.scalar(select(User).where(User.email == email)) if printable else None
    matches = password_matches(user, password)
    ok = matches and user is not None and user.active
    logged_email = email if printable else "".join(c if c.isprintable() else "?" for c in email)
    db.session.add(LoginAttempt(email=logged_email[:254], address=address, succeeded=ok))
    if ok:
        assert user is not None
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(throttle_keys(email, address).values())))
        user.last_seen_at = utcnow()
        db.session.commit()
        return user
    db.session.commit()
    if matches and user is not None and not user.active:
        raise AccountError(_l("This account has been deactivated. Please contact your administrator."))
    raise AccountError(_l("Email or password is incorrect."))
