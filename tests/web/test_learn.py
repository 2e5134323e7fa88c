"""Course and lesson pages: progress, resume, unlocking, mark complete."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import event, select

from tests.web import learn_support as support
from tests.web.learn_support import (
    COURSE,
    COURSE_URL,
    answer,
    finish_module,
    lesson_url,
    mark_complete,
    progress,
    statuses,
    visit,
)
from trainer.extensions import db
from trainer.learn.models import LessonProgress
from trainer.learn.services import gates, outlines, recording
from trainer.learn.services.gates import GateStatus

pytestmark = pytest.mark.usefixtures("no_quiz_gates")

trainee = support.trainee  # the shared fixture, found by pytest under this name


# --------------------------------------------------------------------------------------------------
# Course page and outline
# --------------------------------------------------------------------------------------------------


def test_course_page_lists_modules_lessons_minutes_and_locks(client, trainee, course):
    html = client.get(COURSE_URL).get_data(as_text=True)
    assert "AR essentials for sales" in html
    for number, module in enumerate(course.modules, start=1):
        assert f"Module {number}" in html
        assert module.title["en"] in html and module.summary["en"] in html
    modules = statuses(html, "module")
    assert modules[course.modules[0].id] == "new"
    assert all(modules[m.id] == "locked" for m in course.modules[1:])
    lessons = statuses(html, "lesson")
    assert len(lessons) == len(course.lessons)
    assert all(lessons[lesson.id] == "todo" for lesson in course.modules[0].lessons)
    assert all(lessons[lesson.id] == "locked" for lesson in course.modules[1].lessons)
    first = course.lessons[0]
    assert f"{first.minutes} min" in html
    # Locked lessons are not links; open ones are.
    assert f'href="{lesson_url(first.id)}"' in html
    assert f'href="{lesson_url(course.modules[1].lessons[0].id)}"' not in html
    assert f"0 of {len(course.lessons)} lessons" in html
    assert "Start the course" in html


def test_learn_root_goes_to_the_onboarding_course(client, trainee):
    response = client.get("/learn/")
    assert response.status_code == 302 and response.location.endswith(COURSE_URL)


def test_course_pages_need_login(client):
    for url in ("/learn/", COURSE_URL, lesson_url("m1-lifecycle"), f"{COURSE_URL}/images/lifecycle.svg"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location


def test_unknown_course_and_lesson_are_404(client, trainee):
    assert client.get("/learn/no-such-course").status_code == 404
    assert client.get(lesson_url("no-such-lesson")).status_code == 404
    assert client.get("/learn/no-such-course/m1-lifecycle").status_code == 404


def test_outline_costs_a_fixed_number_of_queries(app, trainee, course):
    finish_module(trainee, course.modules[0])
    user_id = trainee.id
    statements: list[str] = []

    def count(*args, **kwargs):  # type: ignore[no-untyped-def]
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        plan = outlines.outline(user_id, course)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert plan.done == len(course.modules[0].lessons)
    assert len(statements) <= 2, statements  # progress rows + certificate, whatever the number of lessons


def test_manager_sees_the_course_as_a_learner(client, actions, make_user, make_team, course):
    team = make_team("East")
    make_user("manager", email="boss@example.com", manages=[team])
    actions.login("boss@example.com")
    html = client.get(COURSE_URL).get_data(as_text=True)
    assert statuses(html, "module")[course.modules[0].id] == "new"
    first = course.lessons[0]
    page = client.get(lesson_url(first.id)).get_data(as_text=True)
    assert escape(first.title("en")) in page and "Mark as complete" in page


# --------------------------------------------------------------------------------------------------
# Lesson page, progress and resume
# --------------------------------------------------------------------------------------------------


def test_lesson_page_shows_everything_and_records_the_visit(client, actions, trainee, course):
    lesson = course.lessons[0]
    text = lesson.text("en")
    response = client.get(lesson_url(lesson.id))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<h1>{escape(text.title)}</h1>" in html
    assert f"{lesson.minutes} min read" in html
    assert f"Lesson 1 of {len(course.modules[0].lessons)}" in html
    assert text.html[:200] in html  # the rendered lesson body, unescaped
    assert "Check yourself" in html and escape(text.check.question) in html
    for option in text.check.options:
        assert escape(option.text) in html
        assert escape(option.feedback) not in html  # feedback only after answering
    for takeaway in text.takeaways:
        assert escape(takeaway) in html
    assert "Mark as complete" in html
    assert f'href="{lesson_url(course.lessons[1].id)}"' in html  # next
    assert progress(trainee.id, lesson.id) is None  # showing the page wrote nothing
    assert f'action="{lesson_url(lesson.id)}/visit" data-visit-form' in html
    assert visit(actions, lesson.id).status_code == 204
    row = progress(trainee.id, lesson.id)
    assert row is not None and row.opened_at is not None and row.completed_at is None


def test_recording_a_visit_needs_csrf_and_an_open_lesson(client, actions, trainee, course):
    lesson = course.lessons[0]
    assert client.post(lesson_url(lesson.id) + "/visit").status_code == 400
    assert progress(trainee.id, lesson.id) is None
    locked = course.modules[2].lessons[0]
    assert actions.post(lesson_url(locked.id) + "/visit", token_from=lesson_url(lesson.id)).status_code == 403
    assert actions.post(lesson_url("no-such-lesson") + "/visit", token_from=lesson_url(lesson.id)).status_code == 404
    assert progress(trainee.id, locked.id) is None


def test_lesson_shows_its_diagram(client, trainee):
    html = client.get(lesson_url("m1-lifecycle")).get_data(as_text=True)
    assert f'src="{COURSE_URL}/images/lifecycle.svg"' in html


def test_mark_complete_moves_progress_and_goes_to_the_next_lesson(client, actions, trainee, course):
    first, second = course.lessons[0], course.lessons[1]
    response = mark_complete(actions, first.id)
    assert response.status_code == 302 and response.location.endswith(lesson_url(second.id))
    row = progress(trainee.id, first.id)
    assert row is not None and row.completed_at is not None
    html = client.get(COURSE_URL).get_data(as_text=True)
    assert statuses(html, "lesson")[first.id] == "done"
    assert statuses(html, "module")[course.modules[0].id] == "progress"
    assert f"1 of {len(course.lessons)} lessons" in html
    page = client.get(lesson_url(first.id)).get_data(as_text=True)
    assert "You completed this lesson on" in page and 'data-testid="mark-complete"' not in page


def test_mark_complete_twice_is_idempotent(client, actions, trainee, course):
    lesson = course.lessons[0]
    mark_complete(actions, lesson.id)
    first_time = progress(trainee.id, lesson.id).completed_at
    response = mark_complete(actions, lesson.id, follow_redirects=True)
    assert "You had already completed this lesson." in response.get_data(as_text=True)
    rows = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == trainee.id)).all()
    assert len(rows) == 1  # the lesson only: showing the next lesson after the redirect writes nothing
    assert progress(trainee.id, lesson.id).completed_at == first_time


def test_mark_complete_needs_csrf(client, trainee, course):
    response = client.post(lesson_url(course.lessons[0].id) + "/complete")
    assert response.status_code == 400
    assert progress(trainee.id, course.lessons[0].id) is None


def test_mark_complete_unknown_lesson_is_404(actions, trainee):
    response = actions.post(lesson_url("no-such-lesson") + "/complete", token_from=COURSE_URL)
    assert response.status_code == 404


def test_last_lesson_of_a_module_returns_to_the_course_page(client, actions, trainee, course):
    module = course.modules[0]
    for lesson in module.lessons[:-1]:
        recording.complete_lesson(trainee.id, COURSE, lesson.id, "en")
    response = mark_complete(actions, module.lessons[-1].id, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"Module “{module.title['en']}” complete." in html
    assert statuses(html, "module")[module.id] == "complete"
    assert statuses(html, "module")[course.modules[1].id] == "new"


def test_resume_points_at_the_lesson_left_off(client, actions, trainee, course):
    lessons = course.modules[0].lessons
    recording.complete_lesson(trainee.id, COURSE, lessons[0].id, "en")
    visit(actions, lessons[2].id)  # opened, not finished
    html = client.get(COURSE_URL).get_data(as_text=True)
    resume = re.search(r'<a class="button primary" data-testid="resume" href="([^"]+)">\s*Resume', html)
    assert resume and resume.group(1) == lesson_url(lessons[2].id)
    home = client.get("/").get_data(as_text=True)
    assert escape(f"Resume: {lessons[2].title('en')}") in home and lesson_url(lessons[2].id) in home


def test_resume_moves_on_after_the_last_visited_lesson_is_done(trainee, course):
    lessons = course.modules[0].lessons
    recording.record_visit(trainee.id, COURSE, lessons[2].id, "en")
    recording.complete_lesson(trainee.id, COURSE, lessons[2].id, "en")
    plan = outlines.outline(trainee.id, course)
    assert plan.resume.kind == "lesson" and plan.resume.lesson.id == lessons[3].id
    recording.complete_lesson(trainee.id, COURSE, lessons[3].id, "en")
    plan = outlines.outline(trainee.id, course)
    assert plan.resume.lesson.id == lessons[0].id  # nothing open after it: back to the first unread


def test_new_trainee_home_says_start_the_course(client, trainee, course):
    html = client.get("/").get_data(as_text=True)
    assert "Start the onboarding course" in html
    assert f'href="{lesson_url(course.lessons[0].id)}"' in html


# --------------------------------------------------------------------------------------------------
# Unlocking
# --------------------------------------------------------------------------------------------------


def test_locked_lesson_by_url_redirects_to_the_course_with_a_message(client, trainee, course):
    locked = course.modules[1].lessons[0]
    response = client.get(lesson_url(locked.id))
    assert response.status_code == 302 and response.location.endswith(COURSE_URL)
    html = client.get(COURSE_URL).get_data(as_text=True)
    assert f"This lesson is locked. Finish “{course.modules[0].title['en']}” first." in html
    assert progress(trainee.id, locked.id) is None


def test_locked_lesson_cannot_be_completed_or_answered(client, actions, trainee, course):
    locked = course.modules[1].lessons[0]
    response = actions.post(lesson_url(locked.id) + "/complete", token_from=COURSE_URL)
    assert response.status_code == 302 and response.location.endswith(COURSE_URL)
    response = answer(actions, locked.id, "0", json=True, token_from=COURSE_URL)
    assert response.status_code == 403 and "locked" in response.json["error"]
    assert progress(trainee.id, locked.id) is None


def test_finishing_a_module_unlocks_only_the_modules_that_need_it(client, actions, trainee, course):
    m1, m2, m3 = course.modules[:3]
    finish_module(trainee, m1)
    assert client.get(lesson_url(m2.lessons[0].id)).status_code == 200
    assert visit(actions, m2.lessons[0].id).status_code == 204
    response = client.get(lesson_url(m3.lessons[0].id))
    assert response.status_code == 302
    html = client.get(COURSE_URL).get_data(as_text=True)
    assert f"This lesson is locked. Finish “{m2.title['en']}” first." in html
    assert f"Unlocks when you complete “{m2.title['en']}”." in html
    modules = statuses(html, "module")
    assert modules[m1.id] == "complete" and modules[m2.id] == "progress" and modules[m3.id] == "locked"


def test_module_gate_holds_the_next_module_until_the_quiz_is_passed(app, client, trainee, course):
    m1, m2 = course.modules[:2]
    passed: set[tuple[int, str]] = set()

    def gate(user_id: int, module_id: str) -> GateStatus:
        return GateStatus(passed=(user_id, module_id) in passed, title="Module quiz", url="/quiz/somewhere")

    assert gates.module_quiz_passed(trainee.id, m1.id)  # no provider yet: nothing required
    gates.register_module_gate(app, gate)
    assert not gates.module_quiz_passed(trainee.id, m1.id)
    finish_module(trainee, m1)
    assert outlines.module_ready_for_quiz(trainee.id, m1.id)
    assert not outlines.module_ready_for_quiz(trainee.id, m2.id)
    assert client.get(lesson_url(m2.lessons[0].id)).status_code == 302
    html = client.get(COURSE_URL).get_data(as_text=True)
    assert statuses(html, "module")[m1.id] == "gate"
    assert statuses(html, "module")[m2.id] == "locked"
    assert 'href="/quiz/somewhere"' in html
    home = client.get("/").get_data(as_text=True)
    assert "Module quiz" in home and "Pass its quiz to unlock the next module." in home

    passed.add((trainee.id, m1.id))
    assert gates.module_quiz_passed(trainee.id, m1.id)
    assert client.get(lesson_url(m2.lessons[0].id)).status_code == 200
    html = client.get(COURSE_URL).get_data(as_text=True)
    assert statuses(html, "module")[m1.id] == "complete"


def test_gate_provider_may_answer_with_a_plain_bool(app, trainee, course):
    gates.register_module_gate(app, lambda user_id, module_id: False)
    finish_module(trainee, course.modules[0])
    plan = outlines.outline(trainee.id, course)
    assert plan.modules[0].waiting_for_gate and not plan.modules[1].unlocked
    assert plan.resume.kind == "gate"


# --------------------------------------------------------------------------------------------------
# Demo data
# --------------------------------------------------------------------------------------------------


@pytest.mark.slow  # seeds the whole demo organisation (twice to compare)
def test_demo_seeder_gives_varied_deterministic_progress(app, course):
    from trainer.accounts import demo
    from trainer.accounts.models import User

    demo.seed_demo(app.extensions["demo_seeders"])
    by_email = {u.email: u for u in db.session.scalars(select(User)).all()}

    def plan(email):
        return outlines.outline(by_email[email].id, course)

    main = plan("trainee@demo.local")
    assert 0 < main.modules[0].done < main.modules[0].total and main.modules[1].done == 0
    assert main.resume.kind == "lesson" and main.resume.lesson.module_id == course.modules[0].id
    finished_two = [e for e, _n, _l in demo.TRAINEES if plan(e).modules[1].complete]
    assert len(finished_two) >= 3
    nearly = [e for e, _n, _l in demo.TRAINEES if plan(e).done == len(course.lessons) - 1]
    assert len(nearly) == 1
    barely = [e for e, _n, _l in demo.TRAINEES if plan(e).done <= 1]
    assert len(barely) >= 3

    def snapshot():
        rows = db.session.scalars(select(LessonProgress).order_by(LessonProgress.id)).all()
        return [(r.user.email, r.lesson_id, r.completed_at is not None, r.check_option) for r in rows]

    first = snapshot()
    assert any(option is not None for *_, option in first)
    db.session.remove()
    db.drop_all()
    db.create_all()
    demo.seed_demo(app.extensions["demo_seeders"])
    assert snapshot() == first
