"""Taking a quiz over HTTP: rules, autosave and reload, the server's time limit, submitting once,
tampered answers, attempt limits, who may open an attempt, and what the review shows."""

from __future__ import annotations

import dataclasses
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.web.test_quiz_common import (
    M1_QUIZ,
    attempt_from,
    attempts_of,
    canonical_answers,
    form_data,
    read_module,
    rich_seed,
    start,
)
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.quiz.models import Attempt, AttemptAnswer, ReviewCard
from trainer.quiz.services import attempts as attempt_service
from trainer.quiz.services import scoring


@pytest.fixture
def trainee(app, signed_in):
    user = signed_in(email="tina@example.com", name="Tina Trainee")
    read_module(user, app, "m1-basics")
    return user


@pytest.fixture
def attempt(app, trainee):
    """An attempt at the module 1 quiz drawing every question type (the first one single choice)."""
    return attempt_service.start_attempt(trainee, M1_QUIZ, seed=rich_seed(app, M1_QUIZ))


def page(client, attempt) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)


def autosave(actions, attempt, question, answer, **kwargs):  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_token

    token = csrf_token(actions.client, "/quiz/")
    return actions.client.post(
        f"/quiz/attempts/{attempt.id}/answer",
        json={"question": question, "answer": answer},
        headers={"X-CSRFToken": token},
        **kwargs,
    )


def stored(attempt) -> dict:  # type: ignore[no-untyped-def]
    rows = db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)).all()
    return {row.question_id: row.answer for row in rows}


def first_of(attempt, qtype: str):  # type: ignore[no-untyped-def]
    return next(inst for inst in scoring.instances_of(attempt) if inst.type == qtype)


def set_deadline(attempt, delta: timedelta) -> None:  # type: ignore[no-untyped-def]
    """Move the clock: put the attempt's deadline ``delta`` from now (negative = in the past)."""
    row = db.session.get(Attempt, attempt.id)
    row.deadline = utcnow() + delta
    db.session.commit()


# --- rules, starting, locks -----------------------------------------------------------------------


def test_intro_shows_the_rules(client, trainee):
    html = client.get(f"/quiz/{M1_QUIZ}").get_data(as_text=True)
    rules = re.search(r'data-testid="rules">(.*?)</dl>', html, re.S).group(1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rules))
    assert "Questions 10" in text
    assert "Time limit 20 minutes" in text
    assert "Pass mark 70%" in text
    assert "3 of 3 left" in text
    assert "your best attempt" in text and "shown after you submit" in text


def test_module_quiz_is_locked_until_the_lessons_are_read(client, actions, make_user):
    user = make_user("trainee")
    actions.login(user.email)
    html = client.get(f"/quiz/{M1_QUIZ}").get_data(as_text=True)
    assert 'data-testid="locked"' in html and "Read every lesson of “Receivables basics” first (0 of 4 done)" in html
    response = start(actions, M1_QUIZ, follow_redirects=True)
    assert "Read every lesson" in response.get_data(as_text=True)
    assert attempts_of(user, M1_QUIZ) == []


def test_second_module_quiz_waits_for_the_first_to_be_passed(app, client, trainee):
    html = client.get("/quiz/m2-risk-quiz").get_data(as_text=True)
    assert "Complete “Receivables basics” first." in html


def test_start_twice_resumes_the_same_attempt(actions, trainee):
    first = attempt_from(start(actions, M1_QUIZ))
    second = attempt_from(start(actions, M1_QUIZ))
    assert first.id == second.id
    assert len(attempts_of(trainee, M1_QUIZ)) == 1
    assert first.deadline - first.started_at == timedelta(minutes=20)
    assert len(first.instances) == 10


def test_unknown_quiz_is_404(client, actions, trainee):
    assert client.get("/quiz/no-such-quiz").status_code == 404
    assert start(actions, "no-such-quiz").status_code == 404


def test_quiz_pages_need_login(client):
    response = client.get(f"/quiz/{M1_QUIZ}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- saving as you go -------------------------------------------------------------------------------


def test_autosave_keeps_answers_across_a_reload(client, actions, attempt):
    single = first_of(attempt, "single")
    response = autosave(actions, attempt, single.question_id, "o2")
    assert response.status_code == 200 and response.get_json()["ok"] is True
    assert stored(attempt) == {single.question_id: single.order[1]}  # canonical: the option id
    html = page(client, attempt)
    radio = re.search(rf'<input[^>]*name="q:{single.question_id}" value="o2"[^>]*>', html).group(0)
    assert "checked" in radio


def test_autosave_says_when_in_the_site_zone(actions, attempt):
    single = first_of(attempt, "single")
    saved_at = autosave(actions, attempt, single.question_id, "o1").get_json()["saved_at"]
    assert re.fullmatch(r"\d{2}:\d{2}:\d{2} UTC\+8", saved_at)


def test_a_head_request_shows_the_attempt_and_saves_nothing(client, actions, attempt):
    """HEAD once went down the POST branch: it saved the (absent) answers and redirected to itself."""
    single = first_of(attempt, "single")
    autosave(actions, attempt, single.question_id, "o2")
    response = client.head(f"/quiz/attempts/{attempt.id}")
    assert response.status_code == 200
    assert stored(attempt) == {single.question_id: single.order[1]}
    assert "Your answers are saved." not in page(client, attempt)


def test_autosave_clears_an_answer(actions, attempt):
    single = first_of(attempt, "single")
    autosave(actions, attempt, single.question_id, "o1")
    assert autosave(actions, attempt, single.question_id, None).status_code == 200
    assert stored(attempt) == {single.question_id: None}


def test_plain_form_saves_every_answer_without_javascript(client, actions, attempt):
    answers = canonical_answers(attempt, right=True)
    response = actions.post(f"/quiz/attempts/{attempt.id}", {**form_data(attempt, answers), "action": "save"},
                            token_from=f"/quiz/attempts/{attempt.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/quiz/attempts/{attempt.id}")
    assert stored(attempt) == answers
    assert "Your answers are saved." in client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)


def test_plain_form_without_the_question_fields_does_not_blank_saved_answers(actions, attempt):
    single = first_of(attempt, "single")
    autosave(actions, attempt, single.question_id, "o3")
    actions.post(f"/quiz/attempts/{attempt.id}", {"action": "save"}, token_from=f"/quiz/attempts/{attempt.id}")
    assert stored(attempt) == {single.question_id: single.order[2]}


def test_autosave_needs_the_csrf_token(client, attempt):
    single = first_of(attempt, "single")
    response = client.post(f"/quiz/attempts/{attempt.id}/answer", json={"question": single.question_id, "answer": "o1"})
    assert response.status_code == 400
    assert stored(attempt) == {}


# --- submitting -----------------------------------------------------------------------------------


def test_submit_grades_and_the_review_shows_right_and_wrong(client, actions, attempt, trainee):
    answers = canonical_answers(attempt, right=True)
    wrong = canonical_answers(attempt, right=False)
    first = attempt.question_ids()[0]
    answers[first] = wrong[first]
    response = actions.post(f"/quiz/attempts/{attempt.id}", {**form_data(attempt, answers), "action": "submit"},
                            token_from=f"/quiz/attempts/{attempt.id}")
    assert response.headers["Location"].endswith(f"/quiz/attempts/{attempt.id}/result")
    graded = db.session.get(Attempt, attempt.id)
    assert graded.score == 9 and graded.max_score == 10 and graded.percent == 90.0 and graded.passed
    html = client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "90%" in html and 'data-testid="verdict">Passed' in html
    assert html.count('data-testid="review-question"') == 10
    assert html.count("<strong>Wrong</strong>") == 1 and html.count("<strong>Right</strong>") == 9
    assert "Explanation" in html
    # the page of a submitted attempt goes to the review
    assert client.get(f"/quiz/attempts/{attempt.id}").status_code == 302


def test_double_submit_grades_once(client, actions, attempt, trainee):
    answers = canonical_answers(attempt, right=True)
    token_page = f"/quiz/attempts/{attempt.id}"
    from tests.conftest import csrf_token

    token = csrf_token(client, token_page)
    data = {**form_data(attempt, answers), "action": "submit", "csrf_token": token}
    client.post(f"/quiz/attempts/{attempt.id}", data=data)
    first = db.session.get(Attempt, attempt.id)
    submitted_at, percent = first.submitted_at, first.percent
    second = client.post(f"/quiz/attempts/{attempt.id}", data=data)
    assert second.status_code == 302 and second.headers["Location"].endswith("/result")
    again = db.session.get(Attempt, attempt.id)
    assert again.submitted_at == submitted_at and again.percent == percent == 100.0
    reviews = db.session.scalars(select(ReviewCard.reviews).where(ReviewCard.user_id == trainee.id)).all()
    assert len(reviews) == 10 and set(reviews) == {1}  # each card updated once, not twice


def test_concurrent_submits_grade_exactly_once(app, attempt):
    results: list[bool] = []
    barrier = threading.Barrier(2)
    attempt_id = attempt.id  # read here: the fixture's object belongs to this thread's session

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            results.append(scoring.finalize(attempt_id, utcnow()))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
    cards = db.session.scalar(select(func.count()).select_from(ReviewCard))
    assert cards == 0  # nothing answered: nothing reviewed, and no duplicate grading either


# --- the time limit -------------------------------------------------------------------------------


def test_page_shows_the_time_left_from_the_server(client, attempt):
    set_deadline(attempt, timedelta(seconds=95))
    html = page(client, attempt)
    remaining = int(re.search(r'data-remaining="(\d+)"', html).group(1))
    assert 85 <= remaining <= 95
    assert "1:3" in html  # 1:35 or thereabouts, shown without JavaScript too


def test_answer_after_the_deadline_is_refused_and_the_attempt_submitted(actions, attempt):
    single = first_of(attempt, "single")
    autosave(actions, attempt, single.question_id, "o1")  # in time
    set_deadline(attempt, timedelta(minutes=-1))
    response = autosave(actions, attempt, single.question_id, "o2")
    body = response.get_json()
    assert response.status_code == 400 and body["code"] == "time_up"
    assert body["redirect"].endswith(f"/quiz/attempts/{attempt.id}/result")
    assert "Time is up" in body["error"]
    assert stored(attempt)[single.question_id] == single.order[0]  # the late change did not count
    graded = db.session.get(Attempt, attempt.id)
    assert graded.submitted_at == graded.deadline


def test_opening_an_attempt_after_its_deadline_submits_it(client, actions, attempt):
    answers = canonical_answers(attempt, right=True)
    actions.post(f"/quiz/attempts/{attempt.id}", {**form_data(attempt, answers), "action": "save"},
                 token_from=f"/quiz/attempts/{attempt.id}")
    set_deadline(attempt, timedelta(minutes=-30))
    response = client.get(f"/quiz/attempts/{attempt.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    graded = db.session.get(Attempt, attempt.id)
    assert graded.submitted_at is not None and graded.percent == 100.0  # saved answers counted
    assert "Time is up" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_final_post_after_the_deadline_only_counts_what_was_saved(client, actions, attempt):
    answers = canonical_answers(attempt, right=True)
    from tests.conftest import csrf_token

    token = csrf_token(client, f"/quiz/attempts/{attempt.id}")
    set_deadline(attempt, timedelta(seconds=-20))
    client.post(f"/quiz/attempts/{attempt.id}", data={**form_data(attempt, answers), "action": "submit",
                                                       "csrf_token": token})
    graded = db.session.get(Attempt, attempt.id)
    assert graded.submitted_at is not None and graded.score == 0
    assert all(answer is None for answer in stored(attempt).values())


def test_answer_within_the_grace_seconds_still_counts(actions, attempt):
    single = first_of(attempt, "single")
    set_deadline(attempt, timedelta(seconds=-2))
    assert autosave(actions, attempt, single.question_id, "o1").status_code == 200
    assert stored(attempt) == {single.question_id: single.order[0]}


def test_expired_attempt_is_closed_when_the_trainee_comes_back_to_the_quiz(client, attempt, trainee):
    set_deadline(attempt, timedelta(hours=-2))
    html = client.get(f"/quiz/{M1_QUIZ}").get_data(as_text=True)
    assert db.session.get(Attempt, attempt.id).submitted_at is not None
    assert "2 of 3 left" in html


# --- tampered answers -----------------------------------------------------------------------------


def test_answer_naming_a_question_not_in_the_attempt_is_refused(actions, attempt):
    other = "m2-q001"
    assert other not in attempt.question_ids()
    response = autosave(actions, attempt, other, "o1")
    assert response.status_code == 400
    assert response.get_json()["error"] == "This question is not part of your attempt. Nothing was saved."
    assert stored(attempt) == {}


def test_answer_naming_an_option_not_in_the_question_is_refused(actions, attempt):
    single = first_of(attempt, "single")
    for bad in ("o99", "a", single.order[0]):  # out of range, a raw option id, even the right id
        response = autosave(actions, attempt, single.question_id, bad)
        assert response.status_code == 400, bad
        assert "names a choice that is not in the question" in response.get_json()["error"]
    assert stored(attempt) == {}


@pytest.mark.parametrize("qtype,bad", [
    ("single", ["o1"]),
    ("single", {"x": "o1"}),
    ("truefalse", "maybe"),
    ("truefalse", 3),
    ("calculated", ["1"]),
    ("calculated", "forty"),
    ("calculated", "1" * 60),
])
def test_answers_of_the_wrong_shape_are_refused(actions, attempt, qtype, bad):
    inst = next((i for i in scoring.instances_of(attempt) if i.type == qtype), None)
    assert inst is not None
    response = autosave(actions, attempt, inst.question_id, bad)
    assert response.status_code == 400 and response.get_json()["ok"] is False
    assert stored(attempt) == {}


def test_number_error_says_how_to_type_it(actions, attempt):
    inst = next((i for i in scoring.instances_of(attempt) if i.type in ("numeric", "calculated")), None)
    assert inst is not None
    response = autosave(actions, attempt, inst.question_id, "41,5")
    assert response.get_json()["error"] == "Enter a number such as 41.5: digits, with a point for decimals."


def test_json_that_is_not_an_answer_is_refused(actions, attempt):
    from tests.conftest import csrf_token

    token = csrf_token(actions.client, f"/quiz/attempts/{attempt.id}")
    for body in ("not json", '["a list"]', '{"answer": "o1"}'):
        response = actions.client.post(f"/quiz/attempts/{attempt.id}/answer", data=body,
                                       content_type="application/json", headers={"X-CSRFToken": token})
        assert response.status_code == 400
    assert stored(attempt) == {}


def test_form_with_a_foreign_question_stores_nothing_at_all(actions, attempt):
    answers = canonical_answers(attempt, right=True)
    data = {**form_data(attempt, answers), "q:m2-q001": "o1", "action": "save"}
    response = actions.post(f"/quiz/attempts/{attempt.id}", data, token_from=f"/quiz/attempts/{attempt.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The form named a question that is not part of your attempt. Nothing was saved." in html
    assert stored(attempt) == {}  # the valid answers were not saved either: all or nothing


def test_bad_option_in_the_form_is_shown_next_to_its_question(actions, attempt):
    single = first_of(attempt, "single")
    data = {**form_data(attempt, {}), f"q:{single.question_id}": "o42", "action": "save"}
    response = actions.post(f"/quiz/attempts/{attempt.id}", data, token_from=f"/quiz/attempts/{attempt.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    number = attempt.question_ids().index(single.question_id) + 1
    block = re.search(rf'<fieldset class="question has-error[^"]*" id="q{number}".*?</fieldset>', html, re.S)
    assert block and "names a choice that is not in the question" in block.group(0)
    assert stored(attempt) == {}


def test_error_next_to_the_question_comes_in_chinese_for_a_chinese_user(app, client, actions, make_user):
    user = make_user("trainee", language="zh_CN")
    read_module(user, app, "m1-basics")
    actions.login(user.email)
    attempt = attempt_from(start(actions, M1_QUIZ))
    single = first_of(attempt, "single")
    data = {**form_data(attempt, {}), f"q:{single.question_id}": "o42", "action": "save"}
    html = actions.post(f"/quiz/attempts/{attempt.id}", data, token_from=f"/quiz/attempts/{attempt.id}").get_data(
        as_text=True
    )
    assert "这个答案里有题目中不存在的选项，没有保存。" in html
    response = autosave(actions, attempt, "m2-q001", "o1")
    assert response.get_json()["error"] == "这道题不在你这次的测验里，没有保存。"


# --- attempt limits -------------------------------------------------------------------------------


def test_attempt_limit_is_enforced(client, actions, trainee):
    for _ in range(3):
        current = attempt_from(start(actions, M1_QUIZ))
        actions.post(f"/quiz/attempts/{current.id}", {"action": "submit"}, token_from=f"/quiz/attempts/{current.id}")
    assert len(attempts_of(trainee, M1_QUIZ)) == 3
    response = start(actions, M1_QUIZ, follow_redirects=True)
    assert "You have used all 3 attempts at this quiz." in response.get_data(as_text=True)
    assert len(attempts_of(trainee, M1_QUIZ)) == 3
    html = client.get(f"/quiz/{M1_QUIZ}").get_data(as_text=True)
    assert 'data-testid="no-attempts"' in html and 'data-testid="start"' not in html


def test_highest_grade_counts_for_a_highest_quiz(app, trainee):
    from tests.web.test_quiz_common import take
    from trainer.quiz.services.progress import quiz_status

    take(trainee, M1_QUIZ, right=True)
    take(trainee, M1_QUIZ, right=False)
    status = quiz_status(trainee.id, app.extensions["content"].quizzes[M1_QUIZ], "en")
    assert status.kept_percent == 100.0 and status.passed and status.attempts_left == 1


def test_latest_grade_counts_for_a_last_quiz(app, trainee, monkeypatch):
    from tests.web.test_quiz_common import take
    from trainer.quiz.services.progress import quiz_status

    quizzes = app.extensions["content"].quizzes
    monkeypatch.setitem(quizzes, M1_QUIZ, dataclasses.replace(quizzes[M1_QUIZ], grading="last"))
    take(trainee, M1_QUIZ, right=True)
    take(trainee, M1_QUIZ, right=False)
    status = quiz_status(trainee.id, quizzes[M1_QUIZ], "en")
    latest = attempts_of(trainee, M1_QUIZ)[-1]
    assert latest.percent < 70 and status.kept_percent == latest.percent and not status.passed


# --- whose attempt --------------------------------------------------------------------------------


def test_a_trainee_cannot_open_someone_elses_attempt(client, actions, make_user, attempt):
    other = make_user("trainee", email="otto@example.com")
    actions.logout()
    actions.login(other.email)
    single = first_of(attempt, "single")
    assert client.get(f"/quiz/attempts/{attempt.id}").status_code == 404
    assert client.get(f"/quiz/attempts/{attempt.id}/result").status_code == 404
    assert actions.post(f"/quiz/attempts/{attempt.id}", {"action": "submit"}, token_from="/quiz/").status_code == 404
    from tests.conftest import csrf_token

    token = csrf_token(client, "/quiz/")
    response = client.post(f"/quiz/attempts/{attempt.id}/answer", json={"question": single.question_id, "answer": "o1"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 404
    assert db.session.get(Attempt, attempt.id).submitted_at is None and stored(attempt) == {}


def test_the_trainees_manager_may_read_the_review_but_not_answer(client, actions, make_user, make_team, attempt, trainee):
    team = make_team("East")
    trainee.teams = [team]
    db.session.commit()
    manager = make_user("manager", manages=[team])
    stranger = make_user("manager", email="other.manager@example.com", manages=[make_team("West")])
    attempt_service.submit(trainee, attempt.id)
    actions.logout()
    actions.login(manager.email)
    html = client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "Attempt by Tina Trainee" in html
    assert client.get(f"/quiz/attempts/{attempt.id}").status_code == 404
    actions.logout()
    actions.login(stranger.email)
    assert client.get(f"/quiz/attempts/{attempt.id}/result").status_code == 404


# --- what the review shows ------------------------------------------------------------------------


def test_review_shows_nothing_but_the_score_when_the_quiz_says_never(app, client, actions, attempt, monkeypatch):
    quizzes = app.extensions["content"].quizzes
    monkeypatch.setitem(quizzes, M1_QUIZ, dataclasses.replace(quizzes[M1_QUIZ], show_feedback="never"))
    actions.post(f"/quiz/attempts/{attempt.id}", {**form_data(attempt, canonical_answers(attempt, right=True)),
                                                   "action": "submit"}, token_from=f"/quiz/attempts/{attempt.id}")
    html = client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "100%" in html and 'data-testid="no-review"' in html
    assert "Explanation" not in html and "correct answer" not in html and "Right answer" not in html


def test_after_submit_quiz_shows_no_check_button_while_taking_it(client, attempt):
    html = page(client, attempt)
    assert 'name="check"' not in html and "Explanation" not in html
