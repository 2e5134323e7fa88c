"""Recording progress (visits, completions, check answers) and issuing the certificate: the learning
layer that commits."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from trainer.accounts.models import User
from trainer.content.source import pick
from trainer.core.events import certificate_earned
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.learn.course import Course, Lesson
from trainer.learn.models import Certificate, LessonProgress
from trainer.learn.services.certificates import certificate_of, new_code
from trainer.learn.services.lookups import (
    BadAnswer,
    LearningError,
    Locked,
    content_lang,
    get_course,
    get_lesson,
)
from trainer.learn.services.outlines import LessonState, Outline, locked_message, outline

_OPTION_RE = re.compile(r"^[0-9]{1,3}$", re.ASCII)


def require_open(user_id: int, course: Course, lesson: Lesson, lang: str) -> Outline:
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
            select(LessonProgress).where(
                LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson.id
            )
        )
        if row is None:
            now = utcnow()
            row = LessonProgress(
                user_id=user_id,
                course_id=lesson.course_id,
                lesson_id=lesson.id,
                opened_at=now,
                visited_at=now,
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


def view_lesson(user_id: int, course_id: str, lesson_id: str, lang: str) -> tuple[Outline, LessonState]:
    """An open lesson's state for its page, without writing (a GET never commits); raises NotFound
    or Locked. The page's script then records the visit with :func:`record_visit`."""
    course, lesson = get_lesson(course_id, lesson_id)
    plan = require_open(user_id, course, lesson, lang)
    return plan, plan.lesson_state(lesson_id)


def record_visit(user_id: int, course_id: str, lesson_id: str, lang: str) -> tuple[Outline, LessonState]:
    """Record a visit to an open lesson (for "resume" and last activity); raises NotFound or Locked.
    Returns the fresh state."""
    course, lesson = get_lesson(course_id, lesson_id)
    require_open(user_id, course, lesson, lang)

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
    before = require_open(user_id, course, lesson, lang)
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
    require_open(user_id, course, lesson, lang)
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
        certificate_earned.send(None, user_id=user.id, certificate_id=certificate.id,
                                course_title=certificate.course_title, code=certificate.code)
        return certificate
    raise LearningError(_l("Could not issue the certificate. Try again."))
