"""What every quiz use case shares: the content registry, refusals in the user's language, time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from trainer.content.source import pick
from trainer.core.content import catalog
from trainer.core.time import utcnow
from trainer.quiz.bank.model import Question, QuestionBankSet, QuizDefinition
from trainer.quiz.bank.placeholders import PLACEHOLDER_RE, fill_placeholders

GRACE = timedelta(seconds=5)
"""Network slack after a deadline: an answer that left the browser at 0:00 still counts.
Anything later does not (the attempt is submitted with what was saved before)."""

class QuizError(ValueError):
    """A refusal shown to the user; ``message`` is a lazy string, rendered in the user's language.

    ``code`` lets views pick a status (``not_found`` -> 404, ``forbidden`` -> 403, else 400) and
    lets the page react (``time_up`` and ``submitted`` send the browser to the result).
    """

    def __init__(self, message: object, *, code: str = "invalid", field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field


class AnswersError(QuizError):
    """Several answers of one form were refused; ``errors`` maps question id -> message."""

    def __init__(self, errors: dict[str, object]):
        super().__init__(_l("Some answers were not saved. See the messages next to the questions."))
        self.errors = errors


def now() -> datetime:
    """Naive UTC, like every stored timestamp."""
    return utcnow()


def banks() -> QuestionBankSet:
    bank_set = catalog().banks
    assert bank_set is not None, "content registry has no question banks"
    return bank_set


def quizzes() -> dict[str, QuizDefinition]:
    return catalog().quizzes


def get_definition(quiz_id: str) -> QuizDefinition:
    definition = quizzes().get(quiz_id)
    if definition is None:
        raise QuizError(_l("There is no such quiz."), code="not_found")
    return definition


def review_definition() -> QuizDefinition | None:
    """The daily review (the first quiz of kind ``review``)."""
    return next((d for d in quizzes().values() if d.kind == "review"), None)


def definitions_of_kind(*kinds: str) -> list[QuizDefinition]:
    return [d for d in quizzes().values() if d.kind in kinds]


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def question_text(question: Question, lang: str) -> str:
    """A question as one line for lists (the dashboard's most missed): fixed numbers filled in,
    numbers drawn per attempt shown as "…"."""
    return PLACEHOLDER_RE.sub("…", fill_placeholders(pick(question.text, lang), question.params))
