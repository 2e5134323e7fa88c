"""The course path asks the quiz feature: a module quiz passed unlocks the next module, the final
exam passed allows the certificate (registered as app.extensions["module_gate"]/["final_gate"])."""

from __future__ import annotations

import pytest

from tests.conftest import COURSE
from tests.web.test_quiz_common import M1_QUIZ, pass_module, read_module, start, take
from trainer.learn import services as learning
from trainer.quiz.services import progress


@pytest.fixture
def trainee(signed_in):
    return signed_in(email="gina@example.com", name="Gina")


def test_the_quiz_feature_registers_both_gates(app):
    assert app.extensions[learning.MODULE_GATE] is progress.module_gate
    assert app.extensions[learning.FINAL_GATE] is progress.final_gate


def test_reading_a_module_is_not_enough_the_quiz_must_be_passed(app, client, trainee, course):
    read_module(trainee, app, "m1-basics")
    plan = learning.outline(trainee.id, course)
    assert plan.module_state("m1-basics").waiting_for_gate
    assert not plan.module_state("m2-risk").unlocked
    second_lesson = course.module("m2-risk").lessons[0].id
    assert client.get(f"/learn/{COURSE}/{second_lesson}").status_code == 302  # locked
    html = client.get(f"/learn/{COURSE}").get_data(as_text=True)
    assert "Module 1 quiz: Receivables basics" in html and f'href="/quiz/{M1_QUIZ}"' in html


def test_failing_keeps_the_next_module_locked_and_passing_opens_it(app, client, trainee, course):
    read_module(trainee, app, "m1-basics")
    take(trainee, M1_QUIZ, right=False)
    gate = learning.module_gate_status(trainee.id, "m1-basics")
    assert gate is not None and not gate.passed
    assert not learning.outline(trainee.id, course).module_state("m2-risk").unlocked
    take(trainee, M1_QUIZ, right=True)
    assert learning.module_quiz_passed(trainee.id, "m1-basics")
    assert learning.outline(trainee.id, course).module_state("m2-risk").unlocked
    second_lesson = course.module("m2-risk").lessons[0].id
    assert client.get(f"/learn/{COURSE}/{second_lesson}").status_code == 200


def test_gate_status_tells_the_grade_and_attempts_left(app, client, trainee):
    read_module(trainee, app, "m1-basics")
    take(trainee, M1_QUIZ, right=False)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        gate = progress.module_gate(trainee.id, "m1-basics")
    assert gate.title == "Module 1 quiz: Receivables basics"
    assert gate.url == f"/quiz/{M1_QUIZ}"
    assert "pass mark 70%" in gate.detail and "2 attempts left" in gate.detail and "best " in gate.detail


def test_home_page_points_to_the_module_quiz_once_the_lessons_are_read(app, client, trainee):
    read_module(trainee, app, "m1-basics")
    html = client.get("/").get_data(as_text=True)
    assert "Module 1 quiz: Receivables basics" in html and f'href="/quiz/{M1_QUIZ}"' in html


def test_a_module_without_lessons_read_has_its_quiz_locked(actions, trainee):
    response = start(actions, "m2-risk-quiz", follow_redirects=True)
    assert "Complete “Receivables basics” first." in response.get_data(as_text=True)


def test_final_exam_opens_after_every_module_and_earns_the_certificate(app, client, actions, trainee, course):
    html = client.get("/quiz/final-exam").get_data(as_text=True)
    assert "Complete every module, lessons and module quizzes, first." in html
    for module in course.modules:
        pass_module(trainee, app, module.id)
    plan = learning.outline(trainee.id, course)
    assert plan.modules_complete and not plan.final_passed and not plan.certificate_ready
    take(trainee, "final-exam", right=False)
    assert not learning.final_exam_passed(trainee.id, COURSE)
    take(trainee, "final-exam", right=True)
    assert learning.final_exam_passed(trainee.id, COURSE)
    assert learning.outline(trainee.id, course).certificate_ready


def test_gates_answer_for_modules_without_a_quiz(app, trainee):
    assert progress.module_gate(trainee.id, "no-such-module") is None
    assert progress.final_gate(trainee.id, "no-such-course") is None
    assert progress.module_quiz_passed(trainee.id, "no-such-module")
