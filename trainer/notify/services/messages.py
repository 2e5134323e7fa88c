"""One function per kind of message: it gathers the values, composes the message in the person's
language and queues it under its idempotency key. The signal handlers at the bottom connect the
other features' announcements (an assignment changed, a certificate earned, links issued)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import format_date

from trainer.accounts import password_links
from trainer.accounts.models import User
from trainer.core.time import local_text, site_timezone
from trainer.extensions import db
from trainer.notify import ical
from trainer.notify.rules import dedupe_key
from trainer.notify.services.compose import (
    CATEGORY,
    external_url,
    link_context,
    mail_context,
    subject_of,
    unsubscribe_token,
)
from trainer.notify.services.outbox import Envelope, enqueue, enqueue_many, wants


def _due_text(moment: datetime | None) -> str:
    return local_text(moment, "%Y-%m-%d")


def _headers(user: User, kind: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe for the kinds a person can switch off."""
    category = CATEGORY[kind]
    if category is None:
        return {}
    url = external_url("notify.unsubscribe", token=unsubscribe_token(user.id, category))
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _footer_links(user: User, kind: str) -> dict[str, str]:
    category = CATEGORY[kind]
    if category is None:
        return {}
    return {"preferences_url": external_url("notify.preferences"),
            "unsubscribe_url": external_url("notify.unsubscribe",
                                            token=unsubscribe_token(user.id, category))}


def envelope(user: User, kind: str, key: str, values: dict[str, Any], *,
             attachments: Sequence[dict[str, Any]] = (), secret: bool = False) -> Envelope | None:
    """The message to queue, or None when the person switched this kind off or is deactivated.
    ``values`` are stored as JSON and fill the templates when the message is sent."""
    if not user.active or not wants(user, kind):
        return None
    values = dict(values, name=user.name, **_footer_links(user, kind))
    return Envelope(kind, user, key, subject_of(kind, user.language, values), values, _headers(user, kind),
                    attachments, secret)


def send_to(user: User, kind: str, key: str, values: dict[str, Any], *,
            attachments: Sequence[dict[str, Any]] = (), secret: bool = False) -> bool:
    """Queue one message (see :func:`envelope`)."""
    found = envelope(user, kind, key, values, attachments=attachments, secret=secret)
    return enqueue(found) if found is not None else False


# --- assignments --------------------------------------------------------------------------------

ASSIGNMENT_KINDS = {"created": "assigned", "edited": "assignment_edited", "cancelled": "assignment_cancelled"}


def assignment_notices(users: Sequence[User], change: str, assignment_id: int, title: str, due_at: datetime,
                       version: str) -> int:
    """Assigned, changed or cancelled, to everyone concerned in one transaction; ``version`` tells
    two edits apart (one message per person per edit)."""
    kind = ASSIGNMENT_KINDS[change]
    values: dict[str, Any] = {"title": title, "due": _due_text(due_at)}
    if change != "cancelled":
        values["link"] = external_url("main.home")
    with link_context():
        found = [envelope(user, kind, dedupe_key(kind, user.id, f"assignment-{assignment_id}", version), values)
                 for user in users]
    return enqueue_many(e for e in found if e is not None)


def deadline_notice(user: User, kind: str, assignment_id: int, title: str, quiz_id: str,
                    due_at: datetime) -> bool:
    """A reminder before the person's due date, or the overdue notice after it: once per due date."""
    link = external_url("quiz.intro", quiz_id=quiz_id, assignment=assignment_id)
    return send_to(user, kind, dedupe_key(kind, user.id, f"assignment-{assignment_id}", _due_text(due_at)),
                   {"title": title, "due": _due_text(due_at), "link": link})


@dataclass(frozen=True)
class OverdueRow:
    name: str
    title: str
    due: str


def digest(manager: User, rows: list[OverdueRow], period: str) -> bool:
    return send_to(manager, "digest", dedupe_key("digest", manager.id, "teams", period),
                   {"rows": [asdict(row) for row in rows], "count": len(rows),
                    "link": external_url("manage.dashboard")})


# --- certificates, accounts ---------------------------------------------------------------------


def certificate_notice(user: User, certificate_id: int, course_title: str, code: str) -> bool:
    link = external_url("learn.certificate", certificate_id=certificate_id)
    grouped = "-".join(code[i:i + 4] for i in range(0, len(code), 4))
    return send_to(user, "certificate", dedupe_key("certificate", user.id, f"certificate-{certificate_id}"),
                   {"course": course_title, "code": grouped, "link": link})


def set_password_notices(links: Sequence[tuple[User, str, datetime]]) -> int:
    """Imported people's first-password links, all in one transaction (an import may hold thousands)."""
    with link_context():
        found = [envelope(user, "set_password", dedupe_key("set_password", user.id, password_links.token_hash(token)[:16]),
                      {"link": external_url("auth.set_password", token=token),
                       "expires": local_text(expires_at), "email": user.email}, secret=True)
                 for user, token, expires_at in links]
    return enqueue_many(e for e in found if e is not None)


def password_reset_notice(user: User) -> bool:
    """A fresh single-use link (the set-password machinery), valid MAIL_RESET_LINK_MINUTES."""
    minutes = int(current_app.config["MAIL_RESET_LINK_MINUTES"])
    token = password_links.issue_link(user, timedelta(minutes=minutes))
    db.session.commit()
    link = external_url("auth.set_password", token=token)
    return send_to(user, "password_reset",
                   dedupe_key("password_reset", user.id, password_links.token_hash(token)[:16]),
                   {"link": link, "minutes": minutes}, secret=True)


# --- workshops ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workshop:
    title: str
    start: datetime  # aware, in the site's zone
    minutes: int
    location: str
    organizer: User

    @property
    def uid_base(self) -> str:
        raw = f"{self.organizer.id}|{self.title}|{self.start.isoformat()}|{self.location}"
        return hashlib.sha256(raw.encode()).hexdigest()[:24]


def workshop_invitation(user: User, workshop: Workshop, sender_address: str, stamp: datetime) -> bool:
    """The invitation with an iCalendar attachment (METHOD:REQUEST, times with the site's TZID)."""
    uid = f"{workshop.uid_base}@receivables-trainer"
    with mail_context(user.language):
        start_text = f"{format_date(workshop.start.date(), 'medium')} {workshop.start:%H:%M} ({workshop.start.tzname()})"
    event = ical.Event(uid=uid, start=workshop.start, minutes=workshop.minutes, summary=workshop.title,
                       description=workshop.title, location=workshop.location,
                       organizer_email=sender_address, attendee_email=user.email, stamp=stamp)
    attachment = {"filename": "invitation.ics", "content_type": "text/calendar", "method": "REQUEST",
                  "content": ical.invitation(event)}
    values = {"title": workshop.title, "start": start_text, "minutes": workshop.minutes,
              "location": workshop.location, "organizer": workshop.organizer.name,
              "end": (workshop.start + timedelta(minutes=workshop.minutes)).strftime("%H:%M")}
    return send_to(user, "workshop", dedupe_key("workshop", user.id, workshop.uid_base), values,
                   attachments=[attachment])


def local_start(moment: datetime) -> datetime:
    """A naive site-local time as typed in the form, made aware in the site's zone."""
    return moment.replace(tzinfo=site_timezone())
