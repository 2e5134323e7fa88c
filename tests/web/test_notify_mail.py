"""E-mail through a real SMTP server (aiosmtpd): assignments, reminders, overdue notices and the
manager's digest, each in the reader's language, with working links and RFC 8058 headers, sent once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.web.mail_support import links, parts, path_of, smtp_server  # noqa: F401 - the fixture
from tests.web.test_quiz_assignments import assignment_form, make_assignment, today
from trainer.core.time import local_text, utcnow
from trainer.extensions import db
from trainer.notify.models import OutboxMessage
from trainer.quiz.models import Assignment


@pytest.fixture(name="org")
def mail_org(make_org):
    built = make_org(
        {"east": "East", "west": "West"},
        {"mona": "manager of east: Mona Manager <mona@example.com> [en]",
         "will": "manager of west: Will West <will@example.com> [en]",
         "amy": "trainee in east: Amy <amy@example.com> [en]",
         "wei": "trainee in east: 魏明 <wei@example.com> [zh_CN]",
         "wes": "trainee in west: Wes <wes@example.com> [en]"},
    )
    for person in built.people.values():
        person.created_at = utcnow() - timedelta(days=365)
    db.session.commit()
    return built


def outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def run(runner, *args: str) -> str:
    result = runner.invoke(args=["notify", "run", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_assigning_mails_each_member_in_their_language_with_a_working_link(client, actions, org, smtp, runner,
                                                                          as_user):
    actions.login(org["mona"].email)
    due = today() + timedelta(days=14)
    response = actions.post("/quiz/assignments/new", {**assignment_form(), "team_ids": [org["east"].id]},
                            token_from="/quiz/assignments/new")
    assert response.status_code == 302
    assert "Sent 2," in run(runner, "--no-send") + run(runner)
    english = smtp.one("amy@example.com", "New assignment")
    chinese = smtp.one("wei@example.com", "新任务")
    assert english["Subject"] == f"New assignment: 2026 Q4 refresher, due {due:%Y-%m-%d}"
    assert english["From"] == "trainer@example.com" and english["Message-ID"] and english["Date"]
    assert english["Auto-Submitted"] == "auto-generated"
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert english["List-Unsubscribe"].startswith("<http://localhost/mail/unsubscribe/")
    assert english.get_content_type() == "multipart/alternative"
    text, html = parts(english)
    assert text.startswith("Hello Amy,") and f"due on {due:%Y-%m-%d}" in text
    assert '<html lang="en">' in html and "<script" not in html and "src=" not in html and "style=" in html
    zh_text, zh_html = parts(chinese)
    assert zh_text.startswith("魏明，您好") and '<html lang="zh-CN">' in zh_html
    home = path_of(links(text)[0])
    page = as_user("amy@example.com").client.get(home)
    assert page.status_code == 200 and "2026 Q4 refresher" in page.get_data(as_text=True)
    assert smtp.to("wes@example.com") == [] and smtp.to("mona@example.com") == []


def test_reminder_overdue_and_digest_are_each_sent_once(org, smtp, runner, as_user):
    soon = make_assignment(org["mona"], [org["east"]], opens_days=-10, due_days=2, title="Due soon")
    make_assignment(org["mona"], [org["east"]], opens_days=-20, due_days=-1, title="Past due")
    make_assignment(org["mona"], [org["east"]], opens_days=-1, due_days=20, title="Far away")
    output = run(runner)
    assert "Queued 2 reminder(s), 2 overdue notice(s), 1 digest(s)." in output
    reminder = smtp.one("amy@example.com", "Reminder: Due soon")
    text, _html = parts(reminder)
    assert f"due on {local_text(soon.due_at, '%Y-%m-%d')}" in text
    start = [link for link in links(text) if "/quiz/" in link][0]
    page = as_user("amy@example.com").client.get(path_of(start)).get_data(as_text=True)
    assert re.search(rf'name="assignment"[^>]*value="{soon.id}"|value="{soon.id}"[^>]*name="assignment"', page)
    assert smtp.one("amy@example.com", "Overdue: Past due")
    assert smtp.one("wei@example.com", "逾期")
    digest = smtp.one("mona@example.com", "Weekly digest: 2 overdue")
    digest_text, digest_html = parts(digest)
    assert "Amy: Past due" in digest_text and "魏明: Past due" in digest_text and "<table" in digest_html
    assert not any("Far away" in str(m["Subject"]) for m in smtp.received)
    assert smtp.to("will@example.com") == []  # Will manages West, where nobody is overdue
    received, queued = len(smtp.received), outbox_count()
    assert "Queued 0 reminder(s), 0 overdue notice(s), 0 digest(s)." in run(runner)
    assert len(smtp.received) == received and outbox_count() == queued


def test_a_new_hire_is_reminded_of_their_own_due_date_not_told_they_are_overdue(org, smtp, runner, make_user):
    make_assignment(org["mona"], [org["east"]], opens_days=-10, due_days=-2, title="Q4")
    newbie = make_user("trainee", email="newbie@example.com", name="Newbie", teams=[org["east"]])
    newbie.created_at = utcnow() - timedelta(days=6)  # eight-day span: due in two days for them
    db.session.commit()
    run(runner)
    assert [str(m["Subject"]) for m in smtp.to("newbie@example.com")][0].startswith("Reminder: Q4")
    assert smtp.one("amy@example.com", "Overdue: Q4")


def test_editing_and_cancelling_tell_the_people_concerned(client, actions, org, smtp, runner):
    item = make_assignment(org["mona"], [org["east"]], opens_days=-1, due_days=10, title="Q4")
    actions.login(org["mona"].email)
    new_due = today() + timedelta(days=20)
    url = f"/quiz/assignments/{item.id}/edit"
    form = actions.client.get(url).get_data(as_text=True)
    assert 'value="Q4"' in form
    response = actions.post(url, {**assignment_form(title="Q4 (longer)", due_on=new_due.isoformat(),
                                                     opens_on=(today() - timedelta(days=1)).isoformat()),
                                  "team_ids": [org["east"].id]})
    assert response.status_code == 302
    run(runner)
    edited = smtp.one("amy@example.com", "Assignment changed")
    assert f"now due {new_due:%Y-%m-%d}" in str(edited["Subject"])
    assert smtp.one("wei@example.com", "任务有变")
    item_id = item.id
    response = actions.post(f"/quiz/assignments/{item_id}/cancel", {}, token_from=f"/quiz/assignments/{item_id}")
    db.session.expire_all()
    assert response.status_code == 302 and db.session.get(Assignment, item_id) is None
    run(runner)
    cancelled = smtp.one("amy@example.com", "Assignment cancelled: Q4 (longer)")
    assert "You do not need to do anything" in parts(cancelled)[0]
    assert smtp.to("wes@example.com") == []


def test_edit_and_cancel_are_refused_to_other_managers_and_without_csrf(client, actions, org, smtp, runner):
    item = make_assignment(org["mona"], [org["east"]], title="Q4")
    actions.login(org["will"].email)
    assert actions.client.get(f"/quiz/assignments/{item.id}/edit").status_code == 404
    assert actions.client.post(f"/quiz/assignments/{item.id}/cancel").status_code in (400, 404)
    actions.logout()
    actions.login(org["mona"].email)
    assert actions.client.post(f"/quiz/assignments/{item.id}/cancel").status_code == 400  # no CSRF token
    response = actions.post(f"/quiz/assignments/{item.id}/edit",
                            {**assignment_form(due_on="not-a-date"), "team_ids": [org["east"].id]},
                            token_from=f"/quiz/assignments/{item.id}/edit")
    assert response.status_code == 400 and "Not a valid date value" in response.get_data(as_text=True)
    response = actions.post(f"/quiz/assignments/{item.id}/edit",
                            {**assignment_form(), "team_ids": [org["west"].id]},
                            token_from=f"/quiz/assignments/{item.id}/edit")
    assert response.status_code == 403 and "teams you manage" in response.get_data(as_text=True)
    assert db.session.get(Assignment, item.id) is not None and item.title == "Q4"
    run(runner)
    assert smtp.received == []

