"""Measured scores from the database: quiz answers and role-plays as evidence, loaded for many
people in a fixed number of queries and combined by the rules of :mod:`trainer.scorecard.rules`.

Measured evidence
    * quiz answers: every graded answer of a submitted attempt, tagged with its question's
      competencies, at the attempt's submission time;
    * role-play: every finished solo play (the mean of its scored variables, 0-100) and every
      observer's rubric in a workshop (its percentage), tagged with the scenario's competencies.
      A role-play result weighs :data:`SCENARIO_WEIGHT` quiz answers.
    The simulation has no stored results yet, so it contributes nothing.

Loading for many people at once
    The dashboard needs measured scores for hundreds of people. Reading every answer would be
    100 000 rows for 500 trainees, so the quiz query groups answers per attempt and dimension in
    SQL (all answers of one attempt share its submission time, hence its decay weight) and
    :func:`combine` takes the per-attempt sums. The result is exactly what
    :func:`trainer.scorecard.rules.measured_scores` gives on the single answers (a test checks it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.sql import Select

from trainer.core.content import catalog
from trainer.extensions import db
from trainer.quiz.models import Attempt, AttemptAnswer
from trainer.roleplay.models import Play, RubricScore, WorkshopSession
from trainer.scorecard import rules
from trainer.scorecard.rules import MeasuredScore
from trainer.scorecard.services.common import framework

SCENARIO_WEIGHT = 3.0
"""A finished role-play (or an observer's rubric) counts as much as this many quiz answers."""


@dataclass(frozen=True, slots=True)
class EvidenceGroup:
    """``count`` graded items with the same tags and time; ``total`` is the sum of their fractions
    (each 0..1). A single quiz answer or role-play is a group of one."""

    competencies: tuple[str, ...]
    total: float
    count: int
    at: datetime
    weight: float = 1.0  # per item, relative to one quiz answer


@dataclass
class Evidence:
    """One person's groups of evidence."""

    groups: list[EvidenceGroup] = field(default_factory=list)

    def until(self, moment: datetime) -> list[EvidenceGroup]:
        return [g for g in self.groups if g.at <= moment]


def member_filter(members: Select | Iterable[int]) -> Select | list[int]:
    """What ``in_`` takes: the members subquery as it is, or a list of ids."""
    return members if isinstance(members, Select) else list(members)


def _question_dimensions() -> dict[str, tuple[str, ...]]:
    """Question id -> the framework dimensions it is tagged with."""
    banks = catalog().banks
    known = set(framework().ids)
    if banks is None:
        return {}
    return {q.id: tuple(t for t in q.competencies if t in known) for q in banks}


def quiz_evidence(members: Select | Iterable[int], until: datetime) -> dict[int, list[EvidenceGroup]]:
    """Graded answers of submitted attempts up to ``until``, summed per attempt and dimension.

    Two queries: the attempts (person, time) and their answers' scores. All answers of an attempt
    share its submission time (hence its weight), so an attempt becomes one group per dimension.
    """
    tags = _question_dimensions()
    if not tags:
        return {}
    chosen = (
        select(Attempt.id)
        .where(
            Attempt.user_id.in_(member_filter(members)),
            Attempt.submitted_at.is_not(None),
            Attempt.submitted_at <= until,
        )
    )
    attempts: dict[int, tuple[int, datetime]] = {
        attempt_id: (user_id, submitted_at)
        for attempt_id, user_id, submitted_at in db.session.execute(
            select(Attempt.id, Attempt.user_id, Attempt.submitted_at).where(Attempt.id.in_(chosen))
        ).all()
        if submitted_at is not None
    }
    if not attempts:
        return {}
    sums: dict[int, dict[str, list[float]]] = defaultdict(dict)
    # Core execution on the session's connection: plain tuples, no ORM row processing (100 000 rows).
    for attempt_id, question_id, score, max_score in db.session.connection().execute(
        select(AttemptAnswer.attempt_id, AttemptAnswer.question_id, AttemptAnswer.score, AttemptAnswer.max_score).where(
            AttemptAnswer.attempt_id.in_(chosen), AttemptAnswer.score.is_not(None), AttemptAnswer.max_score > 0
        )
    ):
        dims = tags.get(question_id)
        if not dims or score is None or not max_score:
            continue
        fraction = score / max_score
        fraction = 0.0 if fraction < 0 else (1.0 if fraction > 1 else fraction)
        per_attempt = sums[attempt_id]
        for dim in dims:
            acc = per_attempt.get(dim)
            if acc is None:
                per_attempt[dim] = [fraction, 1.0]
            else:
                acc[0] += fraction
                acc[1] += 1.0
    result: dict[int, list[EvidenceGroup]] = defaultdict(list)
    for attempt_id, per_attempt in sums.items():
        user_id, at = attempts[attempt_id]
        for dim, (total, count) in per_attempt.items():
            result[user_id].append(EvidenceGroup((dim,), total, int(count), at))
    return result


def play_fraction(scores: Mapping[str, Any] | None) -> float | None:
    """A finished play's result, 0..1: the mean of its scored variables (each 0-100); None without any."""
    values = [float(v) for v in (scores or {}).values() if isinstance(v, int | float) and not isinstance(v, bool)]
    if not values:
        return None
    return min(1.0, max(0.0, sum(values) / len(values) / 100.0))


def roleplay_evidence(members: Select | Iterable[int], until: datetime) -> dict[int, list[EvidenceGroup]]:
    """Finished solo plays and workshop rubrics, tagged with the scenario's competencies (2 queries)."""
    scenarios = catalog().scenarios
    result: dict[int, list[EvidenceGroup]] = defaultdict(list)
    plays = db.session.execute(
        select(Play.user_id, Play.scenario_id, Play.scores, Play.finished_at).where(
            Play.user_id.in_(member_filter(members)),
            Play.finished_at.is_not(None),
            Play.finished_at <= until,
        )
    ).all()
    for user_id, scenario_id, scores, finished_at in plays:
        scenario = scenarios.get(scenario_id)
        fraction = play_fraction(scores)
        if scenario is None or fraction is None:
            continue
        result[user_id].append(EvidenceGroup(tuple(scenario.competencies), fraction, 1, finished_at, SCENARIO_WEIGHT))
    rubrics = db.session.execute(
        select(RubricScore.salesperson_id, WorkshopSession.scenario_id, RubricScore.percent, RubricScore.at)
        .join(WorkshopSession, WorkshopSession.id == RubricScore.session_id)
        .where(RubricScore.salesperson_id.in_(member_filter(members)), RubricScore.at <= until)
    ).all()
    for user_id, scenario_id, percent, at in rubrics:
        scenario = scenarios.get(scenario_id)
        if scenario is None or percent is None:
            continue
        fraction = min(1.0, max(0.0, float(percent) / 100.0))
        result[user_id].append(EvidenceGroup(tuple(scenario.competencies), fraction, 1, at, SCENARIO_WEIGHT))
    return result


def evidence_for(members: Select | Iterable[int], until: datetime) -> dict[int, Evidence]:
    """Every kind of evidence up to ``until`` for many people: three queries, however many people."""
    result: dict[int, Evidence] = defaultdict(Evidence)
    for source in (quiz_evidence(members, until), roleplay_evidence(members, until)):
        for user_id, groups in source.items():
            result[user_id].groups.extend(groups)
    return result


# The weighted mean does not depend on the moment it is taken at: every weight 0.5^((now − t)/h)
# is 0.5^((now − T0)/h) × 2^((t − T0)/h), and the first factor cancels. So sums are kept with
# weights relative to a fixed reference T0 and only the reported total weight is rescaled.
# (Evidence is always loaded "up to the moment", so no item is newer than the moment.)
_REFERENCE = datetime(2000, 1, 1)
Fingerprint = tuple[str, int, str, float, float]  # source, count, latest time, score sums


@dataclass
class Tally:
    """Running sums for one dimension, weights relative to :data:`_REFERENCE`."""

    weighted: float = 0.0
    weight: float = 0.0
    count: int = 0
    last_at: datetime | None = None


def tally(
    groups: Iterable[EvidenceGroup],
    dimension_ids: Sequence[str],
    half_life_days: float = rules.DEFAULT_HALF_LIFE_DAYS,
) -> dict[str, Tally]:
    wanted = set(dimension_ids)
    sums: dict[str, Tally] = {}
    for group in groups:
        age = (group.at - _REFERENCE).total_seconds() / 86_400.0
        weight = group.weight * 2.0 ** (age / half_life_days)
        for tag in group.competencies:
            if tag not in wanted:
                continue
            acc = sums.get(tag)
            if acc is None:
                acc = sums[tag] = Tally()
            acc.weighted += weight * group.total
            acc.weight += weight * group.count
            acc.count += group.count
            if acc.last_at is None or group.at > acc.last_at:
                acc.last_at = group.at
    return sums


def scores_from(
    sums: Mapping[str, Tally],
    now: datetime,
    dimension_ids: Sequence[str],
    half_life_days: float = rules.DEFAULT_HALF_LIFE_DAYS,
) -> dict[str, MeasuredScore]:
    """MeasuredScores at ``now`` from tallies (total weights decayed to ``now``)."""
    scale = rules.decay_weight((now - _REFERENCE).total_seconds() / 86_400.0, half_life_days)
    result: dict[str, MeasuredScore] = {}
    for dim in dimension_ids:
        acc = sums.get(dim)
        if acc is None or acc.weight <= 0:
            result[dim] = MeasuredScore(dim, None, None, 0, 0.0, None)
            continue
        mean = min(1.0, max(0.0, acc.weighted / acc.weight))
        result[dim] = MeasuredScore(
            dimension_id=dim,
            score=rules.fraction_to_score(mean),
            fraction=mean,
            evidence=acc.count,
            weight=acc.weight * scale,
            last_at=acc.last_at,
        )
    return result


def combine(
    groups: Iterable[EvidenceGroup],
    now: datetime,
    dimension_ids: Sequence[str],
    half_life_days: float = rules.DEFAULT_HALF_LIFE_DAYS,
) -> dict[str, MeasuredScore]:
    """The recency-weighted measured score per dimension from grouped evidence (none after ``now``).

    The same result as :func:`trainer.scorecard.rules.measured_scores` on the single items (whose
    decay and scale it uses): every item of a group has the group's time, so the group adds
    ``weight × total`` to the weighted sum and ``weight × count`` to the weight.
    """
    return scores_from(tally(groups, dimension_ids, half_life_days), now, dimension_ids, half_life_days)


def _fingerprints(members: Select | Iterable[int], until: datetime) -> dict[int, tuple[Fingerprint, ...]]:
    """Per person, a summary of their evidence up to ``until`` that changes whenever it changes
    (counts, latest times and score sums per source), in one query."""
    who = member_filter(members)
    parts = union_all(
        select(Attempt.user_id.label("uid"), literal("q").label("src"), func.count().label("n"),
               func.max(Attempt.submitted_at).label("last"), func.sum(func.coalesce(Attempt.score, 0.0)).label("s1"),
               func.sum(func.coalesce(Attempt.max_score, 0.0)).label("s2"))
        .where(Attempt.user_id.in_(who), Attempt.submitted_at.is_not(None), Attempt.submitted_at <= until)
        .group_by(Attempt.user_id),
        select(Play.user_id, literal("p"), func.count(), func.max(Play.finished_at), literal(0.0), literal(0.0))
        .where(Play.user_id.in_(who), Play.finished_at.is_not(None), Play.finished_at <= until)
        .group_by(Play.user_id),
        select(RubricScore.salesperson_id, literal("r"), func.count(), func.max(RubricScore.at),
               func.sum(RubricScore.percent), literal(0.0))
        .where(RubricScore.salesperson_id.in_(who), RubricScore.at <= until)
        .group_by(RubricScore.salesperson_id),
    ).subquery()
    result: dict[int, list[Fingerprint]] = defaultdict(list)
    for uid, src, count, last, s1, s2 in db.session.execute(select(parts)).all():
        result[uid].append((src, int(count), str(last), round(float(s1 or 0), 6), round(float(s2 or 0), 6)))
    return {uid: tuple(sorted(parts_)) for uid, parts_ in result.items()}


CACHE = "scorecard_measured"


def measured_for(
    members: Select | Iterable[int], moment: datetime, *, cache_key: str | None = None
) -> dict[int, dict[str, MeasuredScore]]:
    """Measured scores at ``moment`` for many people (people without evidence are left out).

    With ``cache_key`` (the quarter the page is about) the tallies are kept in the app between
    requests, each under a fingerprint of the person's evidence: a page then reads one small query
    of fingerprints and loads evidence only for people whose results changed. Without it, or on
    the first visit, four queries load everything.
    """
    ids = framework().ids
    if cache_key is None:
        return {uid: combine(ev.groups, moment, ids) for uid, ev in evidence_for(members, moment).items()}
    cache: dict[tuple[str, int], tuple[tuple[Fingerprint, ...], dict[str, Tally]]] = current_app.extensions.setdefault(CACHE, {})
    prints = _fingerprints(members, moment)
    stale = [uid for uid, fp in prints.items() if cache.get((cache_key, uid), ((),))[0] != fp]
    if stale:
        fresh = evidence_for(stale, moment)
        for uid in stale:
            groups = fresh[uid].groups if uid in fresh else []
            cache[(cache_key, uid)] = (prints[uid], tally(groups, ids))
    return {uid: scores_from(cache[(cache_key, uid)][1], moment, ids) for uid in prints}


def empty_measured() -> dict[str, MeasuredScore]:
    return {dim: MeasuredScore(dim, None, None, 0, 0.0, None) for dim in framework().ids}
