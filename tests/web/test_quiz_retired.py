"""Retired questions: kept for past attempts, item statistics and the manager's most-missed list
(marked retired), never drawn into new quizzes, refreshers or the daily review, and their
spaced-repetition cards are no longer scheduled."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from datetime import timedelta
from types import MappingProxyType

import pytest
from sqlalchemy import select

from tests.web.test_quiz_common import M1_QUIZ, attempt_from, canonical_answers, form_data, read_module, take
from tests.web.test_quiz_review import REVIEW, cards, make_due
from tests.web.test_scorecard import add_attempt, questions_tagged
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.quiz.bank.model import QuestionBankSet
from trainer.quiz.models import AttemptAnswer
from trainer.quiz.services import attempts as attempt_service
from trainer.quiz.services import cards as card_service


@pytest.fixture
def retire(app, monkeypatch) -> Callable[[Iterable[str]], None]:  # type: ignore[no-untyped-def]
    """Retire questions in this test's content registry only (the registry is shared per session)."""
    registry = app.extensions["content"]

    def run(question_ids: Iterable[str]) -> None:
        wanted = set(question_ids)
        current = registry.banks
        questions = {
            qid: dataclasses.replace(q, retired=True) if qid in wanted else q
            for qid, q in current.questions.items()
        }
        monkeypatch.setattr(registry, "banks", QuestionBankSet(current.banks, MappingProxyType(questions)))

    return run


@pytest.fixture
def trainee(app, signed_in):  # type: ignore[no-untyped-def]
    user = signed_in(email="rita@example.com", name="Rita")
    read_module(user, app, "m1-basics")
    return user


def test_retired_questions_leave_the_daily_review_and_their_cards_stop(app, client, actions, trainee, retire):
    attempt = take(trainee, M1_QUIZ, right=True)
    due_ids = attempt.question_ids()[:4]
    make_due(trainee, due_ids)
    retired = due_ids[:2]
    retire(retired)
    html = client.get("/quiz/review").get_data(as_text=True)
    assert re.search(r'data-testid="due-count">2<', html)
    assert sorted(card_service.due_question_ids(trainee.id, utcnow(), 10)) == sorted(due_ids[2:])
    review = attempt_from(actions.post("/quiz/review", {}, token_from="/quiz/review"))
    assert review.quiz_id == REVIEW and sorted(review.question_ids()) == sorted(due_ids[2:])
    # the retired cards are kept, but no longer count for "next due"
    assert set(retired) <= set(cards(trainee))
    assert card_service.next_due(trainee.id) == min(
        cards(trainee)[q].due for q in cards(trainee) if q not in retired
    )


def test_new_quizzes_never_draw_a_retired_question(app, trainee, retire):
    bank_set = app.extensions["content"].banks
    m1 = [q.id for q in bank_set if q.module == "m1-basics"]
    definition = app.extensions["content"].quizzes[M1_QUIZ]
    spare = len(m1) - definition.question_count
    retired = m1[:spare]
    retire(retired)
    for _ in range(3):
        attempt = attempt_service.start_attempt(trainee, M1_QUIZ)
        assert not set(attempt.question_ids()) & set(retired)
        attempt_service.submit(trainee, attempt.id)


def test_answering_a_question_retired_mid_attempt_grades_it_but_schedules_no_card(
    app, client, actions, trainee, retire
):
    attempt = attempt_service.start_attempt(trainee, M1_QUIZ)
    retired = attempt.question_ids()[0]
    retire([retired])
    url = f"/quiz/attempts/{attempt.id}"
    page = client.get(url).get_data(as_text=True)
    block = re.search(rf'data-question="{re.escape(retired)}".*?</fieldset>', page, re.S).group(0)
    assert 'data-testid="retired"' in block and ">retired<" in block
    form = {**form_data(attempt, canonical_answers(attempt, right=True)), "action": "submit"}
    actions.post(url, form, token_from=url)
    found = cards(trainee)
    assert retired not in found and set(attempt.question_ids()) - {retired} <= set(found)
    result = client.get(f"{url}/result").get_data(as_text=True)
    graded = db.session.scalar(
        select(AttemptAnswer).where(
            AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.question_id == retired
        )
    )
    assert graded.correct and graded.score == graded.max_score  # still graded: it counts in this attempt
    review_block = re.search(rf'data-question="{re.escape(retired)}".*?</section>', result, re.S)
    assert review_block is not None and 'data-testid="retired"' in review_block.group(0)
    others = [q for q in attempt.question_ids() if q != retired]
    assert all(
        'data-testid="retired"'
        not in re.search(rf'data-question="{re.escape(q)}".*?</section>', result, re.S).group(0)
        for q in others
    )


def test_item_statistics_mark_retired_questions(app, client, signed_in, retire):
    signed_in("admin", email="ada@example.com")
    bank_set = app.extensions["content"].banks
    # two questions still in use (the bank keeps retired ones too, e.g. m1-q002)
    first, second = [q.id for q in bank_set if q.module == "m1-basics" and not q.retired][:2]
    retire([first])
    html = client.get("/admin/content/items?module=m1-basics").get_data(as_text=True)
    row = re.search(rf'<tr data-question="{re.escape(first)}">(.*?)</tr>', html, re.S).group(1)
    other = re.search(rf'<tr data-question="{re.escape(second)}">(.*?)</tr>', html, re.S).group(1)
    assert 'data-testid="retired"' in row and 'data-testid="retired"' not in other


def test_cards_of_retired_questions_are_not_due_after_a_long_break(app, trainee, retire):
    attempt = take(trainee, M1_QUIZ, right=False)
    make_due(trainee, attempt.question_ids(), days_ago=30)
    retire(attempt.question_ids())
    assert card_service.due_count(trainee.id, utcnow() + timedelta(days=1)) == 0
    assert card_service.next_due(trainee.id) is None


def test_managers_most_missed_list_marks_a_retired_question(app, client, actions, make_org, retire):
    org = make_org({"east": "East"}, {"chen": "manager of east: Chen", "amy": "trainee in east: Amy"})
    org["amy"].created_at = utcnow() - timedelta(days=365)
    # the banks keep retired questions too (m1-q007 is one)
    in_use = {q.id for q in app.extensions["content"].banks if not q.retired}
    first, second = [q for q in questions_tagged(app, "data_analysis") if q in in_use][:2]
    for hours in (1, 2, 3):
        add_attempt(org["amy"], [(first, 0.0, 1.0), (second, 0.0, 1.0)], utcnow() - timedelta(hours=hours))
    retire([first])
    actions.login(org["chen"].email)
    html = client.get("/manage/questions").get_data(as_text=True)
    retired_row = re.search(rf'<tr data-question="{re.escape(first)}">(.*?)</tr>', html, re.S).group(1)
    other_row = re.search(rf'<tr data-question="{re.escape(second)}">(.*?)</tr>', html, re.S).group(1)
    assert 'data-testid="retired"' in retired_row and 'data-testid="retired"' not in other_row
