"""The glossary in real Chromium, the page on the fixture glossary and the lessons as marked by the real one: the page and its search in Chinese and
English, and a marked term in a lesson opening its definition on hover, keyboard focus and tap, on
a desktop and a phone (375 px) without horizontal scrolling."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import sign_in
from tests.browser.test_learn_browser import make_person, no_horizontal_scroll
from trainer.extensions import db
from trainer.learn.glossary import load_glossary

FIXTURE = Path(__file__).resolve().parents[1] / "unit" / "glossary" / "fixtures" / "glossary.yaml"
LESSON = "/learn/ar-essentials/m4-dso-and-turnover"


@pytest.fixture
def glossary(live_server, monkeypatch):  # type: ignore[no-untyped-def]
    """The fixture glossary on the glossary page; lessons keep the marks courses/glossary.yaml gave
    them at loading (marking them again would mark a second occurrence)."""
    registry = live_server.app.extensions["content"]
    found, problems = load_glossary(FIXTURE, registry.lessons)
    assert not problems
    monkeypatch.setattr(registry, "glossary", found)
    return found


def view_shot(page, output_dir, name: str) -> None:
    """The visible part of the page only (a marked term deep in a long lesson)."""
    folder = output_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def english(live_server, email: str) -> None:
    with live_server.app.app_context():
        from trainer.accounts.models import User

        user = db.session.scalar(db.select(User).where(User.email == email))
        user.language = "en"
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize(("lang", "size"), [("zh", 1280), ("zh", 375), ("en", 1280), ("en", 375)])
def test_glossary_page_and_marked_lesson(live_server, browser, screenshots, output_dir, glossary, lang, size):
    email = make_person(live_server, f"gloss.{lang}.{size}@demo.local", "词汇", finished=True)
    if lang == "en":
        english(live_server, email)
    phone = size == 375
    options = {"viewport": {"width": size, "height": 800 if phone else 900}}
    if phone:
        options.update(device_scale_factor=2, is_mobile=True, has_touch=True)
    context = browser.new_context(locale="zh-CN" if lang == "zh" else "en-US", **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, live_server.url, email)
        page.goto(live_server.url + "/glossary")
        entries = page.locator(".glossary-entry")
        assert entries.count() == 3
        names = page.locator("#term-best-possible-dso dt").inner_text()
        assert "最佳可能DSO" in names and "Best Possible DSO" in names  # both languages, the user's first
        assert names.startswith("最佳可能DSO" if lang == "zh" else "Best Possible DSO")
        no_horizontal_scroll(page)
        screenshots(page, f"glossary-page-{lang}-{size}")
        page.fill("#glossary-q", "银行" if lang == "zh" else "delivery")
        page.press("#glossary-q", "Enter")
        page.wait_for_load_state("networkidle")
        assert page.locator(".glossary-entry").count() == 1
        assert page.locator(".glossary-entry").get_attribute("id") == "term-payment-guarantee"

        page.goto(live_server.url + LESSON)
        term = page.locator('.lesson-body .gloss-term[data-term="dso"]')
        definition = page.locator("#gloss-dso")
        assert term.count() == 1 and not definition.is_visible()
        term.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -120)")
        if phone:
            term.tap()
            assert definition.is_visible() and term.get_attribute("aria-expanded") == "true"
            no_horizontal_scroll(page)
            view_shot(page, output_dir, f"glossary-lesson-{lang}-{size}-tapped")
            page.keyboard.press("Escape")
            assert not definition.is_visible() and term.get_attribute("aria-expanded") == "false"
        else:
            term.hover()
            assert definition.is_visible()
            view_shot(page, output_dir, f"glossary-lesson-{lang}-{size}-hover")
            page.mouse.move(0, 0)
            term.focus()
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Tab")
            assert definition.is_visible()  # keyboard focus shows it too
            assert term.get_attribute("aria-describedby") == "gloss-dso"
            page.keyboard.press("Escape")
            assert not definition.is_visible()  # dismissible without moving focus (WCAG 1.4.13)
    finally:
        context.close()
