"""A short-answer question through the attempt form: the typed text is saved, graded with its
partial credit and shown in review; bad values are refused with a clear message and store nothing."""

from __future__ import annotations

import random

import pytest

from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.quiz.answers import SHOWN, field_name
from trainer.quiz.instances import draw_quiz
from trainer.quiz.models import Attempt
from trainer.quiz.services.attempts import new_attempt, saved_answers
from trainer.quiz.services.common import banks, quizzes

QUIZ = "m4-data-quiz"
SHORT = "m4-q059"  # the aging report: "aging report" full credit, "aging*" half


@pytest.fixture
def attempt(app, signed_in) -> Attempt:  # type: ignore[no-untyped-def]
    user = signed_in(email="sam@example.com", name="Sam")
    definition = quizzes()[QUIZ]
    seed = next(s for s in range(5000)
                if SHORT in [i.question_id for i in draw_quiz(definition, banks(), random.Random(s), lang="en")])
    started = new_attempt(user.id, definition, moment=utcnow(), seed=seed, lang="en")
    db.session.commit()
    return started


def post(actions, attempt: Attempt, value: str, action: str = "save"):  # type: ignore[no-untyped-def]
    url = f"/quiz/attempts/{attempt.id}"
    return actions.post(url, {SHOWN: SHORT, field_name(SHORT): value, "action": action}, token_from=url)


def test_the_page_has_a_text_field_for_the_short_answer(client, attempt):
    html = client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)
    assert f'name="{field_name(SHORT)}"' in html and 'maxlength="200"' in html
    assert "Type a short answer (a word or a phrase)." in html


def test_a_typed_answer_is_saved_graded_and_reviewed(client, actions, attempt):
    assert post(actions, attempt, "  Aging   of receivables ").status_code == 302
    assert saved_answers(attempt)[SHORT].answer == "Aging   of receivables"
    response = post(actions, attempt, "Aging   of receivables", action="submit")
    assert response.status_code == 302
    db.session.refresh(attempt)
    row = saved_answers(attempt)[SHORT]
    assert (row.score, row.max_score) == (0.5, 1.0)  # "aging*": half credit
    html = client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)
    section = html.split(f'data-question="{SHORT}"', 1)[1].split("</section>", 1)[0]
    assert "Partly right" in section and "Aging   of receivables" in section
    assert "aging report" in section and 'Nearly: the full name is "aging report".' in section


@pytest.mark.parametrize("value", ["x" * 201, "账" * 201])
def test_an_answer_over_the_limit_is_refused_and_nothing_is_saved(client, actions, attempt, value):
    response = post(actions, attempt, value)
    assert response.status_code == 400 and "That answer is too long." in response.get_data(as_text=True)
    assert SHORT not in saved_answers(attempt)


def test_autosave_refuses_a_list_for_a_short_answer(client, actions, attempt):
    url = f"/quiz/attempts/{attempt.id}"
    token = client.get(url).get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(f"{url}/answer", json={"question": SHORT, "answer": ["aging"]},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 400 and SHORT not in saved_answers(attempt)
