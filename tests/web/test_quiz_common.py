"""Helpers shared by the quiz web tests (imported by the other test_quiz* files), and tests of the
attempt form's field names: what the page posts is exactly what the server reads back."""

from __future__ import annotations

import random
import re
from typing import Any

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.conftest import COURSE
from trainer.accounts.models import User
from trainer.extensions import db
from trainer.learn import services as learning
from trainer.quiz.answer_shapes import answer_to_form
from trainer.quiz.answers import document_name, field_name, position_name, prompt_name, read_answers
from trainer.quiz.instances import draw_quiz
from trainer.quiz.models import Attempt
from trainer.quiz.services import attempts as attempt_service
from trainer.quiz.services import scoring
from trainer.quiz.services.common import banks
from trainer.quiz.services.demo import sample_answer

M1_QUIZ = "m1-basics-quiz"


def registry(app):  # type: ignore[no-untyped-def]
    return app.extensions["content"]


def read_module(user: User, app, module_id: str) -> None:  # type: ignore[no-untyped-def]
    """Mark every lesson of a module complete (the module must be unlocked)."""
    course = registry(app).courses[COURSE]
    for lesson in course.module(module_id).lessons:
        learning.complete_lesson(user.id, COURSE, lesson.id, "en")


def take(user: User, quiz_id: str, *, right: bool, when=None) -> Attempt:  # type: ignore[no-untyped-def]
    """Take a quiz through the services: every answer right (or wrong), then submit."""
    attempt = attempt_service.start_attempt(user, quiz_id, moment=when)
    answers = canonical_answers(attempt, right)
    form = form_data(attempt, answers)
    posted, unknown = read_answers(MultiDict(list(_pairs(form))), scoring.instances_of(attempt))
    return attempt_service.submit(user, attempt.id, posted=posted, unknown=unknown, moment=when)


def pass_module(user: User, app, module_id: str) -> None:  # type: ignore[no-untyped-def]
    """Read a module and pass its quiz, so the next module opens."""
    read_module(user, app, module_id)
    quiz = next(d.id for d in registry(app).quizzes.values() if d.kind == "module" and d.module == module_id)
    take(user, quiz, right=True)


def rich_seed(app, quiz_id: str) -> int:  # type: ignore[no-untyped-def]
    """A seed whose draw has every question type the quiz can draw, a single-choice question first
    (so tests can rely on each type being there, whatever the banks hold today)."""
    definition = registry(app).quizzes[quiz_id]
    bank_set = registry(app).banks
    wanted = {q.type for q in bank_set if any(rule.matches(q) for rule in definition.draw)}
    for seed in range(20000):
        types = [inst.type for inst in draw_quiz(definition, bank_set, random.Random(seed))]
        if set(types) >= wanted and types[0] == "single":
            return seed
    raise AssertionError(f"no seed draws every type of {quiz_id}")


def canonical_answers(attempt: Attempt, right: bool, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    bank_set = banks()
    return {
        inst.question_id: sample_answer(bank_set[inst.question_id], inst, right, rng)
        for inst in scoring.instances_of(attempt)
    }


def form_data(attempt: Attempt, answers: dict[str, Any]) -> dict[str, Any]:
    """The fields a browser would post for these canonical answers (positional keys only)."""
    bank_set = banks()
    data: dict[str, Any] = {"shown": []}
    for inst in scoring.instances_of(attempt):
        qid = inst.question_id
        data["shown"].append(qid)
        if qid not in answers:
            continue
        value = answer_to_form(bank_set[qid], inst, answers[qid])
        if value is None:
            continue
        if inst.type == "ordering":
            for position, key in enumerate(value, start=1):
                data[position_name(qid, position)] = key
        elif inst.type == "matching":
            for prompt, key in value.items():
                data[prompt_name(qid, prompt)] = key
        elif inst.type == "document":
            for key, chosen in value.items():
                data[document_name(qid, key)] = chosen
        else:
            data[field_name(qid)] = value
    return data


def _pairs(form: dict[str, Any]):  # type: ignore[no-untyped-def]
    for key, value in form.items():
        if isinstance(value, list):
            for item in value:
                yield key, item
        else:
            yield key, value


def start(actions, quiz_id: str, data: dict | None = None, **kwargs):  # type: ignore[no-untyped-def]
    return actions.post(f"/quiz/{quiz_id}/start", data or {}, token_from=f"/quiz/{quiz_id}", **kwargs)


def attempt_from(response) -> Attempt:  # type: ignore[no-untyped-def]
    match = re.search(r"/quiz/attempts/(\d+)", response.headers.get("Location", ""))
    assert match, f"expected a redirect to an attempt, got {response.status_code} {response.headers.get('Location')}"
    attempt = db.session.get(Attempt, int(match.group(1)))
    assert attempt is not None
    return attempt


def attempts_of(user: User, quiz_id: str) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt).where(Attempt.user_id == user.id, Attempt.quiz_id == quiz_id).order_by(Attempt.id)
        ).all()
    )


# --------------------------------------------------------------------------------------------------


def test_every_field_the_page_renders_is_read_back(app, client, actions, signed_in):
    """Render the attempt page, fill every question with the right answer by field name, and read
    the posted form: every question comes back, nothing is unknown."""
    user = signed_in()
    read_module(user, app, "m1-basics")
    attempt = attempt_from(start(actions, M1_QUIZ))
    html = client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)
    rendered = set(re.findall(r'name="(q:[^"]+)"', html))
    data = form_data(attempt, canonical_answers(attempt, right=True))
    posted_names = {k for k in data if k.startswith("q:")}
    assert posted_names <= rendered, posted_names - rendered
    answers, unknown = read_answers(MultiDict(list(_pairs(data))), scoring.instances_of(attempt))
    assert unknown == []
    assert set(answers) == set(attempt.question_ids())
    assert all(value is not None for value in answers.values())


def test_the_page_never_shows_option_ids(app, client, actions, signed_in):
    user = signed_in()
    read_module(user, app, "m1-basics")
    attempt = attempt_from(start(actions, M1_QUIZ))
    html = client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)
    values = set(re.findall(r'<input[^>]+type="(?:radio|checkbox)"[^>]+value="([^"]+)"', html))
    assert values and values <= {f"o{n}" for n in range(1, 11)} | {"true", "false"}
