"""Demo data: self-assessments that follow each demo trainee's measured results."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.scorecard.framework import Framework
from trainer.scorecard.models import SelfAssessment
from trainer.scorecard.rules import MeasuredScore
from trainer.scorecard.services.common import framework
from trainer.scorecard.services.evidence import measured_for
from trainer.scorecard.services.quarters import previous_quarter, quarter_bounds, this_quarter

# Demo profiles, in DemoPeople.trainees order: how each person rates themself relative to their
# measured results ("over": 1.5-2 points above, "under": about 1 below, "near": within half a point),
# or a fixed profile when there is no evidence. None: no scorecard at all.
DEMO_PROFILES = ("near", "over", "near", "under", "over", "near", "over", "over", "near", None, "under", None)
DEMO_PARTIAL = {2, 8}  # this quarter only partly filled in
DEMO_LAST_QUARTER_ONLY = {0}  # the demo trainee: last quarter done, this quarter still to take


def _demo_ratings(
    fw: Framework, measured: Mapping[str, MeasuredScore], profile: str, rng: random.Random, shift: float
) -> dict[str, int]:
    offsets = {"over": (1.5, 2.2), "under": (-1.3, -0.9), "near": (-0.4, 0.4)}[profile]
    ratings = {}
    for dimension in fw:
        base = measured[dimension.id].score if dimension.id in measured else None
        if base is None:
            base = 3.8 if profile == "over" else (2.4 if profile == "under" else 3.0)
        target = base + rng.uniform(*offsets) + shift
        for statement in dimension.statements:
            value = round(target + rng.uniform(-0.7, 0.7))
            ratings[statement.id] = max(1, min(5, value))
    return ratings


def seed_demo(people: Any, rng: random.Random) -> None:
    """Last quarter's and this quarter's self-assessments for most demo trainees (seed_demo commits).

    Ratings follow each person's measured results (computed from the quiz and role-play activity
    the other seeders created), shifted by their profile, so some are clearly overconfident.
    """
    fw = framework()
    if not len(fw):
        return
    db.session.flush()
    now = utcnow()
    current = this_quarter(now)
    last = previous_quarter(current)
    ids = [t.id for t in people.trainees]
    measured_now = measured_for(ids, now)
    last_end = quarter_bounds(last)[1]
    measured_then = measured_for(ids, last_end)
    for index, (trainee, profile) in enumerate(zip(people.trainees, DEMO_PROFILES, strict=False)):
        if profile is None:
            continue
        then = _demo_ratings(fw, measured_then.get(trainee.id, {}), profile, rng, shift=-0.3)
        started_then = max(trainee.created_at, quarter_bounds(last)[0]) + timedelta(days=rng.randint(1, 10))
        started_then = min(started_then, last_end - timedelta(days=1))
        db.session.add(
            SelfAssessment(
                user_id=trainee.id, quarter=last, ratings=then,
                started_at=started_then, updated_at=started_then + timedelta(minutes=25),
                finished_at=started_then + timedelta(minutes=25),
            )
        )
        ratings = _demo_ratings(fw, measured_now.get(trainee.id, {}), profile, rng, shift=0.0)
        if index in DEMO_LAST_QUARTER_ONLY:
            continue
        if index in DEMO_PARTIAL:
            keep = {s for d in fw.dimensions[:3] for s in d.statement_ids}
            ratings = {k: v for k, v in ratings.items() if k in keep}
        start = quarter_bounds(current)[0]
        started = min(now - timedelta(hours=2), start + timedelta(days=rng.randint(0, 20), hours=rng.randint(8, 18)))
        started = max(started, start)
        finished = len(ratings) == len(fw.statements)
        db.session.add(
            SelfAssessment(
                user_id=trainee.id, quarter=current, ratings=ratings,
                started_at=started, updated_at=started + timedelta(minutes=20),
                finished_at=started + timedelta(minutes=20) if finished else None,
            )
        )
