"""The audit log as people read it: each entry's action and details in the reader's language,
with names instead of ids and no raw keys or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from trainer.accounts.labels import LANGUAGE_LABELS, ROLE_LABELS
from trainer.accounts.models import AuditLog, Team, User
from trainer.content.source import pick
from trainer.core.i18n import content_language
from trainer.extensions import db

ACTION_LABELS = {
    "user.create": _l("Created a user"),
    "user.update": _l("Changed a user"),
    "user.reset_password": _l("Reset a password"),
    "user.import_csv": _l("Imported users from CSV"),
    "user.set_password_link": _l("Set a password from a link"),
    "team.create": _l("Created a team"),
    "team.update": _l("Changed a team"),
    "quiz.assignment.create": _l("Assigned a refresher"),
    "quiz.assignment.update": _l("Changed a refresher assignment"),
    "quiz.assignment.cancel": _l("Cancelled a refresher assignment"),
    "roleplay.workshop.open": _l("Opened a role-play workshop"),
    "roleplay.workshop.close": _l("Closed a role-play workshop"),
    "sim.workshop.create": _l("Created a simulation workshop"),
    "sim.workshop.close_round": _l("Closed a simulation workshop round"),
}
FIELD_LABELS = {
    "name": _l("Name"), "email": _l("Email"), "role": _l("Role"), "language": _l("Language"),
    "active": _l("Active"), "teams": _l("Teams"), "parent": _l("Parent team"), "managers": _l("Managers"),
    "members": _l("Members"), "quiz": _l("Quiz"), "due": _l("Due"), "scenario": _l("Scenario"),
    "round": _l("Round"), "title": _l("Title"), "emails": _l("Email"), "rounds": _l("Rounds"),
}
TEAM_FIELDS = ("teams", "parent")
PEOPLE_FIELDS = ("managers", "members")


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str | None
    action: str
    target: str
    details: list[tuple[str, str]]


def _names(model: Any, ids: Iterable[int]) -> dict[int, str]:
    wanted = [i for i in ids if isinstance(i, int)]
    if not wanted:
        return {}
    return {row[0]: row[1] for row in db.session.execute(select(model.id, model.name).where(model.id.in_(wanted)))}


def _ids_in(value: Any) -> list[int]:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, list | int | None) for v in value):
        return [i for part in value for i in (part if isinstance(part, list) else [part]) if isinstance(i, int)]
    return [i for i in (value if isinstance(value, list) else [value]) if isinstance(i, int)]


class _Reader:
    """Turns stored values into words: roles, languages, yes/no, team and people names."""

    def __init__(self, details: Sequence[Mapping[str, Any]]):
        team_ids = {i for d in details for k in TEAM_FIELDS for i in _ids_in(d.get(k))}
        people_ids = {i for d in details for k in PEOPLE_FIELDS for i in _ids_in(d.get(k))}
        self.teams, self.people = _names(Team, team_ids), _names(User, people_ids)

    def one(self, key: str, value: Any) -> str:
        if value is None or value == []:
            return "—"
        if isinstance(value, list):
            return ", ".join(self.one(key, v) for v in value)
        if isinstance(value, dict):  # a content title in both languages: the reader's
            return pick(value, content_language()) if value else "—"
        if isinstance(value, bool):
            return str(_l("yes") if value else _l("no"))
        if key == "role":
            return str(ROLE_LABELS.get(value, value))
        if key == "language":
            return LANGUAGE_LABELS.get(value, str(value))
        if key in TEAM_FIELDS and isinstance(value, int):
            return self.teams.get(value, f"#{value}")
        if key in PEOPLE_FIELDS and isinstance(value, int):
            return self.people.get(value, f"#{value}")
        return str(value)

    def field(self, key: str, value: Any, changed: bool) -> str:
        """A change is stored as [old, new] (user.update) and reads "old → new"."""
        if changed and isinstance(value, list) and len(value) == 2:
            return f"{self.one(key, value[0])} → {self.one(key, value[1])}"
        return self.one(key, value)


def _detail(entry: AuditLog) -> dict[str, Any]:
    try:
        value = json.loads(entry.detail) if entry.detail else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def describe(entries: Sequence[AuditLog]) -> list[AuditRow]:
    """Readable rows for ``entries`` (names looked up once for the whole page)."""
    details = [_detail(entry) for entry in entries]
    reader = _Reader(details)
    rows = []
    for entry, detail in zip(entries, details, strict=True):
        target = entry.target
        if entry.action == "user.import_csv":  # stored as "N users" by older versions: say it in words
            emails = detail.get("emails", [])
            count = detail.pop("count", len(emails) if isinstance(emails, list) else 0)
            target = ngettext("%(num)d user", "%(num)d users", count)
        words = [
            (str(FIELD_LABELS.get(key, key)), reader.field(key, value, entry.action == "user.update"))
            for key, value in detail.items()
        ]
        rows.append(AuditRow(entry.created_at, entry.actor.name if entry.actor else None,
                             str(ACTION_LABELS.get(entry.action, entry.action)), target, words))
    return rows
