"""Document questions in real Chromium, in Chinese and English, on a phone (375 px) and a desktop
(1280 px): an aging-report triage is worked, autosaved, submitted and reviewed line by line; the
contract, remittance and reconciliation documents are shown and photographed. The page is never
wider than the screen (wide tables scroll in their own box) and every control is a 40 px target.
Screenshots go to the test artefacts (and to TRAINER_SHOTS_DIR when set)."""

from __future__ import annotations

import random
import time

import pytest
from sqlalchemy import select

from tests.browser.helpers import sign_in
from tests.browser.test_short_answer_browser import keep
from trainer.accounts import demo
from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.quiz.instances import draw_quiz
from trainer.quiz.models import AttemptAnswer
from trainer.quiz.services.attempts import new_attempt
from trainer.quiz.services.common import banks, quizzes

AGING = "doc-aging-east"
EXPECTED = {  # what one mark per kind saves
    "contract": {"lines": {"c4": "fixed_due_date"}, "decision": None},
    "remittance": {"lines": {"account": ""}, "decision": "trace"},
    "reconciliation": {"lines": {"s4": "unapplied_cash"}, "decision": None},
}
OTHERS = {  # kind -> (quiz, question)
    "contract": ("m2-risk-quiz", "doc-contract-cnc"),
    "remittance": ("m3-collection-quiz", "doc-remit-wrong-account"),
    "reconciliation": ("m2-risk-quiz", "doc-recon-taifeng"),
}
# the five calls: hongda (l2) executive, boyu (l4) legal, lvye (l5) manager, anke (l6) agency,
# and ruifeng (l1, nothing overdue) picked by mistake instead of xinyuan
CALLS = [("l2", "k4"), ("l4", "k5"), ("l5", "k3"), ("l6", "k6"), ("l1", "k1")]
SAVED = {"zh": "已保存", "en": "Saved"}
REVIEW = {"zh": ("部分正确", "不应标出"), "en": ("Partly right", "should not be marked")}


def make_trainee(live_server, email: str, language: str) -> int:
    with live_server.app.app_context():
        user = User(email=email, name=email.split("@")[0], role="trainee", language=language,
                    must_change_password=False)
        user.set_password(demo.DEMO_PASSWORD)
        db.session.add(user)
        db.session.commit()
        user_id = user.id
        db.session.remove()
    return user_id


def attempt_with(live_server, user_id: int, quiz_id: str, question_id: str, lang: str) -> int:
    with live_server.app.app_context():
        definition = quizzes()[quiz_id]
        seed = next(s for s in range(5000)
                    if question_id in [i.question_id for i in draw_quiz(definition, banks(), random.Random(s), lang=lang)])
        attempt = new_attempt(user_id, definition, moment=utcnow(), seed=seed, lang=lang)
        db.session.commit()
        attempt_id = attempt.id
        db.session.remove()
    return attempt_id


def saved_answer(live_server, attempt_id: int, question_id: str, expected: object) -> object:
    """The stored answer once autosave has caught up (a few seconds at most)."""
    answer = None
    for _ in range(50):
        with live_server.app.app_context():
            answer = db.session.scalar(select(AttemptAnswer.answer).where(
                AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.question_id == question_id))
            db.session.remove()
        if answer == expected:
            break
        time.sleep(0.1)
    return answer


def check_fits(view, question, width: int) -> None:  # type: ignore[no-untyped-def]
    page_width = view.evaluate("document.documentElement.scrollWidth")
    wide = view.evaluate(
        """w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1
                 && !e.closest('.doc-scroll')).slice(0, 5).map(e => e.tagName + '.' + e.className)""", width)
    assert page_width <= width, f"page is {page_width}px wide: {wide}"
    small = question.evaluate(
        """el => [...el.querySelectorAll('select, .choice')]
                 .filter(c => c.getBoundingClientRect().height < 40).map(c => c.outerHTML.slice(0, 80))""")
    assert not small, f"tap targets under 40 px: {small}"


def mark_one(question, kind: str) -> None:  # type: ignore[no-untyped-def]
    """One mark on each other kind, so its autosave runs in the browser too."""
    if kind == "contract":  # clause 4 (pay when paid): fix B
        question.locator("select[name$=':d:l4']").select_option("k2")
    elif kind == "remittance":  # the payee account
        question.locator("input[name$=':d:l3']").check()
        question.locator("input[name$=':d:d']").first.check()
    else:  # their 50,000 payment, unapplied on our side
        question.locator("select[name$=':d:s1']").select_option("l4")
        question.locator("select[name$=':d:s1k']").select_option("k1")


def shoot(view, screenshots, question, name: str) -> None:  # type: ignore[no-untyped-def]
    shot = screenshots(view, name + "-page")
    keep(shot, name + "-page")
    element = shot.with_name(name + ".png")
    question.screenshot(path=str(element))
    keep(element, name)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("device", ["phone", "page"])
def test_aging_triage_and_the_other_documents(live_server, request, screenshots, lang: str, device: str) -> None:
    view = request.getfixturevalue(device)
    width = 375 if device == "phone" else 1280
    email = f"docs-{lang}-{width}@example.com"
    user_id = make_trainee(live_server, email, "zh_CN" if lang == "zh" else "en")
    sign_in(view, live_server.url, email)

    attempt_id = attempt_with(live_server, user_id, "m3-collection-quiz", AGING, lang)
    view.goto(f"{live_server.url}/quiz/attempts/{attempt_id}")
    question = view.locator(f"fieldset[data-question='{AGING}']")
    table = question.locator("table.doc-table.aging")
    assert table.locator("tbody tr").count() == 16
    box = question.locator(".doc-scroll").first
    if device == "phone":  # the report is wider than a phone: it scrolls in its own box
        assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    for slot, (line, step) in enumerate(CALLS, start=1):
        question.locator(f"select[name$=':d:s{slot}']").select_option(line)
        question.locator(f"select[name$=':d:s{slot}k']").select_option(step)
    question.locator("[data-save-state]", has_text=SAVED[lang]).wait_for()
    check_fits(view, question, width)
    shoot(view, screenshots, question, f"document-aging-{lang}-{width}")

    view.on("dialog", lambda dialog: dialog.accept())
    view.locator("[data-testid=submit]").click()
    view.wait_for_url("**/result")
    review = view.locator(f"section[data-question='{AGING}']")
    review.locator("[data-testid=document-review]").wait_for()
    text = review.inner_text()
    assert REVIEW[lang][0] in text and REVIEW[lang][1] in text
    assert review.locator(".review-doc li").count() == 6  # five calls made plus xinyuan, missed
    check_fits(view, review, width)
    shoot(view, screenshots, review, f"document-aging-review-{lang}-{width}")

    for kind, (quiz_id, question_id) in OTHERS.items():
        attempt_id = attempt_with(live_server, user_id, quiz_id, question_id, lang)
        view.goto(f"{live_server.url}/quiz/attempts/{attempt_id}")
        question = view.locator(f"fieldset[data-question='{question_id}']")
        question.locator("[data-testid=document]").wait_for()
        mark_one(question, kind)
        question.locator("[data-save-state]", has_text=SAVED[lang]).wait_for()
        assert saved_answer(live_server, attempt_id, question_id, EXPECTED[kind]) == EXPECTED[kind]
        check_fits(view, question, width)
        shoot(view, screenshots, question, f"document-{kind}-{lang}-{width}")
