"""The trainee's next steps from quizzes: assignments and their deadlines, and due reviews.

(The next module quiz or the final exam is the course's step: the learn feature shows it from the
gate status this feature registers.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from trainer.accounts.models import User
from trainer.content.source import pick
from trainer.core.i18n import content_language
from trainer.core.time import local_stamp
from trainer.home.services import NextStep
from trainer.quiz.models import Attempt
from trainer.quiz.services import cards
from trainer.quiz.services.assignments import (
    DONE,
    LATE,
    MISSING,
    assignments_for_user,
    member_statuses,
    personal_due,
)
from trainer.quiz.services.common import now, quizzes
from trainer.quiz.services.expiry import attempts_closing_expired

SOON = timedelta(days=3)


def _date(moment: datetime | None) -> str:
    return local_stamp(moment)


def assignment_steps(user: User, attempts: Sequence[Attempt]) -> list[NextStep]:
    """The open assignments not yet done, from the person's attempts (all of them, oldest first)."""
    moment = now()
    lang = content_language()
    steps = []
    assignments = [a for a in assignments_for_user(user) if a.opens_at <= moment]
    standings = member_statuses(assignments, user, moment, attempts)
    for assignment in assignments:
        result = standings[assignment.id]
        if result.status in (DONE, LATE):
            continue
        definition = quizzes().get(assignment.quiz_id)
        quiz_title = pick(definition.title, lang) if definition else assignment.quiz_id
        due = personal_due(assignment, user.created_at)
        url = url_for("quiz.intro", quiz_id=assignment.quiz_id, assignment=assignment.id)
        title = _("Assignment: %(title)s", title=assignment.title)
        if result.status == MISSING:
            detail = _("%(quiz)s · overdue since %(date)s; take it now, it will show as late.",
                       quiz=quiz_title, date=_date(due))
            kind = "danger"
        else:
            detail = _("%(quiz)s · due %(date)s", quiz=quiz_title, date=_date(due))
            kind = "warning" if due - moment <= SOON else "info"
        steps.append(NextStep(title, detail, url, kind))
    return steps


def review_steps(user: User) -> list[NextStep]:
    count = cards.due_count(user.id, now())
    if not count:
        return []
    return [
        NextStep(
            _("Daily review"),
            ngettext("%(num)d question is due for review.", "%(num)d questions are due for review.", count),
            url_for("quiz.review"),
            "info",
        )
    ]


def next_steps(user: User) -> list[NextStep]:
    """The home-page provider registered by the quiz feature: the person's attempts are read once
    (closing any whose time ran out) for every assignment's standing."""
    return assignment_steps(user, attempts_closing_expired(user.id)) + review_steps(user)
