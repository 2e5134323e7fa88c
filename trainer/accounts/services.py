"""Accounts use cases: passwords, users, teams and the CSV import (signing in: ``signin``; the
password policy: ``passwords``; server-side sessions: ``sessions``).

Views call these and render; every commit of account data happens here.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass, field

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


# --- CSV import -------------------------------------------------------------------------------

CSV_COLUMNS = ("name", "email", "role", "team", "language")
MAX_IMPORT_ROWS = 5000


@dataclass
class ImportRow:
    line: int
    name: str
    email: str
    role: str
    team: str
    language: str


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message); line 0 = whole file
    created: list[tuple[User, str]] = field(default_factory=list)  # (user, temporary password)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_user_csv(data: bytes) -> tuple[list[ImportRow], list[tuple[int, str]]]:
    """Decode and check every row of a user CSV; returns (rows, errors) and never touches the DB
    except to look up existing emails and teams."""
    errors: list[tuple[int, str]] = []
    if not data or not data.strip():
        return [], [(0, str(_l("The file is empty.")))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [
            (0, str(_l("The file is not UTF-8 text. In Excel choose \"CSV UTF-8 (comma delimited)\" when saving.")))
        ]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return [], [(0, str(_l("The file is empty.")))]
    header = [h.strip().lower() for h in header]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        return [], [
            (
                1,
                str(
                    _l(
                        "The header row must contain the columns %(columns)s; missing: %(missing)s.",
                        columns=", ".join(CSV_COLUMNS),
                        missing=", ".join(missing),
                    )
                ),
            )
        ]
    index = {c: header.index(c) for c in CSV_COLUMNS}
    existing_emails = {e.lower() for e in db.session.scalars(select(User.email)).all()}
    teams = set(db.session.scalars(select(Team.name)).all())
    seen: dict[str, int] = {}
    rows: list[ImportRow] = []
    try:
        raw_rows = list(enumerate(reader, start=2))
    except csv.Error as exc:
        return [], [(0, str(_l("The file is not valid CSV: %(reason)s", reason=str(exc))))]
    if not any(any(cell.strip() for cell in r) for _, r in raw_rows):
        return [], [(0, str(_l("The file has a header but no users.")))]
    if len(raw_rows) > MAX_IMPORT_ROWS:
        return [], [(0, str(_l("At most %(n)d users can be imported at once.", n=MAX_IMPORT_ROWS)))]
    for line, cells in raw_rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            errors.append((line, str(_l("This row has fewer columns than the header."))))
            continue
        value = {c: cells[i].strip() for c, i in index.items()}
        row_errors = []
        if not value["name"]:
            row_errors.append(str(_l("name is empty")))
        email = value["email"].lower()
        if not EMAIL_RE.match(email):
            row_errors.append(str(_l("'%(email)s' is not a valid email address", email=value["email"])))
        elif email in existing_emails:
            row_errors.append(str(_l("%(email)s already has an account", email=email)))
        elif email in seen:
            row_errors.append(str(_l("%(email)s also appears on line %(line)d", email=email, line=seen[email])))
        else:
            seen[email] = line
        role = value["role"].lower()
        if role not in {r.value for r in Role}:
            row_errors.append(str(_l("role '%(role)s' is not one of trainee, manager, admin", role=value["role"])))
        language = normalize_language(value["language"] or "zh_CN")
        if language is None:
            row_errors.append(str(_l("language '%(lang)s' is not zh_CN or en", lang=value["language"])))
        if value["team"] and value["team"] not in teams:
            row_errors.append(str(_l("team '%(team)s' does not exist", team=value["team"])))
        if row_errors:
            errors.append((line, "; ".join(row_errors)))
        else:
            rows.append(ImportRow(line, value["name"], email, role, value["team"], language or "zh_CN"))
    return rows, errors


def import_users_csv(actor: User, data: bytes) -> ImportReport:
    """All or nothing: if any row is bad, nothing is imported and every bad row is reported."""
    rows, errors = parse_user_csv(data)
    report = ImportReport(errors=errors)
    if errors:
        return report
    teams = {t.name: t for t in db.session.scalars(select(Team)).all()}
    for row in rows:
        password = temporary_password()
        user = User(name=row.name, email=row.email, role=row.role, language=row.language)
        user.set_password(password)
        if row.team:
            if row.role == Role.MANAGER.value:
                teams[row.team].managers.append(user)
            else:
                teams[row.team].members.append(user)
        db.session.add(user)
        report.created.append((user, password))
    audit.record(actor, "user.import_csv", f"{len(rows)} users", emails=[r.email for r in rows])
    db.session.commit()
    return report
