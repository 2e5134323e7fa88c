"""Quizzes in real Chromium: take the module 1 quiz, reload halfway (every answer is still there),
finish, see the review; the daily review on a phone with immediate feedback; a manager's
assignment results and the admin's item statistics."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import sign_in
from trainer.accounts import demo
from trainer.accounts.models import User
from trainer.extensions import db
from trainer.learn import services as learning
from trainer.learn.services import lookups
from trainer.quiz.services import progress

COURSE = "ar-essentials"


@pytest.fixture
def quiz_gates(live_server):
    """Other browser tests may switch the gates off on the shared server; this one needs them."""
    learning.register_module_gate(live_server.app, progress.module_gate)
    learning.register_final_gate(live_server.app, progress.final_gate)


def make_reader(live_server, email: str, name: str, module: str) -> str:
    """A fresh Chinese-speaking trainee who has read every lesson of ``module``."""
    app = live_server.app
    with app.app_context():
        user = User(email=email, name=name, role="trainee", language="zh_CN", must_change_password=False)
        user.set_password(demo.DEMO_PASSWORD)
        db.session.add(user)
        db.session.commit()
        for lesson in lookups.get_course(COURSE).module(module).lessons:
            learning.complete_lesson(user.id, COURSE, lesson.id, "zh")
        db.session.remove()
    return email


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def answer(question) -> None:  # type: ignore[no-untyped-def]
    """Answer one question through its inputs, as a person would."""
    kind = question.get_attribute("data-type")
    if kind in ("single", "truefalse"):
        question.locator("label.choice").first.click()
    elif kind == "multi":
        question.locator("label.choice").nth(0).click()
        question.locator("label.choice").nth(1).click()
    elif kind in ("numeric", "calculated"):
        question.locator("input[type=text]").fill("12")
        question.locator("input[type=text]").blur()
    elif kind == "short":
        question.locator("input[type=text]").fill("账龄分析表")
        question.locator("input[type=text]").blur()
    elif kind == "ordering":
        selects = question.locator("select")
        for index in range(selects.count()):
            selects.nth(index).select_option(f"i{index + 1}")
    elif kind == "matching":
        selects = question.locator("select")
        for index in range(selects.count()):
            selects.nth(index).select_option(f"r{index + 1}")


def form_state(question) -> str:  # type: ignore[no-untyped-def]
    """What the question's inputs hold, to compare before and after a reload."""
    return question.evaluate(
        """fs => Array.from(fs.querySelectorAll('input:not([type=hidden]), select')).map(el =>
             el.type === 'radio' || el.type === 'checkbox' ? (el.checked ? el.value : '') : el.value).join('|')"""
    )


def wait_saved(question) -> None:  # type: ignore[no-untyped-def]
    question.locator("[data-save-state]", has_text="已保存").wait_for()


def test_take_a_module_quiz_reload_halfway_and_review(live_server, page, screenshots, quiz_gates):
    email = make_reader(live_server, "quiz.taker@demo.local", "许测验", "m1-basics")
    sign_in(page, live_server.url, email)
    page.goto(live_server.url + "/quiz/m1-basics-quiz")
    assert page.locator("h1").inner_text() == "模块一测验：应收账款基础"
    assert "20 分钟" in page.locator("[data-testid=rules]").inner_text()
    screenshots(page, "quiz-01-intro")
    page.click("[data-testid=start]")
    page.wait_for_url(re.compile(r"/quiz/attempts/\d+$"))
    questions = page.locator("fieldset.question")
    assert questions.count() == 10
    timer = page.locator("[data-timer-text]").inner_text()
    assert re.match(r"^(19|20):\d\d$", timer), timer
    for index in range(5):
        answer(questions.nth(index))
        wait_saved(questions.nth(index))
    before = [form_state(questions.nth(index)) for index in range(10)]
    assert all(state.strip("|") for state in before[:5])
    screenshots(page, "quiz-02-attempt-half-answered")

    page.reload()
    page.wait_for_load_state("networkidle")
    questions = page.locator("fieldset.question")
    after = [form_state(questions.nth(index)) for index in range(10)]
    assert after == before, "answers were lost on reload"
    assert page.locator("[data-answered]").inner_text() == "5"
    screenshots(page, "quiz-03-after-reload")

    for index in range(5, 9):  # the last one stays blank: submitting asks first, in the singular
        answer(questions.nth(index))
    wait_saved(questions.nth(8))
    asked: list[str] = []

    def confirm(dialog) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    page.click("[data-testid=submit]")
    page.wait_for_url(re.compile(r"/quiz/attempts/\d+/result$"))
    assert asked == ["还有 1 道题没有作答，确定要提交吗？"]
    summary = page.locator("[data-testid=result-summary]").inner_text()
    assert "%" in summary and ("通过" in summary or "未通过" in summary)
    assert page.locator("[data-testid=review-question]").count() == 10
    assert page.locator(".explanation").count() == 10
    screenshots(page, "quiz-04-review")


def test_phone_daily_review_checks_an_answer(live_server, phone, screenshots, quiz_gates):
    sign_in(phone, live_server.url, "trainee@demo.local")
    phone.goto(live_server.url + "/quiz/review")
    due = int(phone.locator("[data-testid=due-count]").inner_text())
    assert due > 0
    no_horizontal_scroll(phone)
    screenshots(phone, "quiz-05-phone-daily-review")
    phone.click("[data-testid=start-review]")
    phone.wait_for_url(re.compile(r"/quiz/attempts/\d+$"))
    first = phone.locator("fieldset.question").first
    answer(first)
    wait_saved(first)
    no_horizontal_scroll(phone)
    screenshots(phone, "quiz-06-phone-review-attempt")
    first.locator("button[name=check]").click()
    phone.locator("fieldset.question.is-checked").first.wait_for()
    checked = phone.locator("fieldset.question").first
    assert checked.locator("[data-testid=review]").is_visible()
    assert checked.locator(".explanation").is_visible()
    no_horizontal_scroll(phone)
    checked.screenshot(path=str(screenshots(phone, "quiz-07-phone-checked").with_name("quiz-07b-phone-checked-question.png")))


def test_manager_sees_late_and_missing_people(live_server, page, phone, screenshots):
    sign_in(page, live_server.url, "chen.manager@demo.local")
    page.goto(live_server.url + "/quiz/assignments")
    page.click("[data-testid=assignments] a >> nth=0")
    results = page.locator("[data-testid=results]").inner_text()
    assert "逾期" in results and "未完成" in results and "已完成" in results
    screenshots(page, "quiz-08-assignment-results")
    page.goto(live_server.url + "/quiz/assignments/new")
    page.fill("input[name=title]", "")
    page.click("input[type=submit]")
    assert page.locator(".field.has-error .error").first.is_visible()
    screenshots(page, "quiz-09-assignment-form-errors")
    sign_in(phone, live_server.url, "chen.manager@demo.local")
    phone.goto(live_server.url + "/quiz/assignments/new")
    no_horizontal_scroll(phone)
    screenshots(phone, "quiz-10-phone-assignment-form")


def test_admin_sees_content_health_and_item_statistics(live_server, page, screenshots):
    sign_in(page, live_server.url, "admin@demo.local")
    page.goto(live_server.url + "/admin/content")
    assert page.locator("[data-testid=content-counts]").is_visible()
    screenshots(page, "quiz-11-content-health")
    page.click("[data-testid=items-link]")
    assert page.locator("[data-testid=items] tbody tr").count() >= 150
    screenshots(page, "quiz-12-item-statistics")
