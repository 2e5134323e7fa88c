"""The self-assessment scorecard: self scores, measured scores, gaps, recommendations, trends
(the radar chart is :mod:`trainer.scorecard.radar`).

Everything works on plain values (the :class:`~trainer.scorecard.framework.Framework`, mappings,
small records), so services can feed it from the database and tests from literals.

The scale
    Statements are rated 1-5. A dimension's *self score* is the mean of its rated statements
    (1.0-5.0); its *level* is that score rounded half up (:func:`level_for`).

Measured scores
    Evidence is every graded quiz answer and every finished role-play whose item carries the
    dimension's competency tag. Each item has a ``score_fraction`` in 0..1 and a timestamp. Its
    weight decays exponentially with age: ``weight = 0.5 ** (age_days / half_life_days)``, so an
    answer one half-life old (90 days by default) counts half as much as one given today.
    The weighted mean fraction ``f`` is mapped onto the self-rating scale as ``score = 1 + 4 f``:
    all wrong is 1, all right is 5, half right is 3. Fewer than :data:`MIN_EVIDENCE` items make the
    score *low confidence* (shown, but flagged).

Gaps
    ``self − measured >= 1.0`` is overconfident, ``<= −1.0`` underconfident, anything between is
    aligned; when either side is missing there is nothing to compare (``no_evidence``).

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Literal, Protocol

from trainer.scorecard.framework import LEVELS, Framework

__all__ = [
    "DEFAULT_HALF_LIFE_DAYS",
    "GAP_THRESHOLD",
    "MIN_EVIDENCE",
    "AnswerEvidence",
    "AnswerRecord",
    "Completeness",
    "Gap",
    "GapKind",
    "MeasuredScore",
    "Recommendations",
    "ScenarioEvidence",
    "ScenarioRecord",
    "TrendLine",
    "completeness",
    "decay_weight",
    "fraction_to_score",
    "gaps",
    "level_for",
    "measured_scores",
    "parse_quarter",
    "quarter_label",
    "quarter_range",
    "recommendations",
    "self_scores",
    "trend",
    "weakest",
]

SCALE_MIN, SCALE_MAX = LEVELS[0], LEVELS[-1]
DEFAULT_HALF_LIFE_DAYS = 90.0
MIN_EVIDENCE = 5
"""Fewer evidence items than this make a measured score low confidence."""
GAP_THRESHOLD = 1.0
"""|self − measured| at or above this (in scale points) is a gap worth showing."""

_EPSILON = 1e-9  # float noise allowance at the gap thresholds
_SECONDS_PER_DAY = 86_400.0


# --------------------------------------------------------------------------------------------------
# Self-assessment
# --------------------------------------------------------------------------------------------------


def _check_rating(statement_id: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not SCALE_MIN <= value <= SCALE_MAX:
        raise ValueError(f"{statement_id}: a rating is a whole number from {SCALE_MIN} to {SCALE_MAX}")
    return value


def self_scores(framework: Framework, ratings: Mapping[str, int], *, checked: bool = False) -> dict[str, float | None]:
    """Mean rating per dimension, in framework order; None where no statement is rated yet.

    Ratings for statement ids not in the framework (retired statements) are ignored; a rating that
    is not a whole number 1-5 raises ValueError, unless ``checked`` says the caller cleaned them
    already (the dashboard reads hundreds of cleaned rating sets per request).
    """
    result: dict[str, float | None] = {}
    for dimension in framework.dimensions:
        values = [
            ratings[statement_id] if checked else _check_rating(statement_id, ratings[statement_id])
            for statement_id in dimension.statement_ids
            if statement_id in ratings
        ]
        result[dimension.id] = sum(values) / len(values) if values else None
    return result


def level_for(score: float) -> int:
    """The level (1-5) a score on the 1-5 scale stands for: rounded half up, clamped to the scale.

    2.49 → 2, 2.5 → 3, 4.75 → 5.
    """
    if math.isnan(score):
        raise ValueError("score is NaN")
    return int(min(SCALE_MAX, max(SCALE_MIN, math.floor(score + 0.5 + _EPSILON))))


@dataclass(frozen=True)
class Completeness:
    rated: int
    total: int
    by_dimension: Mapping[str, tuple[int, int]]  # dimension id -> (rated, total), framework order
    missing: tuple[str, ...]  # statement ids not rated yet, in form order

    @property
    def fraction(self) -> float:
        return self.rated / self.total if self.total else 1.0

    @property
    def complete(self) -> bool:
        return self.rated == self.total


def completeness(framework: Framework, ratings: Mapping[str, int]) -> Completeness:
    """How much of the form is filled in (ratings for unknown statement ids do not count)."""
    by_dimension: dict[str, tuple[int, int]] = {}
    missing: list[str] = []
    for dimension in framework.dimensions:
        ids = dimension.statement_ids
        missing.extend(i for i in ids if i not in ratings)
        by_dimension[dimension.id] = (sum(1 for i in ids if i in ratings), len(ids))
    total = sum(t for _, t in by_dimension.values())
    return Completeness(total - len(missing), total, MappingProxyType(by_dimension), tuple(missing))


# --------------------------------------------------------------------------------------------------
# Measured scores
# --------------------------------------------------------------------------------------------------


class AnswerRecord(Protocol):
    """A graded quiz answer on a question tagged with ``competencies``."""

    @property
    def competencies(self) -> Sequence[str]: ...
    @property
    def score_fraction(self) -> float: ...
    @property
    def answered_at(self) -> datetime: ...


class ScenarioRecord(Protocol):
    """A finished role-play (or other scored exercise) tagged with ``competencies``."""

    @property
    def competencies(self) -> Sequence[str]: ...
    @property
    def score_fraction(self) -> float: ...
    @property
    def finished_at(self) -> datetime: ...


@dataclass(frozen=True)
class AnswerEvidence:
    """A ready-made :class:`AnswerRecord`."""

    competencies: tuple[str, ...]
    score_fraction: float
    answered_at: datetime


@dataclass(frozen=True)
class ScenarioEvidence:
    """A ready-made :class:`ScenarioRecord`."""

    competencies: tuple[str, ...]
    score_fraction: float
    finished_at: datetime


@dataclass(frozen=True)
class MeasuredScore:
    dimension_id: str
    score: float | None  # 1..5 (1 + 4 × fraction); None without evidence
    fraction: float | None  # recency-weighted mean score fraction, 0..1
    evidence: int  # number of answers and scenario results counted
    weight: float  # sum of their decayed weights (each 0..1)
    last_at: datetime | None  # most recent evidence

    @property
    def low_confidence(self) -> bool:
        """True when the evidence is too thin to trust (fewer than MIN_EVIDENCE items)."""
        return self.evidence < MIN_EVIDENCE

    @property
    def level(self) -> int | None:
        return None if self.score is None else level_for(self.score)


def fraction_to_score(fraction: float) -> float:
    """Map a 0..1 result onto the 1-5 rating scale: ``1 + 4 × fraction``."""
    return SCALE_MIN + (SCALE_MAX - SCALE_MIN) * fraction


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def decay_weight(age_days: float, half_life_days: float = DEFAULT_HALF_LIFE_DAYS) -> float:
    """``0.5 ** (age / half_life)``; evidence from the future (clock skew) counts as new."""
    return 0.5 ** (max(0.0, age_days) / half_life_days)


def measured_scores(
    answers: Iterable[AnswerRecord],
    scenario_results: Iterable[ScenarioRecord],
    now: datetime,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    *,
    dimension_ids: Iterable[str] | None = None,
    scenario_weight: float = 1.0,
) -> dict[str, MeasuredScore]:
    """Recency-weighted measured score per dimension.

    An item tagged with several competencies is full evidence for each of them. ``scenario_weight``
    multiplies a scenario result's weight relative to one quiz answer (1.0: the same). With
    ``dimension_ids`` the result has exactly those dimensions, in that order (score None where
    there is no evidence) and other tags are ignored; without it, every tag seen, sorted.
    Naive datetimes are taken as UTC. A score fraction outside 0..1 raises ValueError.
    """
    if not half_life_days > 0:
        raise ValueError("half_life_days must be positive")
    if not scenario_weight > 0:
        raise ValueError("scenario_weight must be positive")
    moment = _utc(now)
    items: list[tuple[Sequence[str], float, datetime, float]] = [
        (a.competencies, a.score_fraction, a.answered_at, 1.0) for a in answers
    ]
    items.extend((s.competencies, s.score_fraction, s.finished_at, scenario_weight) for s in scenario_results)

    wanted = list(dict.fromkeys(dimension_ids)) if dimension_ids is not None else None
    wanted_set = set(wanted) if wanted is not None else None
    sums: dict[str, list[float]] = {}  # id -> [weighted fraction sum, weight sum, count]
    last: dict[str, datetime] = {}
    for competencies, fraction, at, factor in items:
        if isinstance(fraction, bool) or not 0.0 <= fraction <= 1.0:
            raise ValueError(f"score_fraction must be between 0 and 1, got {fraction!r}")
        when = _utc(at)
        weight = factor * decay_weight((moment - when).total_seconds() / _SECONDS_PER_DAY, half_life_days)
        for tag in dict.fromkeys(competencies):
            if wanted_set is not None and tag not in wanted_set:
                continue
            acc = sums.setdefault(tag, [0.0, 0.0, 0])
            acc[0] += weight * fraction
            acc[1] += weight
            acc[2] += 1
            if tag not in last or when > last[tag]:
                last[tag] = when

    result: dict[str, MeasuredScore] = {}
    for tag in wanted if wanted is not None else sorted(sums):
        if tag not in sums:
            result[tag] = MeasuredScore(tag, None, None, 0, 0.0, None)
            continue
        weighted, total, count = sums[tag]
        mean = weighted / total if total > 0 else None
        result[tag] = MeasuredScore(
            dimension_id=tag,
            score=None if mean is None else fraction_to_score(mean),
            fraction=mean,
            evidence=int(count),
            weight=total,
            last_at=last.get(tag),
        )
    return result


# --------------------------------------------------------------------------------------------------
# Gaps, weakest dimensions, recommendations
# --------------------------------------------------------------------------------------------------

GapKind = Literal["overconfident", "underconfident", "aligned", "no_evidence"]


@dataclass(frozen=True)
class Gap:
    dimension_id: str
    kind: GapKind
    self_score: float | None
    measured_score: float | None
    difference: float | None  # self − measured; None when either is missing
    low_confidence: bool  # the measured side rests on thin evidence (or none)


def _measured_value(measured: MeasuredScore | float | None) -> float | None:
    if isinstance(measured, MeasuredScore):
        return measured.score
    return measured


def gaps(
    self_scores: Mapping[str, float | None], measured: Mapping[str, MeasuredScore | float | None]
) -> dict[str, Gap]:
    """Self against measured per dimension (every id in either mapping, self's order first).

    ``no_evidence`` covers both missing sides: no measured evidence, or not self-rated yet; the
    Gap's ``self_score`` / ``measured_score`` say which.
    """
    result: dict[str, Gap] = {}
    for dim_id in dict.fromkeys([*self_scores, *measured]):
        own = self_scores.get(dim_id)
        entry = measured.get(dim_id)
        other = _measured_value(entry)
        thin = entry.low_confidence if isinstance(entry, MeasuredScore) else other is None
        if own is None or other is None:
            result[dim_id] = Gap(dim_id, "no_evidence", own, other, None, thin)
            continue
        difference = own - other
        kind: GapKind
        if difference >= GAP_THRESHOLD - _EPSILON:
            kind = "overconfident"
        elif difference <= -GAP_THRESHOLD + _EPSILON:
            kind = "underconfident"
        else:
            kind = "aligned"
        result[dim_id] = Gap(dim_id, kind, own, other, difference, thin)
    return result


def weakest(
    self_scores: Mapping[str, float | None],
    measured: Mapping[str, MeasuredScore | float | None],
    n: int = 3,
) -> list[str]:
    """The ``n`` dimensions to work on, weakest first.

    Each dimension is judged by its measured score when it has one, else by its self score;
    dimensions with neither are left out. Ties go to the lower self score, then to the order of
    ``self_scores`` (framework order), then of ``measured``.
    """
    order = list(dict.fromkeys([*self_scores, *measured]))
    ranked: list[tuple[float, float, int, str]] = []
    for position, dim_id in enumerate(order):
        own = self_scores.get(dim_id)
        other = _measured_value(measured.get(dim_id))
        basis = other if other is not None else own
        if basis is None:
            continue
        ranked.append((basis, own if own is not None else math.inf, position, dim_id))
    ranked.sort()
    return [dim_id for *_, dim_id in ranked[: max(0, n)]]


@dataclass(frozen=True)
class Recommendations:
    lesson_ids: tuple[str, ...]  # weakest dimension's lessons first, each id once
    scenario_ids: tuple[str, ...]
    lessons_by_dimension: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    scenarios_by_dimension: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _tagged(
    weak: Sequence[str], items: Iterable[tuple[str, Iterable[str]]], limit: int | None
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    pairs = [(item_id, set(tags)) for item_id, tags in items]
    by_dimension: dict[str, tuple[str, ...]] = {}
    for dim_id in weak:
        matching = list(dict.fromkeys(item_id for item_id, tags in pairs if dim_id in tags))
        by_dimension[dim_id] = tuple(matching[:limit] if limit is not None else matching)
    flat = tuple(dict.fromkeys(item_id for dim_id in weak for item_id in by_dimension[dim_id]))
    return flat, by_dimension


def recommendations(
    weak_dimension_ids: Sequence[str],
    lessons: Iterable[tuple[str, Iterable[str]]],
    scenarios: Iterable[tuple[str, Iterable[str]]],
    *,
    limit_per_dimension: int | None = None,
) -> Recommendations:
    """Lessons and scenarios tagged with the weak dimensions.

    ``lessons`` and ``scenarios`` are ``(id, competency ids)`` pairs in the order they should be
    suggested (course order for lessons). Items keep that order within a dimension; dimensions come
    in the order given (weakest first). ``limit_per_dimension`` caps each dimension's list.
    """
    weak = list(dict.fromkeys(weak_dimension_ids))
    lesson_ids, lessons_by = _tagged(weak, lessons, limit_per_dimension)
    scenario_ids, scenarios_by = _tagged(weak, scenarios, limit_per_dimension)
    return Recommendations(
        lesson_ids, scenario_ids, MappingProxyType(lessons_by), MappingProxyType(scenarios_by)
    )


# --------------------------------------------------------------------------------------------------
# Quarters and trends
# --------------------------------------------------------------------------------------------------

_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")


def quarter_label(moment: date | datetime) -> str:
    """``2026-Q4`` for any day from 1 October to 31 December 2026 (in the moment's own time zone)."""
    return f"{moment.year:04d}-Q{(moment.month - 1) // 3 + 1}"


def parse_quarter(label: str) -> tuple[int, int]:
    """``"2026-Q4"`` → ``(2026, 4)``; ValueError for anything else."""
    match = _QUARTER.fullmatch(label)
    if not match:
        raise ValueError(f"not a quarter label (YYYY-Qn): {label!r}")
    return int(match.group(1)), int(match.group(2))


def quarter_range(first: str, last: str) -> list[str]:
    """Every quarter from ``first`` to ``last`` inclusive (empty when last comes before first)."""
    year, quarter = parse_quarter(first)
    end = parse_quarter(last)
    labels: list[str] = []
    while (year, quarter) <= end:
        labels.append(f"{year:04d}-Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return labels


@dataclass(frozen=True)
class TrendLine:
    dimension_id: str
    points: tuple[tuple[str, float | None], ...]  # (quarter, score) for every quarter in the span

    @property
    def latest(self) -> float | None:
        """The most recent score there is."""
        return next((score for _, score in reversed(self.points) if score is not None), None)

    @property
    def change(self) -> float | None:
        """Latest score minus the one before it (skipping quarters without a score)."""
        scores = [score for _, score in self.points if score is not None]
        return scores[-1] - scores[-2] if len(scores) >= 2 else None


def trend(
    assessments_by_quarter: Mapping[str, Mapping[str, float | None]],
    dimension_ids: Iterable[str] | None = None,
) -> dict[str, TrendLine]:
    """Per dimension, its score in every quarter from the first assessment to the last.

    ``assessments_by_quarter`` maps a quarter label to that quarter's scores by dimension (self
    scores, or measured ones). Quarters without an assessment appear with None, so a chart's
    x axis has no holes. ``dimension_ids`` fixes which dimensions and their order; by default every
    dimension seen, in order of first appearance.
    """
    quarters = sorted(assessments_by_quarter, key=parse_quarter)
    span = quarter_range(quarters[0], quarters[-1]) if quarters else []
    if dimension_ids is None:
        dimension_ids = dict.fromkeys(d for q in quarters for d in assessments_by_quarter[q])
    return {
        dim_id: TrendLine(
            dim_id,
            tuple((q, assessments_by_quarter.get(q, {}).get(dim_id)) for q in span),
        )
        for dim_id in dimension_ids
    }
