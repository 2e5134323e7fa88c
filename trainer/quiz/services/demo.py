"""Deterministic quiz activity for the demo trainees.

- Module quizzes follow each trainee's course progress (the learn seeder runs first): every module
  whose lessons are all read has its quiz passed, sometimes after a failed try; at the last such
  module some trainees failed or have not taken the quiz yet, so the path shows a quiz to pass.
- A "2026年第四季度复训 2026 Q4 refresher" per team, due three days ago: some members did it on time, some late, some
  not at all.
- Every graded answer updated the trainee's FSRS cards, so the questions they got wrong are due in
  the daily review.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from trainer.accounts.models import User
from trainer.core.content import catalog
from trainer.core.time import local_day_end, local_day_start, to_local
from trainer.extensions import db
from trainer.learn.course import Course, Module
from trainer.learn.services.reports import completions
from trainer.quiz.bank.model import Question
from trainer.quiz.bank.short_match import model_answer
from trainer.quiz.document_grading import key_answer
from trainer.quiz.grading import format_expected, grade, score_attempt
from trainer.quiz.instances import QuestionInstance
from trainer.quiz.models import Assignment, AttemptAnswer
from trainer.quiz.services.attempts import new_attempt
from trainer.quiz.services.common import banks, definitions_of_kind, now
from trainer.quiz.services.progress import module_quiz
from trainer.quiz.services.scoring import finalize, instances_of

REFRESHER_TITLE = "2026年第四季度复训 2026 Q4 refresher"  # both languages, as the demo team names
# Outcome at the last module whose lessons a trainee has read (index in DemoPeople.trainees):
# p = passed, f = failed once, n = not taken yet. Earlier modules are passed.
LAST_MODULE_PLAN = {1: "p", 2: "f", 3: "p", 4: "p", 6: "p", 9: "f", 11: "n"}
# Refresher per trainee: d = done on time, l = late, m = missing.
REFRESHER_PLAN = "lddlddmldmmd"
DIFFICULTY_SHIFT = {"easy": 0.12, "medium": 0.0, "hard": -0.18}


def sample_answer(question: Question, instance: QuestionInstance, right: bool, rng: random.Random) -> Any:
    """A canonical answer that is right (or wrong) for this instance, as a trainee might give."""
    qtype = question.type
    if qtype == "single":
        if right:
            return next(o.id for o in question.options if o.correct)
        return rng.choice([o.id for o in question.options if not o.correct])
    if qtype == "multi":
        good = [oid for oid in instance.order if question.option(oid).correct]
        if right:
            return good
        bad = [oid for oid in instance.order if not question.option(oid).correct]
        picked = set(good[1:]) | ({rng.choice(bad)} if bad else set())
        return [oid for oid in instance.order if oid in picked] or None
    if qtype == "truefalse":
        return bool(question.answer) if right else not question.answer
    if qtype in ("numeric", "calculated"):
        if right:
            return format_expected(question, instance)
        value = float(format_expected(question, instance).replace(",", ""))
        return f"{value * 1.3 + 7:.1f}"
    if qtype == "ordering":
        ids = [item.id for item in question.items]
        return ids if right else list(instance.order)
    if qtype == "matching":
        if right:
            return {pid: pid for pid in instance.order}
        rotated = list(instance.order[1:]) + list(instance.order[:1])
        return dict(zip(instance.order, rotated, strict=True))
    if qtype == "short":
        return model_answer(question).text["zh"] if right else rng.choice(["不清楚", "应收账款", "合同"])
    if qtype == "document" and question.document is not None:
        key = key_answer(question.document)
        if not right:  # one line missed
            del key["lines"][rng.choice(sorted(key["lines"]))]
        return key
    raise ValueError(qtype)  # pragma: no cover


def _take(
    user: User,
    quiz_id: str,
    start: datetime,
    ability: float,
    rng: random.Random,
    *,
    want_pass: bool | None = None,
    assignment_id: int | None = None,
) -> None:
    definition = catalog().quizzes[quiz_id]
    bank_set = banks()
    attempt = new_attempt(user.id, definition, moment=start, seed=rng.getrandbits(62), assignment_id=assignment_id)
    db.session.flush()
    items = [(bank_set[inst.question_id], inst) for inst in instances_of(attempt)]
    options = [
        (sample_answer(q, inst, True, rng), sample_answer(q, inst, False, rng)) for q, inst in items
    ]
    right = [rng.random() < ability + DIFFICULTY_SHIFT.get(q.difficulty, 0.0) for q, _ in items]

    def passed() -> bool:
        grades = [grade(q, inst, options[i][0 if right[i] else 1]) for i, (q, inst) in enumerate(items)]
        return score_attempt(definition, grades).passed

    for _ in range(len(items) * 2):
        if want_pass is None or passed() == want_pass:
            break
        candidates = [i for i, ok in enumerate(right) if ok != want_pass]
        right[rng.choice(candidates)] = want_pass
    minutes = definition.time_limit_minutes or 15
    for index, (question, _inst) in enumerate(items):
        saved = start + timedelta(seconds=30 + index * 50)
        answer = options[index][0 if right[index] else 1]
        db.session.add(AttemptAnswer(attempt_id=attempt.id, question_id=question.id, answer=answer, saved_at=saved))
    db.session.flush()
    finalize(attempt.id, start + timedelta(minutes=rng.randint(max(3, minutes // 3), max(4, minutes - 2))))


def _modules_read(user_id: int, course: Course) -> list[tuple[Module, datetime]]:
    """Modules whose lessons are all completed, in path order, with when the last one was."""
    done = {c.lesson_id: c.completed_at for c in completions(user_id, course_id=course.id)}
    result: list[tuple[Module, datetime]] = []
    for module in course.modules:
        ids = [lesson.id for lesson in module.lessons]
        if not all(i in done for i in ids):
            break
        result.append((module, max(done[i] for i in ids)))
    return result


def seed_demo_quizzes(people: Any, rng: random.Random) -> None:
    """The demo seeder registered by the quiz feature (``seed_demo`` commits at the end)."""
    moment = now()
    latest = moment - timedelta(hours=1)
    course = next(iter(catalog().courses.values()), None)
    abilities = [0.55 + 0.4 * rng.random() for _ in people.trainees]
    if course is not None:
        for index, trainee in enumerate(people.trainees):
            ready = _modules_read(trainee.id, course)
            for position, (module, read_at) in enumerate(ready):
                definition = module_quiz(module.id)
                if definition is None:
                    continue
                outcome = LAST_MODULE_PLAN.get(index, "p") if position == len(ready) - 1 else "p"
                if outcome == "n":
                    break
                when = min(read_at + timedelta(hours=rng.randint(1, 20)), latest - timedelta(days=1))
                if outcome == "f" or rng.random() < 0.3:
                    _take(trainee, definition.id, when, abilities[index] - 0.2, rng, want_pass=False)
                    when = min(when + timedelta(hours=rng.randint(20, 30)), latest)
                if outcome != "f":
                    _take(trainee, definition.id, when, abilities[index], rng, want_pass=True)

    refreshers = definitions_of_kind("refresher")
    if not refreshers:
        return
    refresher = refreshers[0]
    today = (to_local(moment) or moment).date()
    opens, due = local_day_start(today - timedelta(days=16)), local_day_end(today - timedelta(days=3))
    per_team = {}
    for team, manager in zip(people.teams, people.managers, strict=False):
        assignment = Assignment(
            title=REFRESHER_TITLE, quiz_id=refresher.id, created_by_id=manager.id, opens_at=opens, due_at=due
        )
        assignment.teams = [team]
        db.session.add(assignment)
        per_team[team.id] = assignment
    db.session.flush()
    for index, trainee in enumerate(people.trainees):
        plan = REFRESHER_PLAN[index % len(REFRESHER_PLAN)]
        reached = next((per_team[t.id] for t in trainee.teams if t.id in per_team), None)
        if reached is None or plan == "m":
            continue
        if plan == "d":
            when = opens + timedelta(days=rng.randint(1, 12), hours=rng.randint(8, 17))
        else:
            when = due + timedelta(hours=rng.randint(3, 12))
        _take(trainee, refresher.id, when, abilities[index], rng, assignment_id=reached.id)
