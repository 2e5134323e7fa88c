"""The questions the team gets wrong most often in the quarter."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.content.source import pick
from trainer.core.content import catalog
from trainer.manage.services.scope import Scope
from trainer.quiz.services.common import question_text
from trainer.quiz.services.reports import answer_tallies

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
    retired: bool = False  # no longer drawn, but the quarter's answers to it still count

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.answers if self.answers else 0.0


def missed_questions(scope: Scope, lang: str, limit: int = MISSED_LIMIT) -> list[MissedQuestion]:
    """The questions the scope's members got wrong most often in the quarter (one query)."""
    tallies = answer_tallies(scope.members(), scope.start, scope.end, MISSED_MIN_ANSWERS)
    banks = catalog().banks
    competencies = catalog().competencies
    found = []
    for tally in tallies:
        question_id = tally.question_id
        if not tally.wrong:
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
                answers=tally.answers,
                wrong=tally.wrong,
                people=tally.people,
                retired=bool(question and question.retired),
            )
        )
    found.sort(key=lambda q: (-q.wrong_rate, -q.wrong, q.question_id))
    return found[:limit]
