"""Lazy expiry on the pages that list a person's attempts: the quiz list, a quiz's rules and the daily
review read the attempts once and submit the ones whose time ran out from those rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.test_quiz import set_deadline
from tests.web.test_quiz_common import M1_QUIZ, read_module
from trainer.extensions import db
from trainer.quiz.models import Attempt
from trainer.quiz.services import attempts as attempt_service


@pytest.fixture
def trainee(app, signed_in):  # type: ignore[no-untyped-def]
    user = signed_in(email="tina@example.com", name="Tina Trainee")
    read_module(user, app, "m1-basics")
    return user


@pytest.fixture
def attempt(app, trainee):  # type: ignore[no-untyped-def]
    return attempt_service.start_attempt(trainee, M1_QUIZ, seed=1)


@pytest.mark.parametrize("page", ["/quiz/", "/quiz/review"], ids=["quiz list", "daily review"])
def test_the_pages_that_list_attempts_close_an_expired_one_from_the_rows_they_read(client, attempt, trainee, page):
    """The quiz list and the daily review read the person's attempts once and submit the expired
    ones among them (no query of its own); the page then shows the closed result."""
    set_deadline(attempt, timedelta(hours=-2))
    assert client.get(page).status_code == 200
    assert db.session.get(Attempt, attempt.id).submitted_at is not None
    rules = client.get(f"/quiz/{M1_QUIZ}").get_data(as_text=True)
    assert "2 of 3 left" in rules
    assert f"/quiz/attempts/{attempt.id}/result" in rules and ">Continue<" not in rules  # history: closed


def test_an_attempt_still_in_its_time_stays_open_on_every_listing_page(client, attempt, trainee):
    set_deadline(attempt, timedelta(minutes=20))
    for page in ("/quiz/", "/quiz/review", f"/quiz/{M1_QUIZ}"):
        assert client.get(page).status_code == 200
    assert db.session.get(Attempt, attempt.id).submitted_at is None
    rules = client.get(f"/quiz/{M1_QUIZ}").get_data(as_text=True)
    assert f'<a href="/quiz/attempts/{attempt.id}">Continue</a>' in rules  # history: still open
    assert f"/quiz/attempts/{attempt.id}/result" not in rules
