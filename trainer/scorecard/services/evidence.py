"""Measured scores from the database: quiz answers and role-plays as evidence, loaded for many
people in a fixed number of queries and combined by the rules of :mod:`trainer.scorecard.rules`.

Measured evidence
    * quiz answers: every graded answer of a submitted attempt, tagged with its question's
      competencies, at the attempt's submission time;
    * role-play: every finished solo play (the mean of its scored variables, 0-100) and every
      observer's rubric in a workshop (its percentage), tagged with the scenario's competencies.
      A role-play result weighs :data:`SCENARIO_WEIGHT` quiz answers.
    * writing: every completed review of a submission (its rubric score as a fraction), tagged
      with the task's competencies; it weighs :data:`WRITING_WEIGHT` quiz answers.
    The simulation has no stored results yet, so it contributes nothing.

Loading for many people at once
    The dashboard needs measured scores for hundreds of people. Reading every answer would be
    100 000 rows for 500 trainees, so the quiz query groups answers per attempt and dimension in
    SQL (all answers of one attempt share its submission time, hence its decay weight) and
    :func:`combine` takes the per-attempt sums. The result is exactly what
    :func:`trainer.scorecard.rules.measured_scores` gives on the single answers (a test checks it).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import literal, select, union_all

from trainer.accounts.selection import UserIds
from trainer.core.content import catalog
from trainer.core.lru import LruCache, app_cache
from trainer.extensions import db
from trainer.quiz.services.reports import graded_answers, submitted_times, submitted_totals
from trainer.roleplay.services.reports import finished_plays, play_totals, rubric_results, rubric_totals
from trainer.scorecard import rules
from trainer.scorecard.rules import MeasuredScore
from trainer.scorecard.services.common import framework
from trainer.writing.services.reports import review_results, review_totals

SCENARIO_WEIGHT = 3.0
"""A finished role-play (or an observer's rubric) counts as much as this many quiz answers."""
WRITING_WEIGHT = 3.0
"""A reviewed piece of writing (the reviewer's rubric score) counts as much as this many quiz answers."""


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


def _question_dimensions() -> dict[str, tuple[str, ...]]:
    """Question id -> the framework dimensions it is tagged with."""
    banks = catalog().banks
    known = set(framework().ids)
    if banks is None:
        return {}
    return {q.id: tuple(t for t in q.competencies if t in known) for q in banks}


def quiz_evidence(members: UserIds, until: datetime) -> dict[int, list[EvidenceGroup]]:
    """Graded answers of submitted attempts up to ``until``, summed per attempt and dimension.

    Two queries: the attempts (person, time) and their answers' scores. All answers of an attempt
    share its submission time (hence its weight), so an attempt becomes one group per dimension.
    """
    tags = _question_dimensions()
    if not tags:
        return {}
    attempts = submitted_times(members, until)
    if not attempts:
        return {}
    fractions: dict[int, dict[str, list[float]]] = defaultdict(dict)
    for attempt_id, question_id, score, max_score in graded_answers(members, until):
        dims = tags.get(question_id)
        if not dims or score is None or not max_score:
            continue
        fraction = score / max_score
        fraction = 0.0 if fraction < 0 else (1.0 if fraction > 1 else fraction)
        per_attempt = fractions[attempt_id]
        for dim in dims:
            per_attempt.setdefault(dim, []).append(fraction)
    result: dict[int, list[EvidenceGroup]] = defaultdict(list)
    for attempt_id, per_attempt in fractions.items():
        user_id, at = attempts[attempt_id]
        for dim, values in per_attempt.items():
            # fsum is exact, so the total does not depend on the order the database returned the
            # answers in (it differs between query plans: a cached cell must equal a fresh one)
            result[user_id].append(EvidenceGroup((dim,), math.fsum(values), len(values), at))
    return result


def roleplay_evidence(members: UserIds, until: datetime) -> dict[int, list[EvidenceGroup]]:
    """Finished solo plays and workshop rubrics, tagged with the scenario's competencies (2 queries)."""
    scenarios = catalog().scenarios
    result: dict[int, list[EvidenceGroup]] = defaultdict(list)
    for play in finished_plays(members, until):
        scenario = scenarios.get(play.scenario_id)
        if scenario is None or play.fraction is None:
            continue
        result[play.user_id].append(
            EvidenceGroup(tuple(scenario.competencies), play.fraction, 1, play.finished_at, SCENARIO_WEIGHT)
        )
    for rubric in rubric_results(members, until):
        scenario = scenarios.get(rubric.scenario_id)
        if scenario is None:
            continue
        fraction = min(1.0, max(0.0, rubric.percent / 100.0))
        result[rubric.user_id].append(EvidenceGroup(tuple(scenario.competencies), fraction, 1, rubric.at, SCENARIO_WEIGHT))
    return result


def writing_evidence(members: UserIds, until: datetime) -> dict[int, list[EvidenceGroup]]:
    """Completed reviews of writing, tagged with the task's competencies (1 query)."""
    tasks = catalog().writing.tasks
    result: dict[int, list[EvidenceGroup]] = defaultdict(list)
    for review in review_results(members, until):
        task = tasks.get(review.task_id)
        if task is not None:
            result[review.user_id].append(
                EvidenceGroup(tuple(task.competencies), review.fraction, 1, review.at, WRITING_WEIGHT)
            )
    return result


def evidence_for(members: UserIds, until: datetime) -> dict[int, Evidence]:
    """Every kind of evidence up to ``until`` for many people: four queries, however many people."""
    result: dict[int, Evidence] = defaultdict(Evidence)
    for source in (quiz_evidence(members, until), roleplay_evidence(members, until), writing_evidence(members, until)):
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


def _canonical(group: EvidenceGroup) -> tuple[datetime, tuple[str, ...], float, int, float]:
    return (group.at, group.competencies, group.total, group.count, group.weight)


def tally(
    groups: Iterable[EvidenceGroup],
    dimension_ids: Sequence[str],
    half_life_days: float = rules.DEFAULT_HALF_LIFE_DAYS,
) -> dict[str, Tally]:
    wanted = set(dimension_ids)
    sums: dict[str, Tally] = {}
    # Summed in one canonical order: the databases return rows in no fixed order, and float sums in
    # another order differ in the last bits, so a cached result would not equal a fresh one exactly.
    for group in sorted(groups, key=_canonical):
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


def _fingerprints(members: UserIds, until: datetime) -> dict[int, tuple[Fingerprint, ...]]:
    """Per person, a summary of their evidence up to ``until`` that changes whenever it changes
    (counts, latest times and score sums per source), in one query."""
    quiz = submitted_totals(members, until).subquery()
    plays = play_totals(members, until).subquery()
    rubrics = rubric_totals(members, until).subquery()
    writing = review_totals(members, until).subquery()
    parts = union_all(
        select(quiz.c.user_id.label("uid"), literal("q").label("src"), quiz.c.entries.label("n"), quiz.c.last.label("last"),
               quiz.c.score_sum.label("s1"), quiz.c.max_score_sum.label("s2")),
        select(plays.c.user_id, literal("p"), plays.c.entries, plays.c.last, literal(0.0), literal(0.0)),
        select(rubrics.c.user_id, literal("r"), rubrics.c.entries, rubrics.c.last, rubrics.c.percent_sum, literal(0.0)),
        select(writing.c.user_id, literal("w"), writing.c.entries, writing.c.last, writing.c.score_sum, literal(0.0)),
    ).subquery()
    result: dict[int, list[Fingerprint]] = defaultdict(list)
    for uid, src, count, last, s1, s2 in db.session.execute(select(parts)).all():
        result[uid].append((src, int(count), str(last), round(float(s1 or 0), 6), round(float(s2 or 0), 6)))
    return {uid: tuple(sorted(parts_)) for uid, parts_ in result.items()}


CACHE = "scorecard_measured"


def measured_for(
    members: UserIds, moment: datetime, *, cache_key: str | None = None
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
    return {uid: scores_from(sums, moment, ids) for uid, (_, sums) in measured_tallies(members, moment, cache_key).items()}


def measured_tallies(
    members: UserIds, moment: datetime, cache_key: str
) -> dict[int, tuple[tuple[Fingerprint, ...], dict[str, Tally]]]:
    """Per person with evidence up to ``moment``: (the fingerprint of that evidence, its tallies),
    from the cache :func:`measured_for` describes. The tallies do not depend on ``moment`` (see
    :func:`scores_from`), so a caller may keep what it derives from them under the fingerprint.
    The returned tallies are shared with the cache: read them, never change them."""
    ids = framework().ids
    cache: LruCache[tuple[str, int], tuple[tuple[Fingerprint, ...], dict[str, Tally]]] = app_cache(
        current_app.extensions, CACHE, current_app.config["CACHE_ENTRIES"])
    prints = _fingerprints(members, moment)
    result: dict[int, tuple[tuple[Fingerprint, ...], dict[str, Tally]]] = {}
    stale = []
    for uid, fp in prints.items():
        hit = cache.get((cache_key, uid))
        if hit is None or hit[0] != fp:
            stale.append(uid)
        else:
            result[uid] = hit
    if stale:  # kept in the cache and returned from here: a team larger than the cache still gets all
        fresh = evidence_for(stale, moment)
        for uid in stale:
            groups = fresh[uid].groups if uid in fresh else []
            result[uid] = cache[(cache_key, uid)] = (prints[uid], tally(groups, ids))
    return {uid: result[uid] for uid in prints}


def empty_measured() -> dict[str, MeasuredScore]:
    return {dim: MeasuredScore(dim, None, None, 0, 0.0, None) for dim in framework().ids}
