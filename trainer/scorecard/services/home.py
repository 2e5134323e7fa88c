"""The home page's next step: this quarter's self-assessment, while it is not finished."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from trainer.accounts.models import User
from trainer.home.services import NextStep
from trainer.scorecard import rules
from trainer.scorecard.services.assessments import assessment_for, clean_ratings
from trainer.scorecard.services.common import framework
from trainer.scorecard.services.quarters import this_quarter


def next_steps(user: User) -> list[NextStep]:
    """This quarter's self-assessment, when it is not finished yet."""
    fw = framework()
    if not len(fw):
        return []
    quarter = this_quarter()
    assessment = assessment_for(user.id, quarter)
    ratings = clean_ratings(assessment.ratings if assessment else None)
    done = rules.completeness(fw, ratings)
    url = url_for("scorecard.assess")
    if done.rated == 0:
        return [
            NextStep(
                str(_l("Take this quarter's self-assessment (%(quarter)s)", quarter=quarter)),
                str(_l("Rate yourself on %(n)s statements, then compare with your quiz and role-play results.", n=done.total)),
                url,
                "info",
            )
        ]
    if done.rated < done.total:
        return [
            NextStep(
                str(_l("Finish your self-assessment (%(quarter)s)", quarter=quarter)),
                str(_l("%(rated)s of %(total)s statements rated; your answers are saved.", rated=done.rated, total=done.total)),
                url,
                "info",
            )
        ]
    return []
