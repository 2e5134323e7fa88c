"""One person's scorecard for one quarter: levels, gaps in words, the radar, the weakest
competencies with lessons and scenarios to work on, and the trend over the quarters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from trainer.accounts.models import User
from trainer.content.source import pick
from trainer.core.content import catalog
from trainer.core.time import utcnow
from trainer.scorecard import rules
from trainer.scorecard.framework import Dimension
from trainer.scorecard.models import SelfAssessment
from trainer.scorecard.radar import Radar, radar
from trainer.scorecard.rules import Gap, MeasuredScore
from trainer.scorecard.services.assessments import assessments_of, clean_ratings, self_scores_of
from trainer.scorecard.services.common import framework
from trainer.scorecard.services.evidence import Evidence, combine, evidence_for
from trainer.scorecard.services.quarters import as_of, this_quarter

# Under a radar axis whose measured score is missing: the line breaks there instead of dropping to 0.
NO_EVIDENCE = _l("no evidence yet")

WEAKEST = 3
"""How many dimensions get recommendations."""
RECOMMEND_PER_DIMENSION = 3
SPARK_STEP = 40


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
    lesson_links: list[Link] = []
    for dim in weak_ids:
        for lesson_id in found.lessons_by_dimension.get(dim, ()):
            if any(link.url and link.url.endswith("/" + lesson_id) for link in lesson_links):
                continue
            lesson = content.lessons[lesson_id]
            lesson_links.append(
                Link(lesson.title(lang), f"/learn/{lesson.course_id}/{lesson.id}", titles.get(dim, dim))
            )
    scenario_links: list[Link] = []
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
        radar=radar([r.title for r in rows], [r.self_score for r in rows], [r.measured.score for r in rows],
                    notes=[None if r.measured.score is not None else str(NO_EVIDENCE) for r in rows]),
        weakest=[by_id[d] for d in weak_ids],
        lessons=lessons,
        scenarios=scenario_links,
        trend=trend_of(assessments, evidence, lang, moment),
        quarters=[a.quarter for a in reversed(assessments)],
    )
