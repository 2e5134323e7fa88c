"""The bulk import of users from a CSV file: every row checked first, then all inserted in one
transaction or none. No password is hashed here (that made 300 rows miss gunicorn's timeout): each
new person gets a one-time set-password link instead (password_links.py).

A service module beside services.py (it commits).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from trainer.accounts import audit
from trainer.accounts.models import (
    NO_PASSWORD,
    Role,
    SetPasswordToken,
    Team,
    User,
    team_managers,
    team_members,
)
from trainer.accounts.password_links import IssuedLink, new_token_rows
from trainer.accounts.services import EMAIL_RE, normalize_language
from trainer.core.events import set_password_links_issued
from trainer.core.time import utcnow
from trainer.extensions import db

CSV_COLUMNS = ("name", "email", "role", "team", "language")
MAX_IMPORT_ROWS = 5000
MAX_NAME, MAX_EMAIL, MAX_TEAM = 120, 254, 120  # the sizes of the columns they go into
SHOWN_CHARS = 40  # a bad value is quoted back at most this long
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
ROLES = frozenset(r.value for r in Role)

Problems = list[tuple[int, str]]  # (line, message); line 0 = the whole file


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
    errors: Problems = field(default_factory=list)
    created: list[IssuedLink] = field(default_factory=list)
    too_large: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class _Changed(Exception):
    """The database changed between the check and the insert (a team was deleted)."""


@dataclass
class _Known:
    """What rows are checked against: accounts and teams in the database, emails earlier in the file."""

    emails: set[str]
    teams: set[str]
    seen: dict[str, int] = field(default_factory=dict)


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…"


def _file_problem(message: object) -> Problems:
    return [(0, str(message))]


def _read(data: bytes, max_bytes: int) -> tuple[list[str], list[tuple[int, list[str]]], Problems]:
    """(header, numbered rows, whole-file problems): size, encoding, CSV syntax, header, row count."""
    if len(data) > max_bytes:
        return [], [], _file_problem(_l(
            "The file is %(size)d KB; at most %(limit)d KB can be imported at once. Split it into smaller files.",
            size=-(-len(data) // 1000), limit=max_bytes // 1000))
    if not data or not data.strip():
        return [], [], _file_problem(_l("The file is empty."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [], _file_problem(
            _l("The file is not UTF-8 text. In Excel choose \"CSV UTF-8 (comma delimited)\" when saving."))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
        rows = list(enumerate(reader, start=2))
    except StopIteration:
        return [], [], _file_problem(_l("The file is empty."))
    except csv.Error as exc:
        return [], [], _file_problem(_l("The file is not valid CSV: %(reason)s", reason=str(exc)))
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        return [], [], [(1, str(_l("The header row must contain the columns %(columns)s; missing: %(missing)s.",
                                   columns=", ".join(CSV_COLUMNS), missing=", ".join(missing))))]
    if not any(any(cell.strip() for cell in r) for _, r in rows):
        return [], [], _file_problem(_l("The file has a header but no users."))
    if len(rows) > MAX_IMPORT_ROWS:
        return [], [], _file_problem(_l("At most %(n)d users can be imported at once.", n=MAX_IMPORT_ROWS))
    return header, rows, []


def _too_long(column: str, limit: int) -> str:
    return str(_l("%(column)s is longer than %(n)d characters", column=column, n=limit))


def _email_problem(value: str, line: int, known: _Known) -> str | None:
    email = value.lower()
    if len(email) > MAX_EMAIL:
        return _too_long("email", MAX_EMAIL)
    if not EMAIL_RE.match(email):
        return str(_l("'%(email)s' is not a valid email address", email=_shown(value)))
    if email in known.emails:
        return str(_l("%(email)s already has an account", email=email))
    if email in known.seen:
        return str(_l("%(email)s also appears on line %(line)d", email=email, line=known.seen[email]))
    known.seen[email] = line
    return None


def _row_problems(value: dict[str, str], line: int, known: _Known) -> list[str]:
    """Every reason this row cannot be imported, one per field at most."""
    problems = [str(_l("%(column)s contains a control character (such as NUL, a tab or a line break)",
                       column=column)) for column in CSV_COLUMNS if CONTROL_RE.search(value[column])]
    clean = {column: v for column, v in value.items() if not CONTROL_RE.search(v)}
    if "name" in clean:
        if not clean["name"]:
            problems.append(str(_l("name is empty")))
        elif len(clean["name"]) > MAX_NAME:
            problems.append(_too_long("name", MAX_NAME))
    if "email" in clean and (problem := _email_problem(clean["email"], line, known)):
        problems.append(problem)
    if "role" in clean and clean["role"].lower() not in ROLES:
        problems.append(str(_l("role '%(role)s' is not one of trainee, manager, admin", role=_shown(clean["role"]))))
    if "language" in clean and normalize_language(clean["language"] or "zh_CN") is None:
        problems.append(str(_l("language '%(lang)s' is not zh_CN or en", lang=_shown(clean["language"]))))
    if clean.get("team"):
        if len(clean["team"]) > MAX_TEAM:
            problems.append(_too_long("team", MAX_TEAM))
        elif clean["team"] not in known.teams:
            problems.append(str(_l("team '%(team)s' does not exist", team=clean["team"])))
    return problems


def parse_user_csv(data: bytes, max_bytes: int) -> tuple[list[ImportRow], Problems]:
    """Decode and check every row of a user CSV; returns (rows, errors). Reads the database only to
    know the existing emails and teams."""
    header, raw_rows, errors = _read(data, max_bytes)
    if errors:
        return [], errors
    index = {c: header.index(c) for c in CSV_COLUMNS}
    known = _Known(emails={e.lower() for e in db.session.scalars(select(User.email))},
                   teams=set(db.session.scalars(select(Team.name))))
    rows: list[ImportRow] = []
    for line, cells in raw_rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            errors.append((line, str(_l("This row has fewer columns than the header."))))
            continue
        value = {c: cells[i].strip() for c, i in index.items()}
        problems = _row_problems(value, line, known)
        if problems:
            errors.append((line, "; ".join(problems)))
        else:
            rows.append(ImportRow(line, value["name"], value["email"].lower(), value["role"].lower(),
                                  value["team"], normalize_language(value["language"] or "zh_CN") or "zh_CN"))
    return rows, errors


def _insert(rows: list[ImportRow], link_lifetime: timedelta) -> list[IssuedLink]:
    """Bulk inserts of the users, their teams and their links; the caller commits."""
    now = utcnow()
    created = db.session.execute(
        insert(User).returning(User.id, User.email),
        [{"name": r.name, "email": r.email, "role": r.role, "language": r.language, "password_hash": NO_PASSWORD,
          "active": True, "must_change_password": True, "created_at": now} for r in rows],
    )
    ids = {email: user_id for user_id, email in created}
    teams = {name: team_id for team_id, name in db.session.execute(select(Team.id, Team.name))}
    if any(r.team and r.team not in teams for r in rows):
        raise _Changed
    for table, wanted in ((team_managers, True), (team_members, False)):
        links = [{"team_id": teams[r.team], "user_id": ids[r.email]}
                 for r in rows if r.team and (r.role == Role.MANAGER.value) is wanted]
        if links:
            db.session.execute(insert(table), links)
    tokens, token_rows = new_token_rows((ids[r.email] for r in rows), link_lifetime)
    db.session.execute(insert(SetPasswordToken), token_rows)
    return [IssuedLink(r.name, r.email, r.role, token, now + link_lifetime) for r, token in zip(rows, tokens, strict=True)]


def import_users(actor: User, data: bytes, *, max_bytes: int, link_lifetime: timedelta) -> ImportReport:
    """All or nothing: if any row is bad, nothing is imported and every bad row is reported."""
    rows, errors = parse_user_csv(data, max_bytes)
    if errors:
        return ImportReport(errors=errors, too_large=len(data) > max_bytes)
    try:
        created = _insert(rows, link_lifetime)
        audit.record(actor, "user.import_csv", "", count=len(rows), emails=[r.email for r in rows])
        db.session.commit()
    except (IntegrityError, _Changed):  # someone created one of these accounts or deleted a team meanwhile
        db.session.rollback()
        return ImportReport(errors=_file_problem(
            _l("The users changed while the file was being imported; nothing was imported. Please upload it again.")))
    found = db.session.execute(select(User.email, User.id).where(User.email.in_([r.email for r in rows])))
    ids = {email: user_id for email, user_id in found}
    set_password_links_issued.send(actor, links=[(ids[link.email], link.token, link.expires_at) for link in created])
    return ImportReport(created=created)
