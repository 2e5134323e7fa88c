"""Quarters in the site's time zone: a quarter changes at local midnight, so its bounds are computed
in :func:`trainer.core.time.site_timezone` and stored as naive UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l

from trainer.core.time import local_text, site_timezone, to_local, utcnow
from trainer.scorecard import rules
from trainer.scorecard.services.common import ScorecardError

# Quarters a URL may ask for: outside these the dates overflow (year 0, year 10000) and no record exists.
FIRST_YEAR = 2000
LAST_YEAR = 2100


def this_quarter(moment: datetime | None = None) -> str:
    here = to_local(moment or utcnow())
    assert here is not None
    return rules.quarter_label(here)


def quarter_bounds(label: str) -> tuple[datetime, datetime]:
    """First and last moment of a quarter, as naive UTC (the quarter is in the site's zone)."""
    year, quarter = rules.parse_quarter(label)
    first_month = 3 * (quarter - 1) + 1
    zone = site_timezone()
    start = datetime(year, first_month, 1, tzinfo=zone)
    end = datetime(year + 1, 1, 1, tzinfo=zone) if quarter == 4 else datetime(year, first_month + 3, 1, tzinfo=zone)
    return _naive_utc(start), _naive_utc(end) - timedelta(microseconds=1)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def check_quarter(raw: str | None, *, default: str | None = None) -> str:
    """A valid quarter label from a URL or query parameter; ScorecardError(404) for anything else."""
    if raw is None or raw == "":
        return default or this_quarter()
    try:
        year, _quarter = rules.parse_quarter(raw)
    except ValueError:
        raise ScorecardError(_l("That is not a quarter (use the form 2026-Q4)."), 404) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ScorecardError(
            _l("Choose a quarter from %(first)s-Q1 to %(last)s-Q4.", first=FIRST_YEAR, last=LAST_YEAR), 404
        )
    return raw


def previous_quarter(label: str) -> str:
    year, quarter = rules.parse_quarter(label)
    return f"{year - 1:04d}-Q4" if quarter == 1 else f"{year:04d}-Q{quarter - 1}"


def as_of(quarter: str, moment: datetime | None = None) -> datetime:
    """The moment a quarter's measured scores are taken at: now for this quarter, its end before."""
    moment = moment or utcnow()
    return min(moment, quarter_bounds(quarter)[1])


def local_date(moment: datetime | None) -> str:
    """A stored time as the site's local date (``2026-10-01``), or "" for none."""
    return local_text(moment, "%Y-%m-%d")


def local_time(moment: datetime | None) -> str:
    """A stored time as the site's local date and minute, or "" for none."""
    return local_text(moment)
