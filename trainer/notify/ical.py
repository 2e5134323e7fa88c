"""An iCalendar (RFC 5545) invitation for one event: a VCALENDAR with the site's VTIMEZONE and one
VEVENT whose start and end carry TZID, so calendars show the right hour wherever the reader is.

Pure: standard library only. Lines are folded at 75 octets and text values escaped (section 3.3.11).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

PRODUCT_ID = "-//Receivables Trainer//Workshop invitations//EN"


@dataclass(frozen=True)
class Event:
    uid: str
    start: datetime  # aware
    minutes: int
    summary: str
    description: str
    location: str
    organizer_email: str
    attendee_email: str
    stamp: datetime  # aware; DTSTAMP
    sequence: int = 0


def escape_text(value: str) -> str:
    """TEXT escaping: backslash, semicolon, comma and newlines."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never splitting a UTF-8 character."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines start with one space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _local(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _offset(delta: timedelta | None) -> str:
    seconds = int((delta or timedelta()).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}{rest // 60:02d}"


def timezone_lines(zone: ZoneInfo, around: datetime) -> list[str]:
    """A VTIMEZONE for ``zone`` valid around the event: the offset in force then (zones with daylight
    saving get the offset of the event's own date, which is what a one-off event needs)."""
    here = around.astimezone(zone)
    offset = _offset(here.utcoffset())
    name = here.tzname() or zone.key
    return ["BEGIN:VTIMEZONE", f"TZID:{zone.key}", "BEGIN:STANDARD", f"DTSTART:{here.year - 1}0101T000000",
            f"TZOFFSETFROM:{offset}", f"TZOFFSETTO:{offset}", f"TZNAME:{escape_text(name)}",
            "END:STANDARD", "END:VTIMEZONE"]


def invitation(event: Event) -> str:
    """The whole calendar object, CRLF line ends, METHOD:REQUEST so mail programs offer to accept it."""
    zone = event.start.tzinfo
    if not isinstance(zone, ZoneInfo):
        raise ValueError("the event's start needs a named time zone")
    end = event.start + timedelta(minutes=event.minutes)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT_ID}", "CALSCALE:GREGORIAN", "METHOD:REQUEST",
             *timezone_lines(zone, event.start),
             "BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{_utc(event.stamp)}", f"SEQUENCE:{event.sequence}",
             f"DTSTART;TZID={zone.key}:{_local(event.start)}", f"DTEND;TZID={zone.key}:{_local(end)}",
             f"SUMMARY:{escape_text(event.summary)}", f"DESCRIPTION:{escape_text(event.description)}",
             f"LOCATION:{escape_text(event.location)}", f"ORGANIZER:mailto:{event.organizer_email}",
             f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{event.attendee_email}",
             "STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
