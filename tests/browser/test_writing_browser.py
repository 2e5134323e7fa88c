"""Writing practice in Chromium: a trainee writes (the checklist updates as the draft autosaves),
submits, and their manager finds it on the dashboard and reviews it. Screenshots at 375 and
1280 px in Chinese and English of the editor with feedback, the review page and the pending list."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.browser.helpers import sign_in
from trainer.accounts.models import User
from trainer.extensions import db
from trainer.writing.models import WritingDraft, WritingSubmission

TASK = "dingsheng-formal-demand"
LETTER = (
    "主题：关于 DS-2026-0412 合同逾期货款的催款函\n\n"
    "吴总：发票 05520317、05520318、05520319 合计 327,000.00 元，已于 2026 年 9 月 8 日到期。\n\n"
    "请于 2099 年 1 月 8 日前电汇至招商银行上海分行营业部，账号 1219 0852 6610 608。附件：对账单及发票复印件。\n\n"
    "否则后果自负。"
)


def _fits_a_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} px wide on a 375 px phone"


def _switch_language(page, base: str, target: str) -> None:
    button = page.locator(f"[data-testid=lang-{target}]")
    if button.count():
        button.first.click()
        page.wait_for_load_state("networkidle")


def _put_back(app) -> None:
    """Remove what the test wrote, so later browser tests see the demo data as seeded."""
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "trainee@demo.local"))
        for model in (WritingSubmission, WritingDraft):
            for row in db.session.scalars(select(model).where(model.user_id == user_id, model.task_id == TASK)):
                db.session.delete(row)
        db.session.commit()


def test_write_check_submit_and_manager_review(live_server, browser, page, phone, screenshots):
    try:
        submission_url = _write_and_submit(live_server, page, phone, screenshots)
        _manager_reviews(live_server, browser, screenshots, submission_url)
        _other_manager_is_refused(live_server, browser, screenshots, submission_url)
    finally:
        _put_back(live_server.app)


def _write_and_submit(live_server, page, phone, screenshots) -> str:
    base = live_server.url
    sign_in(page, base, "trainee@demo.local")
    page.goto(f"{base}/writing/")
    assert page.locator("[data-testid=tasks] tbody tr").count() >= 10
    screenshots(page, "writing-index-zh-1280")
    page.goto(f"{base}/writing/tasks/{TASK}")
    assert page.locator("[data-testid=case-file]").is_visible()
    page.fill("[data-testid=editor]", LETTER)
    page.locator("[data-testid=editor]").press("End")  # an input event starts the autosave
    page.locator("[data-testid=autosave-status]", has_text="已保存").wait_for()
    page.locator("[data-testid=checklist-count]", has_text="9/9").wait_for()
    assert "后果自负" in page.locator("[data-testid=tone-warnings]").inner_text()
    assert page.locator(".wr-marked mark.wr-hit").count() >= 5
    screenshots(page, "writing-editor-zh-1280")
    sign_in(phone, base, "trainee@demo.local")
    phone.goto(f"{base}/writing/tasks/{TASK}")
    assert not phone.locator("[data-testid=case-file] dl").is_visible()  # folded on a phone, one tap away
    _fits_a_phone(phone)
    folder = screenshots(phone, "writing-editor-zh-375").parent
    phone.locator("#wr-feedback").screenshot(path=str(folder / "writing-editor-zh-375-feedback.png"))
    phone.locator("[data-testid=case-file] summary").click()
    phone.screenshot(path=str(folder / "writing-editor-zh-375-top.png"))
    try:
        _switch_language(page, base, "en")
        page.goto(f"{base}/writing/tasks/{TASK}")
        assert "not a grade of your style" in page.inner_text("[data-testid=feedback]")
        screenshots(page, "writing-editor-en-1280")
        phone.goto(f"{base}/writing/tasks/{TASK}")
        screenshots(phone, "writing-editor-en-375")
    finally:
        _switch_language(page, base, "zh")
    page.goto(f"{base}/writing/tasks/{TASK}")
    page.click("[data-testid=submit]")
    page.wait_for_load_state("networkidle")
    assert re.search(r"/writing/submissions/\d+$", page.url)
    assert page.locator("[data-testid=model-answer]").count() == 1
    submission_url = page.url
    page.goto(submission_url + "/print")
    page.emulate_media(media="print")
    assert not page.locator(".no-print").is_visible() and "05520317" in page.inner_text("[data-testid=print-letter]")
    screenshots(page, "writing-print-zh")
    page.emulate_media(media="screen")
    return submission_url


def _manager_reviews(live_server, browser, screenshots, submission_url: str) -> None:
    base = live_server.url
    manager = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    boss = manager.new_page()
    try:
        sign_in(boss, base, "chen.manager@demo.local")
        boss.goto(f"{base}/manage/writing")
        pending = boss.locator("[data-testid=writing-pending]")
        assert "张伟" in pending.inner_text()
        screenshots(boss, "writing-pending-zh-1280")
        boss.goto(submission_url + "/review")
        boss.evaluate("""() => {
            const node = document.querySelectorAll('.wr-para .wr-plain')[1].firstChild;
            const range = document.createRange();
            range.setStart(node, 3); range.setEnd(node, 35);
            const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
        }""")
        boss.locator("#wr-selection", has_text="05520317").wait_for()
        assert boss.input_value("#wr-paragraph") == "2"
        boss.fill("#wr-body", "发票号和金额都对")
        boss.click(".wr-comment-form button[type=submit]")
        boss.wait_for_load_state("networkidle")
        quoted = boss.locator(".wr-comment .wr-quoted").first.inner_text()
        assert quoted.startswith("发票 05520317"), quoted
        boss.locator("#wr-paragraph").select_option("1")
        boss.fill("#wr-body", "标题写得好")
        boss.click(".wr-comment-form button[type=submit]")
        boss.wait_for_load_state("networkidle")
        for item in ("facts", "clear_ask", "tone", "structure"):
            boss.check(f"input[name=score-{item}][value='2']")
        boss.check("input[name=score-tone][value='1']")
        screenshots(boss, "writing-review-zh-1280")
        boss.click("[data-testid=save-review]")
        boss.wait_for_load_state("networkidle")
        assert "7/12" in boss.locator("[data-testid=reviews]").inner_text()
        assert "标题写得好" in boss.inner_text("[data-testid=paragraphs]")
        assert "发票号和金额都对" in boss.inner_text("[data-testid=paragraphs]")
        boss.set_viewport_size({"width": 375, "height": 740})
        boss.goto(submission_url + "/review")
        _fits_a_phone(boss)
        screenshots(boss, "writing-review-zh-375")
        boss.goto(submission_url)
        _fits_a_phone(boss)
        screenshots(boss, "writing-submission-zh-375")
        boss.goto(f"{base}/manage/writing")
        _fits_a_phone(boss)
        screenshots(boss, "writing-pending-zh-375")
    finally:
        manager.close()


def _other_manager_is_refused(live_server, browser, screenshots, submission_url: str) -> None:
    base = live_server.url
    other = browser.new_context(locale="en", viewport={"width": 1280, "height": 900})
    liu = other.new_page()
    try:
        sign_in(liu, base, "liu.manager@demo.local")  # an English-speaking manager of the other team
        liu.goto(f"{base}/manage/writing")
        screenshots(liu, "writing-pending-en-1280")
        assert liu.goto(submission_url).status == 404
        liu.set_viewport_size({"width": 375, "height": 740})
        liu.goto(f"{base}/manage/writing")
        screenshots(liu, "writing-pending-en-375")
    finally:
        other.close()
