"""Where a person stands on each quiz: attempts used, the grade that counts, passed or not, locked.

Also the gates the course uses (:mod:`trainer.learn.services` asks them through
``app.extensions["module_gate"]`` / ``["final_gate"]``, so learning never imports the quiz; the quiz
depends on learning's public functions only): a module quiz passed completes its module
and so unlocks the next one; the final exam passed earns the certificate. The quizzes themselves
open along the same path: a module quiz once its module is unlocked and its lessons read, the final
exam once every module is complete.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from flask import has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from trainer.content.source import pick
from trainer.core.content import catalog
from trainer.core.i18n import content_language
from trainer.extensions import db
from trainer.learn.course import Course
from trainer.learn.services import GateStatus, Outline, outline
from trainer.quiz.bank.model import QuizDefinition
from trainer.quiz.grading import kept_percent
from trainer.quiz.models import Attempt
from trainer.quiz.services.common import quizzes


@dataclass(frozen=True)
class QuizStatus:
    definition: QuizDefinition
    attempts_used: int
    in_progress: Attempt | None
    kept_percent: float | None
    passed: bool
    locked: object | None
    """Why the quiz cannot be started yet (a lazy message), or None."""

    @property
    def attempts_left(self) -> int | None:
        if self.definition.max_attempts is None:
            return None
        return max(0, self.definition.max_attempts - self.attempts_used)

    @property
    def can_start(self) -> bool:
        if self.in_progress is not None:
            return True
        return self.locked is None and (self.attempts_left is None or self.attempts_left > 0)


def _percents_by_quiz(user_id: int, quiz_ids: list[str] | None = None) -> dict[str, list[float]]:
    """Submitted attempts' percents per quiz, in the order they were submitted."""
    query = (
        select(Attempt.quiz_id, Attempt.percent)
        .where(Attempt.user_id == user_id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.submitted_at, Attempt.id)
    )
    if quiz_ids is not None and not quiz_ids:
        return defaultdict(list)
    if quiz_ids is not None:
        query = query.where(Attempt.quiz_id.in_(quiz_ids))
    result: dict[str, list[float]] = defaultdict(list)
    for quiz_id, percent in db.session.execute(query).all():
        result[quiz_id].append(float(percent or 0.0))
    return result


def _passed(definition: QuizDefinition, percents: list[float]) -> bool:
    kept = kept_percent(definition, percents)
    return kept is not None and kept >= definition.pass_mark


def module_quiz(module_id: str) -> QuizDefinition | None:
    return next((d for d in quizzes().values() if d.kind == "module" and d.module == module_id), None)


def final_quizzes(course_id: str) -> list[QuizDefinition]:
    """Final exams of a course: kind ``final`` drawing only from the course's modules."""
    course = catalog().courses.get(course_id)
    if course is None:
        return []
    modules = {m.id for m in course.modules}
    return [
        d
        for d in quizzes().values()
        if d.kind == "final" and all(rule.module is None or rule.module in modules for rule in d.draw)
    ]


def _course_of(definition: QuizDefinition) -> Course | None:
    """The course a module quiz or final exam belongs to (None for other quizzes)."""
    for course in catalog().courses.values():
        if definition.module is not None and course.module(definition.module) is not None:
            return course
        if definition.kind == "final" and definition in final_quizzes(course.id):
            return course
    return None


def _locks(user_id: int, definitions: list[QuizDefinition], lang: str) -> dict[str, object]:
    """Why each module quiz / final exam cannot be taken yet, from the course path (one outline per
    course): a module quiz needs its module unlocked and every lesson read; the final exam needs
    every module complete (lessons read and module quizzes passed)."""
    plans: dict[str, Outline] = {}
    locks: dict[str, object] = {}
    for definition in definitions:
        course = _course_of(definition)
        if course is None:
            continue
        if course.id not in plans:
            plans[course.id] = outline(user_id, course)
        plan = plans[course.id]
        if definition.module is not None:  # a module quiz (only those name a module)
            state = plan.module_state(definition.module)
            if not state.unlocked:
                separator = "、" if lang == "zh" else ", "
                names = separator.join(f"“{pick(m.title, lang)}”" for m in state.missing)
                locks[definition.id] = _l("Complete %(modules)s first.", modules=names)
            elif not state.lessons_read:
                locks[definition.id] = _l(
                    "Read every lesson of “%(module)s” first (%(done)d of %(total)d done).",
                    module=pick(state.module.title, lang),
                    done=state.done,
                    total=state.total,
                )
        elif not plan.modules_complete:
            locks[definition.id] = _l("Complete every module, lessons and module quizzes, first.")
    return locks


def quiz_statuses(user_id: int, lang: str = "zh", attempts: Sequence[Attempt] | None = None) -> dict[str, QuizStatus]:
    """Every quiz's status for one person: one query for the attempts (none when the caller read
    them already, oldest first), plus the course outline."""
    used: dict[str, int] = defaultdict(int)
    open_attempts: dict[str, Attempt] = {}
    submitted: list[Attempt] = []
    if attempts is None:
        attempts = db.session.scalars(select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.id)).all()
    for attempt in attempts:
        used[attempt.quiz_id] += 1
        if attempt.submitted_at is None:
            open_attempts[attempt.quiz_id] = attempt
        else:
            submitted.append(attempt)
    percents: dict[str, list[float]] = defaultdict(list)
    for attempt in sorted(submitted, key=lambda a: (a.submitted_at, a.id)):  # as _percents_by_quiz orders them
        percents[attempt.quiz_id].append(float(attempt.percent or 0.0))
    locks = _locks(user_id, [d for d in quizzes().values() if d.kind in ("module", "final")], lang)
    result = {}
    for quiz_id, definition in quizzes().items():
        own = percents.get(quiz_id, [])
        result[quiz_id] = QuizStatus(
            definition=definition,
            attempts_used=used.get(quiz_id, 0),
            in_progress=open_attempts.get(quiz_id),
            kept_percent=kept_percent(definition, own),
            passed=_passed(definition, own),
            locked=locks.get(quiz_id),
        )
    return result


def quiz_status(
    user_id: int, definition: QuizDefinition, lang: str = "zh", attempts: Sequence[Attempt] | None = None
) -> QuizStatus:
    return quiz_statuses(user_id, lang, attempts)[definition.id]


def locked_reason(user_id: int, definition: QuizDefinition, lang: str = "zh") -> object | None:
    if definition.kind not in ("module", "final"):
        return None
    return _locks(user_id, [definition], lang).get(definition.id)


# --- the gates the course asks ----------------------------------------------------------------


def module_quiz_passed(user_id: int, module_id: str) -> bool:
    """True when the person passed the module's quiz (kept grade >= pass mark), or it has none."""
    definition = module_quiz(module_id)
    if definition is None:
        return True
    return _passed(definition, _percents_by_quiz(user_id, [definition.id]).get(definition.id, []))


def final_exam_passed(user_id: int, course_id: str) -> bool:
    """True when the person passed a final exam of the course, or the course has none."""
    finals = final_quizzes(course_id)
    if not finals:
        return True
    percents = _percents_by_quiz(user_id, [d.id for d in finals])
    return any(_passed(d, percents.get(d.id, [])) for d in finals)


def _gate_status(definition: QuizDefinition, percents: list[float]) -> GateStatus:
    passed = _passed(definition, percents)
    if not has_request_context():
        return GateStatus(passed=passed)
    lang = content_language()
    kept = kept_percent(definition, percents)
    parts = []
    if kept is not None:
        shown = f"{kept:g}"
        parts.append(_("best %(p)s%%", p=shown) if definition.grading == "highest" else _("latest %(p)s%%", p=shown))
    parts.append(_("pass mark %(m)s%%", m=f"{definition.pass_mark:g}"))
    if definition.max_attempts is not None and not passed:
        left = max(0, definition.max_attempts - len(percents))
        parts.append(ngettext("%(num)d attempt left", "%(num)d attempts left", left))
    return GateStatus(
        passed=passed,
        title=pick(definition.title, lang),
        url=url_for("quiz.intro", quiz_id=definition.id),
        detail=" · ".join(parts),
    )


def module_gate(user_id: int, module_id: str) -> GateStatus | None:
    """``app.extensions["module_gate"]``: the module quiz's status, or None when it has no quiz."""
    definition = module_quiz(module_id)
    if definition is None:
        return None
    return _gate_status(definition, _percents_by_quiz(user_id, [definition.id]).get(definition.id, []))


def module_gates(user_id: int, module_ids: Sequence[str]) -> dict[str, GateStatus | None]:
    """``app.extensions["module_gates"]``: :func:`module_gate` for many modules in one query."""
    definitions = {module_id: module_quiz(module_id) for module_id in module_ids}
    percents = _percents_by_quiz(user_id, [d.id for d in definitions.values() if d is not None])
    return {module_id: None if definition is None else _gate_status(definition, percents.get(definition.id, []))
            for module_id, definition in definitions.items()}


def _final_status(finals: list[QuizDefinition], percents: dict[str, list[float]]) -> GateStatus:
    chosen = next((d for d in finals if _passed(d, percents.get(d.id, []))), finals[0])
    return _gate_status(chosen, percents.get(chosen.id, []))


def final_gate(user_id: int, course_id: str) -> GateStatus | None:
    """``app.extensions["final_gate"]``: the final exam's status, or None when the course has none."""
    finals = final_quizzes(course_id)
    if not finals:
        return None
    return _final_status(finals, _percents_by_quiz(user_id, [d.id for d in finals]))


def course_gates(
    user_id: int, course_id: str, module_ids: Sequence[str]
) -> tuple[dict[str, GateStatus | None], GateStatus | None]:
    """``app.extensions["course_gates"]``: :func:`module_gate` for every module and :func:`final_gate`
    for the course, in one query (the course outline asks on every learning page)."""
    definitions = {module_id: module_quiz(module_id) for module_id in module_ids}
    finals = final_quizzes(course_id)
    wanted = [d.id for d in definitions.values() if d is not None] + [d.id for d in finals]
    percents = _percents_by_quiz(user_id, wanted)
    modules = {module_id: None if definition is None else _gate_status(definition, percents.get(definition.id, []))
               for module_id, definition in definitions.items()}
    return modules, _final_status(finals, percents) if finals else None
