"""Preferences, one-click unsubscribe, the admins' outbox, retries and back-off, workshop invitations
with a calendar attachment, the `flask notify` commands and their bad arguments."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.web.mail_support import attachment, parse_ical, parts, path_of, smtp_server, unescape  # noqa: F401
from tests.web.test_notify_mail import mail_org  # noqa: F401 - the same organisation
from tests.web.test_quiz_assignments import make_assignment
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.notify.models import MailPreference, OutboxMessage
from trainer.notify.rules import MAX_ATTEMPTS

SWITCHES = {"assignments": "on", "reminders": "on", "overdue": "on", "digest": "on"}


def save_preferences(actions, **changes: str):
    return actions.post("/account/email", {**SWITCHES, **changes}, token_from="/account/email")


def test_preferences_switch_reminders_off(actions, org, smtp, runner):
    actions.login(org["amy"].email)
    page = actions.client.get("/account/email").get_data(as_text=True)
    assert 'data-testid="pref-reminders"' in page and 'data-testid="pref-digest"' not in page  # not a manager
    response = save_preferences(actions, reminders="off")
    assert response.status_code == 302
    assert db.session.get(MailPreference, org["amy"].id).reminders is False
    make_assignment(org["mona"], [org["east"]], opens_days=-10, due_days=2, title="Due soon")
    runner.invoke(args=["notify", "run"])
    assert smtp.to("amy@example.com") == [] and len(smtp.to("wei@example.com")) == 1


@pytest.mark.parametrize("changes", [{"reminders": "maybe"}, {"reminders": ""}, {"digest": "1; DROP"},
                                     {"overdue": "on\x00"}])
def test_bad_preference_values_are_refused_with_a_message(actions, org, changes):
    actions.login(org["mona"].email)
    response = save_preferences(actions, **changes)
    assert response.status_code in (400,) and db.session.get(MailPreference, org["mona"].id) is None
    body = response.get_data(as_text=True)
    expected = "contains a control character" if any("\x00" in v for v in changes.values()) else (
        "Choose yes or no." if not any(changes.values()) else "Not a valid choice")
    assert expected in body


def test_preferences_need_sign_in_and_csrf(client, org):
    assert client.get("/account/email").status_code == 302
    assert client.post("/account/email", data=SWITCHES).status_code in (302, 400)


def test_one_click_unsubscribe_works_without_signing_in(client, org, smtp, runner):
    make_assignment(org["mona"], [org["east"]], opens_days=-10, due_days=2, title="Due soon")
    runner.invoke(args=["notify", "run"])
    message = smtp.one("amy@example.com", "Reminder")
    url = message["List-Unsubscribe"].strip("<>")
    page = client.get(path_of(url))
    assert page.status_code == 200 and "Stop getting reminders" in page.get_data(as_text=True)
    assert db.session.get(MailPreference, org["amy"].id) is None  # a GET (a link preview) changes nothing
    one_click = client.post(path_of(url), data={"List-Unsubscribe": "One-Click"})  # RFC 8058, no CSRF token
    assert one_click.status_code == 200 and "no longer get reminders" in one_click.get_data(as_text=True)
    preference = db.session.get(MailPreference, org["amy"].id)
    assert preference.reminders is False and preference.overdue is False and preference.assignments is True
    text, html = parts(message)
    assert url in text and url in html


@pytest.mark.parametrize("token", ["nonsense", "x" * 500, "WzEsInJlbWluZGVycyJd.forged"])
def test_bad_unsubscribe_links_are_a_clear_404(client, org, token):
    for method in (client.get, client.post):
        response = method(f"/mail/unsubscribe/{token}")
        assert response.status_code == 404 and "unsubscribe link is not valid" in response.get_data(as_text=True)


def test_outbox_page_without_smtp_shows_the_messages(client, actions, org, runner, make_user):
    make_user("admin", email="root@example.com")
    make_assignment(org["mona"], [org["east"]], opens_days=-10, due_days=2, title="Due soon")
    result = runner.invoke(args=["notify", "run"])
    assert "No SMTP server configured" in result.output and "2 message(s) wait" in result.output
    actions.login("root@example.com")
    page = actions.client.get("/admin/outbox").get_data(as_text=True)
    assert 'data-testid="no-smtp"' in page and "Reminder: Due soon" in page and "amy@example.com" in page
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "amy@example.com"))
    detail = actions.client.get(f"/admin/outbox/{row.id}").get_data(as_text=True)
    assert "Hello Amy," in detail and "List-Unsubscribe" in detail
    html = actions.client.get(f"/admin/outbox/{row.id}/html")
    assert html.headers["Content-Security-Policy"].startswith("default-src 'none'") and b"Due soon" in html.data
    for query in ("?status=nope&kind=%00", "?page=-1", "?page=99999999999999", "?kind=reminder&status=queued"):
        response = actions.client.get("/admin/outbox" + query)
        assert response.status_code in (200, 400) and "Traceback" not in response.get_data(as_text=True)
    assert actions.client.get("/admin/outbox/999999").status_code == 404


def test_outbox_is_for_admins_only(client, actions, org):
    actions.login(org["mona"].email)
    assert actions.client.get("/admin/outbox").status_code == 403
    assert actions.client.get("/admin/outbox/1/html").status_code == 403


def test_a_refusing_server_is_retried_with_backoff_then_marked_failed(org, smtp, runner):
    make_assignment(org["mona"], [org["east"]], opens_days=-10, due_days=2, title="Due soon")
    smtp.refuse = "451 4.3.0 try again later"
    runner.invoke(args=["notify", "run"])
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "amy@example.com"))
    assert row.status == "queued" and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at > utcnow() + timedelta(seconds=30)
    output = runner.invoke(args=["notify", "send"]).output
    assert "Sent 0" in output and smtp.received == []  # not due again yet
    for _ in range(MAX_ATTEMPTS):
        db.session.execute(OutboxMessage.__table__.update().values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        runner.invoke(args=["notify", "send"])
    db.session.refresh(row)
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS
    smtp.refuse = None
    runner.invoke(args=["notify", "send"])
    assert smtp.received == []  # failed for good: an admin sees it in the outbox


def test_an_unreachable_server_keeps_the_messages_queued(app, org, smtp, runner):
    make_assignment(org["mona"], [org["east"]], opens_days=-10, due_days=2, title="Due soon")
    app.config["MAIL_SMTP_PORT"] = 1  # nothing listens there
    result = runner.invoke(args=["notify", "run"])
    assert result.exit_code == 0 and "to retry 2" in result.output
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert all(r.status == "queued" and "cannot connect" in r.last_error for r in rows)


def test_a_bad_address_is_recorded_as_failed_not_sent(org, smtp, runner):
    org["amy"].email = "amy at example"
    db.session.commit()
    make_assignment(org["mona"], [org["east"]], opens_days=-10, due_days=2, title="Due soon")
    runner.invoke(args=["notify", "run"])
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "amy at example"))
    assert row.status == "failed" and "not an e-mail address" in row.last_error
    assert [m["To"] for m in smtp.received] == ["wei@example.com"]


def test_workshop_invitation_carries_a_calendar_in_the_site_zone(actions, org, smtp, runner):
    actions.login(org["mona"].email)
    start = (utcnow() + timedelta(days=7)).replace(hour=9, minute=30, second=0, microsecond=0)
    form = {"title": "Collection calls, role-play; part 2", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "minutes": "90", "location": "Room 3, Shanghai office", "team_ids": [org["east"].id]}
    response = actions.post("/notify/workshops/new", form)
    assert response.status_code == 302
    runner.invoke(args=["notify", "send"])
    message = smtp.one("amy@example.com", "Invitation: Collection calls")
    assert message.get_content_type() == "multipart/mixed"
    name, calendar = attachment(message, "text/calendar")
    assert name == "invitation.ics"
    lines = parse_ical(calendar)
    values = {(n, tuple(sorted(p.items()))): v for n, p, v in lines}
    assert values[("METHOD", ())] == "REQUEST" and values[("VERSION", ())] == "2.0"
    assert values[("DTSTART", (("TZID", "Asia/Shanghai"),))] == start.strftime("%Y%m%dT%H%M00")
    assert values[("DTEND", (("TZID", "Asia/Shanghai"),))] == (start + timedelta(minutes=90)).strftime("%Y%m%dT%H%M00")
    assert values[("TZID", ())] == "Asia/Shanghai" and values[("TZOFFSETTO", ())] == "+0800"
    assert unescape(values[("SUMMARY", ())]) == form["title"]
    assert unescape(values[("LOCATION", ())]) == form["location"]
    attendees = [v for n, _p, v in lines if n == "ATTENDEE"]
    assert attendees == ["mailto:amy@example.com"]
    moment = datetime.strptime(values[("DTSTART", (("TZID", "Asia/Shanghai"),))], "%Y%m%dT%H%M%S")
    assert moment.replace(tzinfo=ZoneInfo("Asia/Shanghai")).utcoffset() == timedelta(hours=8)
    chinese = smtp.one("wei@example.com", "邀请")
    assert "09:30" in parts(chinese)[0] and smtp.to("wes@example.com") == []


@pytest.mark.parametrize("changes, message", [
    ({"minutes": "5"}, "Between 15 minutes and 12 hours."), ({"minutes": "abc"}, "Not a valid integer value"),
    ({"starts_at": "tomorrow"}, "Not a valid datetime value"), ({"title": ""}, "Give the workshop a title."),
    ({"team_ids": []}, "Choose at least one of the teams you manage."),
])
def test_workshop_form_bad_values(actions, org, changes, message):
    actions.login(org["mona"].email)
    form = {"title": "Workshop", "starts_at": "2030-01-01T09:00", "minutes": "60", "location": "",
            "team_ids": [org["east"].id], **changes}
    response = actions.post("/notify/workshops/new", form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_workshop_invitations_only_to_ones_own_teams(actions, org):
    actions.login(org["mona"].email)
    form = {"title": "W", "starts_at": "2030-01-01T09:00", "minutes": "60", "team_ids": [org["west"].id]}
    response = actions.post("/notify/workshops/new", form)
    assert response.status_code == 400 and db.session.scalars(select(OutboxMessage)).all() == []
    actions.logout()
    actions.login(org["amy"].email)
    assert actions.client.get("/notify/workshops/new").status_code == 403


@pytest.mark.parametrize("args, message", [
    (["run", "--at", "yesterday"], "is not a time like"), (["run", "--at", "2026-12-07T08:00+08:00"], "in UTC"),
    (["send", "--limit", "0"], "0 is not in the range"), (["test", "nobody@example.com"], "no user with"),
    (["run", "--frequency", "3"], "No such option"),
])
def test_cli_bad_arguments_are_explained(runner, args, message):
    result = runner.invoke(args=["notify", *args])
    assert result.exit_code == 2 and message in result.output


def test_cli_run_at_a_given_time_and_test_message(runner, org, smtp):
    make_assignment(org["mona"], [org["east"]], opens_days=-10, due_days=20, title="Later")
    later = (utcnow() + timedelta(days=18)).strftime("%Y-%m-%dT%H:%M")
    assert "Queued 2 reminder(s)" in runner.invoke(args=["notify", "run", "--at", later]).output
    result = runner.invoke(args=["notify", "test", "amy@example.com"])
    assert result.exit_code == 0 and "Sent 1" in result.output
