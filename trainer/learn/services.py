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
    Register them with :func:`register_module_gate` / :func:`register_final_gate`. ``None`` means
    "nothing is required here" (that is also the default when no provider is registered), so the
    path works before quizzes exist. A provider may return a plain ``bool`` instead of a
    :class:`GateStatus`. Providers are called once per module per outline, never per lesson.
    :func:`module_quiz_passed` and :func:`final_exam_passed` answer the yes/no question;
    :func:`module_ready_for_quiz` and :func:`path_lessons_complete` tell the quiz feature when a
    trainee may take a module quiz or the final exam.

This is the only learning layer that commits.
"""

from __future__ import annotations

import base64
import random
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from trainer.accounts.models import User
from trainer.content.source import pick
from trainer.core.content import catalog
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.learn.course import Course, Lesson, Module
from trainer.learn.models import Certificate, LessonProgress

MODULE_GATE = "module_gate"
FINAL_GATE = "final_gate"

CODE_BYTES = 10  # 80 random bits -> 16 base32 characters
CODE_LENGTH = 16
_CODE_RE = re.compile(r"^[A-Z2-7]{16}$")
_LOOKALIKES = str.maketrans({"0": "O", "1": "I"})  # base32 has no 0 or 1: read them as O and I
_OPTION_RE = re.compile(r"^[0-9]{1,3}$", re.ASCII)


# --------------------------------------------------------------------------------------------------
# Gates
# --------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------
# Content lookups
# --------------------------------------------------------------------------------------------------


class LearningError(Exception):
    """A request the rules refuse; ``message`` is shown to the user."""

    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = message


class NotFound(LearningError):
    pass


class Locked(LearningError):
    pass


class BadAnswer(LearningError):
    pass


def courses() -> dict[str, Course]:
    return catalog().courses


def onboarding_course() -> Course | None:
    """The onboarding path: the first course (there is one today)."""
    return next(iter(courses().values()), None)


def get_course(course_id: str) -> Course:
    course = courses().get(course_id)
    if course is None:
        raise NotFound(_l("There is no such course."))
    return course


def get_lesson(course_id: str, lesson_id: str) -> tuple[Course, Lesson]:
    course = get_course(course_id)
    lesson = course.lesson(lesson_id)
    if lesson is None:
        raise NotFound(_l("There is no such lesson."))
    return course, lesson


def content_lang(lang: str) -> str:
    """'zh' or 'en' from a locale such as 'zh_CN'."""
    return "en" if (lang or "").lower().startswith("en") else "zh"


# --------------------------------------------------------------------------------------------------
# Outline: the course with one person's progress
# --------------------------------------------------------------------------------------------------


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


def _progress_rows(user_id: int, course_id: str) -> dict[str, LessonProgress]:
    rows = db.session.scalars(
        select(LessonProgress).where(LessonProgress.user_id == user_id, LessonProgress.course_id == course_id)
    ).all()
    return {row.lesson_id: row for row in rows}


def outline(user_id: int, course: Course) -> Outline:
    """The course with ``user_id``'s progress: two queries plus one gate call per module."""
    rows = _progress_rows(user_id, course.id)
    gates = {m.id: module_gate_status(user_id, m.id) for m in course.modules}
    by_id = {m.id: m for m in course.modules}

    def lessons_read(module: Module) -> bool:
        return all(rows.get(lid) is not None and rows[lid].completed_at is not None for lid in module.lesson_ids)

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
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.user_id == user_id, Certificate.course_id == course.id)
    )
    return Outline(
        course=course,
        modules=tuple(states),
        final_gate=final_gate_status(user_id, course.id),
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


def _require_open(user_id: int, course: Course, lesson: Lesson, lang: str) -> Outline:
    plan = outline(user_id, course)
    state = plan.module_state(lesson.module_id)
    if not state.unlocked:
        raise Locked(locked_message(state, lang))
    return plan


# --------------------------------------------------------------------------------------------------
# Recording progress
# --------------------------------------------------------------------------------------------------


def _save(user_id: int, lesson: Lesson, change: Callable[[LessonProgress], None]) -> LessonProgress:
    """Create or update one progress row and commit; a concurrent insert is retried as an update."""
    for attempt in (1, 2):
        row = db.session.scalar(
            select(LessonProgress).where(LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson.id)
        )
        if row is None:
            now = utcnow()
            row = LessonProgress(
                user_id=user_id, course_id=lesson.course_id, lesson_id=lesson.id, opened_at=now, visited_at=now
            )
            db.session.add(row)
        change(row)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
            continue
        return row
    raise AssertionError("unreachable")


def open_lesson(user_id: int, course_id: str, lesson_id: str, lang: str) -> tuple[Outline, LessonState]:
    """Record a visit to an open lesson; raises NotFound or Locked. Returns the fresh state."""
    course, lesson = get_lesson(course_id, lesson_id)
    _require_open(user_id, course, lesson, lang)

    def visit(row: LessonProgress) -> None:
        row.visited_at = utcnow()

    _save(user_id, lesson, visit)
    plan = outline(user_id, course)
    return plan, plan.lesson_state(lesson_id)


@dataclass(frozen=True)
class Completion:
    newly: bool  # False when the lesson was already complete (nothing changed)
    module_finished: bool  # this call read the module's last lesson
    outline: Outline


def complete_lesson(user_id: int, course_id: str, lesson_id: str, lang: str) -> Completion:
    """Mark an open lesson complete. Idempotent: the first completion time is kept."""
    course, lesson = get_lesson(course_id, lesson_id)
    before = _require_open(user_id, course, lesson, lang)
    already = before.lesson_state(lesson_id).completed

    def finish(row: LessonProgress) -> None:
        now = utcnow()
        row.visited_at = now
        if row.completed_at is None:
            row.completed_at = now

    _save(user_id, lesson, finish)
    after = outline(user_id, course)
    module_finished = not already and after.module_state(lesson.module_id).lessons_read
    return Completion(newly=not already, module_finished=module_finished, outline=after)


@dataclass(frozen=True)
class CheckResult:
    correct: bool
    option: int
    feedback: str


def parse_option(raw: Any) -> int | None:
    """The chosen option as an index, or None when the value is not a whole number."""
    if raw is None:
        return None
    text = str(raw).strip()
    return int(text) if _OPTION_RE.match(text) else None


def answer_check(user_id: int, course_id: str, lesson_id: str, raw_option: Any, lang: str) -> CheckResult:
    """Grade the inline "check yourself" answer (not a mark: just right or wrong, with feedback)."""
    course, lesson = get_lesson(course_id, lesson_id)
    _require_open(user_id, course, lesson, lang)
    check = lesson.text(lang).check
    index = parse_option(raw_option)
    if index is None or not 0 <= index < len(check.options):
        raise BadAnswer(
            _l("That answer is not one of the options (choose 1 to %(count)d).", count=len(check.options))
        )
    option = check.options[index]

    def record(row: LessonProgress) -> None:
        now = utcnow()
        row.visited_at = now
        row.check_option = index
        row.check_correct = option.correct
        row.check_answered_at = now

    _save(user_id, lesson, record)
    return CheckResult(correct=option.correct, option=index, feedback=option.feedback)


# --------------------------------------------------------------------------------------------------
# Certificates
# --------------------------------------------------------------------------------------------------


def new_code(rng: random.Random | None = None) -> str:
    """16 base32 characters (80 random bits). Pass ``rng`` only for deterministic demo data."""
    raw = rng.randbytes(CODE_BYTES) if rng is not None else secrets.token_bytes(CODE_BYTES)
    return base64.b32encode(raw).decode("ascii")


def normalize_code(raw: str | None) -> str | None:
    """Accept codes as printed (groups, spaces, lower case, 0/1 for O/I); None if it cannot be a code."""
    if not raw:
        return None
    code = re.sub(r"[\s\-]", "", raw).upper().translate(_LOOKALIKES)
    return code if _CODE_RE.match(code) else None


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def issue_certificate(user: User, course_id: str, lang: str, rng: random.Random | None = None) -> Certificate:
    """Issue (once) the certificate for a finished path; raises LearningError when not finished."""
    course = get_course(course_id)
    plan = outline(user.id, course)
    if plan.certificate is not None:
        return plan.certificate
    if not plan.modules_complete:
        raise LearningError(_l("Finish every module of the course first."))
    if not plan.final_passed:
        raise LearningError(_l("Pass the final exam first."))
    lang = content_lang(lang)
    for _attempt in range(5):
        certificate = Certificate(
            code=new_code(rng),
            user_id=user.id,
            course_id=course.id,
            holder_name=user.name,
            course_title=pick(course.title, lang),
            language=lang,
            issued_at=utcnow(),
        )
        db.session.add(certificate)
        try:
            db.session.commit()
        except IntegrityError:  # a code collision, or a second request that issued it meanwhile
            db.session.rollback()
            existing = certificate_of(user.id, course.id)
            if existing is not None:
                return existing
            continue
        return certificate
    raise LearningError(_l("Could not issue the certificate. Try again."))


def certificate_of(user_id: int, course_id: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.user_id == user_id, Certificate.course_id == course_id)
    )


def get_certificate(certificate_id: int) -> Certificate | None:
    return db.session.get(Certificate, certificate_id)


def find_certificate(raw_code: str | None) -> Certificate | None:
    code = normalize_code(raw_code)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


# --------------------------------------------------------------------------------------------------
# Demo data
# --------------------------------------------------------------------------------------------------

# Per demo trainee, in DemoPeople order: how far along the path they are. "m2" = modules 1-2 read,
# "+2" = two more lessons, "all-1" = every lesson but the last, ">" = the next lesson opened too.
DEMO_PLAN = ("2>", "m2+2", "m2", "m2>", "all-1>", "0>", "m1+2>", "1", "0", "m3", "0>", "m1>")


def demo_lessons_done(spec: str, course: Course) -> tuple[int, bool]:
    """(lessons completed along the path, next lesson opened) for one DEMO_PLAN entry."""
    opened_next = spec.endswith(">")
    spec = spec.rstrip(">")
    last = len(course.lessons) - 1
    if spec == "all-1":
        return last, opened_next
    base, _, extra = spec.partition("+")
    if base.startswith("m"):
        count = sum(len(m.lessons) for m in course.modules[: int(base[1:])]) + int(extra or 0)
    else:
        count = int(base)
    return min(count, last), opened_next


def seed_demo_progress(people: Any, rng: random.Random) -> None:
    """Varied, deterministic progress for the demo trainees (seed_demo commits)."""
    course = onboarding_course()
    if course is None:
        return
    lessons = course.lessons
    now = utcnow()
    for trainee, spec in zip(people.trainees, DEMO_PLAN, strict=False):
        count, opened_next = demo_lessons_done(spec, course)
        lang = content_lang(trainee.language)
        when = trainee.created_at + timedelta(days=1, hours=rng.randint(8, 11))
        for index, lesson in enumerate(lessons[: count + (1 if opened_next else 0)]):
            when = min(when + timedelta(hours=rng.randint(3, 40)), now - timedelta(hours=2))
            seen = when + timedelta(minutes=lesson.minutes)
            done = index < count
            row = LessonProgress(
                user_id=trainee.id,
                course_id=course.id,
                lesson_id=lesson.id,
                opened_at=when,
                visited_at=seen,
                completed_at=seen if done else None,
            )
            if done and rng.random() < 0.85:
                check = lesson.text(lang).check
                right = rng.random() < 0.75
                wrong = [i for i, option in enumerate(check.options) if not option.correct]
                row.check_option = check.correct_index if right else rng.choice(wrong)
                row.check_correct = right
                row.check_answered_at = seen
            db.session.add(row)
