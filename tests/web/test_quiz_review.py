"""Spaced repetition: graded answers update FSRS cards, the daily review draws the due questions and
shows feedback as each answer is checked, and refreshers draw due questions first."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.web.test_quiz_common import (
    M1_QUIZ,
    attempt_from,
    canonical_answers,
    form_data,
    read_module,
    take,
)
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.quiz.models import Assignment, Attempt, AttemptAnswer, ReviewCard
from trainer.quiz.services import attempts as attempt_service

REVIEW = "daily-review"


@pytest.fixture
def trainee(app, signed_in):
    user = signed_in(email="rita@example.com", name="Rita")
    read_module(user, app, "m1-basics")
    return user


def cards(user) -> dict[str, ReviewCard]:  # type: ignore[no-untyped-def]
    return {c.question_id: c for c in db.session.scalars(select(ReviewCard).where(ReviewCard.user_id == user.id))}


def make_due(user, question_ids, days_ago: int = 1) -> None:  # type: ignore[no-untyped-def]
    for card in cards(user).values():
        if card.question_id in question_ids:
            card.due = utcnow() - timedelta(days=days_ago)
            card.card = {**card.card, "due": card.due.isoformat() + "+00:00"}
    db.session.commit()


def test_every_graded_answer_updates_the_card(trainee):
    right = take(trainee, M1_QUIZ, right=True)
    found = cards(trainee)
    assert set(found) == set(right.question_ids())
    for card in found.values():
        assert card.reviews == 1 and card.lapses == 0
        assert card.due - right.submitted_at >= timedelta(days=1)  # Good: days away, not minutes
    wrong = take(trainee, M1_QUIZ, right=False)
    again = cards(trainee)
    for qid in wrong.question_ids():
        graded = db.session.scalar(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == wrong.id, AttemptAnswer.question_id == qid)
        )
        card = again[qid]
        assert card.last_reviewed_at == wrong.submitted_at
        if not graded.correct:
            assert card.lapses >= 1 and card.due - wrong.submitted_at <= timedelta(days=1, hours=1)


def test_unanswered_questions_leave_their_cards_alone(trainee):
    attempt = take(trainee, M1_QUIZ, right=True)
    before = {qid: c.reviews for qid, c in cards(trainee).items()}
    blank = attempt_service.start_attempt(trainee, M1_QUIZ)
    attempt_service.submit(trainee, blank.id)
    after = {qid: c.reviews for qid, c in cards(trainee).items()}
    assert after == before and set(before) == set(attempt.question_ids())


def test_daily_review_with_nothing_due(client, trainee):
    html = client.get("/quiz/review").get_data(as_text=True)
    assert 'data-testid="nothing-due"' in html and "Questions you answer in quizzes will come back here." in html


def test_daily_review_draws_only_due_questions_most_overdue_first(client, actions, trainee):
    attempt = take(trainee, M1_QUIZ, right=True)
    due_ids = attempt.question_ids()[:4]
    make_due(trainee, due_ids)
    html = client.get("/quiz/review").get_data(as_text=True)
    assert re.search(r'data-testid="due-count">4<', html)
    home = client.get("/").get_data(as_text=True)
    assert "4 questions are due for review." in home
    response = actions.post("/quiz/review", {}, token_from="/quiz/review")
    review = attempt_from(response)
    assert review.quiz_id == REVIEW and sorted(review.question_ids()) == sorted(due_ids)
    assert review.deadline is None  # no time limit


def test_daily_review_takes_at_most_its_limit(client, actions, trainee):
    first = take(trainee, M1_QUIZ, right=True)
    second = take(trainee, M1_QUIZ, right=True)
    due_ids = list(dict.fromkeys(first.question_ids() + second.question_ids()))
    assert len(due_ids) > 10
    make_due(trainee, due_ids)
    review = attempt_from(actions.post("/quiz/review", {}, token_from="/quiz/review"))
    assert len(review.question_ids()) == 10


def test_starting_a_review_with_nothing_due_says_so(client, actions, trainee):
    response = actions.post("/quiz/review", {}, token_from="/quiz/review", follow_redirects=True)
    assert "Nothing is due for review right now." in response.get_data(as_text=True)
    assert db.session.scalar(select(Attempt).where(Attempt.quiz_id == REVIEW)) is None


def test_review_checks_each_answer_at_once_and_locks_it(client, actions, trainee):
    attempt = take(trainee, M1_QUIZ, right=True)
    make_due(trainee, attempt.question_ids()[:3])
    review = attempt_from(actions.post("/quiz/review", {}, token_from="/quiz/review"))
    url = f"/quiz/attempts/{review.id}"
    html = client.get(url).get_data(as_text=True)
    assert html.count('name="check"') == 3
    qid = review.question_ids()[0]
    answers = canonical_answers(review, right=True)
    response = actions.post(url, {**form_data(review, {qid: answers[qid]}), "check": qid}, token_from=url)
    assert response.status_code == 302 and response.headers["Location"].endswith("#q1")
    html = client.get(url).get_data(as_text=True)
    first = re.search(r'<fieldset class="question is-checked" id="q1".*?</fieldset>', html, re.S).group(0)
    assert "<strong>Right</strong>" in first and "Explanation" in first and "disabled" in first
    assert html.count('name="check"') == 2
    # the checked answer cannot change any more
    from tests.conftest import csrf_token

    token = csrf_token(client, url)
    refused = client.post(f"{url}/answer", json={"question": qid, "answer": None}, headers={"X-CSRFToken": token})
    assert refused.status_code == 400 and "already checked" in refused.get_json()["error"]


def test_checking_without_an_answer_asks_for_one(client, actions, trainee):
    attempt = take(trainee, M1_QUIZ, right=True)
    make_due(trainee, attempt.question_ids()[:2])
    review = attempt_from(actions.post("/quiz/review", {}, token_from="/quiz/review"))
    url = f"/quiz/attempts/{review.id}"
    qid = review.question_ids()[0]
    response = actions.post(url, {**form_data(review, {}), "check": qid}, token_from=url)
    assert response.status_code == 400 and "Answer the question before you check it." in response.get_data(as_text=True)


def test_checking_is_refused_on_a_quiz_that_shows_feedback_after_submit(client, actions, trainee):
    from tests.web.test_quiz_common import start

    attempt = attempt_from(start(actions, M1_QUIZ))
    url = f"/quiz/attempts/{attempt.id}"
    qid = attempt.question_ids()[0]
    answers = canonical_answers(attempt, right=True)
    actions.post(url, {**form_data(attempt, {qid: answers[qid]}), "check": qid}, token_from=url,
                 follow_redirects=True)
    row = db.session.scalar(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id,
                                                         AttemptAnswer.question_id == qid))
    assert row.checked_at is None


def test_finishing_the_review_pushes_the_cards_out(client, actions, trainee):
    attempt = take(trainee, M1_QUIZ, right=True)
    due_ids = attempt.question_ids()[:3]
    make_due(trainee, due_ids, days_ago=3)
    review = attempt_from(actions.post("/quiz/review", {}, token_from="/quiz/review"))
    url = f"/quiz/attempts/{review.id}"
    actions.post(url, {**form_data(review, canonical_answers(review, right=True)), "action": "submit"}, token_from=url)
    now = utcnow()
    for qid in due_ids:
        card = cards(trainee)[qid]
        assert card.reviews == 2 and card.due > now + timedelta(days=1)
    assert 'data-testid="nothing-due"' in client.get("/quiz/review").get_data(as_text=True)
    result = client.get(f"{url}/result").get_data(as_text=True)
    assert "Passed" not in result and "Not passed" not in result  # no pass mark for a review


def test_refresher_draws_due_questions_first(app, actions, trainee, make_team, make_user):
    """A random 15 of 150 would almost never hold six given questions; the refresher takes the six
    due ones, then fills up with the least retained of the questions the trainee has met."""
    m1 = take(trainee, M1_QUIZ, right=False)
    take(trainee, M1_QUIZ, right=True)
    take(trainee, M1_QUIZ, right=True)
    met = set(cards(trainee))
    assert len(met) > 15
    team = make_team("Team R")
    trainee.teams = [team]
    manager = make_user("manager", manages=[team])
    item = Assignment(title="Q4", quiz_id="refresher-q4", created_by_id=manager.id,
                      opens_at=utcnow() - timedelta(days=1), due_at=utcnow() + timedelta(days=5))
    item.teams = [team]
    db.session.add(item)
    db.session.commit()
    due_ids = m1.question_ids()[:6]
    make_due(trainee, due_ids, days_ago=2)
    from tests.web.test_quiz_common import start

    refresher = attempt_from(start(actions, "refresher-q4"))
    assert set(due_ids) <= set(refresher.question_ids())
    assert len(refresher.question_ids()) == 15 and set(refresher.question_ids()) <= met


def current_nav_labels(html: str) -> list[str]:
    return re.findall(r'aria-current="page">([^<]+)<', html)


def test_daily_review_attempt_and_result_highlight_daily_review(client, actions, trainee):
    attempt = take(trainee, M1_QUIZ, right=True)
    make_due(trainee, attempt.question_ids()[:2])
    review = attempt_from(actions.post("/quiz/review", {}, token_from="/quiz/review"))
    assert current_nav_labels(client.get(f"/quiz/attempts/{review.id}").get_data(as_text=True)) == ["Daily review"] * 2
    attempt_service.submit(trainee, review.id)
    result = client.get(f"/quiz/attempts/{review.id}/result").get_data(as_text=True)
    assert current_nav_labels(result) == ["Daily review"] * 2
    # an ordinary quiz's result stays under "Quizzes"
    quiz_result = client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)
    assert current_nav_labels(quiz_result) == ["Quizzes"] * 2
