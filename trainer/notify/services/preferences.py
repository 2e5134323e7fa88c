"""Each person's e-mail switches and the one-click unsubscribe."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.notify.models import MailPreference
from trainer.notify.services.compose import read_unsubscribe_token

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
