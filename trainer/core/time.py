"""Time, one way everywhere: timestamps are stored as naive UTC; people read and type dates in the
site's time zone (``QUIZ_TIMEZONE``, default Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context
from markupsafe import Markup, escape

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


def zone_label(moment: datetime | None = None) -> str:
    """The site zone's offset as people read it next to a time: 'UTC+8', 'UTC+5:30', 'UTC-3'."""
    here = to_local(moment) if moment else datetime.now(site_timezone())
    offset = here.utcoffset() if here else None
    minutes = int(offset.total_seconds() // 60) if offset else 0
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")


def local_stamp(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M", empty: str = "") -> str:
    """A stored time in the site's zone for people to read: with its zone ('2026-12-06 18:29 UTC+8')
    whenever it shows a time of day, so nobody takes it for their own zone or for UTC."""
    text = local_text(moment, fmt, empty)
    return f"{text} {zone_label(moment)}" if moment and "%H" in fmt else text


def local_time_html(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M", empty: str = "") -> Markup:
    """The ``localtime`` template filter: :func:`local_stamp` in a ``<time>`` element whose
    ``datetime`` carries the offset ('2026-12-06T18:29:00+08:00')."""
    here = to_local(moment)
    if here is None:
        return Markup(escape(empty))
    stamp = here.isoformat(timespec="seconds") if "%H" in fmt else here.date().isoformat()
    return Markup('<time datetime="{}">{}</time>').format(stamp, local_stamp(moment, fmt, empty))


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
