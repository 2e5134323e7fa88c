"""The outbox (every message, sent or not: the record of what went to whom) and each person's
e-mail preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db


class OutboxMessage(db.Model):  # type: ignore[name-defined]
    """One e-mail: queued with its subject and parameters (a 5,000-person import queues in a second),
    its bodies rendered in the reader's language when it is first sent. ``dedupe_key`` (kind, person, subject object, period) is
    unique, so a scheduler run that comes twice, or two runs at once, queue a message only once."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what the bodies are rendered from
    text_body: Mapped[str] = mapped_column(Text, default="")  # rendered when first sent (queuing stays cheap)
    html_body: Mapped[str] = mapped_column(Text, default="")
    composed_at: Mapped[datetime | None] = mapped_column(default=None)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    secret: Mapped[bool] = mapped_column(default=False)  # holds a sign-in link: bodies blanked once sent
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | sent | failed | kept
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User | None] = relationship()


class MailPreference(db.Model):  # type: ignore[name-defined]
    """What a person wants to receive; no row means the defaults (everything on)."""

    __tablename__ = "mail_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    assignments: Mapped[bool] = mapped_column(default=True)  # assigned, changed, cancelled
    reminders: Mapped[bool] = mapped_column(default=True)  # a few days before the due date
    overdue: Mapped[bool] = mapped_column(default=True)  # the day after the due date
    digest: Mapped[bool] = mapped_column(default=True)  # managers: weekly list of overdue people
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
