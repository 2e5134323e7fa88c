"""Grading a submitted attempt exactly once, and grading stored answers for the review.

``UPDATE attempt SET submitted_at = ... WHERE submitted_at IS NULL`` decides which request grades:
the row lock makes a second submit, or a save racing the submit, wait and then find the attempt
closed. The grades feed the trainee's spaced-repetition cards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from trainer.core import events
from trainer.extensions import db
from trainer.quiz.answer_shapes import AnswerError
from trainer.quiz.bank.model import Question
from trainer.quiz.grading import Grade, grade, score_attempt
from trainer.quiz.instances import InstanceError, QuestionInstance
from trainer.quiz.models import Attempt, AttemptAnswer
from trainer.quiz.services import cards
from trainer.quiz.services.common import banks, quizzes


def instances_of(attempt: Attempt) -> list[QuestionInstance]:
    """The question instances the attempt showed, as stored when it started."""
    return [QuestionInstance.from_dict(item) for item in attempt.instances]


def grade_instance(question: Question | None, instance: QuestionInstance, answer: Any) -> Grade | None:
    """Grade a stored answer; None when the question left the banks or no longer fits the instance."""
    if question is None:
        return None
    try:
        return grade(question, instance, answer)
    except InstanceError:
        return None
    except AnswerError:  # a stored answer that no longer fits (content edited): grade as unanswered
        return grade(question, instance, None)


def finalize(attempt_id: int, moment: datetime) -> bool:
    """Grade the attempt if nobody has; True when this call did. Concurrency-safe."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        return False
    end = moment if attempt.deadline is None else min(moment, attempt.deadline)
    claimed = cast(  # an UPDATE gives a CursorResult, which has the rowcount
        CursorResult[Any],
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id, Attempt.submitted_at.is_(None))
            .values(submitted_at=end, updated_at=moment)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return False
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt is not None
    rows = {
        row.question_id: row
        for row in db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id).execution_options(
                populate_existing=True
            )
        ).all()
    }
    bank_set = banks()
    grades: list[Grade] = []
    reviews: list[tuple[str, bool]] = []
    for instance in instances_of(attempt):
        row = rows.get(instance.question_id)
        if row is None:
            row = AttemptAnswer(attempt_id=attempt_id, question_id=instance.question_id, answer=None, saved_at=end)
            db.session.add(row)
        result = grade_instance(bank_set.get(instance.question_id), instance, row.answer)
        if result is None:
            row.score = row.max_score = row.correct = None
            continue
        row.score, row.max_score, row.correct = result.score, result.max_score, result.correct
        grades.append(result)
        if result.answered:
            reviews.append((instance.question_id, result.correct))
    definition = quizzes().get(attempt.quiz_id)
    if definition is not None:
        total = score_attempt(definition, grades)
        attempt.score, attempt.max_score, attempt.percent, attempt.passed = (
            total.score,
            total.max_score,
            total.percent,
            total.passed,
        )
    else:
        score, maximum = sum(g.score for g in grades), sum(g.max_score for g in grades)
        attempt.score, attempt.max_score = score, maximum
        attempt.percent = round(100.0 * score / maximum, 2) if maximum else 0.0
        attempt.passed = None
    cards.record_reviews(attempt.user_id, reviews, end)
    db.session.commit()
    events.quiz_graded.send(
        None, user_id=attempt.user_id, attempt_id=attempt.id, quiz_id=attempt.quiz_id, score=attempt.score,
        max_score=attempt.max_score, percent=attempt.percent if definition is not None else None,
        passed=attempt.passed, submitted_at=end,
    )
    return True
