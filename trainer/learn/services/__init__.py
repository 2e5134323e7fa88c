"""Learning use cases: course progress, the onboarding path's unlocking rule, the inline check,
resume points and certificates.

The path rule
    A module is *unlocked* when every module it names as a prerequisite is *complete*. A module is
    complete when all its lessons are marked complete AND its gate is passed. A lesson is open
    exactly when its module is unlocked. The certificate needs every module complete AND the final
    gate passed.

Gates (the quiz feature plugs in here)
    ``app.extensions["module_gate"]``: ``fn(user_id: int, module_id: str) -> GateStatus | None``
    ``app.extensions["final_gate"]``:  ``fn(user_id: int, course_id: str) -> GateStatus | None``
    Register them with :func:`register_module_gate` / :func:`register_final_gate`; a module gate may
    come with a batch form ``fn(user_id, module_ids) -> {module_id: GateStatus | None}`` that answers
    a whole outline in one query, and :func:`register_course_gates` adds one batch for the module
    gates and the final gate together (one query per outline). ``None`` means
    "nothing is required here" (that is also the default when no provider is registered), so the
    path works before quizzes exist. A provider may return a plain ``bool`` instead of a
    :class:`GateStatus`. Providers are called once per module per outline (or once per outline in batch), never per lesson.
    :func:`module_quiz_passed` and :func:`final_exam_passed` answer the yes/no question;
    :func:`module_ready_for_quiz` and :func:`path_lessons_complete` tell the quiz feature when a
    trainee may take a module quiz or the final exam.

Modules: ``gates``, ``lookups`` (errors, course lookups), ``outlines`` (progress and the path rule),
``recording`` (the only learning layer that commits), ``certificates`` (codes, lookups), ``reports`` (what other
features read: completions, certificates, last visits), ``demo``.
This ``__init__`` exposes what other features use.
"""

from __future__ import annotations

from trainer.learn.services.gates import (
    COURSE_GATES,
    FINAL_GATE,
    MODULE_GATE,
    MODULE_GATES,
    GateStatus,
    course_gate_statuses,
    final_exam_passed,
    final_gate_status,
    module_gate_status,
    module_gate_statuses,
    module_quiz_passed,
    register_course_gates,
    register_final_gate,
    register_module_gate,
)
from trainer.learn.services.lookups import lessons_to_review, onboarding_course
from trainer.learn.services.outlines import Outline, module_ready_for_quiz, outline, path_lessons_complete
from trainer.learn.services.recording import complete_lesson

__all__ = [
    "COURSE_GATES",
    "FINAL_GATE",
    "MODULE_GATE",
    "MODULE_GATES",
    "GateStatus",
    "Outline",
    "complete_lesson",
    "course_gate_statuses",
    "final_exam_passed",
    "final_gate_status",
    "lessons_to_review",
    "module_gate_status",
    "module_gate_statuses",
    "module_quiz_passed",
    "module_ready_for_quiz",
    "onboarding_course",
    "outline",
    "path_lessons_complete",
    "register_course_gates",
    "register_final_gate",
    "register_module_gate",
]
