"""E-mail pages in Chromium, in both languages at phone and desktop widths: the forgotten-password
flow, the e-mail settings, the admins' outbox and an HTML message as its reader sees it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.helpers import sign_in
from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.notify.models import OutboxMessage
from trainer.notify.services import schedule

SIZES = {"desktop": "page", "phone": "phone"}


def choose_language(page, lang: str) -> None:
    button = page.locator(f"[data-testid=lang-{'en' if lang == 'en' else 'zh'}]")
    if button.count():
        button.first.click()
        page.wait_for_load_state("networkidle")


def open_menu(page) -> None:
    menu = page.locator("details.menu")
    if menu.is_visible():
        menu.locator("summary").click()


@pytest.fixture(scope="module")
def queued(live_server):
    """The demo's due reminders, overdue notices and digests, queued (no SMTP: they wait in the outbox)."""
    with live_server.app.app_context():
        schedule.run(utcnow(), send=False)


@pytest.fixture(autouse=True)
def languages_kept(live_server):
    """The test switches demo people's language through the page (stored on their account); later
    browser tests expect the demo's own languages, so put them back."""
    with live_server.app.app_context():
        saved = dict(db.session.execute(select(User.id, User.language)).all())
        db.session.remove()
    yield
    with live_server.app.app_context():
        for user in db.session.scalars(select(User)):
            if user.id in saved:
                user.language = saved[user.id]
        db.session.commit()
        db.session.remove()


def message_id(live_server, kind: str, language: str) -> int:
    with live_server.app.app_context():
        row = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == kind,
                                                               OutboxMessage.language == language)
                                .order_by(OutboxMessage.id.desc()))
    assert row is not None, (kind, language)
    return row


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_mail_pages(request, live_server, queued, screenshots, lang, size):
    page = request.getfixturevalue(SIZES[size])
    base = live_server.url
    page.goto(base + "/login")
    choose_language(page, lang)
    page.click("[data-testid=forgot-link]")
    page.fill("input[name=email]", "emma.wu@demo.local" if lang == "en" else "trainee@demo.local")
    screenshots(page, f"mail-forgot-{lang}-{size}")
    page.click("input[type=submit]")
    page.wait_for_selector("[data-testid=forgot-sent]")
    screenshots(page, f"mail-forgot-sent-{lang}-{size}")
    page.goto(base + "/forgot-password")
    page.fill("input[name=email]", "not an address")
    page.click("input[type=submit]")
    assert page.locator(".error, [role=alert]").count() >= 1
    screenshots(page, f"mail-forgot-error-{lang}-{size}")

    sign_in(page, base, "chen.manager@demo.local")
    choose_language(page, lang)
    page.goto(base + "/account/email")
    assert page.locator("[data-testid=pref-digest]").count() == 1  # a manager sees the digest switch
    screenshots(page, f"mail-preferences-{lang}-{size}")
    page.context.clear_cookies()  # signed out: the next sign-in starts clean

    sign_in(page, base, "admin@demo.local")
    choose_language(page, lang)
    page.goto(base + "/admin/outbox")
    assert page.locator("[data-testid=no-smtp]").is_visible()
    screenshots(page, f"mail-outbox-{lang}-{size}")
    language = "en" if lang == "en" else "zh_CN"
    reset = message_id(live_server, "password_reset", language)
    page.goto(f"{base}/admin/outbox/{reset}")
    screenshots(page, f"mail-message-{lang}-{size}")
    page.goto(f"{base}/admin/outbox/{reset}/html")
    screenshots(page, f"mail-html-reset-{lang}-{size}")
    with live_server.app.app_context():
        other = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind.in_(["digest", "overdue", "reminder"]),
                                                                 OutboxMessage.language == language)
                                  .order_by(OutboxMessage.kind))
    if other is not None:
        page.goto(f"{base}/admin/outbox/{other}/html")
        screenshots(page, f"mail-html-deadline-{lang}-{size}")
    page.context.clear_cookies()
