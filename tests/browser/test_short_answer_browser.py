"""A short-answer question in real Chromium, in Chinese and English, on a phone and a desktop: the
typed answer is saved as the trainee goes, and the review shows it next to the right answer with
its feedback. Screenshots go to the test artefacts (and to TRAINER_SHOTS_DIR when set)."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from tests.browser.helpers import sign_in
from trainer.accounts import demo
from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.quiz.instances import draw_quiz
from trainer.quiz.services.attempts import new_attempt
from trainer.quiz.services.common import banks, quizzes

QUIZ = "m4-data-quiz"
SHORT = "m4-q058"  # "... what is the 12-day difference called?" (平均逾期天数 / average days delinquent)
TYPED = {"zh": "平均 逾期天数", "en": "Average  days delinquent"}  # spaces and case do not matter
LABELS = {
    "zh": ("你的答案", "正确答案", "对。平均逾期天数"),
    "en": ("Your answer", "Right answer", "Right. Average days delinquent"),
}


def attempt_with_short_question(live_server, email: str, language: str, lang: str) -> int:
    """A fresh trainee with an open attempt whose draw holds the short-answer question."""
    with live_server.app.app_context():
        user = User(email=email, name=email.split("@")[0], role="trainee", language=language,
                    must_change_password=False)
        user.set_password(demo.DEMO_PASSWORD)
        db.session.add(user)
        db.session.commit()
        definition = quizzes()[QUIZ]
        seed = next(s for s in range(5000)
                    if SHORT in [i.question_id for i in draw_quiz(definition, banks(), random.Random(s), lang=lang)])
        attempt = new_attempt(user.id, definition, moment=utcnow(), seed=seed, lang=lang)
        db.session.commit()
        attempt_id = attempt.id
        db.session.remove()
    return attempt_id


def keep(shot: Path, name: str) -> None:
    target = os.environ.get("TRAINER_SHOTS_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, Path(target) / f"{name}.png")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("device", ["phone", "page"])
def test_short_answer_question_and_its_review(live_server, request, screenshots, lang: str, device: str) -> None:
    view = request.getfixturevalue(device)
    width = 375 if device == "phone" else 1280
    email = f"short-{lang}-{width}@example.com"
    attempt_id = attempt_with_short_question(live_server, email, "zh_CN" if lang == "zh" else "en", lang)
    sign_in(view, live_server.url, email)
    view.goto(f"{live_server.url}/quiz/attempts/{attempt_id}")
    question = view.locator(f"fieldset[data-question='{SHORT}']")
    field = question.locator("input[type=text]")
    assert field.get_attribute("maxlength") == "200"
    assert question.locator("label").first.inner_text() == LABELS[lang][0]
    field.fill(TYPED[lang])
    field.blur()
    question.locator("[data-save-state]", has_text="已保存" if lang == "zh" else "Saved").wait_for()
    question.scroll_into_view_if_needed()
    width_now = view.evaluate("document.documentElement.scrollWidth")
    assert width_now <= width, f"page is {width_now}px wide"
    name = f"short-answer-{lang}-{width}"
    shot = screenshots(view, name + "-quiz")
    keep(shot, name + "-quiz")
    element = shot.with_name(name + "-question.png")
    question.screenshot(path=str(element))
    keep(element, name + "-question")

    view.once("dialog", lambda dialog: dialog.accept())  # the other questions are left unanswered
    view.locator("[data-testid=submit]").click()
    view.wait_for_url("**/result")
    review = view.locator(f"section[data-question='{SHORT}'] [data-testid=review]")
    text = review.inner_text()
    your, right, feedback = LABELS[lang]
    assert your in text and right in text and feedback in text
    assert " ".join(TYPED[lang].split()) in text  # the answer as typed (HTML folds spaces), graded right
    assert "is-right" in (review.get_attribute("class") or "")
    review.scroll_into_view_if_needed()
    shot = screenshots(view, name + "-review")
    keep(shot, name + "-review")
    element = shot.with_name(name + "-review-question.png")
    view.locator(f"section[data-question='{SHORT}']").screenshot(path=str(element))
    keep(element, name + "-review-question")
