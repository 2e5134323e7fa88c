"""Gates: how the quiz feature tells the course whether a module quiz or the final exam is passed.

Providers are registered in ``app.extensions`` so that learn never imports quiz (quiz depends on learn,
not the other way round).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

MODULE_GATE = "module_gate"
FINAL_GATE = "final_gate"


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
FinalGate = Callable[[int, str], "GateStatus | bool | None"]


def register_module_gate(app: Flask, provider: ModuleGate) -> None:
    """Make ``provider(user_id, module_id)`` decide whether a module's quiz is passed."""
    app.extensions[MODULE_GATE] = provider


def register_final_gate(app: Flask, provider: FinalGate) -> None:
    """Make ``provider(user_id, course_id)`` decide whether the final exam is passed."""
    app.extensions[FINAL_GATE] = provider


def _as_status(value: GateStatus | bool | None) -> GateStatus | None:
    if value is None or isinstance(value, GateStatus):
        return value
    return GateStatus(passed=bool(value))


def module_gate_status(user_id: int, module_id: str) -> GateStatus | None:
    provider = current_app.extensions.get(MODULE_GATE)
    return _as_status(provider(user_id, module_id)) if provider else None


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
