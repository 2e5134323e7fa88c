"""The dashboard must not issue queries per member: the number of SQL statements for a team of 5
and a team of 50 is the same (counted with an engine event listener)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import TEST_PASSWORD
from tests.web.query_support import count_statements
from trainer.accounts.models import Team, User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.learn.models import LessonProgress
from trainer.policylab.models import SimRun
from trainer.quiz.models import Assignment, Attempt, AttemptAnswer
from trainer.roleplay.models import Play, RubricScore, WorkshopSession
from trainer.scorecard.models import SelfAssessment
from trainer.scorecard.services import quarters

pytestmark = pytest.mark.slow  # builds teams of hundreds to count statements


def populate(app, size: int, prefix: str) -> User:
    """A manager with a team and a nested sub-team holding ``size`` members, each with lessons,
    quiz attempts (one for an assignment), a play, a workshop rubric and a self-assessment."""
    content = app.extensions["content"]
    course = content.courses["ar-essentials"]
    questions = [q.id for q in content.banks][:12]
    scenario = next(iter(content.scenarios.values()))
    framework = content.framework
    now = utcnow()
    team = Team(name=f"{prefix} Sales")
    sub = Team(name=f"{prefix} Sales North", parent=team)
    manager = User(email=f"{prefix}-boss@example.com", name="Boss", role="manager", must_change_password=False)
    manager.set_password(TEST_PASSWORD)
    manager.managed_teams = [team]
    db.session.add_all([team, sub, manager])
    db.session.flush()
    assignment = Assignment(title="Refresher", quiz_id="refresher-q4", opens_at=now - timedelta(days=10),
                            due_at=now + timedelta(days=3), created_by_id=manager.id)
    assignment.teams = [team]
    session = WorkshopSession(code=f"{prefix}ROOM"[:12], facilitator_id=manager.id, scenario_id=scenario.id,
                              expires_at=now + timedelta(hours=2))
    db.session.add_all([assignment, session])
    db.session.flush()
    for index in range(size):
        person = User(email=f"{prefix}-p{index}@example.com", name=f"Person {index:03d}", role="trainee",
                      must_change_password=False, password_hash="x")
        (sub if index % 3 == 0 else team).members.append(person)
        db.session.add(person)
        db.session.flush()
        for lesson in course.lessons[: index % 7 + 1]:
            db.session.add(LessonProgress(user_id=person.id, course_id=course.id, lesson_id=lesson.id,
                                          completed_at=now - timedelta(days=5)))
        for number, quiz_id in enumerate(["m1-basics-quiz", "final-exam", "refresher-q4"], start=1):
            when = now - timedelta(days=number)
            attempt = Attempt(user_id=person.id, quiz_id=quiz_id, number=1, seed=number, instances=[],
                              submitted_at=when, updated_at=when, percent=50.0 + index % 50,
                              assignment_id=assignment.id if quiz_id == "refresher-q4" else None)
            attempt.answers = [AttemptAnswer(question_id=q, score=float((index + k) % 2), max_score=1.0)
                               for k, q in enumerate(questions)]
            db.session.add(attempt)
        db.session.add(Play(user_id=person.id, scenario_id=scenario.id, state={}, finished_at=now,
                            outcome="paid_in_full", scores={"a": 60}))
        db.session.add(RubricScore(session_id=session.id, round=index + 1, group_number=1, observer_id=manager.id,
                                   salesperson_id=person.id, items={}, total=5, percent=70.0))
        db.session.add(SimRun(user_id=person.id, preset="distributor", engine_version="test", policy={},
                              result={}, summary={"dso": 40.0 + index}))
        db.session.add(SelfAssessment(user_id=person.id, quarter=quarters.this_quarter(),
                                      ratings={s.id: 1 + index % 5 for s in framework.statements},
                                      finished_at=now))
    db.session.commit()
    return manager


PAGES = ["/manage/", "/manage/export/overview.csv", "/manage/competencies", "/manage/questions",
         "/manage/refreshers", "/manage/print"]


def statements_per_page(app, client, actions, size: int, prefix: str) -> dict[str, int]:
    manager = populate(app, size, prefix)
    actions.login(manager.email)
    counts = {}
    for url in PAGES:
        client.get(url)  # warm-up: the first request compiles templates
        with count_statements() as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        if url in ("/manage/", "/manage/competencies", "/manage/print", "/manage/export/overview.csv"):
            body = response.get_data(as_text=True)
            assert body.count("Person ") >= size, url  # every member is there
        counts[url] = len(statements)
    actions.logout()
    return counts


def test_statement_count_does_not_grow_with_team_size(app, client, actions):
    small = statements_per_page(app, client, actions, 5, "s")
    big = statements_per_page(app, client, actions, 50, "b")
    assert big == small, f"5 members: {small}; 50 members: {big}"
    assert small["/manage/"] < 40


def test_member_page_statement_count_does_not_grow_with_history(app, client, actions):
    """A member's page reads each source once, however many attempts there are."""
    manager = populate(app, 4, "m")
    actions.login(manager.email)
    person = db.session.query(User).filter(User.email == "m-p1@example.com").one()
    url = f"/manage/members/{person.id}"
    client.get(url)
    with count_statements() as before:
        assert client.get(url).status_code == 200
    for number in range(2, 12):
        db.session.add(Attempt(user_id=person.id, quiz_id="m1-basics-quiz", number=number, seed=1, instances=[],
                               submitted_at=utcnow(), percent=60.0,
                               answers=[AttemptAnswer(question_id="m1-q001", score=1.0, max_score=1.0)]))
    db.session.commit()
    client.get(url)  # the first visit after new results reloads that person's evidence once (cache)
    with count_statements() as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before)
