"""The overview's cells, each source (lesson progress, certificates, activity, final exams,
role-plays, rubrics, policy-lab runs, scorecards) read for all members at once with the members
as a subquery, so a page runs a fixed number of queries whatever the team size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from flask import current_app
from sqlalchemy import func, select, union_all
from sqlalchemy.sql import Select

from trainer.core.lru import LruCache, app_cache
from trainer.extensions import db
from trainer.learn.services import onboarding_course
from trainer.learn.services.reports import certified_ids, completed_counts, last_visits
from trainer.quiz.services.reports import last_answers
from trainer.roleplay.services.practice import best_outcome
from trainer.roleplay.services.reports import finished_plays, last_plays, last_rubrics, rubric_means
from trainer.scorecard import rules
from trainer.scorecard.framework import Framework
from trainer.scorecard.services.assessments import decoded_ratings, last_changes, stored_ratings
from trainer.scorecard.services.common import framework
from trainer.scorecard.services.evidence import Tally, measured_tallies, scores_from


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    certificate: bool

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class Roleplay:
    finished: int
    mean_percent: float | None
    best_outcome: str | None
    rubric_mean: float | None
    rubrics: int


@dataclass(frozen=True)
class ScoreSummary:
    rated: int
    total: int
    self_mean: float | None
    measured_mean: float | None
    overconfident: int
    underconfident: int
    gaps: dict[str, rules.Gap] = field(default_factory=dict)
    self_scores: dict[str, float | None] = field(default_factory=dict)
    tallies: Mapping[str, Tally] | None = None  # the measured evidence's sums; None on the empty card
    moment: datetime | None = None  # the measured scores are taken at this moment
    dimension_ids: tuple[str, ...] = ()

    @cached_property
    def measured(self) -> dict[str, rules.MeasuredScore]:
        """The measured score per dimension at ``moment``, built when first asked for (the heatmap
        does; the overview's table needs only the means and gaps above)."""
        if self.moment is None:
            return {}
        return scores_from(self.tallies or {}, self.moment, self.dimension_ids)

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.rated == self.total


def progress_by_member(members: Select) -> tuple[dict[int, Progress], int]:
    """Lessons of the onboarding course completed, and the certificate; (by member, lessons in all)."""
    course = onboarding_course()
    if course is None:
        return {}, 0
    lesson_ids = [lesson.id for lesson in course.lessons]
    done = completed_counts(members, course.id, lesson_ids)
    certified = certified_ids(members, course.id)
    ids = set(done) | certified
    result = {uid: Progress(int(done.get(uid, 0)), len(lesson_ids), uid in certified) for uid in ids}
    return result, len(lesson_ids)


def activity_by_member(members: Select) -> dict[int, datetime]:
    """The latest thing each member did: a lesson, a quiz answer, a play, a rubric, the scorecard."""
    parts = union_all(
        last_visits(members), last_answers(members), last_plays(members), last_rubrics(members), last_changes(members)
    ).subquery()
    rows = db.session.execute(select(parts.c.user_id, func.max(parts.c.at)).group_by(parts.c.user_id)).all()
    result = {}
    for uid, at in rows:
        if isinstance(at, str):  # SQLite returns max() over a UNION as text
            at = datetime.fromisoformat(at)
        result[uid] = at
    return result


def roleplays_by_member(members: Select, until: datetime) -> dict[int, Roleplay]:
    plays: dict[int, list[tuple[str | None, float | None]]] = defaultdict(list)
    for play in finished_plays(members, until):
        plays[play.user_id].append((play.outcome, None if play.fraction is None else 100 * play.fraction))
    rubrics = rubric_means(members, until)
    result = {}
    for user_id in set(plays) | set(rubrics):
        own = plays.get(user_id, [])
        values = [p for _, p in own if p is not None]
        mean, count = rubrics.get(user_id, (None, 0))
        result[user_id] = Roleplay(
            finished=len(own),
            mean_percent=sum(values) / len(values) if values else None,
            best_outcome=best_outcome(o for o, _ in own),
            rubric_mean=mean,
            rubrics=count,
        )
    return result



SUMMARY_CACHE = "manage_scorecards"
_Summary = tuple[int, int, float | None, float | None, int, int, dict[str, rules.Gap], dict[str, float | None]]


def summarize(fw: Framework, ratings: dict[str, int], sums: Mapping[str, Tally] | None) -> _Summary:
    """The moment-independent part of a member's :class:`ScoreSummary` from cleaned ``ratings`` and
    measured tallies (measured scores, hence gaps and means, do not depend on the moment)."""
    own = rules.self_scores(fw, ratings, checked=True)
    theirs = scores_from(sums or {}, _ANY_MOMENT, fw.ids)
    found = rules.gaps(own, theirs)
    self_values = [v for v in own.values() if v is not None]
    measured_values = [m.score for m in theirs.values() if m.score is not None]
    return (
        len(ratings),
        len(fw.statements),
        sum(self_values) / len(self_values) if self_values else None,
        sum(measured_values) / len(measured_values) if measured_values else None,
        sum(1 for g in found.values() if g.kind == "overconfident" and not g.low_confidence),
        sum(1 for g in found.values() if g.kind == "underconfident" and not g.low_confidence),
        found,
        own,
    )


_ANY_MOMENT = datetime(2000, 1, 1)  # scores_from's scores and evidence counts are the same at any moment


def scorecards_by_member(members: Select, quarter: str, moment: datetime) -> dict[int, ScoreSummary]:
    """Every member's scorecard cells: two queries (ratings, evidence fingerprints) and, for people
    whose evidence changed, the evidence. What is derived per member is kept in the app under
    (quarter, member) with the stored ratings and the evidence fingerprint it came from, and
    computed again only when either differs (or the framework was reloaded)."""
    fw = framework()
    ratings = stored_ratings(members, quarter)
    measured = measured_tallies(members, moment, quarter)
    cache: LruCache[tuple[str, int], tuple[object, str | None, Framework, _Summary]] = app_cache(
        current_app.extensions, SUMMARY_CACHE, current_app.config["CACHE_ENTRIES"])
    known = frozenset(s.id for s in fw.statements)
    result = {}
    for user_id in set(ratings) | set(measured):
        raw = ratings.get(user_id)
        fingerprint, sums = measured.get(user_id, ((), None))
        hit = cache.get((quarter, user_id))
        if hit is None or hit[2] is not fw or hit[0] != fingerprint or hit[1] != raw:
            hit = cache[(quarter, user_id)] = (fingerprint, raw, fw, summarize(fw, decoded_ratings(raw, known), sums))
        result[user_id] = ScoreSummary(*hit[3], tallies=sums, moment=moment, dimension_ids=fw.ids)
    return result


def empty_scorecard() -> ScoreSummary:
    return ScoreSummary(0, len(framework().statements), None, None, 0, 0)
