"""Accounts use cases: passwords, users and teams (signing in: ``signin``; the password policy:
``passwords``; server-side sessions: ``sessions``; the CSV import: ``csv_import``; the set-password
links: ``password_links``).

Views call these and render; every commit of account data happens in these three modules.
"""

from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from trainer.accounts import audit, sessions
from trainer.accounts.access import would_nest_in_itself
from trainer.accounts.models import Role, Team, User
from trainer.accounts.passwords import password_problem
from trainer.extensions import db

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LANGUAGE_ALIASES = {"zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "中文": "zh_CN", "en": "en", "english": "en"}


class AccountError(ValueError):
    """A user-facing refusal; ``message`` is already in the user's language."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- passwords and language ------------------------------------------------------------------


def change_password(user: User, current: str, new: str, keep_session: str | None = None) -> None:
    """Set a new password and end every other session of the user (``keep_session`` stays)."""
    if not user.check_password(current):
        raise AccountError(_l("The current password is incorrect."), field="current_password")
    problem = password_problem(new, user)
    if problem:
        raise AccountError(problem, field="new_password")
    user.set_password(new)
    user.must_change_password = False
    sessions.end_all(user.id, keep_token=keep_session)
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
    if not active:
        sessions.end_all(user.id)
    user.teams = list(db.session.scalars(select(Team).where(Team.id.in_(team_ids))).all()) if team_ids else []
    audit.record(actor, "user.update", user.email, **changes)
    db.session.commit()


def reset_password(actor: User, user: User) -> str:
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    sessions.end_all(user.id)
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
