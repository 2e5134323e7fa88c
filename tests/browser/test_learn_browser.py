"""A new trainee in real Chromium: opens the course, reads a lesson in Chinese, answers the inline
check (no reload), marks the lesson complete and sees the progress move. Phone layout and the
certificate are shot too."""

from __future__ import annotations

import pytest

from tests.browser.helpers import sign_in
from trainer.accounts import demo
from trainer.accounts.models import User
from trainer.extensions import db
from trainer.learn import services as learning
from trainer.learn.services import lookups, recording

COURSE = "ar-essentials"


def make_person(live_server, email: str, name: str, finished: bool = False) -> str:
    """A fresh trainee in the live server's database (optionally with the whole path done)."""
    app = live_server.app
    with app.app_context():
        # The path rules are what this test is about; the quiz gates have their own browser test.
        app.extensions.pop(learning.MODULE_GATE, None)
        app.extensions.pop(learning.FINAL_GATE, None)
        user = User(email=email, name=name, role="trainee", language="zh_CN", must_change_password=False)
        user.set_password(demo.DEMO_PASSWORD)
        db.session.add(user)
        db.session.commit()
        if finished:
            course = lookups.get_course(COURSE)
            for lesson in course.lessons:
                learning.complete_lesson(user.id, COURSE, lesson.id, "zh")
            recording.issue_certificate(user, COURSE, "zh")
        db.session.remove()
    return email


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


@pytest.fixture(scope="module")
def course(content_registry):
    return content_registry.courses[COURSE]


def test_new_trainee_reads_a_lesson_in_chinese_and_moves_along(live_server, page, screenshots, course):
    email = make_person(live_server, "new.hire@demo.local", "林新")
    sign_in(page, live_server.url, email)
    first, second = course.lessons[0], course.lessons[1]

    page.goto(live_server.url + "/learn/")
    assert page.locator("h1").inner_text() == course.title["zh"]
    assert page.locator(f"[data-testid=lesson-{first.id}]").get_attribute("data-status") == "todo"
    assert page.locator(f"[data-testid=module-{course.modules[1].id}]").get_attribute("data-status") == "locked"
    assert f"已完成 0/{len(course.lessons)} 节课" in page.locator("[data-testid=course-progress]").inner_text()
    screenshots(page, "learn-01-course-new-trainee")

    page.click("[data-testid=resume]")
    page.wait_for_load_state("networkidle")
    text = first.text("zh")
    assert page.locator("h1").inner_text() == text.title
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("[data-testid=lesson-body] h2").count() >= 2
    screenshots(page, "learn-02-lesson-zh")

    # The inline check answers in place: no navigation, no reload.
    page.evaluate("window.__stillHere = true")
    check = text.check
    wrong = next(i for i, option in enumerate(check.options) if not option.correct)
    page.locator(f"label.option[data-option='{wrong}']").click()
    page.click("[data-testid=check-submit]")
    feedback = page.locator("[data-testid=check-feedback]")
    feedback.filter(has_text="不太对").wait_for()
    assert check.options[wrong].feedback in feedback.inner_text()
    page.locator(f"label.option[data-option='{check.correct_index}']").click()
    page.click("[data-testid=check-submit]")
    feedback.filter(has_text="答对了").wait_for()
    assert check.options[check.correct_index].feedback in feedback.inner_text()
    assert page.evaluate("window.__stillHere") is True
    page.locator("#check").scroll_into_view_if_needed()
    screenshots(page, "learn-03-inline-check-answered")

    page.click("[data-testid=mark-complete]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == second.text("zh").title
    assert "本课已完成" in page.locator(".flash").inner_text()

    page.goto(live_server.url + f"/learn/{COURSE}")
    assert page.locator(f"[data-testid=lesson-{first.id}]").get_attribute("data-status") == "done"
    assert page.locator(f"[data-testid=lesson-{second.id}]").get_attribute("data-status") == "opened"
    assert f"已完成 1/{len(course.lessons)} 节课" in page.locator("[data-testid=course-progress]").inner_text()
    assert page.locator("[data-testid=course-progress] progress").first.get_attribute("value") == "1"
    assert second.text("zh").title in page.locator("[data-testid=course-progress]").inner_text()  # resume
    screenshots(page, "learn-04-course-progress-moved")

    page.goto(live_server.url + "/")
    assert "继续学习" in page.locator("[data-testid=next-steps]").inner_text()


def test_lesson_and_course_on_a_phone(live_server, phone, screenshots, course):
    email = make_person(live_server, "phone.hire@demo.local", "周手机")
    sign_in(phone, live_server.url, email)
    lesson = course.modules[0].lessons[-1]  # the lifecycle lesson: a diagram and two tables
    phone.goto(live_server.url + f"/learn/{COURSE}/{lesson.id}")
    assert phone.locator("h1").inner_text() == lesson.text("zh").title
    assert phone.locator("[data-testid=lesson-body] img").first.evaluate("img => img.naturalWidth > 0")
    no_horizontal_scroll(phone)
    table = phone.locator("[data-testid=lesson-body] table").first
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # the wide table scrolls inside itself...
    assert table.evaluate("t => getComputedStyle(t).overflowX") == "auto"  # ...and the page does not
    screenshots(phone, "learn-05-phone-lesson")
    phone.goto(live_server.url + f"/learn/{COURSE}")
    no_horizontal_scroll(phone)
    screenshots(phone, "learn-06-phone-course")


def test_certificate_and_public_verification(live_server, page, phone, screenshots):
    email = make_person(live_server, "graduate@demo.local", "陈毕业", finished=True)
    sign_in(page, live_server.url, email)
    page.goto(live_server.url + f"/learn/{COURSE}/certificate")
    page.wait_for_load_state("networkidle")
    certificate = page.locator("[data-testid=certificate]")
    assert "结业证书" in certificate.inner_text() and "陈毕业" in certificate.inner_text()
    assert page.locator("[data-print]").is_visible()  # the script revealed the print button
    code = page.locator("[data-testid=certificate-code]").inner_text()
    verify_url = page.locator("[data-testid=verify-url]").inner_text()
    screenshots(page, "learn-07-certificate")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    screenshots(page, "learn-08-certificate-print")

    # Anyone, not signed in, on a phone.
    phone.goto(verify_url)
    assert "证书有效" in phone.locator("[data-testid=verify-valid]").inner_text()
    assert "陈毕业" in phone.locator("[data-testid=verify-name]").inner_text() and code in phone.content()
    no_horizontal_scroll(phone)
    screenshots(phone, "learn-09-phone-verify-valid")
    phone.goto(live_server.url + "/verify")
    phone.fill("input[name=code]", "ABCD-EFGH-JKLM-NPQR")
    phone.click("input[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "没有与此验证码对应的证书" in phone.locator("[data-testid=verify-unknown]").inner_text()
    screenshots(phone, "learn-10-phone-verify-unknown")


def test_demo_trainee_resumes_in_module_one(live_server, page, screenshots, course):
    sign_in(page, live_server.url, "trainee@demo.local")
    steps = page.locator("[data-testid=next-steps]").inner_text()
    assert "继续学习" in steps
    page.goto(live_server.url + f"/learn/{COURSE}")
    statuses = [
        page.locator(f"[data-testid=lesson-{lesson.id}]").get_attribute("data-status")
        for lesson in course.modules[0].lessons
    ]
    assert statuses.count("done") == 2 and "opened" in statuses
    screenshots(page, "learn-11-demo-trainee-course")
