"""The outbox's rules, pure: retry back-off, idempotency keys, the reminder and digest calendar."""

from __future__ import annotations

from datetime import date, timedelta

MAX_ATTEMPTS = 6  # then the message is marked failed and an admin sees it
BACKOFF_MINUTES = (1, 5, 15, 60, 240)  # after the 1st, 2nd, ... failed try
REMINDER_DAYS_BEFORE = 3  # "a few days before the due date"
DIGEST_WEEKDAY = 0  # Monday, in the site's zone


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after ``attempts`` failed tries (1-based); the last step repeats."""
    step = BACKOFF_MINUTES[min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1]
    return timedelta(minutes=step)


def dedupe_key(kind: str, user_id: int | None, subject: str, period: str = "") -> str:
    """One message per (kind, person, subject object, period): the outbox's unique key."""
    return f"{kind}:{user_id if user_id is not None else '-'}:{subject}:{period}"[:200]


def week_period(day: date) -> str:
    """ISO week, e.g. 2026-W49: the digest's period."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def reminder_due(today: date, due_day: date) -> bool:
    """Remind once the due date is at most REMINDER_DAYS_BEFORE days away and not yet past."""
    return today <= due_day <= today + timedelta(days=REMINDER_DAYS_BEFORE)

