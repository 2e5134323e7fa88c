"""The manager dashboard: team overview, a member's page, team views (competency heatmap, the
questions the team gets wrong most, refresher completion against due dates), CSV exports.

Who sees what
    Everything starts from a :class:`Scope`: the teams the viewer manages and every team below
    them (admins: all teams), optionally narrowed to one of those teams, and a quarter. A team id
    outside the viewer's reach is "not found", whatever the URL says; every list is filtered by
    the scope's member subquery, never by ids taken from the request.

Scale
    The overview runs a fixed number of queries whatever the team size: each source (lesson
    progress, certificates, activity, assignments, attempts, plays, rubrics, scorecards) is read
    for all members at once with the members as a subquery, then joined up in Python. A test counts
    the statements for teams of 5 and 50; ``tests/bench/bench_dashboard.py`` times 500 members.

Simulation results are the policy-lab runs each person saved (how many, and the DSO of the latest);
workshop rounds belong to teams of the workshop, not to one person, so they are not counted here.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import load_only
from sqlalchemy.sql import Select

from trainer.accounts.access import (
    ancestor_team_ids,
    can_view_user,
    descendant_team_ids,
    managed_team_ids,
    team_parents,
)
from trainer.accounts.models import Team, User, team_members
from trainer.content.source import pick
from trainer.core.content import catalog
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.learn.models import Certificate, LessonProgress
from trainer.policylab.models import SimRun
from trainer.quiz.grading import kept_percent
from trainer.quiz.models import Assignment, Attempt, AttemptAnswer, assignment_teams
from trainer.roleplay.models import Play, RubricScore
from trainer.scorecard import rules
from trainer.scorecard import services as cards
from trainer.scorecard.models import SelfAssessment

DUE_SOON = timedelta(days=7)
MISSED_MIN_ANSWERS = 3
MISSED_LIMIT = 10
TIMELINE_LIMIT = 60

# Refresher statuses, from the quiz feature's vocabulary plus two the dashboard adds.
NOT_STARTED, IN_PROGRESS, DONE, LATE, MISSING = "not_started", "in_progress", "done", "late", "missing"
DUE_SOON_STATUS, NOT_OPEN = "due_soon", "not_open"
STATUS_LABELS = {
    DONE: _l("Done"),
    LATE: _l("Done late"),
    MISSING: _l("Past due"),
    DUE_SOON_STATUS: _l("Due soon"),
    IN_PROGRESS: _l("Started, not submitted"),
    NOT_STARTED: _l("Not started"),
    NOT_OPEN: _l("Not open yet"),
}
STATUS_BADGES = {DONE: "good", LATE: "warn", MISSING: "bad", DUE_SOON_STATUS: "warn", IN_PROGRESS: "",
                 NOT_STARTED: "", NOT_OPEN: ""}
# Which status a member's refresher cell shows when they have several assignments: the most urgent.
URGENCY = (MISSING, DUE_SOON_STATUS, IN_PROGRESS, NOT_STARTED, NOT_OPEN, LATE, DONE)


def status_labels() -> dict[str, str]:
    """The refresher status labels in the current language (looked up once per page)."""
    return {key: str(label) for key, label in STATUS_LABELS.items()}


class DashboardError(Exception):
    """A refusal; ``status`` 404 hides whether the thing exists."""

    def __init__(self, message: Any, status: int = 404):
        super().__init__(str(message))
        self.message = message
        self.status = status



# --------------------------------------------------------------------------------------------------
# Scope: which teams, which members, which quarter
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    viewer: User
    teams: list[Team]  # every team the viewer may pick, by name
    team: Team | None  # the team picked (None: all of them)
    team_ids: frozenset[int]  # the picked team and those below it, or every visible team
    quarter: str
    start: datetime
    end: datetime
    moment: datetime

    @property
    def as_of(self) -> datetime:
        """Measured scores and "overdue" are judged at this moment: now, or the quarter's end."""
        return min(self.moment, self.end)

    @property
    def is_current(self) -> bool:
        return self.start <= self.moment <= self.end

    def members(self) -> Select:
        """A SELECT of the ids of the active members of the scope's teams (a subquery filter)."""
        return (
            select(team_members.c.user_id)
            .join(User, User.id == team_members.c.user_id)
            .where(team_members.c.team_id.in_(sorted(self.team_ids) or [-1]), User.active.is_(True))
            .distinct()
        )

    def params(self, **extra: Any) -> dict[str, Any]:
        """Query parameters that keep this scope in links."""
        values: dict[str, Any] = {"quarter": self.quarter}
        if self.team is not None:
            values["team"] = self.team.id
        values.update({k: v for k, v in extra.items() if v is not None})
        return values


def parse_id(raw: Any) -> int | None:
    text = str(raw).strip() if raw is not None else ""
    return int(text) if text.isdigit() and len(text) < 12 else None


def make_scope(viewer: User, team: Any = None, quarter: Any = None, moment: datetime | None = None) -> Scope:
    """The viewer's scope; DashboardError(404) for a team outside it or a malformed quarter."""
    moment = moment or utcnow()
    reach = managed_team_ids(viewer)
    teams = (
        list(db.session.scalars(select(Team).where(Team.id.in_(reach)).order_by(Team.name)).all()) if reach else []
    )
    chosen: Team | None = None
    team_ids: set[int] = set(reach)
    if team not in (None, ""):
        team_id = parse_id(team)
        chosen = next((t for t in teams if t.id == team_id), None)
        if chosen is None:
            raise DashboardError(_l("There is no such team among yours."))
        team_ids = descendant_team_ids([chosen.id]) & reach
    try:
        label = cards.check_quarter(quarter, default=cards.this_quarter(moment))
    except cards.ScorecardError as refused:
        raise DashboardError(refused.message) from None
    start, end = cards.quarter_bounds(label)
    return Scope(viewer, teams, chosen, frozenset(team_ids), label, start, end, moment)


def quarter_choices(scope: Scope, back: int = 5) -> list[str]:
    """This quarter and the ``back`` before it, newest first (plus the chosen one if older)."""
    labels = [cards.this_quarter(scope.moment)]
    for _ in range(back):
        labels.append(cards.previous_quarter(labels[-1]))
    if scope.quarter not in labels:
        labels.append(scope.quarter)
    return labels


# --------------------------------------------------------------------------------------------------
# The overview's cells
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    certificate: bool

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class AssignmentStatus:
    assignment_id: int
    title: str
    quiz_id: str
    due_at: datetime
    opens_at: datetime
    status: str
    percent: float | None
    passed: bool | None
    submitted_at: datetime | None

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]


@dataclass(frozen=True)
class Refresher:
    items: tuple[AssignmentStatus, ...]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.status in (DONE, LATE))

    @property
    def overdue(self) -> int:
        return sum(1 for i in self.items if i.status == MISSING)

    @property
    def mean_percent(self) -> float | None:
        values = [i.percent for i in self.items if i.percent is not None]
        return sum(values) / len(values) if values else None

    @property
    def headline(self) -> AssignmentStatus | None:
        if not self.items:
            return None
        return min(self.items, key=lambda i: (URGENCY.index(i.status), i.due_at))

    @property
    def sort_value(self) -> tuple[float, float] | None:
        if not self.items:
            return None
        return (self.done / self.total - self.overdue, self.mean_percent or 0.0)


@dataclass(frozen=True)
class FinalExam:
    percent: float | None
    passed: bool
    attempts: int


@dataclass(frozen=True)
class Roleplay:
    finished: int
    mean_percent: float | None
    best_outcome: str | None
    rubric_mean: float | None
    rubrics: int


@dataclass(frozen=True)
class PolicyLab:
    """Saved policy-lab runs: how many, when the latest was, and that run's DSO (days)."""

    runs: int
    last_at: datetime | None
    dso: float | None


@dataclass(frozen=True)
class ScoreSummary:
    rated: int
    total: int
    self_mean: float | None
    measured_mean: float | None
    overconfident: int
    underconfident: int
    gaps: dict[str, rules.Gap] = field(default_factory=dict)
    measured: dict[str, rules.MeasuredScore] = field(default_factory=dict)
    self_scores: dict[str, float | None] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.rated == self.total


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    email: str
    teams: tuple[str, ...]
    progress: Progress
    last_activity: datetime | None
    refresher: Refresher
    final: FinalExam | None
    roleplay: Roleplay
    scorecard: ScoreSummary
    policy_lab: PolicyLab | None = None


def _members(members: Select) -> list[tuple[int, str, str, datetime | None]]:
    return [
        (row[0], row[1], row[2], row[3])
        for row in db.session.execute(
            select(User.id, User.name, User.email, User.last_seen_at).where(User.id.in_(members)).order_by(User.name)
        ).all()
    ]


def _team_names(members: Select, team_ids: Iterable[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = defaultdict(list)
    rows = db.session.execute(
        select(team_members.c.user_id, Team.name)
        .join(Team, Team.id == team_members.c.team_id)
        .where(team_members.c.user_id.in_(members), team_members.c.team_id.in_(sorted(team_ids) or [-1]))
        .order_by(Team.name)
    ).all()
    for user_id, name in rows:
        result[user_id].append(name)
    return result


def _progress(members: Select) -> tuple[dict[int, Progress], int]:
    """Lessons of the onboarding course completed, and the certificate; (by member, lessons in all)."""
    from trainer.learn.services import onboarding_course

    course = onboarding_course()
    if course is None:
        return {}, 0
    lesson_ids = [lesson.id for lesson in course.lessons]
    done = dict(
        db.session.execute(
            select(LessonProgress.user_id, func.count())
            .where(
                LessonProgress.user_id.in_(members),
                LessonProgress.course_id == course.id,
                LessonProgress.lesson_id.in_(lesson_ids),
                LessonProgress.completed_at.is_not(None),
            )
            .group_by(LessonProgress.user_id)
        ).all()
    )
    certified = set(
        db.session.scalars(
            select(Certificate.user_id).where(Certificate.user_id.in_(members), Certificate.course_id == course.id)
        ).all()
    )
    ids = set(done) | certified
    result = {uid: Progress(int(done.get(uid, 0)), len(lesson_ids), uid in certified) for uid in ids}
    return result, len(lesson_ids)


def _activity(members: Select) -> dict[int, datetime]:
    """The latest thing each member did: a lesson, a quiz answer, a play, a rubric, the scorecard."""
    parts = union_all(
        select(LessonProgress.user_id.label("uid"), func.max(LessonProgress.visited_at).label("at"))
        .where(LessonProgress.user_id.in_(members))
        .group_by(LessonProgress.user_id),
        select(Attempt.user_id, func.max(Attempt.updated_at)).where(Attempt.user_id.in_(members)).group_by(Attempt.user_id),
        select(Play.user_id, func.max(func.coalesce(Play.finished_at, Play.started_at)))
        .where(Play.user_id.in_(members))
        .group_by(Play.user_id),
        select(RubricScore.salesperson_id, func.max(RubricScore.at))
        .where(RubricScore.salesperson_id.in_(members))
        .group_by(RubricScore.salesperson_id),
        select(SelfAssessment.user_id, func.max(SelfAssessment.updated_at))
        .where(SelfAssessment.user_id.in_(members))
        .group_by(SelfAssessment.user_id),
    ).subquery()
    rows = db.session.execute(select(parts.c.uid, func.max(parts.c.at)).group_by(parts.c.uid)).all()
    result = {}
    for uid, at in rows:
        if isinstance(at, str):  # SQLite returns max() over a UNION as text
            at = datetime.fromisoformat(at)
        result[uid] = at
    return result


@dataclass(frozen=True)
class _AssignmentInfo:
    assignment: Assignment
    team_ids: frozenset[int]


def _assignments_in(start: datetime, end: datetime, reach: Iterable[int]) -> list[_AssignmentInfo]:
    """Assignments due within [start, end] that reach any of the teams ``reach`` (teams given
    with their ancestors already), with their team ids; two queries."""
    reach = sorted(set(reach)) or [-1]
    rows = db.session.execute(
        select(assignment_teams.c.assignment_id, assignment_teams.c.team_id)
        .join(Assignment, Assignment.id == assignment_teams.c.assignment_id)
        .where(Assignment.due_at >= start, Assignment.due_at <= end)
    ).all()
    teams: dict[int, set[int]] = defaultdict(set)
    for assignment_id, team_id in rows:
        teams[assignment_id].add(team_id)
    wanted = [aid for aid, tids in teams.items() if tids & set(reach)]
    if not wanted:
        return []
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.id.in_(wanted)).order_by(Assignment.due_at, Assignment.id)
    ).all()
    return [_AssignmentInfo(a, frozenset(teams[a.id])) for a in assignments]


def _attempts_for(assignment_ids: Sequence[int], members: Select | Iterable[int]) -> dict[tuple[int, int], list[Attempt]]:
    if not assignment_ids:
        return {}
    member_filter = members if isinstance(members, Select) else list(members)
    rows = db.session.scalars(
        select(Attempt)
        .options(
            load_only(
                Attempt.id, Attempt.user_id, Attempt.quiz_id, Attempt.assignment_id, Attempt.submitted_at,
                Attempt.percent, Attempt.started_at,
            )
        )
        .where(Attempt.assignment_id.in_(list(assignment_ids)), Attempt.user_id.in_(member_filter))
        .order_by(Attempt.id)
    ).all()
    result: dict[tuple[int, int], list[Attempt]] = defaultdict(list)
    for attempt in rows:
        assert attempt.assignment_id is not None
        result[(attempt.user_id, attempt.assignment_id)].append(attempt)
    return result


def assignment_status(assignment: Assignment, attempts: list[Attempt], moment: datetime) -> AssignmentStatus:
    """One member's standing on one assignment: the quiz feature's rule (done, late, missing,
    in progress, not started) plus "due soon" and "not open yet"."""
    definition = catalog().quizzes.get(assignment.quiz_id)
    done = sorted((a for a in attempts if a.submitted_at is not None), key=lambda a: (a.submitted_at, a.id))
    percent: float | None = None
    passed: bool | None = None
    submitted: datetime | None = None
    if done:
        percents = [float(a.percent or 0.0) for a in done]
        percent = kept_percent(definition, percents) if definition is not None else percents[-1]
        passed = definition is not None and percent is not None and percent >= definition.pass_mark
        submitted = done[0].submitted_at
        assert submitted is not None
        status = LATE if submitted > assignment.due_at else DONE
    elif moment > assignment.due_at:
        status = MISSING
    elif moment < assignment.opens_at:
        status = NOT_OPEN
    elif assignment.due_at - moment <= DUE_SOON:
        status = DUE_SOON_STATUS
    else:
        status = IN_PROGRESS if attempts else NOT_STARTED
    return AssignmentStatus(
        assignment.id, assignment.title, assignment.quiz_id, assignment.due_at, assignment.opens_at,
        status, percent, passed, submitted,
    )


def _refreshers(scope: Scope, members: Select, member_teams: dict[int, set[int]]) -> dict[int, Refresher]:
    parents = team_parents()
    up: dict[int, set[int]] = {tid: ancestor_team_ids([tid], parents) for tids in member_teams.values() for tid in tids}
    infos = _assignments_in(scope.start, scope.end, set().union(*up.values()) if up else set())
    attempts = _attempts_for([i.assignment.id for i in infos], members)
    result: dict[int, Refresher] = {}
    for user_id, tids in member_teams.items():
        reach = set().union(*(up[t] for t in tids)) if tids else set()
        items = tuple(
            assignment_status(info.assignment, attempts.get((user_id, info.assignment.id), []), scope.as_of)
            for info in infos
            if info.team_ids & reach
        )
        result[user_id] = Refresher(items)
    return result


def _member_team_ids(members: Select) -> dict[int, set[int]]:
    """Every team each member belongs to (assignments reach them through any of them)."""
    result: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in db.session.execute(
        select(team_members.c.user_id, team_members.c.team_id).where(team_members.c.user_id.in_(members))
    ).all():
        result[user_id].add(team_id)
    return result


def _finals(members: Select, until: datetime) -> dict[int, FinalExam]:
    from trainer.learn.services import onboarding_course
    from trainer.quiz.services.progress import final_quizzes

    course = onboarding_course()
    definitions = {d.id: d for d in (final_quizzes(course.id) if course else [])}
    if not definitions:
        return {}
    rows = db.session.execute(
        select(Attempt.user_id, Attempt.quiz_id, Attempt.percent)
        .where(
            Attempt.user_id.in_(members),
            Attempt.quiz_id.in_(list(definitions)),
            Attempt.submitted_at.is_not(None),
            Attempt.submitted_at <= until,
        )
        .order_by(Attempt.submitted_at, Attempt.id)
    ).all()
    percents: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for user_id, quiz_id, percent in rows:
        percents[user_id][quiz_id].append(float(percent or 0.0))
    result = {}
    for user_id, by_quiz in percents.items():
        kept = [(kept_percent(definitions[q], p), definitions[q]) for q, p in by_quiz.items()]
        best = max((k for k, _ in kept if k is not None), default=None)
        passed = any(k is not None and k >= d.pass_mark for k, d in kept)
        result[user_id] = FinalExam(best, passed, sum(len(p) for p in by_quiz.values()))
    return result


def _roleplays(members: Select, until: datetime) -> dict[int, Roleplay]:
    from trainer.roleplay.services.practice import best_outcome

    plays: dict[int, list[tuple[str | None, float | None]]] = defaultdict(list)
    for user_id, outcome, scores in db.session.execute(
        select(Play.user_id, Play.outcome, Play.scores).where(
            Play.user_id.in_(members), Play.finished_at.is_not(None), Play.finished_at <= until
        )
    ).all():
        fraction = cards._fraction_of_play(scores)
        plays[user_id].append((outcome, None if fraction is None else 100 * fraction))
    rubrics = {
        user_id: (float(mean or 0.0), int(count))
        for user_id, mean, count in db.session.execute(
            select(RubricScore.salesperson_id, func.avg(RubricScore.percent), func.count())
            .where(RubricScore.salesperson_id.in_(members), RubricScore.at <= until)
            .group_by(RubricScore.salesperson_id)
        ).all()
    }
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


def _policy_lab(members: Select, until: datetime) -> dict[int, PolicyLab]:
    """Saved simulation runs per member up to ``until`` and the latest one's DSO (two queries)."""
    counts = db.session.execute(
        select(SimRun.user_id, func.count(), func.max(SimRun.id), func.max(SimRun.created_at))
        .where(SimRun.user_id.in_(members), SimRun.created_at <= until)
        .group_by(SimRun.user_id)
    ).all()
    if not counts:
        return {}
    latest = dict(
        db.session.execute(select(SimRun.id, SimRun.summary).where(SimRun.id.in_([row[2] for row in counts]))).all()
    )
    result = {}
    for user_id, runs, last_id, last_at in counts:
        summary = latest.get(last_id) or {}
        dso = summary.get("dso")
        result[user_id] = PolicyLab(
            int(runs), last_at, float(dso) if isinstance(dso, int | float) and not isinstance(dso, bool) else None
        )
    return result


def _scorecards(members: Select, quarter: str, moment: datetime) -> dict[int, ScoreSummary]:
    fw = cards.framework()
    assessments = cards.ratings_for(members, [quarter])
    measured = cards.measured_for(members, moment, cache_key=quarter)
    empty = cards.empty_measured()
    total = len(fw.statements)
    result = {}
    for user_id in {uid for uid, _ in assessments} | set(measured):
        ratings = assessments.get((user_id, quarter), {})
        own = rules.self_scores(fw, ratings)
        theirs = measured.get(user_id, empty)
        found = rules.gaps(own, theirs)
        self_values = [v for v in own.values() if v is not None]
        measured_values = [m.score for m in theirs.values() if m.score is not None]
        result[user_id] = ScoreSummary(
            rated=len(ratings),
            total=total,
            self_mean=sum(self_values) / len(self_values) if self_values else None,
            measured_mean=sum(measured_values) / len(measured_values) if measured_values else None,
            overconfident=sum(1 for g in found.values() if g.kind == "overconfident" and not g.low_confidence),
            underconfident=sum(1 for g in found.values() if g.kind == "underconfident" and not g.low_confidence),
            gaps=found,
            measured=theirs,
            self_scores=own,
        )
    return result


def _empty_scorecard() -> ScoreSummary:
    return ScoreSummary(0, len(cards.framework().statements), None, None, 0, 0)


def member_rows(scope: Scope, members: Select | None = None) -> list[MemberRow]:
    """One row per member, by name; a fixed number of queries for any number of members."""
    members = members if members is not None else scope.members()
    people = _members(members)
    names = _team_names(members, scope.team_ids)
    progress, lessons = _progress(members)
    activity = _activity(members)
    teams_of = _member_team_ids(members)
    refreshers = _refreshers(scope, members, {uid: teams_of.get(uid, set()) for uid, *_ in people})
    finals = _finals(members, scope.as_of)
    roleplays = _roleplays(members, scope.as_of)
    scorecards = _scorecards(members, scope.quarter, scope.as_of)
    labs = _policy_lab(members, scope.as_of)
    no_progress = Progress(0, lessons, False)
    no_roleplay = Roleplay(0, None, None, None, 0)
    no_scorecard = _empty_scorecard()
    rows = []
    for user_id, name, email, last_seen in people:
        moments = [m for m in (last_seen, activity.get(user_id)) if m is not None]
        rows.append(
            MemberRow(
                user_id=user_id,
                name=name,
                email=email,
                teams=tuple(names.get(user_id, [])),
                progress=progress.get(user_id, no_progress),
                last_activity=max(moments) if moments else None,
                refresher=refreshers.get(user_id, Refresher(())),
                final=finals.get(user_id),
                roleplay=roleplays.get(user_id, no_roleplay),
                scorecard=scorecards.get(user_id, no_scorecard),
                policy_lab=labs.get(user_id),
            )
        )
    return rows


# --------------------------------------------------------------------------------------------------
# Sorting
# --------------------------------------------------------------------------------------------------

SORTS: dict[str, Callable[[MemberRow], Any]] = {
    "name": lambda r: r.name.casefold(),
    "team": lambda r: ", ".join(r.teams).casefold() or None,
    "progress": lambda r: (r.progress.percent, r.progress.certificate),
    "activity": lambda r: r.last_activity,
    "refresher": lambda r: r.refresher.sort_value,
    "final": lambda r: r.final.percent if r.final else None,
    "roleplay": lambda r: r.roleplay.mean_percent if r.roleplay.finished else None,
    "policy_lab": lambda r: (r.policy_lab.runs, r.policy_lab.last_at) if r.policy_lab else None,
    "self": lambda r: r.scorecard.self_mean,
    "measured": lambda r: r.scorecard.measured_mean,
    "gap": lambda r: (r.scorecard.overconfident, -r.scorecard.underconfident)
    if r.scorecard.self_mean is not None
    else None,
}
DEFAULT_SORT = "name"


def parse_sort(sort: Any, direction: Any) -> tuple[str, str]:
    key = sort if sort in SORTS else DEFAULT_SORT
    return key, "desc" if direction == "desc" else "asc"


def sort_rows(rows: list[MemberRow], sort: str, direction: str) -> list[MemberRow]:
    """Sorted by ``sort``; rows without a value go last in either direction; ties by name."""
    key = SORTS[sort]
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=lambda r: r.name.casefold())
    present.sort(key=key, reverse=direction == "desc")
    missing.sort(key=lambda r: r.name.casefold())
    return present + missing


@dataclass(frozen=True)
class Overview:
    scope: Scope
    rows: list[MemberRow]
    sort: str
    direction: str

    @property
    def counts(self) -> dict[str, int]:
        return {
            "members": len(self.rows),
            "certified": sum(1 for r in self.rows if r.progress.certificate),
            "overdue": sum(1 for r in self.rows if r.refresher.overdue),
            "overconfident": sum(1 for r in self.rows if r.scorecard.overconfident),
            "assessed": sum(1 for r in self.rows if r.scorecard.finished),
        }


def overview(scope: Scope, sort: Any = None, direction: Any = None) -> Overview:
    key, order = parse_sort(sort, direction)
    return Overview(scope, sort_rows(member_rows(scope), key, order), key, order)


# --------------------------------------------------------------------------------------------------
# A member's page
# --------------------------------------------------------------------------------------------------


def visible_member(viewer: User, user_id: Any) -> User:
    """The member if the viewer may see them (a member of their teams; admins: anyone); else 404."""
    uid = parse_id(user_id)
    if uid is None or uid == viewer.id:
        raise DashboardError(_l("There is no such member in your teams."))
    user = db.session.get(User, uid)
    if user is None or not user.active or not can_view_user(viewer, uid):
        raise DashboardError(_l("There is no such member in your teams."))
    return user


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    text: str
    detail: str = ""


@dataclass(frozen=True)
class AttemptPoint:
    at: datetime
    quiz: str
    kind: str
    percent: float
    passed: bool | None


@dataclass(frozen=True)
class MemberDetail:
    user: User
    row: MemberRow
    scorecard: cards.Scorecard
    timeline: list[Event]
    attempts: list[AttemptPoint]
    chart: dict[str, Any]


def _timeline(user_id: int, lang: str) -> list[Event]:
    content = catalog()
    events: list[Event] = []
    for lesson_id, completed_at in db.session.execute(
        select(LessonProgress.lesson_id, LessonProgress.completed_at)
        .where(LessonProgress.user_id == user_id, LessonProgress.completed_at.is_not(None))
        .order_by(LessonProgress.completed_at.desc())
        .limit(TIMELINE_LIMIT)
    ).all():
        lesson = content.lessons.get(lesson_id)
        events.append(Event(completed_at, "lesson", str(_l("Lesson completed")), lesson.title(lang) if lesson else lesson_id))
    for quiz_id, submitted_at, percent, passed in db.session.execute(
        select(Attempt.quiz_id, Attempt.submitted_at, Attempt.percent, Attempt.passed)
        .where(Attempt.user_id == user_id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.submitted_at.desc())
        .limit(TIMELINE_LIMIT)
    ).all():
        definition = content.quizzes.get(quiz_id)
        title = pick(definition.title, lang) if definition else quiz_id
        verdict = "" if passed is None else (str(_l("passed")) if passed else str(_l("not passed")))
        events.append(
            Event(submitted_at, "quiz", str(_l("Quiz submitted")), f"{title} · {float(percent or 0):.0f}% {verdict}".strip())
        )
    from trainer.roleplay.services.practice import outcome_label

    for scenario_id, finished_at, outcome in db.session.execute(
        select(Play.scenario_id, Play.finished_at, Play.outcome)
        .where(Play.user_id == user_id, Play.finished_at.is_not(None))
        .order_by(Play.finished_at.desc())
        .limit(TIMELINE_LIMIT)
    ).all():
        scenario = content.scenarios.get(scenario_id)
        title = pick(scenario.title, lang) if scenario else scenario_id
        events.append(Event(finished_at, "roleplay", str(_l("Role-play finished")), f"{title} · {outcome_label(outcome, lang)}"))
    for at, percent in db.session.execute(
        select(RubricScore.at, RubricScore.percent).where(RubricScore.salesperson_id == user_id).limit(TIMELINE_LIMIT)
    ).all():
        events.append(Event(at, "workshop", str(_l("Workshop rubric")), f"{float(percent):.0f}%"))
    for quarter, updated_at, finished_at in db.session.execute(
        select(SelfAssessment.quarter, SelfAssessment.updated_at, SelfAssessment.finished_at).where(
            SelfAssessment.user_id == user_id
        )
    ).all():
        if finished_at is not None:
            events.append(Event(finished_at, "scorecard", str(_l("Self-assessment completed")), quarter))
        if updated_at is not None and updated_at != finished_at:
            events.append(Event(updated_at, "scorecard", str(_l("Self-assessment updated")), quarter))
    for created_at, name, preset in db.session.execute(
        select(SimRun.created_at, SimRun.name, SimRun.preset)
        .where(SimRun.user_id == user_id)
        .order_by(SimRun.created_at.desc())
        .limit(TIMELINE_LIMIT)
    ).all():
        events.append(Event(created_at, "simulation", str(_l("Policy-lab run saved")), name or preset))
    for issued_at in db.session.scalars(select(Certificate.issued_at).where(Certificate.user_id == user_id)).all():
        events.append(Event(issued_at, "certificate", str(_l("Certificate issued")), ""))
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:TIMELINE_LIMIT]


def _attempt_points(user_id: int, lang: str) -> list[AttemptPoint]:
    content = catalog()
    points = []
    for quiz_id, submitted_at, percent, passed in db.session.execute(
        select(Attempt.quiz_id, Attempt.submitted_at, Attempt.percent, Attempt.passed)
        .where(Attempt.user_id == user_id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.submitted_at)
    ).all():
        definition = content.quizzes.get(quiz_id)
        points.append(
            AttemptPoint(
                submitted_at,
                pick(definition.title, lang) if definition else quiz_id,
                definition.kind if definition else "",
                float(percent or 0.0),
                passed,
            )
        )
    return points


def score_chart(points: Sequence[AttemptPoint], width: int = 960, height: int = 220) -> dict[str, Any]:
    """Quiz results over time as an SVG line: x is time, y is 0-100 %."""
    left, right, top, bottom = 40, 12, 12, 28
    if not points:
        return {"width": width, "height": height, "points": "", "dots": [], "grid": [], "ticks": []}
    first, last = points[0].at, points[-1].at
    span = max((last - first).total_seconds(), 1.0)
    inner_w, inner_h = width - left - right, height - top - bottom

    def x_of(at: datetime) -> float:
        return round(left + inner_w * ((at - first).total_seconds() / span if len(points) > 1 else 0.5), 1)

    def y_of(percent: float) -> float:
        return round(top + inner_h * (1 - max(0.0, min(100.0, percent)) / 100), 1)

    dots = [
        {"x": x_of(p.at), "y": y_of(p.percent), "passed": p.passed, "label": f"{p.quiz}: {p.percent:.0f}%"}
        for p in points
    ]
    grid = [{"y": y_of(v), "label": f"{v}%"} for v in (0, 25, 50, 75, 100)]
    ticks = [{"x": x_of(first), "label": cards.local_date(first), "anchor": "start"}]
    if len(points) > 1:
        ticks.append({"x": x_of(last), "label": cards.local_date(last), "anchor": "end"})
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "points": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "grid": grid,
        "ticks": ticks,
        "axis_y": height - bottom + 16,
    }


def member_detail(scope: Scope, user_id: Any, lang: str) -> MemberDetail:
    user = visible_member(scope.viewer, user_id)
    only = select(User.id).where(User.id == user.id)
    # The row is computed across all the viewer's teams, so a member of a team outside the chosen
    # one still gets a full row when opened directly.
    wide = Scope(scope.viewer, scope.teams, None, frozenset(managed_team_ids(scope.viewer)), scope.quarter,
                 scope.start, scope.end, scope.moment)
    rows = member_rows(wide, only)
    row = rows[0] if rows else MemberRow(
        user.id, user.name, user.email, (), Progress(0, 0, False), user.last_seen_at, Refresher(()), None,
        Roleplay(0, None, None, None, 0), _empty_scorecard(),
    )
    points = _attempt_points(user.id, lang)
    return MemberDetail(
        user=user,
        row=row,
        scorecard=cards.scorecard(user, scope.quarter, lang, scope.moment),
        timeline=_timeline(user.id, lang),
        attempts=points,
        chart=score_chart(points),
    )


# --------------------------------------------------------------------------------------------------
# Team views
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    dimension_id: str
    self_score: float | None
    measured: float | None
    gap: str
    low_confidence: bool

    @property
    def flag(self) -> str:
        """The gap to mark: over/underconfident only on enough evidence (as the overview counts)."""
        return self.gap if self.gap in ("overconfident", "underconfident") and not self.low_confidence else ""

    @property
    def heat(self) -> int | None:
        """Colour class 1-5: the measured level, else the self level."""
        value = self.measured if self.measured is not None else self.self_score
        return None if value is None else rules.level_for(value)


@dataclass(frozen=True)
class HeatRow:
    user_id: int
    name: str
    cells: list[HeatCell]


@dataclass(frozen=True)
class Heatmap:
    dimensions: list[tuple[str, str]]  # (id, title)
    rows: list[HeatRow]
    averages: list[HeatCell]


def heatmap(scope: Scope, lang: str) -> Heatmap:
    """Members × dimensions, self and measured: four queries whatever the team size."""
    fw = cards.framework()
    members = scope.members()
    people = _members(members)
    summaries = _scorecards(members, scope.quarter, scope.as_of)
    rows = []
    for user_id, name, _email, _seen in people:
        summary = summaries.get(user_id)
        cells = []
        for dim in fw.ids:
            own = summary.self_scores.get(dim) if summary else None
            measured = summary.measured.get(dim) if summary else None
            gap = summary.gaps[dim].kind if summary and dim in summary.gaps else "no_evidence"
            cells.append(
                HeatCell(dim, own, measured.score if measured else None, gap,
                         bool(measured and measured.score is not None and measured.low_confidence))
            )
        rows.append(HeatRow(user_id, name, cells))
    averages = []
    for index, dim in enumerate(fw.ids):
        selfs = [r.cells[index].self_score for r in rows if r.cells[index].self_score is not None]
        measured = [r.cells[index].measured for r in rows if r.cells[index].measured is not None]
        own = sum(selfs) / len(selfs) if selfs else None
        other = sum(measured) / len(measured) if measured else None
        kind = rules.gaps({dim: own}, {dim: other})[dim].kind
        averages.append(HeatCell(dim, own, other, kind, False))
    return Heatmap([(d.id, pick(d.title, lang)) for d in fw], rows, averages)


@dataclass(frozen=True)
class MissedQuestion:
    question_id: str
    text: str
    module: str
    competencies: list[str]
    answers: int
    wrong: int
    people: int

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.answers if self.answers else 0.0


def _question_text(question: Any, lang: str) -> str:
    """The question as one text: fixed numbers filled in, numbers drawn per attempt shown as "…"."""
    from trainer.quiz.bank.placeholders import PLACEHOLDER_RE, fill_placeholders

    return PLACEHOLDER_RE.sub("…", fill_placeholders(pick(question.text, lang), question.params))


def missed_questions(scope: Scope, lang: str, limit: int = MISSED_LIMIT) -> list[MissedQuestion]:
    """The questions the scope's members got wrong most often in the quarter (one query)."""
    wrong = func.sum(case((AttemptAnswer.score < AttemptAnswer.max_score, 1), else_=0))
    rows = db.session.execute(
        select(
            AttemptAnswer.question_id,
            func.count().label("answers"),
            wrong.label("wrong"),
            func.count(func.distinct(Attempt.user_id)).label("people"),
        )
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(
            Attempt.user_id.in_(scope.members()),
            Attempt.submitted_at.is_not(None),
            Attempt.submitted_at >= scope.start,
            Attempt.submitted_at <= scope.end,
            AttemptAnswer.score.is_not(None),
            AttemptAnswer.max_score > 0,
        )
        .group_by(AttemptAnswer.question_id)
        .having(func.count() >= MISSED_MIN_ANSWERS)
    ).all()
    banks = catalog().banks
    competencies = catalog().competencies
    found = []
    for question_id, answers, wrong_count, people in rows:
        if not wrong_count:
            continue
        question = banks.get(question_id) if banks is not None else None
        found.append(
            MissedQuestion(
                question_id=question_id,
                text=_question_text(question, lang) if question else question_id,
                module=question.module if question else "",
                competencies=[
                    pick(competencies[c].title, lang) if c in competencies else c for c in (question.competencies if question else ())
                ],
                answers=int(answers),
                wrong=int(wrong_count),
                people=int(people),
            )
        )
    found.sort(key=lambda q: (-q.wrong_rate, -q.wrong, q.question_id))
    return found[:limit]


@dataclass(frozen=True)
class RefresherReport:
    assignment: Assignment
    quiz_title: str
    reached: int
    done: int  # on time
    late: int
    missing: int
    pending: int  # not started or in progress, due date not passed
    by_due: int  # submitted by the due date (= done)
    curve: dict[str, Any]
    exportable: bool

    @property
    def percent_by_due(self) -> int:
        return round(100 * self.done / self.reached) if self.reached else 0

    @property
    def percent_now(self) -> int:
        return round(100 * (self.done + self.late) / self.reached) if self.reached else 0


def _curve(assignment: Assignment, submitted: list[datetime], reached: int, moment: datetime,
           width: int = 340, height: int = 96) -> dict[str, Any]:
    """Cumulative share of members done over time, with the due date marked."""
    left, right, top, bottom = 34, 8, 18, 6
    start = assignment.opens_at
    stop = max(assignment.due_at, min(moment, max(submitted, default=moment)))
    span = max((stop - start).total_seconds(), 1.0)

    def x_of(at: datetime) -> float:
        share = min(1.0, max(0.0, (at - start).total_seconds() / span))
        return round(left + (width - left - right) * share, 1)

    def y_of(count: int) -> float:
        share = count / reached if reached else 0.0
        return round(top + (height - top - bottom) * (1 - share), 1)

    points = [(x_of(start), y_of(0))]
    for index, at in enumerate(sorted(submitted), start=1):
        points.append((x_of(at), y_of(index - 1)))
        points.append((x_of(at), y_of(index)))
    points.append((x_of(min(moment, stop)), y_of(len(submitted))))
    return {
        "width": width,
        "height": height,
        "points": " ".join(f"{x},{y}" for x, y in points),
        "due_x": x_of(assignment.due_at),
        "due_label": cards.local_date(assignment.due_at)[5:],
        "top": top,
        "bottom": height - bottom,
        "left": left,
        "right": width - right,
    }


def refresher_reports(scope: Scope, lang: str) -> list[RefresherReport]:
    """Every assignment due in the quarter that reaches the scope's members: who finished by the
    due date, late, still missing, and the completion curve against the due date."""
    members = scope.members()
    teams_of = _member_team_ids(members)
    people = [uid for uid, *_ in _members(members)]
    parents = team_parents()
    up = {uid: ancestor_team_ids(teams_of.get(uid, set()), parents) for uid in people}
    infos = _assignments_in(scope.start, scope.end, set().union(*up.values()) if up else set())
    attempts = _attempts_for([i.assignment.id for i in infos], members)
    managed = managed_team_ids(scope.viewer)
    managed_up = ancestor_team_ids(managed, parents)
    reports = []
    for info in infos:
        reached = [uid for uid in people if info.team_ids & up.get(uid, set())]
        statuses = [assignment_status(info.assignment, attempts.get((uid, info.assignment.id), []), scope.as_of) for uid in reached]
        definition = catalog().quizzes.get(info.assignment.quiz_id)
        submitted = [s.submitted_at for s in statuses if s.submitted_at is not None]
        reports.append(
            RefresherReport(
                assignment=info.assignment,
                quiz_title=pick(definition.title, lang) if definition else info.assignment.quiz_id,
                reached=len(reached),
                done=sum(1 for s in statuses if s.status == DONE),
                late=sum(1 for s in statuses if s.status == LATE),
                missing=sum(1 for s in statuses if s.status == MISSING),
                pending=sum(1 for s in statuses if s.status not in (DONE, LATE, MISSING)),
                by_due=sum(1 for s in statuses if s.status == DONE),
                curve=_curve(info.assignment, submitted, len(reached), scope.as_of),
                exportable=bool(info.team_ids & managed_up),
            )
        )
    return reports


# --------------------------------------------------------------------------------------------------
# Assignment results (the CSV export)
# --------------------------------------------------------------------------------------------------


def reachable_assignment(viewer: User, assignment_id: Any) -> Assignment:
    """An assignment that reaches at least one team the viewer manages; else 404."""
    aid = parse_id(assignment_id)
    assignment = db.session.get(Assignment, aid) if aid is not None else None
    if assignment is None:
        raise DashboardError(_l("There is no such assignment for your teams."))
    if viewer.is_admin:
        return assignment
    parents = team_parents()
    managed = managed_team_ids(viewer)
    up = ancestor_team_ids(managed, parents)
    if not {t.id for t in assignment.teams} & up:
        raise DashboardError(_l("There is no such assignment for your teams."))
    return assignment


@dataclass(frozen=True)
class ResultRow:
    name: str
    email: str
    teams: tuple[str, ...]
    status: AssignmentStatus


def assignment_rows(scope: Scope, assignment: Assignment) -> list[ResultRow]:
    """The scope's members the assignment reaches, with their status, by name."""
    members = scope.members()
    people = _members(members)
    names = _team_names(members, scope.team_ids)
    teams_of = _member_team_ids(members)
    parents = team_parents()
    own = {t.id for t in assignment.teams}
    attempts = _attempts_for([assignment.id], members)
    rows = []
    for user_id, name, email, _seen in people:
        reach = ancestor_team_ids(teams_of.get(user_id, set()), parents)
        if not own & reach:
            continue
        status = assignment_status(assignment, attempts.get((user_id, assignment.id), []), scope.moment)
        rows.append(ResultRow(name, email, tuple(names.get(user_id, [])), status))
    return rows


# --------------------------------------------------------------------------------------------------
# CSV (UTF-8 with a byte-order mark, so Excel shows Chinese names)
# --------------------------------------------------------------------------------------------------

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is prefixed with '."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return str(_l("Yes")) if value else str(_l("No"))


def overview_csv(view: Overview, lang: str) -> bytes:
    from trainer.roleplay.services.practice import outcome_label

    header = [
        _l("Name"), _l("Email"), _l("Teams"), _l("Lessons done"), _l("Lessons in the course"), _l("Course progress %"),
        _l("Certificate"), _l("Last activity"), _l("Refreshers due in the quarter"), _l("Refreshers done"),
        _l("Refreshers overdue"), _l("Refresher status"), _l("Refresher score %"), _l("Final exam %"),
        _l("Final exam passed"), _l("Role-plays finished"), _l("Role-play score %"), _l("Best role-play outcome"),
        _l("Workshop rubric %"), _l("Policy-lab runs"), _l("Latest policy-lab DSO (days)"), _l("Quarter"), _l("Statements rated"), _l("Self-rating (mean)"),
        _l("Measured (mean)"), _l("Overconfident competencies"), _l("Underconfident competencies"),
    ]
    rows = []
    for r in view.rows:
        headline = r.refresher.headline
        rows.append([
            r.name, r.email, ", ".join(r.teams), r.progress.done, r.progress.total, r.progress.percent,
            _yes_no(r.progress.certificate), cards.local_time(r.last_activity), r.refresher.total, r.refresher.done,
            r.refresher.overdue, headline.label if headline else "", r.refresher.mean_percent,
            r.final.percent if r.final else None, _yes_no(r.final.passed) if r.final else "",
            r.roleplay.finished, r.roleplay.mean_percent, outcome_label(r.roleplay.best_outcome, lang),
            r.roleplay.rubric_mean, r.policy_lab.runs if r.policy_lab else 0,
            r.policy_lab.dso if r.policy_lab else None, view.scope.quarter, r.scorecard.rated, r.scorecard.self_mean,
            r.scorecard.measured_mean, r.scorecard.overconfident, r.scorecard.underconfident,
        ])
    return to_csv(header, rows)


def assignment_csv(assignment: Assignment, rows: list[ResultRow], lang: str) -> bytes:
    definition = catalog().quizzes.get(assignment.quiz_id)
    quiz = pick(definition.title, lang) if definition else assignment.quiz_id
    header = [
        _l("Assignment"), _l("Quiz"), _l("Due"), _l("Name"), _l("Email"), _l("Teams"), _l("Status"),
        _l("Score %"), _l("Passed"), _l("Submitted"),
    ]
    body = [
        [
            assignment.title, quiz, cards.local_time(assignment.due_at), r.name, r.email, ", ".join(r.teams),
            r.status.label, r.status.percent, _yes_no(r.status.passed), cards.local_time(r.status.submitted_at),
        ]
        for r in rows
    ]
    return to_csv(header, body)

