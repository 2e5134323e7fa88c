"""The outbox: queue a message once (its idempotency key), send what is due with retries and
back-off, and show admins what went to whom. Sending claims each row with a conditional UPDATE, so
two `flask notify run` at once never send the same message twice."""

from __future__ import annotations

import smtplib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.notify import mime
from trainer.notify.models import MailPreference, OutboxMessage
from trainer.notify.rules import MAX_ATTEMPTS, retry_delay
from trainer.notify.services.compose import CATEGORY, Composed, compose
from trainer.notify.services.transport import (
    SmtpSettings,
    TransportError,
    deliver,
    open_connection,
    settings_from,
)

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
STATUSES = (QUEUED, SENDING, SENT, FAILED)
STUCK_AFTER = timedelta(minutes=15)  # a "sending" row this old lost its process: try it again
LOOKUP_CHUNK = 500  # keys per IN (...) query
REDACTED = "[removed after sending: this message held a personal sign-in link]"


def wants(user: User, kind: str) -> bool:
    """The person's switch for this kind of message (no row: everything on)."""
    category = CATEGORY[kind]
    if category is None:
        return True
    preference = db.session.get(MailPreference, user.id)
    return preference is None or bool(getattr(preference, category))


@dataclass(frozen=True)
class Envelope:
    kind: str
    user: User
    key: str
    subject: str
    params: Mapping[str, Any]
    headers: Mapping[str, str]
    attachments: Sequence[Mapping[str, Any]] = ()
    secret: bool = False


def _values(envelope: Envelope, now: datetime) -> dict[str, Any]:
    """The outbox row; a bad recipient address is recorded as failed at once, with the reason, so an
    admin sees it instead of a silent drop."""
    status, error = QUEUED, ""
    try:
        mime.check_address(envelope.user.email)
    except mime.AddressError as problem:
        status, error = FAILED, str(problem)[:500]
    return {"dedupe_key": envelope.key, "kind": envelope.kind, "user_id": envelope.user.id,
            "to_address": envelope.user.email[:254], "language": envelope.user.language,
            "subject": envelope.subject[:300], "params": dict(envelope.params), "text_body": "", "html_body": "",
            "composed_at": None, "headers": dict(envelope.headers), "attachments": list(envelope.attachments),
            "secret": envelope.secret, "status": status, "attempts": 0, "next_attempt_at": now,
            "last_error": error, "created_at": now, "sent_at": None}


def enqueue_many(envelopes: Iterable[Envelope]) -> int:
    """Queue the messages whose keys were never queued, in one transaction and one bulk insert;
    returns how many. If another run queued one of the keys meanwhile, they go one by one instead."""
    wanted = {e.key: e for e in envelopes}
    keys = list(wanted)
    seen: set[str] = set()
    for start in range(0, len(keys), LOOKUP_CHUNK):
        seen.update(db.session.scalars(select(OutboxMessage.dedupe_key)
                                       .where(OutboxMessage.dedupe_key.in_(keys[start:start + LOOKUP_CHUNK]))))
    now = utcnow()
    rows = [_values(e, now) for key, e in wanted.items() if key not in seen]
    if not rows:
        return 0
    try:
        with db.session.begin_nested():
            db.session.execute(insert(OutboxMessage), rows)
        count = len(rows)
    except IntegrityError:  # a concurrent run queued some of them: one savepoint per message
        count = sum(_insert_one(row) for row in rows)
    db.session.commit()
    return count


def _insert_one(row: dict[str, Any]) -> bool:
    try:
        with db.session.begin_nested():
            db.session.execute(insert(OutboxMessage), [row])
    except IntegrityError:
        return False
    return True


def enqueue(envelope: Envelope) -> bool:
    """Queue one message unless its key was queued before (then False)."""
    return enqueue_many([envelope]) == 1


def ensure_composed(row: OutboxMessage) -> None:
    """Render the bodies in the reader's language from the stored parameters (once)."""
    if row.composed_at is not None:
        return
    message = compose(row.kind, row.language, row.params or {})
    row.subject, row.text_body, row.html_body = message.subject[:300], message.text, message.html
    row.composed_at = utcnow()


def preview(row: OutboxMessage) -> Composed:
    """What the message says, for the admins' page: rendered on the fly while not yet composed, so
    the page (a GET) writes nothing."""
    if row.composed_at is not None:
        return Composed(row.subject, row.text_body, row.html_body)
    return compose(row.kind, row.language, row.params or {})


@dataclass(frozen=True)
class SendReport:
    sent: int
    retried: int
    failed: int
    waiting: int  # queued and not due yet, or no SMTP configured
    configured: bool


def _claim(row_id: int) -> bool:
    claimed = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == row_id, OutboxMessage.status == QUEUED)
        .values(status=SENDING, attempts=OutboxMessage.attempts + 1, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def _mime(row: OutboxMessage, settings: SmtpSettings) -> Any:
    domain = urlsplit(str(current_app.config.get("MAIL_BASE_URL") or "")).hostname or "localhost"
    return mime.build(sender=settings.sender, to=row.to_address, subject=row.subject, text=row.text_body,
                      html=row.html_body, headers=row.headers or {}, attachments=row.attachments or [],
                      sent_at=utcnow().replace(tzinfo=UTC), message_id_domain=domain)


def _settle(row: OutboxMessage, error: str | None) -> str:
    """Record one try: sent (secret bodies and parameters blanked), or back to the queue later, or
    failed for good."""
    if error is None:
        row.status, row.sent_at, row.last_error = SENT, utcnow(), ""
        if row.secret:
            row.text_body, row.html_body, row.params = REDACTED + "\n", f"<p>{REDACTED}</p>", {}
    elif row.attempts >= MAX_ATTEMPTS:
        row.status, row.last_error = FAILED, error[:500]
    else:
        row.status, row.last_error = QUEUED, error[:500]
        row.next_attempt_at = utcnow() + retry_delay(row.attempts)
    db.session.commit()
    return row.status


def _release_stuck() -> None:
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.status == SENDING, OutboxMessage.next_attempt_at < utcnow() - STUCK_AFTER)
        .values(status=QUEUED).execution_options(synchronize_session=False)
    )
    db.session.commit()


def send_pending(limit: int | None = None) -> SendReport:
    """Send what is due, oldest first, over one SMTP connection; without SMTP settings nothing is sent."""
    settings = settings_from(current_app.config)
    _release_stuck()
    waiting = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == QUEUED)) or 0
    if not settings.configured:
        return SendReport(0, 0, 0, waiting, configured=False)
    due = list(db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.status == QUEUED, OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit or current_app.config["MAIL_SEND_BATCH"])
    ))
    counts = {SENT: 0, QUEUED: 0, FAILED: 0}
    client: smtplib.SMTP | None = None
    try:
        for row_id in due:
            if not _claim(row_id):
                continue
            row = db.session.get(OutboxMessage, row_id)
            assert row is not None
            db.session.refresh(row)
            error = None
            try:
                ensure_composed(row)
                client = client or open_connection(settings)
                deliver(client, _mime(row, settings))
            except (TransportError, mime.AddressError, ValueError) as problem:
                error = str(problem)
                client = None if isinstance(problem, TransportError) else client
            counts[_settle(row, error)] += 1
    finally:
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                pass
    left = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == QUEUED)) or 0
    return SendReport(counts[SENT], counts[QUEUED], counts[FAILED], left, configured=True)


def messages(*, status: str | None = None, kind: str | None = None, limit: int = 200, offset: int = 0) -> list[OutboxMessage]:
    """The newest messages first, for the admins' outbox page."""
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == status)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query.limit(limit).offset(offset)))


def get_message(message_id: int) -> OutboxMessage | None:
    return db.session.get(OutboxMessage, message_id)


def sent_since(user_id: int, kind: str, moment: Any) -> int:
    """How many messages of this kind were queued for this person since ``moment`` (throttles)."""
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.user_id == user_id, OutboxMessage.kind == kind, OutboxMessage.created_at >= moment)) or 0
