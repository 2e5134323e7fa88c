"""The everyday pages run a fixed number of SQL statements, whatever the person has done: a trainee
with nothing done and one with most of the course read, several module quizzes passed, dozens of
attempts and due review cards see the same number on the home, course, lesson, quiz intro and daily
review pages (counted with an engine event listener), and that number is pinned so a new query per
page shows up here first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.query_support import count_statements
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.learn.models import LessonProgress
from trainer.policylab.models import SimDecision, SimWorkshop, SimWorkshopTeam
from trainer.quiz.models import Assignment, Attempt, ReviewCard

LESSON = "m1-what-receivables-are"
PAGES = {  # label: (path, statements)
    "home": ("/", 11),
    "course": ("/learn/ar-essentials", 3),
    "lesson": (f"/learn/ar-essentials/{LESSON}", 3),
    "quiz intro": ("/quiz/m1-basics-quiz", 4),
    "daily review": ("/quiz/review", 5),
}


def busy_history(user_id: int, course, attempts_per_quiz: int) -> None:  # type: ignore[no-untyped-def]
    """Most of the course read, each module quiz and the refresher tried many times, cards due."""
    now = utcnow()
    for lesson in course.lessons[:-2]:
        db.session.add(LessonProgress(user_id=user_id, course_id=course.id, lesson_id=lesson.id,
                                      opened_at=now, visited_at=now, completed_at=now - timedelta(days=3)))
    quizzes = [f"m{n}-{name}-quiz" for n, name in
               ((1, "basics"), (2, "risk"), (3, "collection"), (4, "data"))] + ["refresher-q4"]
    for quiz_id in quizzes:
        for number in range(1, attempts_per_quiz + 1):
            when = now - timedelta(days=40 - number)
            db.session.add(Attempt(user_id=user_id, quiz_id=quiz_id, number=number, seed=number, instances=[],
                                   started_at=when, updated_at=when, submitted_at=when,
                                   percent=60.0 + number % 40))
    for index in range(30):
        db.session.add(ReviewCard(user_id=user_id, question_id=f"q-{index}", card={},
                                  due=now - timedelta(hours=index + 1)))
    db.session.commit()


def workshops(person, facilitator, count: int) -> None:  # type: ignore[no-untyped-def]
    """``count`` finished simulation workshops the person played, and one open round to decide."""
    for index in range(count + 1):
        workshop = SimWorkshop(facilitator_id=facilitator.id, title=f"Workshop {index}", preset="distributor",
                               seed=11, customers=120, rounds=4, round_days=91, current_round=2,
                               status="open" if index == count else "finished", engine_version="test")
        team = SimWorkshopTeam(name=f"Team {index}", members=[person])
        team.decisions.append(SimDecision(round=1, policy={}, carried=True))
        workshop.teams.append(team)
        db.session.add(workshop)
    db.session.commit()


def statements_per_page(client) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts = {}
    for label, (path, _) in PAGES.items():
        assert client.get(path).status_code == 200, label  # warm: templates, caches
        with count_statements() as statements:
            response = client.get(path)
        assert response.status_code == 200, label
        counts[label] = len(statements)
    return counts


def test_everyday_pages_run_the_same_statements_for_a_new_and_a_busy_trainee(
    app, as_user, make_user, make_team, course
):
    team = make_team("East")
    new = make_user("trainee", teams=[team])
    busy = make_user("trainee", teams=[team])
    busy_history(busy.id, course, attempts_per_quiz=12)
    workshops(busy, make_user("manager", manages=[team]), count=4)
    quiet = statements_per_page(as_user(new.email).client)
    loaded = statements_per_page(as_user(busy.email).client)
    assert loaded == quiet
    assert quiet == {label: count for label, (_, count) in PAGES.items()}


def test_the_home_page_offers_the_open_workshop_round_only(app, as_user, make_user, make_team):
    """The home page's workshop step (now two queries for every workshop) still names the one open
    round the person's team has not decided, and none of the finished ones."""
    team = make_team("West")
    person = make_user("trainee", teams=[team])
    workshops(person, make_user("manager", manages=[team]), count=3)
    page = as_user(person.email).client.get("/").get_data(as_text=True)
    assert "Workshop 3 · team Team 3" in page
    assert "Workshop 0" not in page and "Workshop 2" not in page


def test_the_lesson_page_counts_do_not_grow_with_attempts(app, as_user, make_user, course):
    few, many = make_user("trainee"), make_user("trainee")
    busy_history(few.id, course, attempts_per_quiz=1)
    busy_history(many.id, course, attempts_per_quiz=30)
    assert statements_per_page(as_user(few.email).client) == statements_per_page(as_user(many.email).client)


@pytest.mark.parametrize("label", ["course", "lesson"])
def test_the_outline_asks_the_module_gates_once(app, as_user, make_user, course, label):
    """One statement reads every gate quiz's attempts (it used to be one per module, plus the final)."""
    person = make_user("trainee")
    busy_history(person.id, course, attempts_per_quiz=3)
    client = as_user(person.email).client
    path = PAGES[label][0]
    client.get(path)
    with count_statements() as statements:
        assert client.get(path).status_code == 200
    gate_reads = [s for s in statements if "FROM attempt" in s and "attempt.quiz_id IN" in s]
    assert len(gate_reads) == 1  # the module quizzes and the final exam in one batch


def test_the_home_and_quiz_list_do_not_grow_with_assignments(app, as_user, make_user, make_team):
    """Each assignment's standing comes from the person's attempts, read once: three open assignments
    (one half done, through a team above the person's) cost no more statements than one."""
    parent = make_team("Sales")
    team = make_team("East", parent=parent)
    manager = make_user("manager", manages=[parent])
    one, three = make_user("trainee", teams=[team]), make_user("trainee", teams=[team])
    now = utcnow()

    def assign(title: str, people) -> None:  # type: ignore[no-untyped-def]
        item = Assignment(title=title, quiz_id="refresher-q4", created_by_id=manager.id,
                          opens_at=now - timedelta(days=3), due_at=now + timedelta(days=4 + len(title)))
        item.teams = [parent]
        db.session.add(item)
        db.session.commit()
        for person in people:
            db.session.add(Attempt(user_id=person.id, quiz_id="refresher-q4", number=1, seed=1, instances=[],
                                   assignment_id=item.id, started_at=now, updated_at=now))
        db.session.commit()

    assign("First", [one, three])
    counts = {}
    for person in (one, three):
        if person is three:
            assign("Second one", [])
            assign("Third one here", [])
        client = as_user(person.email).client
        counts[person.id] = {}
        for path in ("/", "/quiz/"):
            assert client.get(path).status_code == 200
            with count_statements() as statements:
                page = client.get(path).get_data(as_text=True)
            counts[person.id][path] = len(statements)
        assert "First" in page
    assert "Third one here" in page and "Second one" in page
    assert counts[three.id] == counts[one.id]
