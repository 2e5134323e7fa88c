"""Accounts use cases: signing in with throttling, passwords, users and teams (the CSV import is in
csv_import.py, the set-password links in password_links.py).

Views call these and render; every commit of account data happens in these three modules.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute

from trainer.accounts import audit
from trainer.accounts.access import would_nest_in_itself
from trainer.accounts.models import LoginAttempt, Role, Team, User
from trainer.core.time import utcnow
from trainer.extensions import db

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LANGUAGE_ALIASES = {"zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "中文": "zh_CN", "en": "en", "english": "en"}
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A user-facing refusal; ``message`` is already in the user's language."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- signing in -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThrottleLimits:
    per_account: int
    per_address: int
    window: timedelta


def _recent_failures(
    column: InstrumentedAttribute[str], value: str, since: datetime
) -> tuple[int, datetime | None]:
    row = db.session.execute(
        select(func.count(LoginAttempt.id), func.min(LoginAttempt.created_at)).where(
            column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at > since
        )
    ).one()
    return int(row[0]), row[1]


def throttle_wait_minutes(email: str, address: str, limits: ThrottleLimits) -> int:
    """Minutes until this account or address may try again; 0 when not throttled.

    Failures count from the later of the window start and the account's last successful login,
    so a user who finally gets it right starts afresh.
    """
    now = utcnow()
    window_start = now - limits.window
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.created_at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )
    account_since = max(window_start, last_success) if last_success else window_start
    waits = []
    for column, value, since, limit in (
        (LoginAttempt.email, email, account_since, limits.per_account),
        (LoginAttempt.address, address, window_start, limits.per_address),
    ):
        count, oldest = _recent_failures(column, value, since)
        if count >= limit and oldest is not None:
            remaining = (oldest + limits.window) - now
            waits.append(max(1, int(remaining.total_seconds() // 60) + 1))
    return max(waits, default=0)


def authenticate(email: str, password: str, address: str, limits: ThrottleLimits) -> User:
    """Return the user for valid credentials, or raise AccountError (throttled or wrong)."""
    email = (email or "").strip().lower()
    wait = throttle_wait_minutes(email, address, limits)
    if wait:
        raise AccountError(
            _l(
                "Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again.",
                minutes=wait,
            )
        )
    user = db.session.scalar(select(User).where(User.email == email))
    ok = user is not None and user.active and user.check_password(password)
    db.session.add(LoginAttempt(email=email, address=address, succeeded=ok))
    if ok:
        assert user is not None
        user.last_seen_at = utcnow()
        db.session.commit()
        return user
    db.session.commit()
    if user is not None and not user.active:
        raise AccountError(_l("This account has been deactivated. Please contact your administrator."))
    raise AccountError(_l("Email or password is incorrect."))


def password_problem(password: str, user: User | None = None) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        return str(_l("Use both letters and digits."))
    if user is not None and password.lower() == user.email.lower():
        return str(_l("The password must not be your email address."))
    if user is not None and user.password_hash and user.check_password(password):
        return str(_l("Choose a password different from the current one."))
    return None


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise AccountError(_l("The current password is incorrect."), field="current_password")
    problem = password_problem(new, user)
    if problem:
        raise AccountError(problem, field="new_password")
    user.set_password(new)
    user.must_change_password = False
    db.session.commit()


def set_language(user: User | None, language: str) -> None:
    if user is not None and language in ("zh_CN", "en"):
        user.language = language
        db.session.commit()


def temporary_password() -> str:
    """A random first password the user must replace at first login."""
    return "Tmp-" + secrets.token_urlsafe(9) + "7"


# --- users and teams --------------------------------------------------------------------------


def normalize_language(value: str) -> str | None:
    raw = (value or "").strip()
    if raw in ("zh_CN", "en"):
        return raw
    return LANGUAGE_ALIASES.get(raw.lower())


def create_user(
    actor: User, *, name: str, email: str, role: str, language: str, team_ids: list[int]
) -> tuple[User, str]:
    """Create an account with a temporary password; returns (user, temporary password)."""
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise AccountError(_l("A user with this email already exists."), field="email")
    password = temporary_password()
    user = User(name=name.strip(), email=email, role=role, language=language, must_change_password=True)
    user.set_password(password)
    user.teams = list(db.session.scalars(select(Team).where(Team.id.in_(team_ids))).all()) if team_ids else []
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", email, role=role, teams=team_ids)
    db.session.commit()
    return user, password


def update_user(
    actor: User, user: User, *, name: str, email: str, role: str, language: str, team_ids: list[int], active: bool
) -> None:
    email = email.strip().lower()
    clash = db.session.scalar(select(User.id).where(User.email == email, User.id != user.id))
    if clash:
        raise AccountError(_l("A user with this email already exists."), field="email")
    if user.id == actor.id and (not active or role != Role.ADMIN.value):
        raise AccountError(_l("You cannot deactivate yourself or remove your own admin role."))
    changes = {
        key: [old, new]
        for key, old, new in (
            ("name", user.name, name.strip()),
            ("email", user.email, email),
            ("role", user.role, role),
            ("language", user.language, language),
            ("active", user.active, active),
            ("teams", sorted(t.id for t in user.teams), sorted(team_ids)),
        )
        if old != new
    }
    user.name, user.email, user.role, user.language, user.active = name.strip(), email, role, language, active
    user.teams = list(db.session.scalars(select(Team).where(Team.id.in_(team_ids))).all()) if team_ids else []
    audit.record(actor, "user.update", user.email, **changes)
    db.session.commit()


def reset_password(actor: User, user: User) -> str:
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    audit.record(actor, "user.reset_password", user.email)
    db.session.commit()
    return password


def save_team(
    actor: User,
    team: Team | None,
    *,
    name: str,
    parent_id: int | None,
    manager_ids: list[int],
    member_ids: list[int],
) -> Team:
    """Create or update a team; refuses duplicate names and parents that would form a loop."""
    name = name.strip()
    clash = db.session.scalar(select(Team.id).where(Team.name == name, Team.id != (team.id if team else -1)))
    if clash:
        raise AccountError(_l("A team with this name already exists."), field="name")
    creating = team is None
    if team is None:
        team = Team(name=name)
        db.session.add(team)
        db.session.flush()
    if parent_id and would_nest_in_itself(team.id, parent_id):
        raise AccountError(_l("A team cannot be nested inside itself or its own sub-team."), field="parent_id")
    team.name = name
    team.parent_id = parent_id or None
    team.managers = list(db.session.scalars(select(User).where(User.id.in_(manager_ids))).all())
    team.members = list(db.session.scalars(select(User).where(User.id.in_(member_ids))).all())
    audit.record(
        actor,
        "team.create" if creating else "team.update",
        name,
        parent=parent_id,
        managers=sorted(manager_ids),
        members=sorted(member_ids),
    )
    db.session.commit()
    return team
