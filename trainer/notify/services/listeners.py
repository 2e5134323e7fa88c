"""The listeners that turn other features' signals (trainer.core.events) into queued messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import current_app
from sqlalchemy import select

from trainer.accounts.models import User
from trainer.core.events import assignment_changed, certificate_earned, set_password_links_issued
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.notify.services.messages import assignment_notices, certificate_notice, set_password_notices


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
