"""Time, one way everywhere: timestamps are stored as naive UTC; people read and type dates in the
site's time zone (``QUIZ_TIMEZONE``, default Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"


def utcnow() -> datetime:
    """Naive UTC timestamp: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def zone_named(name: str) -> ZoneInfo:
    """The named zone, or UTC when the name is unknown (a typo in the settings must not break pages)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def site_timezone() -> ZoneInfo:
    """The site's zone from the app's settings (the default outside an app)."""
    name = current_app.config.get("QUIZ_TIMEZONE") if has_app_context() else None
    return zone_named(str(name or DEFAULT_TIMEZONE))


def to_local(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC time as an aware time in the site's zone (for display)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(site_timezone())


def local_text(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M", empty: str = "") -> str:
    """A stored time written in the site's zone (the ``localtime`` template filter); ``empty`` for none."""
    here = to_local(moment)
    return here.strftime(fmt) if here else empty


def local_day(moment: datetime | None) -> date | None:
    """A stored time's day in the site's zone (the ``localday`` filter: ``x|localday|dateformat``;
    Babel's own date filter would read the stored time as UTC)."""
    here = to_local(moment)
    return here.date() if here else None


def local_day_start(day: date) -> datetime:
    """00:00 of ``day`` in the site's zone, as naive UTC."""
    aware = datetime.combine(day, time.min, tzinfo=site_timezone())
    return aware.astimezone(UTC).replace(tzinfo=None)


def local_day_end(day: date) -> datetime:
    """23:59:59 of ``day`` in the site's zone, as naive UTC."""
    aware = datetime.combine(day, time(23, 59, 59), tzinfo=site_timezone())
    return aware.astimezone(UTC).replace(tzinfo=None)
