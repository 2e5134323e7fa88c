"""Each person's e-mail switches, the one-click unsubscribe, workshop invitations, the forgotten
password request and the listeners that turn other features' signals into messages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

from flask import current_app
from sqlalchemy import select

from trainer.accounts import audit
from trainer.accounts.access import can_manage_team, descendant_team_ids
from trainer.accounts.models import Team, User, team_members
from trainer.core.events import assignment_changed, certificate_earned, set_password_links_issued
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.notify.models import MailPreference
from trainer.notify.services.compose import read_unsubscribe_token
from trainer.notify.services.messages import (
    Workshop,
    assignment_notices,
    certificate_notice,
    password_reset_notice,
    set_password_notices,
    workshop_invitation,
)
from trainer.notify.services.outbox import sent_since
from trainer.notify.services.transport import settings_from

SWITCHES = ("assignments", "reminders", "overdue", "digest")


class NotifyError(ValueError):
    """A request the feature refuses; ``message`` is for the person, ``field`` the form field."""

    def __init__(self, message: Any, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def preferences_of(user: User) -> dict[str, bool]:
    row = db.session.get(MailPreference, user.id)
    return {name: (True if row is None else bool(getattr(row, name))) for name in SWITCHES}


def save_preferences(user: User, choices: Mapping[str, bool]) -> None:
    unknown = set(choices) - set(SWITCHES)
    if unknown:
        raise NotifyError(f"unknown preference: {sorted(unknown)[0]}")
    row = db.session.get(MailPreference, user.id) or MailPreference(user_id=user.id)
    for name, value in choices.items():
        setattr(row, name, bool(value))
    row.updated_at = utcnow()
    db.session.add(row)
    db.session.commit()


def unsubscribe_target(token: str) -> tuple[User, str] | None:
    """Whose switch a signed link turns off, and which; None for a link we did not sign."""
    found = read_unsubscribe_token(token)
    if found is None:
        return None
    user = db.session.get(User, found[0])
    return (user, found[1]) if user is not None else None


def unsubscribe(token: str) -> tuple[User, str] | None:
    """Turn the switch off (reminders: the overdue notices too); works again harmlessly."""
    target = unsubscribe_target(token)
    if target is None:
        return None
    user, category = target
    save_preferences(user, {"reminders": False, "overdue": False} if category == "reminders" else {category: False})
    return target


def request_password_reset(email: str, address_blocked: bool) -> None:
    """Queue a reset link when the address belongs to an active account and it has not had
    MAIL_RESET_MAX_PER_HOUR of them in the last hour. Says nothing either way: the page answers
    the same whatever happened, so it never tells whether an account exists."""
    if address_blocked:
        return
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.active:
        return
    if sent_since(user.id, "password_reset", utcnow() - timedelta(hours=1)) >= current_app.config["MAIL_RESET_MAX_PER_HOUR"]:
        return
    password_reset_notice(user)


def invite_to_workshop(organizer: User, team_ids: list[int], workshop: Workshop) -> int:
    """Invite everyone in the teams (and the teams below) the organizer manages; returns how many."""
    if not team_ids:
        raise NotifyError("no teams", field="team_ids")
    for team_id in team_ids:
        if db.session.get(Team, team_id) is None or not can_manage_team(organizer, team_id):
            raise NotifyError("not your team", field="team_ids")
    members = db.session.scalars(
        select(User).join(team_members, team_members.c.user_id == User.id)
        .where(team_members.c.team_id.in_(descendant_team_ids(team_ids)), User.active.is_(True)).distinct()
    ).all()
    sender = settings_from(current_app.config).sender
    stamp = utcnow().replace(tzinfo=UTC)
    invited = sum(workshop_invitation(user, workshop, sender, stamp) for user in members)
    audit.record(organizer, "notify.workshop_invitation", workshop.title, invited=invited)
    db.session.commit()
    return invited


# --- listeners ------------------------------------------------------------------------------------


def _safely(listener: Callable[..., None]) -> Callable[..., None]:
    """A message that cannot be queued is logged, never allowed to undo the change that caused it
    (the assignment is saved, the certificate issued, whatever the outbox does)."""

    @wraps(listener)
    def wrapped(sender: Any, **values: Any) -> None:
        try:
            listener(sender, **values)
        except Exception:  # noqa: BLE001 - logged with the traceback; the sender's work is already committed
            db.session.rollback()
            current_app.logger.exception("could not queue the e-mail for %s", listener.__name__)

    return wrapped


@_safely
def on_assignment_changed(sender: Any, *, assignment_id: int, change: str, user_ids: list[int], title: str,
                          due_at: datetime, **_: Any) -> None:
    version = utcnow().strftime("%Y%m%dT%H%M%S%f")
    assignment_notices(_users(user_ids), change, assignment_id, title, due_at, version)


@_safely
def on_certificate_earned(sender: Any, *, user_id: int, certificate_id: int, course_title: str, code: str,
                          **_: Any) -> None:
    user = db.session.get(User, user_id)
    if user is not None:
        certificate_notice(user, certificate_id, course_title, code)


@_safely
def on_links_issued(sender: Any, *, links: list[tuple[int, str, datetime]], **_: Any) -> None:
    users = {user.id: user for user in _users([user_id for user_id, _token, _expires in links])}
    set_password_notices([(users[user_id], token, expires_at) for user_id, token, expires_at in links
                          if user_id in users])


def _users(user_ids: list[int]) -> list[User]:
    found: list[User] = []
    for start in range(0, len(user_ids), 500):
        found += db.session.scalars(select(User).where(User.id.in_(user_ids[start:start + 500]))).all()
    return found


def connect_listeners() -> None:
    """Subscribe once (blinker keeps one strong reference per receiver; connecting again is a no-op)."""
    assignment_changed.connect(on_assignment_changed, weak=False)
    certificate_earned.connect(on_certificate_earned, weak=False)
    set_password_links_issued.connect(on_links_issued, weak=False)
