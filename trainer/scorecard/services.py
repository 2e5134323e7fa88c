"""Scorecard use cases: the quarterly self-assessment, measured scores from the database, the
results page (radar, levels, gaps, recommendations, trend), home-page steps and demo data.

The rules are in :mod:`trainer.scorecard.rules`; this module feeds them from the database and is
the only scorecard layer that commits.

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

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from trainer.accounts.models import User
from trainer.content.source import pick
from trainer.core.content import catalog
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.quiz.models import Attempt, AttemptAnswer
from trainer.roleplay.models import Play, RubricScore, WorkshopSession
from trainer.scorecard import rules
from trainer.scorecard.framework import Dimension, Framework
from trainer.scorecard.models import SelfAssessment
from trainer.scorecard.rules import Gap, MeasuredScore

SCENARIO_WEIGHT = 3.0
"""A finished role-play (or an observer's rubric) counts as much as this many quiz answers."""
WEAKEST = 3
"""How many dimensions get recommendations."""
RECOMMEND_PER_DIMENSION = 3
SPARK_STEP = 40
RATING_PREFIX = "rating-"
"""Form fields are ``rating-<statement id>`` with a value 1-5."""
DEFAULT_TIMEZONE = "Asia/Shanghai"


class ScorecardError(Exception):
    """A request the rules refuse; ``message`` is shown to the user, ``status`` is the HTTP status."""

    def __init__(self, message: Any, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


# --------------------------------------------------------------------------------------------------
# Content and quarters
# --------------------------------------------------------------------------------------------------



def framework() -> Framework:
    found = catalog().framework
    return found if found is not None else Framework(())


@lru_cache(maxsize=8)
def _zone_named(name: str):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _zone():  # type: ignore[no-untyped-def]
    """The site's time zone (the quiz feature's setting): quarters and dates are local."""
    return _zone_named(str(current_app.config.get("QUIZ_TIMEZONE") or DEFAULT_TIMEZONE))


def local(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC time in the site's zone (quarters change at local midnight)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(_zone())


def this_quarter(moment: datetime | None = None) -> str:
    here = local(moment or utcnow())
    assert here is not None
    return rules.quarter_label(here)


def quarter_bounds(label: str) -> tuple[datetime, datetime]:
    """First and last moment of a quarter, as naive UTC (the quarter is in the site's zone)."""
    year, quarter = rules.parse_quarter(label)
    first_month = 3 * (quarter - 1) + 1
    start = datetime(year, first_month, 1, tzinfo=_zone())
    end = datetime(year + 1, 1, 1, tzinfo=_zone()) if quarter == 4 else datetime(year, first_month + 3, 1, tzinfo=_zone())
    to_utc = lambda moment: moment.astimezone(UTC).replace(tzinfo=None)  # noqa: E731
    return to_utc(start), to_utc(end) - timedelta(microseconds=1)


def check_quarter(raw: str | None, *, default: str | None = None) -> str:
    """A valid quarter label from a URL or query parameter; ScorecardError(404) for anything else."""
    if raw is None or raw == "":
        return default or this_quarter()
    try:
        rules.parse_quarter(raw)
    except ValueError:
        raise ScorecardError(_l("That is not a quarter (use the form 2026-Q4)."), 404) from None
    return raw


def previous_quarter(label: str) -> str:
    year, quarter = rules.parse_quarter(label)
    return f"{year - 1:04d}-Q4" if quarter == 1 else f"{year:04d}-Q{quarter - 1}"


def as_of(quarter: str, moment: datetime | None = None) -> datetime:
    """The moment a quarter's measured scores are taken at: now for this quarter, its end before."""
    moment = moment or utcnow()
    return min(moment, quarter_bounds(quarter)[1])


# --------------------------------------------------------------------------------------------------
# Self-assessment records
# --------------------------------------------------------------------------------------------------


def assessment_for(user_id: int, quarter: str) -> SelfAssessment | None:
    return db.session.scalar(
        select(SelfAssessment).where(SelfAssessment.user_id == user_id, SelfAssessment.quarter == quarter)
    )


def assessments_of(user_id: int) -> list[SelfAssessment]:
    """Every quarter's self-assessment of one person, oldest first."""
    rows = db.session.scalars(select(SelfAssessment).where(SelfAssessment.user_id == user_id)).all()
    return sorted(rows, key=lambda row: rules.parse_quarter(row.quarter))


def ratings_for(members: Select | Iterable[int], quarters: Iterable[str]) -> dict[tuple[int, str], dict[str, int]]:
    """Cleaned ratings of many people's self-assessments for the given quarters, in one query
    (plain rows: the dashboard reads hundreds)."""
    query = select(SelfAssessment.user_id, SelfAssessment.quarter, SelfAssessment.ratings).where(
        SelfAssessment.user_id.in_(members if isinstance(members, Select) else list(members)),
        SelfAssessment.quarter.in_(list(quarters)),
    )
    return {(uid, quarter): clean_ratings(ratings) for uid, quarter, ratings in db.session.execute(query).all()}


def _statement_ids(fw: Framework) -> frozenset[str]:
    cache = current_app.extensions.setdefault("scorecard_statement_ids", {})
    found = cache.get(id(fw))
    if found is None:
        found = cache[id(fw)] = frozenset(s.id for s in fw.statements)
    return found


def clean_ratings(raw: Mapping[str, Any] | None) -> dict[str, int]:
    """Stored ratings of statements still in the framework (retired ids and bad values dropped)."""
    known = _statement_ids(framework())
    result: dict[str, int] = {}
    for statement_id, value in (raw or {}).items():
        if statement_id in known and isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
            result[statement_id] = value
    return result


def self_scores_of(assessment: SelfAssessment | None) -> dict[str, float | None]:
    return rules.self_scores(framework(), clean_ratings(assessment.ratings if assessment else None))


@dataclass(frozen=True)
class SaveResult:
    assessment: SelfAssessment
    dimension: Dimension
    saved: dict[str, int]  # statement id -> rating stored by this request
    errors: dict[str, Any]  # statement id -> message (nothing stored for it)
    submitted: dict[str, str]  # what the form sent, to show it again next to the errors
    finished_now: bool  # this request rated the last open statement


def parse_rating(raw: Any) -> int | None:
    """'1'..'5' -> 1..5; anything else None."""
    text = str(raw).strip() if raw is not None else ""
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


def save_dimension(user: User, dimension_id: str, form: Mapping[str, Any], moment: datetime | None = None) -> SaveResult:
    """Store the ratings one dimension's form sent, for this quarter's self-assessment.

    Fields are ``rating-<statement id>``. A statement left blank keeps its earlier rating; a value
    that is not a whole number 1-5 is refused with a message and nothing is stored for it, while the
    valid ratings of the same form are kept (nothing typed is lost). Fields for statements of other
    dimensions are refused too.
    """
    try:
        dimension = framework().dimension(dimension_id)
    except KeyError:
        raise ScorecardError(_l("There is no such competency."), 404) from None
    moment = moment or utcnow()
    quarter = this_quarter(moment)
    own = set(dimension.statement_ids)
    saved: dict[str, int] = {}
    errors: dict[str, Any] = {}
    submitted: dict[str, str] = {}
    for key in form:
        if not key.startswith(RATING_PREFIX):
            continue
        statement_id = key[len(RATING_PREFIX):]
        raw = form.get(key)
        value = "" if raw is None else str(raw)
        if statement_id not in own:
            errors[""] = _l("A rating for a statement of another competency was sent here; it was not saved.")
            continue
        submitted[statement_id] = value[:20]
        if value.strip() == "":
            continue
        rating = parse_rating(value)
        if rating is None:
            errors[statement_id] = _l("Choose a rating from 1 to 5.")
            continue
        saved[statement_id] = rating
    assessment = assessment_for(user.id, quarter)
    if assessment is None:
        assessment = SelfAssessment(user_id=user.id, quarter=quarter, started_at=moment, updated_at=moment, ratings={})
        db.session.add(assessment)
    was_finished = assessment.finished_at is not None
    if saved:
        ratings = clean_ratings(assessment.ratings)
        ratings.update(saved)
        assessment.ratings = ratings
        assessment.updated_at = moment
        done = rules.completeness(framework(), ratings)
        if done.rated == done.total and assessment.finished_at is None:
            assessment.finished_at = moment
    if saved or assessment.id is None:
        try:
            db.session.commit()
        except IntegrityError:  # a concurrent first save created the row: store into that one
            db.session.rollback()
            existing = assessment_for(user.id, quarter)
            if existing is None or not saved:
                raise
            ratings = clean_ratings(existing.ratings)
            ratings.update(saved)
            existing.ratings = ratings
            existing.updated_at = moment
            db.session.commit()
            assessment = existing
    return SaveResult(
        assessment=assessment,
        dimension=dimension,
        saved=saved,
        errors=errors,
        submitted=submitted,
        finished_now=not was_finished and assessment.finished_at is not None,
    )


# --------------------------------------------------------------------------------------------------
# Measured evidence, loaded for many people in a fixed number of queries
# --------------------------------------------------------------------------------------------------


class EvidenceGroup(NamedTuple):
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


def _member_filter(members: Select | Iterable[int]):  # type: ignore[no-untyped-def]
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
            Attempt.user_id.in_(_member_filter(members)),
            Attempt.submitted_at.is_not(None),
            Attempt.submitted_at <= until,
        )
    )
    attempts = {
        attempt_id: (user_id, submitted_at)
        for attempt_id, user_id, submitted_at in db.session.execute(
            select(Attempt.id, Attempt.user_id, Attempt.submitted_at).where(Attempt.id.in_(chosen))
        ).all()
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
        if not dims:
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


def _fraction_of_play(scores: Mapping[str, Any] | None) -> float | None:
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
            Play.user_id.in_(_member_filter(members)),
            Play.finished_at.is_not(None),
            Play.finished_at <= until,
        )
    ).all()
    for user_id, scenario_id, scores, finished_at in plays:
        scenario = scenarios.get(scenario_id)
        fraction = _fraction_of_play(scores)
        if scenario is None or fraction is None:
            continue
        result[user_id].append(EvidenceGroup(tuple(scenario.competencies), fraction, 1, finished_at, SCENARIO_WEIGHT))
    rubrics = db.session.execute(
        select(RubricScore.salesperson_id, WorkshopSession.scenario_id, RubricScore.percent, RubricScore.at)
        .join(WorkshopSession, WorkshopSession.id == RubricScore.session_id)
        .where(RubricScore.salesperson_id.in_(_member_filter(members)), RubricScore.at <= until)
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


def _fingerprints(members: Select | Iterable[int], until: datetime) -> dict[int, tuple]:  # type: ignore[type-arg]
    """Per person, a summary of their evidence up to ``until`` that changes whenever it changes
    (counts, latest times and score sums per source), in one query."""
    who = _member_filter(members)
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
    result: dict[int, list] = defaultdict(list)  # type: ignore[type-arg]
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
    cache: dict[tuple[str, int], tuple[tuple, dict[str, Tally]]] = current_app.extensions.setdefault(CACHE, {})  # type: ignore[type-arg]
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


# --------------------------------------------------------------------------------------------------
# A scorecard: one person, one quarter
# --------------------------------------------------------------------------------------------------


def gap_text(gap: Gap, measured: MeasuredScore) -> str:
    """The gap in plain words."""
    own = f"{gap.self_score:.1f}" if gap.self_score is not None else ""
    other = f"{gap.measured_score:.1f}" if gap.measured_score is not None else ""
    if gap.kind == "overconfident":
        text = _l(
            "You rate yourself %(own)s, but your quiz answers and role-plays point to %(measured)s. "
            "You may be overestimating this skill: work through the recommended lessons before you rely on it with a customer.",
            own=own, measured=other,
        )
    elif gap.kind == "underconfident":
        text = _l(
            "Your results (%(measured)s) are better than you think (%(own)s). You are probably underrating yourself: "
            "you can take on more here and share what works with colleagues.",
            own=own, measured=other,
        )
    elif gap.kind == "aligned":
        text = _l("Your own view (%(own)s) matches your results (%(measured)s).", own=own, measured=other)
    elif gap.self_score is None:
        text = _l("You have not rated this competency yet.")
    else:
        text = _l(
            "There are no quiz answers or role-plays on this competency yet, so there is nothing to compare your rating with."
        )
    result = str(text)
    if gap.measured_score is not None and measured.low_confidence:
        result += " " + str(
            _l("The measured score rests on only %(n)s results, so treat it as a first impression.", n=measured.evidence)
        )
    return result


GAP_LABELS = {
    "overconfident": _l("Overconfident"),
    "underconfident": _l("Underconfident"),
    "aligned": _l("Aligned"),
    "no_evidence": _l("No evidence"),
}
GAP_BADGES = {"overconfident": "bad", "underconfident": "warn", "aligned": "good", "no_evidence": ""}


@dataclass(frozen=True)
class DimensionRow:
    dimension: Dimension
    title: str
    rated: int
    total: int
    self_score: float | None
    level: int | None
    level_text: str
    measured: MeasuredScore
    gap: Gap
    gap_label: str
    gap_badge: str
    gap_text: str


@dataclass(frozen=True)
class Link:
    title: str
    url: str | None
    note: str = ""


@dataclass(frozen=True)
class RadarAxisView:
    x: float
    y: float
    lx: float
    ly: float
    anchor: str
    baseline: str
    lines: tuple[str, ...]
    dy0: float


@dataclass(frozen=True)
class Radar:
    """Everything the SVG template draws: rings, axes with labels, the two polygons."""

    size: float
    view_box: str
    center: tuple[float, float]
    rings: list[str]
    ring_labels: list[tuple[int, float, float]]
    axes: list[RadarAxisView]
    self_points: str | None
    measured_points: str | None
    self_dots: list[tuple[float, float]]
    measured_dots: list[tuple[float, float]]


def _wrap(title: str, width: int = 16, cjk_width: int = 8) -> tuple[str, ...]:
    """Break an axis label into short lines: English at spaces (``width`` characters a line);
    Chinese before a bracket, else in the middle, when longer than ``cjk_width`` characters."""
    if " " not in title:
        if len(title) <= cjk_width:
            return (title,)
        cut = title.find("（")
        if cut <= 0:
            cut = (len(title) + 1) // 2
        return (title[:cut], title[cut:])
    if len(title) <= width:
        return (title,)
    lines: list[str] = []
    current = ""
    for word in title.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return tuple(lines)


LABEL_LINE = 17.0


def radar(
    titles: Sequence[str],
    self_values: Sequence[float | None],
    measured_values: Sequence[float | None],
    *,
    radius: float = 120.0,
    margin_x: float = 128.0,
    margin_y: float = 58.0,
) -> Radar:
    """Geometry for a radar of ``len(titles)`` axes (scale 0-5 from the centre, rings at 1..5).

    The drawing is wider than high: labels left and right need room for a few words, those at the
    top and bottom only for a line or two.
    """
    width, height = 2 * (radius + margin_x), 2 * (radius + margin_y)
    center = (radius + margin_x, radius + margin_y)
    count = len(titles)
    rings = [rules.points_attr(ring) for ring in rules.radar_rings(count, radius=radius, center=center)]
    # ring numbers sit just right of the top axis, half-way to the next one
    ring_labels = [(level, center[0] + 5, round(center[1] - radius * level / 5 + 9, 2)) for level in rules.LEVELS]
    axes = []
    for axis, title in zip(rules.radar_axes(count, radius=radius, center=center, label_gap=10), titles, strict=True):
        lines = _wrap(title, 22 if axis.anchor == "middle" else 16)  # top and bottom have room
        if axis.baseline == "auto":  # above the point: the last line sits on it
            dy0 = -LABEL_LINE * (len(lines) - 1)
        elif axis.baseline == "hanging":
            dy0 = 0.0
        else:
            dy0 = -LABEL_LINE * (len(lines) - 1) / 2
        axes.append(
            RadarAxisView(axis.end[0], axis.end[1], axis.label[0], axis.label[1], axis.anchor, axis.baseline, lines, dy0)
        )

    def polygon(values: Sequence[float | None]) -> tuple[str | None, list[tuple[float, float]]]:
        if all(v is None for v in values):
            return None, []
        points = rules.radar_points(list(values), radius=radius, center=center)
        dots = [p for p, v in zip(points, values, strict=True) if v is not None]
        return rules.points_attr(points), dots

    self_points, self_dots = polygon(self_values)
    measured_points, measured_dots = polygon(measured_values)
    return Radar(
        size=width,
        view_box=f"0 0 {width:g} {height:g}",
        center=center,
        rings=rings,
        ring_labels=ring_labels,
        axes=axes,
        self_points=self_points,
        measured_points=measured_points,
        self_dots=self_dots,
        measured_dots=measured_dots,
    )


@dataclass(frozen=True)
class TrendRow:
    dimension_id: str
    title: str
    self_line: rules.TrendLine
    measured_line: rules.TrendLine

    @property
    def arrow(self) -> str:
        change = self.self_line.change
        if change is None:
            return ""
        return "↑" if change > 0.05 else ("↓" if change < -0.05 else "→")

    @property
    def cells(self) -> list[tuple[str, float | None, float | None]]:
        """(quarter, self, measured) for every quarter of the span."""
        return [(q, own, other) for (q, own), (_, other) in zip(self.self_line.points, self.measured_line.points, strict=True)]

    @property
    def spark(self) -> tuple[int, str, str]:
        """A small line chart: (width, self polyline points, measured polyline points); 40 px high."""
        width = (len(self.self_line.points) - 1) * SPARK_STEP + 12

        def line(points: Sequence[tuple[str, float | None]]) -> str:
            return " ".join(
                f"{6 + i * SPARK_STEP},{36 - (v - 1) * 8:.1f}" for i, (_, v) in enumerate(points) if v is not None
            )

        return width, line(self.self_line.points), line(self.measured_line.points)

    @property
    def measured_arrow(self) -> str:
        change = self.measured_line.change
        if change is None:
            return ""
        return "↑" if change > 0.05 else ("↓" if change < -0.05 else "→")


@dataclass(frozen=True)
class Trend:
    quarters: tuple[str, ...]
    rows: list[TrendRow]

    @property
    def has_history(self) -> bool:
        return len(self.quarters) >= 2


@dataclass(frozen=True)
class Scorecard:
    user: User
    quarter: str
    is_current: bool
    assessment: SelfAssessment | None
    rows: list[DimensionRow]
    rated: int
    total: int
    radar: Radar
    weakest: list[DimensionRow]
    lessons: list[Link]
    scenarios: list[Link]
    trend: Trend
    quarters: list[str]  # quarters with an assessment, newest first

    @property
    def started(self) -> bool:
        return self.rated > 0

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.rated == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.rated / self.total) if self.total else 0

    @property
    def self_mean(self) -> float | None:
        values = [r.self_score for r in self.rows if r.self_score is not None]
        return sum(values) / len(values) if values else None

    @property
    def measured_mean(self) -> float | None:
        values = [r.measured.score for r in self.rows if r.measured.score is not None]
        return sum(values) / len(values) if values else None

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.gap.kind == kind)


def _endpoint_url(endpoint: str, **values: Any) -> str | None:
    """url_for when the endpoint exists (its feature may not have landed yet), else None."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def dimension_rows(
    ratings: Mapping[str, int], measured: Mapping[str, MeasuredScore], lang: str
) -> list[DimensionRow]:
    fw = framework()
    own = rules.self_scores(fw, ratings)
    done = rules.completeness(fw, ratings)
    found_gaps = rules.gaps(own, measured)
    rows = []
    for dimension in fw:
        score = own[dimension.id]
        level = rules.level_for(score) if score is not None else None
        rated, total = done.by_dimension[dimension.id]
        gap = found_gaps[dimension.id]
        rows.append(
            DimensionRow(
                dimension=dimension,
                title=pick(dimension.title, lang),
                rated=rated,
                total=total,
                self_score=score,
                level=level,
                level_text=dimension.level(level).text_in(lang) if level else "",
                measured=measured[dimension.id],
                gap=gap,
                gap_label=str(GAP_LABELS[gap.kind]),
                # a gap on thin evidence is shown, but not in alarm colours
                gap_badge="" if gap.kind != "aligned" and measured[dimension.id].low_confidence else GAP_BADGES[gap.kind],
                gap_text=gap_text(gap, measured[dimension.id]),
            )
        )
    return rows


def _recommended(weak_ids: list[str], lang: str) -> tuple[list[Link], list[Link]]:
    content = catalog()
    lessons = [(lesson_id, lesson.competencies) for lesson_id, lesson in content.lessons.items()]
    scenario_pairs = [(sid, scenario.competencies) for sid, scenario in content.scenarios.items()]
    found = rules.recommendations(weak_ids, lessons, scenario_pairs, limit_per_dimension=RECOMMEND_PER_DIMENSION)
    titles = {d.id: pick(d.title, lang) for d in framework()}
    lesson_links = []
    for dim in weak_ids:
        for lesson_id in found.lessons_by_dimension.get(dim, ()):
            if any(link.url and link.url.endswith("/" + lesson_id) for link in lesson_links):
                continue
            lesson = content.lessons[lesson_id]
            lesson_links.append(
                Link(lesson.title(lang), f"/learn/{lesson.course_id}/{lesson.id}", titles.get(dim, dim))
            )
    scenario_links = []
    base = _endpoint_url("roleplay.index")
    for dim in weak_ids:
        for scenario_id in found.scenarios_by_dimension.get(dim, ()):
            if any(link.title == pick(content.scenarios[scenario_id].title, lang) for link in scenario_links):
                continue
            scenario = content.scenarios[scenario_id]
            scenario_links.append(
                Link(pick(scenario.title, lang), f"{base}#scenario-{scenario_id}" if base else None, titles.get(dim, dim))
            )
    return lesson_links, scenario_links


def trend_of(
    assessments: Sequence[SelfAssessment], evidence: Evidence, lang: str, moment: datetime
) -> Trend:
    """Self and measured per dimension for every quarter from the first assessment to this one."""
    fw = framework()
    by_quarter_self = {a.quarter: self_scores_of(a) for a in assessments}
    if not by_quarter_self:
        return Trend((), [])
    current = this_quarter(moment)
    span = rules.quarter_range(min(by_quarter_self, key=rules.parse_quarter), current)
    by_quarter_self.setdefault(current, {})
    by_quarter_measured: dict[str, dict[str, float | None]] = {}
    for quarter in span:
        at = as_of(quarter, moment)
        scores = combine(evidence.until(at), at, fw.ids)
        by_quarter_measured[quarter] = {dim: m.score for dim, m in scores.items()}
    self_lines = rules.trend(by_quarter_self, fw.ids)
    measured_lines = rules.trend(by_quarter_measured, fw.ids)
    rows = [
        TrendRow(d.id, pick(d.title, lang), self_lines[d.id], measured_lines[d.id]) for d in fw
    ]
    return Trend(tuple(span), rows)


def scorecard(user: User, quarter: str, lang: str, moment: datetime | None = None) -> Scorecard:
    """Everything the results page shows for ``user`` in ``quarter`` (a handful of queries)."""
    moment = moment or utcnow()
    fw = framework()
    assessments = assessments_of(user.id)
    assessment = next((a for a in assessments if a.quarter == quarter), None)
    ratings = clean_ratings(assessment.ratings if assessment else None)
    evidence = evidence_for([user.id], moment).get(user.id, Evidence())
    at = as_of(quarter, moment)
    measured = combine(evidence.until(at), at, fw.ids)
    rows = dimension_rows(ratings, measured, lang)
    own = {r.dimension.id: r.self_score for r in rows}
    weak_ids = rules.weakest(own, measured, WEAKEST)
    lessons, scenario_links = _recommended(weak_ids, lang)
    by_id = {r.dimension.id: r for r in rows}
    return Scorecard(
        user=user,
        quarter=quarter,
        is_current=quarter == this_quarter(moment),
        assessment=assessment,
        rows=rows,
        rated=sum(r.rated for r in rows),
        total=sum(r.total for r in rows),
        radar=radar([r.title for r in rows], [r.self_score for r in rows], [r.measured.score for r in rows]),
        weakest=[by_id[d] for d in weak_ids],
        lessons=lessons,
        scenarios=scenario_links,
        trend=trend_of(assessments, evidence, lang, moment),
        quarters=[a.quarter for a in reversed(assessments)],
    )


# --------------------------------------------------------------------------------------------------
# The form page
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementField:
    id: str
    name: str
    text: str
    value: str  # what to show checked: the stored rating, or what was just submitted
    error: str


@dataclass(frozen=True)
class DimensionForm:
    dimension: Dimension
    number: int
    title: str
    description: str
    levels: list[tuple[int, str]]
    statements: list[StatementField]
    rated: int

    @property
    def total(self) -> int:
        return len(self.statements)

    @property
    def complete(self) -> bool:
        return self.rated == self.total


def form_view(
    assessment: SelfAssessment | None,
    lang: str,
    *,
    submitted: Mapping[str, str] | None = None,
    errors: Mapping[str, Any] | None = None,
) -> list[DimensionForm]:
    ratings = clean_ratings(assessment.ratings if assessment else None)
    submitted = submitted or {}
    errors = errors or {}
    forms = []
    for number, dimension in enumerate(framework(), start=1):
        fields = []
        for statement in dimension.statements:
            value = submitted.get(statement.id)
            if value is None:
                value = str(ratings[statement.id]) if statement.id in ratings else ""
            fields.append(
                StatementField(
                    id=statement.id,
                    name=RATING_PREFIX + statement.id,
                    text=statement.text_in(lang),
                    value=value,
                    error=str(errors[statement.id]) if statement.id in errors else "",
                )
            )
        forms.append(
            DimensionForm(
                dimension=dimension,
                number=number,
                title=pick(dimension.title, lang),
                description=pick(dimension.description, lang),
                levels=[(level.level, level.text_in(lang)) for level in dimension.levels],
                statements=fields,
                rated=sum(1 for s in dimension.statement_ids if s in ratings),
            )
        )
    return forms


# --------------------------------------------------------------------------------------------------
# Home page and demo data
# --------------------------------------------------------------------------------------------------


def next_steps(user: User) -> list:  # type: ignore[type-arg]
    """This quarter's self-assessment, when it is not finished yet."""
    from trainer.home.services import NextStep

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


def local_date(moment: datetime | None) -> str:
    here = local(moment)
    return here.strftime("%Y-%m-%d") if here else ""


def local_time(moment: datetime | None) -> str:
    here = local(moment)
    return here.strftime("%Y-%m-%d %H:%M") if here else ""

