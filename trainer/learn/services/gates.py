"""Gates: how the quiz feature tells the course whether a module quiz or the final exam is passed.

Providers are registered in ``app.extensions`` so that learn never imports quiz (quiz depends on learn,
not the other way round).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from flask import Flask, current_app

MODULE_GATE = "module_gate"
MODULE_GATES = "module_gates"
FINAL_GATE = "final_gate"
COURSE_GATES = "course_gates"


@dataclass(frozen=True)
class GateStatus:
    """What a gate (module quiz, final exam) says about one person.

    ``title`` and ``detail`` are shown as they are (already in the user's language); ``url`` is
    where to take the quiz, if there is a page for it.
    """

    passed: bool
    title: str = ""
    url: str | None = None
    detail: str = ""


ModuleGate = Callable[[int, str], "GateStatus | bool | None"]
ModuleGates = Callable[[int, Sequence[str]], Mapping[str, "GateStatus | bool | None"]]
FinalGate = Callable[[int, str], "GateStatus | bool | None"]
CourseGates = Callable[
    [int, str, Sequence[str]], "tuple[Mapping[str, GateStatus | bool | None], GateStatus | bool | None]"
]


def register_module_gate(app: Flask, provider: ModuleGate, batch: ModuleGates | None = None) -> None:
    """Make ``provider(user_id, module_id)`` decide whether a module's quiz is passed.

    ``batch(user_id, module_ids)`` answers the same for many modules at once (one query for a whole
    course outline instead of one per module); without it the outline asks ``provider`` per module.
    Registering a provider without a batch drops an earlier batch, so the two always agree."""
    app.extensions[MODULE_GATE] = provider
    app.extensions.pop(COURSE_GATES, None)
    if batch is None:
        app.extensions.pop(MODULE_GATES, None)
    else:
        app.extensions[MODULE_GATES] = batch


def register_final_gate(app: Flask, provider: FinalGate) -> None:
    """Make ``provider(user_id, course_id)`` decide whether the final exam is passed."""
    app.extensions[FINAL_GATE] = provider
    app.extensions.pop(COURSE_GATES, None)


def register_course_gates(app: Flask, batch: CourseGates) -> None:
    """``batch(user_id, course_id, module_ids) -> (module gates, final gate)``: every gate of a course
    outline in one query. Registered after both providers, and dropped when either is replaced, so
    it always answers as they would."""
    app.extensions[COURSE_GATES] = batch


def _as_status(value: GateStatus | bool | None) -> GateStatus | None:
    if value is None or isinstance(value, GateStatus):
        return value
    return GateStatus(passed=bool(value))


def module_gate_status(user_id: int, module_id: str) -> GateStatus | None:
    provider = current_app.extensions.get(MODULE_GATE)
    return _as_status(provider(user_id, module_id)) if provider else None


def module_gate_statuses(user_id: int, module_ids: Sequence[str]) -> dict[str, GateStatus | None]:
    """Every module's gate for one person: one batch call when the provider offers one."""
    provider = current_app.extensions.get(MODULE_GATE)
    if provider is None:
        return dict.fromkeys(module_ids)
    batch = current_app.extensions.get(MODULE_GATES)
    if batch is not None:
        answers = batch(user_id, module_ids)
        return {module_id: _as_status(answers.get(module_id)) for module_id in module_ids}
    return {module_id: _as_status(provider(user_id, module_id)) for module_id in module_ids}


def course_gate_statuses(
    user_id: int, course_id: str, module_ids: Sequence[str]
) -> tuple[dict[str, GateStatus | None], GateStatus | None]:
    """(each module's gate, the final gate) for one person: one call to the course batch when the
    registered providers offer one, else the module batch and the final provider."""
    extensions = current_app.extensions
    batch = extensions.get(COURSE_GATES)
    if batch is not None and extensions.get(MODULE_GATE) is not None and extensions.get(FINAL_GATE) is not None:
        modules, final = batch(user_id, course_id, module_ids)
        return {module_id: _as_status(modules.get(module_id)) for module_id in module_ids}, _as_status(final)
    return module_gate_statuses(user_id, module_ids), final_gate_status(user_id, course_id)


def final_gate_status(user_id: int, course_id: str) -> GateStatus | None:
    provider = current_app.extensions.get(FINAL_GATE)
    return _as_status(provider(user_id, course_id)) if provider else None


def module_quiz_passed(user_id: int, module_id: str) -> bool:
    """True when the module's quiz is passed, or when the module has no quiz."""
    status = module_gate_status(user_id, module_id)
    return status is None or status.passed


def final_exam_passed(user_id: int, course_id: str) -> bool:
    """True when the course's final exam is passed, or when there is none."""
    status = final_gate_status(user_id, course_id)
    return status is None or status.passed
