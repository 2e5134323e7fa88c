"""The quiz demo seeder: module quizzes consistent with course progress, a refresher per team with
done, late and missing people, due reviews, and the same data on every run."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from trainer import create_app
from trainer.accounts import demo
from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.learn import services as learning
from trainer.quiz.models import Assignment, Attempt
from trainer.quiz.services import cards
from trainer.quiz.services.assignments import DONE, LATE, MISSING, assignment_results, summarize


def seeded(app) -> list[tuple]:  # type: ignore[no-untyped-def]
    demo.seed_demo(app.extensions.get("demo_seeders", []))
    return [
        (u, a.quiz_id, a.number, a.percent)
        for u, a in db.session.execute(
            select(User.email, Attempt).join(Attempt, Attempt.user_id == User.id).order_by(User.email, Attempt.id)
        ).all()
    ]


def test_demo_quiz_activity(app):
    rows = seeded(app)
    assert len(rows) > 15
    registry = app.extensions["content"]
    course = next(iter(registry.courses.values()))
    trainees = db.session.scalars(select(User).where(User.role == "trainee")).all()
    for trainee in trainees:
        plan = learning.outline(trainee.id, course)
        for state in plan.modules:
            if state.gate is not None and state.gate.passed:
                assert state.lessons_read, f"{trainee.email} passed {state.module.id} without reading it"
    # some trainee waits on a module quiz (read the module, quiz not passed yet)
    assert any(
        any(state.waiting_for_gate for state in learning.outline(t.id, course).modules) for t in trainees
    )
    # both outcomes on module quizzes
    passed = {a.passed for a in db.session.scalars(select(Attempt).where(Attempt.quiz_id.like("m%-quiz")))}
    assert passed == {True, False}
    # a refresher per team, with done, late and missing people
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    refreshers = db.session.scalars(select(Assignment)).all()
    assert len(refreshers) == 2 and {a.title for a in refreshers} == {"2026年第四季度复训 2026 Q4 refresher"}
    for item in refreshers:
        counts = summarize(assignment_results(admin, item, utcnow()))
        assert counts[DONE] and counts[LATE] and counts[MISSING], counts
    # the daily review has due questions, including for the demo trainee
    main = db.session.scalar(select(User).where(User.email == "trainee@demo.local"))
    assert cards.due_count(main.id, utcnow()) > 0


@pytest.mark.slow  # seeds the whole demo organisation (twice to compare)
def test_demo_quiz_activity_is_deterministic(app, tmp_path, content_registry):
    first = [(email, quiz, number, percent) for email, quiz, number, percent in seeded(app)]
    other = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'again.sqlite'}",
                        "CONTENT_REGISTRY": content_registry})
    with other.app_context():
        db.create_all()
        second = seeded(other)
        db.session.remove()
    assert first == second
