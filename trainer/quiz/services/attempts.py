"""Taking a quiz: start an attempt, save answers as the trainee goes, check one (immediate
feedback) and submit once. Grading the submitted attempt is :mod:`.scoring`; closing attempts whose
time ran out is :mod:`.expiry`.

Rules enforced here, never in the browser:

- the time limit: an answer saved after ``deadline + GRACE`` is refused and the attempt is submitted
  with what was saved before; an attempt opened after its deadline is submitted at once;
- submitting grades once (see :func:`.scoring.finalize`);
- an answer naming a question that is not in the attempt, or an option/item/answer that is not in
  the question, or of the wrong shape, is refused with a message in the user's language and
  nothing is stored (a form with several answers is stored all or nothing).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError

from trainer.accounts.access import can_view_user
from trainer.accounts.models import User
from trainer.core.time import to_local
from trainer.extensions import db
from trainer.quiz.answer_shapes import AnswerError, answer_from_form
from trainer.quiz.bank.model import Question, QuizDefinition
from trainer.quiz.grading import Grade, grade
from trainer.quiz.instances import QuestionInstance, draw_quiz
from trainer.quiz.models import Assignment, Attempt, AttemptAnswer
from trainer.quiz.services import cards
from trainer.quiz.services.assignments import assignments_for_user, open_assignment_for, reaches
from trainer.quiz.services.common import AnswersError, QuizError, banks, get_definition, now, quizzes
from trainer.quiz.services.expiry import close_expired, deadline_passed
from trainer.quiz.services.progress import locked_reason
from trainer.quiz.services.scoring import finalize, instances_of

# --- finding attempts ---------------------------------------------------------------------------


def get_own_attempt(user: User, attempt_id: int) -> Attempt:
    """The user's own attempt; someone else's looks exactly like a missing one (404)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise QuizError(_l("There is no such attempt."), code="not_found")
    return attempt


def get_viewable_attempt(viewer: User, attempt_id: int) -> Attempt:
    """An attempt the viewer may read: their own, or a team member's for managers and admins."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not can_view_user(viewer, attempt.user_id):
        raise QuizError(_l("There is no such attempt."), code="not_found")
    return attempt


def history_among(attempts: Iterable[Attempt], quiz_id: str) -> list[Attempt]:
    """A person's attempts at one quiz, first first, picked from all of theirs (read once per page)."""
    return sorted((attempt for attempt in attempts if attempt.quiz_id == quiz_id), key=lambda attempt: attempt.number)


def saved_answers(attempt: Attempt) -> dict[str, AttemptAnswer]:
    return {row.question_id: row for row in attempt.answers}


def remaining_seconds(attempt: Attempt, moment: datetime) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - moment).total_seconds()))


# --- starting -----------------------------------------------------------------------------------


def _open_attempt(user_id: int, quiz_id: str) -> Attempt | None:
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.user_id == user_id, Attempt.quiz_id == quiz_id, Attempt.submitted_at.is_(None))
        .order_by(Attempt.id.desc())
    )


def _day(moment: datetime) -> str:
    local = to_local(moment)
    assert local is not None
    return local.strftime("%Y-%m-%d")


def start_attempt(
    user: User,
    quiz_id: str,
    *,
    assignment_id: int | None = None,
    moment: datetime | None = None,
    seed: int | None = None,
    lang: str = "zh",
) -> Attempt:
    """Start (or resume the open) attempt at a quiz; refusals are :class:`QuizError`."""
    moment = moment or now()
    definition = get_definition(quiz_id)
    close_expired(user_ids=[user.id], quiz_id=quiz_id, moment=moment)
    current = _open_attempt(user.id, quiz_id)
    if current is not None:
        return current
    reason = locked_reason(user.id, definition, lang)
    if reason is not None:
        raise QuizError(reason, code="locked")
    used = db.session.scalar(
        select(func.count()).select_from(Attempt).where(Attempt.user_id == user.id, Attempt.quiz_id == quiz_id)
    ) or 0
    if definition.max_attempts is not None and used >= definition.max_attempts:
        raise QuizError(
            _l("You have used all %(n)d attempts at this quiz.", n=definition.max_attempts), code="no_attempts"
        )
    assignment: Assignment | None = None
    if assignment_id is not None:
        assignment = db.session.get(Assignment, assignment_id)
        if assignment is None or assignment.quiz_id != quiz_id or not reaches(assignment, user):
            raise QuizError(_l("That assignment is not one of yours."), code="not_found")
        if assignment.opens_at > moment:
            raise QuizError(_l("This assignment opens on %(date)s.", date=_day(assignment.opens_at)), code="not_open")
    else:
        assignment = open_assignment_for(user, quiz_id, moment)
    if definition.kind == "refresher" and assignment is None and not (user.is_manager or user.is_admin):
        upcoming = [a for a in assignments_for_user(user, quiz_id) if a.opens_at > moment]
        if upcoming:
            raise QuizError(
                _l("This assignment opens on %(date)s.", date=_day(upcoming[0].opens_at)), code="not_open"
            )
        raise QuizError(
            _l("Refresher quizzes open when your manager assigns one to your team."), code="not_assigned"
        )
    if definition.kind == "review" and not cards.due_question_ids(user.id, moment, 1):
        raise QuizError(_l("Nothing is due for review right now."), code="nothing_due")
    attempt = new_attempt(
        user.id, definition, moment=moment, seed=seed, assignment_id=assignment.id if assignment else None, lang=lang
    )
    try:
        db.session.commit()
    except IntegrityError:  # the same person started the same quiz in another tab at this instant
        db.session.rollback()
        current = _open_attempt(user.id, quiz_id)
        if current is not None:
            return current
        raise QuizError(_l("Another attempt was started at the same moment. Reload the page.")) from None
    return attempt


def new_attempt(
    user_id: int,
    definition: QuizDefinition,
    *,
    moment: datetime,
    seed: int | None = None,
    assignment_id: int | None = None,
    lang: str | None = None,
) -> Attempt:
    """Draw the questions and add the attempt to the session (no rule checks, no commit).

    Refreshers draw the person's due and least-retained questions first; the daily review only
    their due questions.
    """
    prefer: list[str] = []
    if definition.kind == "review":
        prefer = cards.due_question_ids(user_id, moment, definition.question_count)
    elif definition.kind == "refresher":
        prefer = cards.refresher_preference(user_id, moment)
    seed = secrets.randbits(62) if seed is None else seed
    instances = draw_quiz(definition, banks(), random.Random(seed), prefer, lang)
    number = (
        db.session.scalar(
            select(func.max(Attempt.number)).where(Attempt.user_id == user_id, Attempt.quiz_id == definition.id)
        )
        or 0
    ) + 1
    attempt = Attempt(
        user_id=user_id,
        quiz_id=definition.id,
        number=number,
        assignment_id=assignment_id,
        started_at=moment,
        updated_at=moment,
        deadline=moment + timedelta(minutes=definition.time_limit_minutes)
        if definition.time_limit_minutes
        else None,
        seed=seed,
        instances=[instance.to_dict() for instance in instances],
    )
    db.session.add(attempt)
    return attempt


# --- answers ------------------------------------------------------------------------------------


def answer_message(error: AnswerError) -> object:
    """The domain's reason (English, for developers) as a message in the user's language."""
    text = str(error)
    if "not a number" in text:
        return _l("Enter a number such as 41.5: digits, with a point for decimals.")
    if "too long" in text:
        return _l("That answer is too long.")
    if "put every item" in text or "every position" in text:
        return _l("Put one item in every position, each item once (or leave them all empty).")
    if "too many lines" in text:
        return _l("You marked more lines than the question allows. Nothing was saved.")
    if "given twice" in text:
        return _l("Each choice can be used only once.")
    if "is not in this question" in text:
        return _l("This answer names a choice that is not in the question. Nothing was saved.")
    return _l("This answer does not have the right form for this question. Nothing was saved.")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _canonical(question: Question, instance: QuestionInstance, posted: Any) -> Any:
    """Validate one posted (form-shaped) answer; returns the canonical answer or None."""
    if isinstance(posted, list) and question.type == "ordering":
        filled = [p for p in posted if p not in (None, "")]
        if not filled:
            return None
        if len(filled) != len(posted):
            raise AnswerError("put every item in order")
    if _empty(posted):
        return None
    value = answer_from_form(question, instance, posted)
    return None if _empty(value) else value


def _validate(attempt: Attempt, posted: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, object]]:
    """Canonical answers for the posted question ids, and a message per refused one."""
    instances = {inst.question_id: inst for inst in instances_of(attempt)}
    bank_set = banks()
    values: dict[str, Any] = {}
    errors: dict[str, object] = {}
    for qid, raw in posted.items():
        instance = instances.get(qid)
        if instance is None:
            errors[str(qid)] = _l("This question is not part of your attempt. Nothing was saved.")
            continue
        question = bank_set.get(qid)
        if question is None:  # left the banks after the attempt was drawn: it does not count
            continue
        try:
            values[qid] = _canonical(question, instance, raw)
        except AnswerError as error:
            errors[qid] = answer_message(error)
    return values, errors


def _time_up() -> QuizError:
    return QuizError(
        _l("Time is up. Answers given after the time limit do not count; your saved answers were submitted."),
        code="time_up",
    )


def _ensure_open(attempt: Attempt, moment: datetime) -> None:
    if deadline_passed(attempt, moment):
        finalize(attempt.id, moment)
        raise _time_up()
    if attempt.submitted_at is not None:
        raise QuizError(_l("This attempt has been submitted; its answers can no longer change."), code="submitted")


def _store(attempt: Attempt, values: Mapping[str, Any], moment: datetime) -> None:
    """Write answers under the attempt's row lock; refuses if the attempt was submitted meanwhile."""
    touched = cast(  # an UPDATE gives a CursorResult, which has the rowcount
        CursorResult[Any],
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
            .values(updated_at=moment)
            .execution_options(synchronize_session=False)
        ),
    )
    if touched.rowcount != 1:
        db.session.rollback()
        raise QuizError(_l("This attempt has been submitted; its answers can no longer change."), code="submitted")
    existing = {
        row.question_id: row
        for row in db.session.scalars(
            select(AttemptAnswer).where(
                AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.question_id.in_(list(values))
            )
        ).all()
    }
    for qid, value in values.items():
        row = existing.get(qid)
        if row is None:
            db.session.add(AttemptAnswer(attempt_id=attempt.id, question_id=qid, answer=value, saved_at=moment))
        elif row.checked_at is None:
            row.answer = value
            row.saved_at = moment
    db.session.commit()


def _checked_ids(attempt: Attempt) -> set[str]:
    return {row.question_id for row in attempt.answers if row.checked_at is not None}


def save_answer(user: User, attempt_id: int, question_id: Any, posted: Any, moment: datetime | None = None) -> datetime:
    """Autosave one answer (the page sends each change); returns when it was saved."""
    moment = moment or now()
    attempt = get_own_attempt(user, attempt_id)
    _ensure_open(attempt, moment)
    if not isinstance(question_id, str):
        raise QuizError(_l("This question is not part of your attempt. Nothing was saved."), field="")
    values, errors = _validate(attempt, {question_id: posted})
    if errors:
        raise QuizError(errors[question_id], field=question_id)
    if question_id in _checked_ids(attempt):
        raise QuizError(_l("You already checked this answer; it can no longer change."), field=question_id)
    _store(attempt, values, moment)
    return moment


def save_answers(
    user: User,
    attempt_id: int,
    posted: Mapping[str, Any],
    unknown: Iterable[str] = (),
    moment: datetime | None = None,
) -> None:
    """Save a whole form (the no-JavaScript path): every answer or, if one is refused, none.

    ``unknown`` are posted field names that belong to no question of the attempt (tampering).
    Answers already checked are left as they were.
    """
    moment = moment or now()
    attempt = get_own_attempt(user, attempt_id)
    _ensure_open(attempt, moment)
    checked = _checked_ids(attempt)
    values, errors = _validate(attempt, {k: v for k, v in posted.items() if k not in checked})
    if list(unknown):
        errors[""] = _l("The form named a question that is not part of your attempt. Nothing was saved.")
    if errors:
        raise AnswersError(errors)
    _store(attempt, values, moment)


def check_answer(user: User, attempt_id: int, question_id: str, moment: datetime | None = None) -> Grade:
    """Immediate feedback (quizzes with ``show_feedback: immediately``): grade one saved answer and
    lock it, so the trainee cannot change it after seeing the right one."""
    moment = moment or now()
    attempt = get_own_attempt(user, attempt_id)
    definition = quizzes().get(attempt.quiz_id)
    if definition is None or definition.show_feedback != "immediately":
        raise QuizError(_l("This quiz shows feedback only after you submit."))
    _ensure_open(attempt, moment)
    instances = {inst.question_id: inst for inst in instances_of(attempt)}
    question = banks().get(question_id)
    if question_id not in instances or question is None:
        raise QuizError(_l("This question is not part of your attempt. Nothing was saved."), field=question_id)
    row = saved_answers(attempt).get(question_id)
    if row is None or row.answer is None:
        raise QuizError(_l("Answer the question before you check it."), field=question_id)
    result = grade(question, instances[question_id], row.answer)
    if row.checked_at is None:
        row.checked_at = moment
        row.score, row.max_score, row.correct = result.score, result.max_score, result.correct
        db.session.commit()
    return result


# --- submitting ---------------------------------------------------------------------------------


def submit(
    user: User,
    attempt_id: int,
    *,
    posted: Mapping[str, Any] | None = None,
    unknown: Iterable[str] = (),
    moment: datetime | None = None,
) -> Attempt:
    """Save the last answers (if any were posted and time allows) and grade the attempt once."""
    moment = moment or now()
    attempt = get_own_attempt(user, attempt_id)
    if attempt.submitted_at is None and posted is not None and not deadline_passed(attempt, moment):
        save_answers(user, attempt_id, posted, unknown, moment)
    finalize(attempt_id, moment)
    db.session.expire_all()
    return get_own_attempt(user, attempt_id)
