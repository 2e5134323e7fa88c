"""What every quiz use case shares: the content registry, refusals in the user's language, time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import lazy_gettext as _l

from trainer.core.time import utcnow
from trainer.quiz.bank.quizbank import QuestionBankSet, QuizDefinition

GRACE = timedelta(seconds=5)
"""Network slack after a deadline: an answer that left the browser at 0:00 still counts.
Anything later does not (the attempt is submitted with what was saved before)."""

DEFAULT_TIMEZONE = "Asia/Shanghai"
"""The site's local time for dates people type (assignment open and due dates) and show."""


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


def registry():  # type: ignore[no-untyped-def]
    return current_app.extensions["content"]


def banks() -> QuestionBankSet:
    bank_set = registry().banks
    assert bank_set is not None, "content registry has no question banks"
    return bank_set


def quizzes() -> dict[str, QuizDefinition]:
    return registry().quizzes


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


def site_timezone() -> ZoneInfo:
    name = current_app.config.get("QUIZ_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_local(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC time as an aware time in the site's zone (for display)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(site_timezone())


def local_day_start(day: date) -> datetime:
    """00:00 of ``day`` in the site's zone, as naive UTC."""
    aware = datetime.combine(day, time.min, tzinfo=site_timezone())
    return aware.astimezone(UTC).replace(tzinfo=None)


def local_day_end(day: date) -> datetime:
    """23:59:59 of ``day`` in the site's zone, as naive UTC."""
    aware = datetime.combine(day, time(23, 59, 59), tzinfo=site_timezone())
    return aware.astimezone(UTC).replace(tzinfo=None)


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
