"""The outline: a course with one person's progress, and the path rule that unlocks its modules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select

from trainer.accounts.models import User
from trainer.content.source import pick
from trainer.extensions import db
from trainer.learn.course import Course, Lesson, Module
from trainer.learn.models import Certificate, LessonProgress
from trainer.learn.services.gates import GateStatus, course_gate_statuses
from trainer.learn.services.lookups import courses, get_course


@dataclass(frozen=True)
class LessonState:
    lesson: Lesson
    unlocked: bool
    opened_at: datetime | None = None
    visited_at: datetime | None = None
    completed_at: datetime | None = None
    check_option: int | None = None
    check_correct: bool | None = None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    @property
    def opened(self) -> bool:
        return self.opened_at is not None


@dataclass(frozen=True)
class ModuleState:
    module: Module
    number: int  # 1-based position in the course
    lessons: tuple[LessonState, ...]
    unlocked: bool
    missing: tuple[Module, ...]  # prerequisites not complete yet
    gate: GateStatus | None

    @property
    def done(self) -> int:
        return sum(1 for state in self.lessons if state.completed)

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def started(self) -> bool:
        return any(state.opened for state in self.lessons)

    @property
    def lessons_read(self) -> bool:
        return self.done == self.total

    @property
    def gate_passed(self) -> bool:
        return self.gate is None or self.gate.passed

    @property
    def complete(self) -> bool:
        return self.lessons_read and self.gate_passed

    @property
    def waiting_for_gate(self) -> bool:
        return self.unlocked and self.lessons_read and not self.gate_passed

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


@dataclass(frozen=True)
class Resume:
    """Where to go next on the path.

    kind: ``start`` (nothing done yet), ``lesson`` (continue reading), ``gate`` (a module quiz is
    due; see ``gate``), ``final`` (the final exam is due), ``certificate`` (ready to issue),
    ``done`` (certificate issued) or ``blocked`` (nothing open; should not happen with valid content).
    """

    kind: str
    lesson: Lesson | None = None
    module: ModuleState | None = None
    gate: GateStatus | None = None


@dataclass(frozen=True)
class Outline:
    course: Course
    modules: tuple[ModuleState, ...]
    final_gate: GateStatus | None
    certificate: Certificate | None
    last_visited: str | None

    @property
    def done(self) -> int:
        return sum(m.done for m in self.modules)

    @property
    def total(self) -> int:
        return sum(m.total for m in self.modules)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def started(self) -> bool:
        return any(m.started for m in self.modules)

    @property
    def modules_complete(self) -> bool:
        return all(m.complete for m in self.modules)

    @property
    def final_passed(self) -> bool:
        return self.final_gate is None or self.final_gate.passed

    @property
    def certificate_ready(self) -> bool:
        """Everything required for the certificate is done (issued or not)."""
        return self.modules_complete and self.final_passed

    def module_state(self, module_id: str) -> ModuleState:
        return next(m for m in self.modules if m.module.id == module_id)

    def lesson_state(self, lesson_id: str) -> LessonState:
        return next(s for m in self.modules for s in m.lessons if s.lesson.id == lesson_id)

    @property
    def resume(self) -> Resume:
        if self.modules_complete:
            if not self.final_passed:
                return Resume("final", gate=self.final_gate)
            return Resume("done" if self.certificate else "certificate")
        states = [(m, s) for m in self.modules for s in m.lessons]
        open_unread = [(m, s) for m, s in states if s.unlocked and not s.completed]
        if self.last_visited:
            ids = [s.lesson.id for _, s in states]
            here = ids.index(self.last_visited) if self.last_visited in ids else -1
            for m, s in open_unread:  # the one left off, else the next open one after it
                if ids.index(s.lesson.id) >= here:
                    return Resume("lesson", lesson=s.lesson, module=m)
        if open_unread:
            m, s = open_unread[0]
            return Resume("lesson" if self.started else "start", lesson=s.lesson, module=m)
        waiting = next((m for m in self.modules if m.waiting_for_gate), None)
        if waiting is not None:
            return Resume("gate", module=waiting, gate=waiting.gate)
        return Resume("blocked")


def progress_and_certificate(user_id: int, course_id: str) -> tuple[dict[str, LessonProgress], Certificate | None]:
    """The person's progress rows for the course, by lesson, and their certificate of it, in one
    query whatever they have done: both are outer-joined onto the person's own row, so someone with
    no progress yet still gets one row (no progress, and the certificate or none)."""
    found = db.session.execute(
        select(LessonProgress, Certificate)
        .select_from(User)
        .outerjoin(LessonProgress, and_(LessonProgress.user_id == User.id, LessonProgress.course_id == course_id))
        .outerjoin(Certificate, and_(Certificate.user_id == User.id, Certificate.course_id == course_id))
        .where(User.id == user_id)
    ).all()
    rows = {row.lesson_id: row for row, _ in found if row is not None}
    return rows, (found[0][1] if found else None)


def outline(user_id: int, course: Course) -> Outline:
    """The course with ``user_id``'s progress: two queries (progress with the certificate, every gate
    in one batch), whatever the number of modules, lessons and attempts."""
    rows, certificate = progress_and_certificate(user_id, course.id)
    gates, final_gate = course_gate_statuses(user_id, course.id, [m.id for m in course.modules])
    by_id = {m.id: m for m in course.modules}

    def lessons_read(module: Module) -> bool:
        return all(
            rows.get(lid) is not None and rows[lid].completed_at is not None for lid in module.lesson_ids
        )

    def complete(module: Module) -> bool:
        gate = gates[module.id]
        return lessons_read(module) and (gate is None or gate.passed)

    states = []
    for number, module in enumerate(course.modules, start=1):
        missing = tuple(by_id[p] for p in module.prerequisites if p in by_id and not complete(by_id[p]))
        unlocked = not missing
        lessons = []
        for lesson in module.lessons:
            row = rows.get(lesson.id)
            lessons.append(
                LessonState(
                    lesson=lesson,
                    unlocked=unlocked,
                    opened_at=row.opened_at if row else None,
                    visited_at=row.visited_at if row else None,
                    completed_at=row.completed_at if row else None,
                    check_option=row.check_option if row else None,
                    check_correct=row.check_correct if row else None,
                )
            )
        states.append(ModuleState(module, number, tuple(lessons), unlocked, missing, gates[module.id]))

    last = max(rows.values(), key=lambda r: (r.visited_at, r.id), default=None)
    return Outline(
        course=course,
        modules=tuple(states),
        final_gate=final_gate,
        certificate=certificate,
        last_visited=last.lesson_id if last else None,
    )


def module_ready_for_quiz(user_id: int, module_id: str) -> bool:
    """The module is unlocked and all its lessons are read: its quiz may be taken."""
    for course in courses().values():
        if course.module(module_id) is not None:
            state = outline(user_id, course).module_state(module_id)
            return state.unlocked and state.lessons_read
    return False


def path_lessons_complete(user_id: int, course_id: str) -> bool:
    """Every module of the course is complete (lessons and module quizzes): the final exam is open."""
    return outline(user_id, get_course(course_id)).modules_complete


def locked_message(state: ModuleState, lang: str) -> Any:
    separator = "、" if lang == "zh" else ", "
    names = separator.join(f"“{pick(m.title, lang)}”" for m in state.missing)
    return _l("This lesson is locked. Finish %(modules)s first.", modules=names)
