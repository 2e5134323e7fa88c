"""Field names of the attempt form and reading them back into form-shaped answers.

Names carry the question id and positional keys only (``q:m4-q002:1`` = position 1 of an ordering
question, ``q:m3-q010:m:wired`` = the answer chosen for prompt ``wired``). ``:`` is not allowed in
ids, so names cannot collide. The service turns form values into canonical answers and refuses
anything that does not fit the attempt.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from werkzeug.datastructures import MultiDict

from trainer.quiz.instances import QuestionInstance

PREFIX = "q:"
SHOWN = "shown"
"""A hidden field per question on the page: only questions the form showed are read from it, so a
form posted without them (or an older page) cannot blank answers that were saved as the trainee went."""


def field_name(question_id: str) -> str:
    return f"{PREFIX}{question_id}"


def position_name(question_id: str, position: int) -> str:
    return f"{PREFIX}{question_id}:{position}"


def prompt_name(question_id: str, prompt_id: str) -> str:
    return f"{PREFIX}{question_id}:m:{prompt_id}"


def document_name(question_id: str, key: str) -> str:
    """A document question's field: ``q:<id>:d:s1`` (see :mod:`trainer.quiz.document_grading`)."""
    return f"{PREFIX}{question_id}:d:{key}"


def read_answers(form: MultiDict, instances: Iterable[QuestionInstance]) -> tuple[dict[str, Any], list[str]]:
    """Form-shaped answers for the questions the form showed, and the fields that belong to no
    question of the attempt (a tampered form). An unticked question reads as None (not answered)."""
    answers: dict[str, Any] = {}
    used: set[str] = set()
    instances = list(instances)
    known = {instance.question_id for instance in instances}
    shown = set(form.getlist(SHOWN))
    strays = [f"{SHOWN}={qid}" for qid in shown if qid not in known]
    for instance in instances:
        if instance.question_id not in shown:
            continue
        qid, qtype = instance.question_id, instance.type
        name = field_name(qid)
        if qtype == "multi":
            used.add(name)
            answers[qid] = form.getlist(name) or None
        elif qtype == "ordering":
            names = [position_name(qid, k) for k in range(1, len(instance.order) + 1)]
            used.update(names)
            values = [form.get(n, "") for n in names]
            answers[qid] = values if any(values) else None
        elif qtype == "document":
            start = document_name(qid, "")
            fields = {key[len(start) :]: form.get(key, "") for key in form if key.startswith(start)}
            used.update(start + key for key in fields)
            answers[qid] = fields if any(fields.values()) else None
        elif qtype == "matching":
            prompt_names = {pid: prompt_name(qid, pid) for pid in instance.order}
            used.update(prompt_names.values())
            chosen = {pid: form.get(n, "") for pid, n in prompt_names.items()}
            answers[qid] = chosen if any(chosen.values()) else None
        else:
            used.add(name)
            value = form.get(name, "")
            answers[qid] = value if value != "" else None
    unknown = strays + [key for key in form if key.startswith(PREFIX) and key not in used]
    return answers, unknown
