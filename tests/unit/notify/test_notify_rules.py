"""The notify feature's pure parts: iCalendar text, MIME assembly and address checks, the back-off
and calendar rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest

from tests.web.mail_support import parse_ical, unescape
from trainer.notify import ical, mime, rules

SHANGHAI = ZoneInfo("Asia/Shanghai")


def event(**changes: object) -> ical.Event:
    values: dict[str, object] = dict(
        uid="abc@receivables-trainer", start=datetime(2026, 12, 14, 9, 30, tzinfo=SHANGHAI), minutes=90,
        summary="回款谈判工作坊：第二场, 角色扮演; 请带笔记本", description="Line one\nLine two",
        location="上海办公室 3 号会议室", organizer_email="trainer@example.com", attendee_email="amy@example.com",
        stamp=datetime(2026, 12, 6, 8, 0, tzinfo=UTC))
    values.update(changes)
    return ical.Event(**values)  # type: ignore[arg-type]


def test_invitation_parses_and_keeps_every_value():
    lines = parse_ical(ical.invitation(event()))
    found = {name: (params, value) for name, params, value in lines}
    assert found["DTSTART"] == ({"TZID": "Asia/Shanghai"}, "20261214T093000")
    assert found["DTEND"] == ({"TZID": "Asia/Shanghai"}, "20261214T110000")
    assert found["DTSTAMP"][1] == "20261206T080000Z"
    assert unescape(found["SUMMARY"][1]) == "回款谈判工作坊：第二场, 角色扮演; 请带笔记本"
    assert unescape(found["DESCRIPTION"][1]) == "Line one\nLine two"
    assert found["TZOFFSETTO"][1] == "+0800" and found["TZID"][1] == "Asia/Shanghai"


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    text = ical.invitation(event(summary="应收账款" * 40))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert unescape(dict((n, v) for n, _p, v in parse_ical(text))["SUMMARY"]) == "应收账款" * 40


def test_daylight_saving_zone_gets_the_offset_of_the_event_date():
    summer = parse_ical(ical.invitation(event(start=datetime(2026, 7, 1, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))))
    winter = parse_ical(ical.invitation(event(start=datetime(2026, 1, 5, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))))
    assert ("TZOFFSETTO", {}, "+0200") in summer and ("TZOFFSETTO", {}, "+0100") in winter


def test_a_start_without_a_named_zone_is_refused():
    with pytest.raises(ValueError):
        ical.invitation(event(start=datetime(2026, 1, 5, 10, 0, tzinfo=UTC)))


@pytest.mark.parametrize("address", ["", "amy", "amy@", "@example.com", "amy@example", "a b@example.com",
                                     "amy@example.com\r\nBcc: x@y.z", "amy@@example.com", "x" * 250 + "@example.com",
                                     "<amy@example.com>", "amy@example.com, bob@example.com", "amy@.example.com"])
def test_bad_addresses_are_refused(address):
    with pytest.raises(mime.AddressError):
        mime.check_address(address)


def test_good_addresses_pass():
    assert mime.check_address(" amy.li+q4@example.co.uk ") == "amy.li+q4@example.co.uk"


def test_message_has_both_parts_and_the_attachment():
    built = mime.build(sender="trainer@example.com", to="amy@example.com", subject="提醒：测试", text="纯文本",
                       html="<p>HTML</p>", headers={"List-Unsubscribe": "<http://x/u>"},
                       attachments=[{"filename": "invitation.ics", "content_type": "text/calendar",
                                     "method": "REQUEST", "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"}],
                       sent_at=datetime(2026, 12, 6, tzinfo=UTC), message_id_domain="example.com")
    parsed = message_from_bytes(built.as_bytes(), policy=policy.default)
    assert parsed["Subject"] == "提醒：测试" and parsed.get_content_type() == "multipart/mixed"
    assert parsed.get_body(preferencelist=("plain",)).get_content().strip() == "纯文本"
    [calendar] = list(parsed.iter_attachments())
    assert calendar.get_content_type() == "text/calendar" and calendar.get_param("method") == "REQUEST"


def test_backoff_grows_then_repeats_its_last_step():
    delays = [rules.retry_delay(n) for n in range(1, 9)]
    assert delays == sorted(delays) and delays[0] == timedelta(minutes=1) and delays[-1] == delays[-2]


def test_reminder_window_and_week_periods():
    today = date(2026, 12, 7)
    assert rules.reminder_due(today, today + timedelta(days=rules.REMINDER_DAYS_BEFORE))
    assert not rules.reminder_due(today, today + timedelta(days=rules.REMINDER_DAYS_BEFORE + 1))
    assert not rules.reminder_due(today, today - timedelta(days=1))
    assert rules.week_period(date(2026, 12, 7)) == rules.week_period(date(2026, 12, 13)) == "2026-W50"
    assert rules.week_period(date(2027, 1, 1)) == "2026-W53"
    assert rules.dedupe_key("reminder", 3, "assignment-9", "2026-12-10") == "reminder:3:assignment-9:2026-12-10"
