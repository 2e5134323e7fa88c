"""The questions the team gets wrong most often in the quarter."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from trainer.content.source import pick
from trainer.core.content import catalog
from trainer.extensions import db
from trainer.manage.services.scope import Scope
from trainer.quiz.models import Attempt, AttemptAnswer
from trainer.quiz.services.common import question_text

MISSED_MIN_ANSWERS = 3
MISSED_LIMIT = 10


@dataclass(frozen=True)
class MissedQuestion:
    question_id: str
    text: str
    module: str
    competencies: list[str]
    answers: int
    wrong: int
    people: int

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.answers if self.answers else 0.0


def missed_questions(scope: Scope, lang: str, limit: int = MISSED_LIMIT) -> list[MissedQuestion]:
    """The questions the scope's members got wrong most often in the quarter (one query)."""
    wrong = func.sum(case((AttemptAnswer.score < AttemptAnswer.max_score, 1), else_=0))
    rows = db.session.execute(
        select(
            AttemptAnswer.question_id,
            func.count().label("answers"),
            wrong.label("wrong"),
            func.count(func.distinct(Attempt.user_id)).label("people"),
        )
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(
            Attempt.user_id.in_(scope.members()),
            Attempt.submitted_at.is_not(None),
            Attempt.submitted_at >= scope.start,
            Attempt.submitted_at <= scope.end,
            AttemptAnswer.score.is_not(None),
            AttemptAnswer.max_score > 0,
        )
        .group_by(AttemptAnswer.question_id)
        .having(func.count() >= MISSED_MIN_ANSWERS)
    ).all()
    banks = catalog().banks
    competencies = catalog().competencies
    found = []
    for question_id, answers, wrong_count, people in rows:
        if not wrong_count:
            continue
        question = banks.get(question_id) if banks is not None else None
        found.append(
            MissedQuestion(
                question_id=question_id,
                text=question_text(question, lang) if question else question_id,
                module=question.module if question else "",
                competencies=[
                    pick(competencies[c].title, lang) if c in competencies else c for c in (question.competencies if question else ())
                ],
                answers=int(answers),
                wrong=int(wrong_count),
                people=int(people),
            )
        )
    found.sort(key=lambda q: (-q.wrong_rate, -q.wrong, q.question_id))
    return found[:limit]
