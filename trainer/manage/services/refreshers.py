"""Refresher assignments on the dashboard: each member's standing on every assignment due in the
quarter (the quiz feature's status rule, plus "due soon" and "not open yet"), the team reports
with a completion curve against the due date, and one assignment's results for the export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.sql import Select

from trainer.accounts.access import ancestor_team_ids, managed_team_ids, team_parents
from trainer.accounts.models import User
from trainer.content.source import pick
from trainer.core.charts import Chart, Mark, Point, xy_chart
from trainer.core.content import catalog
from trainer.manage.services.people import joined_at, member_list, member_team_ids, team_names
from trainer.manage.services.scope import DashboardError, Scope, parse_id
from trainer.quiz.services.assignments import (
    DONE,
    IN_PROGRESS,
    LATE,
    MISSING,
    NOT_STARTED,
    standing,
)
from trainer.quiz.services.reports import (
    AssignmentAttempt,
    AssignmentSummary,
    assignment_attempts,
    assignment_summary,
    assignments_due,
)
from trainer.scorecard.services.quarters import local_date

DUE_SOON = timedelta(days=7)

# Refresher statuses: the quiz feature's (imported above) plus two the dashboard adds.
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


def assignment_status(assignment: AssignmentSummary, attempts: list[AssignmentAttempt], moment: datetime,
                      joined: datetime | None = None) -> AssignmentStatus:
    """One member's standing on one assignment: the quiz feature's rule
    (:func:`trainer.quiz.services.assignments.standing`, due from when they ``joined`` if later), with an open assignment shown as "not open yet" before it opens and "due soon" in
    its last week."""
    found = standing(assignment, attempts, moment, joined)
    status = found.status
    if status in (IN_PROGRESS, NOT_STARTED):
        if moment < assignment.opens_at:
            status = NOT_OPEN
        elif assignment.due_at - moment <= DUE_SOON:
            status = DUE_SOON_STATUS
    return AssignmentStatus(
        assignment.id, assignment.title, assignment.quiz_id, assignment.due_at, assignment.opens_at,
        status, found.percent, found.passed, found.submitted_at,
    )


def refreshers_by_member(scope: Scope, members: Select, member_teams: dict[int, set[int]]) -> dict[int, Refresher]:
    parents = team_parents()
    up: dict[int, set[int]] = {tid: ancestor_team_ids([tid], parents) for tids in member_teams.values() for tid in tids}
    infos = assignments_due(scope.start, scope.end, set().union(*up.values()) if up else set())
    attempts = assignment_attempts([i.id for i in infos], members)
    joined = joined_at(members)
    result: dict[int, Refresher] = {}
    for user_id, tids in member_teams.items():
        reach = set().union(*(up[t] for t in tids)) if tids else set()
        items = (
            assignment_status(info, attempts.get((user_id, info.id), []), scope.as_of, joined.get(user_id))
            for info in infos
            if info.team_ids & reach
        )
        result[user_id] = Refresher(tuple(items))
    return result


@dataclass(frozen=True)
class RefresherReport:
    assignment: AssignmentSummary
    quiz_title: str
    reached: int
    done: int  # on time
    late: int
    missing: int
    pending: int  # not started or in progress, due date not passed
    by_due: int  # submitted by the due date (= done)
    curve: Chart
    exportable: bool

    @property
    def percent_by_due(self) -> int:
        return round(100 * self.done / self.reached) if self.reached else 0

    @property
    def percent_now(self) -> int:
        return round(100 * (self.done + self.late) / self.reached) if self.reached else 0


def _curve(assignment: AssignmentSummary, submitted: list[datetime], reached: int, moment: datetime,
           width: int = 340, height: int = 96) -> Chart:
    """Cumulative share of members done over time (a step each submission), with the due date marked."""
    start = assignment.opens_at
    stop = max(assignment.due_at, min(moment, max(submitted, default=moment)))

    def at(when: datetime, count: int, label: str = "") -> Point:
        return Point((when - start).total_seconds(), 100 * count / reached if reached else 0.0, label)

    done = sorted(submitted)
    points = [at(start, 0, local_date(start))]
    points += [at(when, index, local_date(when)) for index, when in enumerate(done, start=1)]
    points.append(at(min(moment, stop), len(done)))
    return xy_chart(
        f"curve-{assignment.id}", str(_l("Share of members done over time; the dashed line is the due date.")),
        points, x_range=(0.0, (stop - start).total_seconds()), y_ticks=(0, 100), fmt=lambda v: f"{v:.0f}%",
        step=True, mark=Mark((assignment.due_at - start).total_seconds(), local_date(assignment.due_at)[5:]),
        width=width, height=height, font_size=10, css_class="mg-curve", fixed=True,
    )


def refresher_reports(scope: Scope, lang: str) -> list[RefresherReport]:
    """Every assignment due in the quarter that reaches the scope's members: who finished by the
    due date, late, still missing, and the completion curve against the due date."""
    members = scope.members()
    teams_of = member_team_ids(members)
    people = [uid for uid, *_ in member_list(members)]
    parents = team_parents()
    up = {uid: ancestor_team_ids(teams_of.get(uid, set()), parents) for uid in people}
    infos = assignments_due(scope.start, scope.end, set().union(*up.values()) if up else set())
    attempts = assignment_attempts([i.id for i in infos], members)
    managed_up = ancestor_team_ids(managed_team_ids(scope.viewer), parents)
    reports = []
    joined = joined_at(members)
    for info in infos:
        statuses = [
            assignment_status(info, attempts.get((uid, info.id), []), scope.as_of, joined.get(uid))
            for uid in people
            if info.team_ids & up.get(uid, set())
        ]
        reached = statuses
        definition = catalog().quizzes.get(info.quiz_id)
        submitted = [s.submitted_at for s in statuses if s.submitted_at is not None]
        reports.append(
            RefresherReport(
                assignment=info,
                quiz_title=pick(definition.title, lang) if definition else info.quiz_id,
                reached=len(reached),
                done=sum(1 for s in statuses if s.status == DONE),
                late=sum(1 for s in statuses if s.status == LATE),
                missing=sum(1 for s in statuses if s.status == MISSING),
                pending=sum(1 for s in statuses if s.status not in (DONE, LATE, MISSING)),
                by_due=sum(1 for s in statuses if s.status == DONE),
                curve=_curve(info, submitted, len(reached), scope.as_of),
                exportable=bool(info.team_ids & managed_up),
            )
        )
    return reports


# --------------------------------------------------------------------------------------------------
# Assignment results (the CSV export)
# --------------------------------------------------------------------------------------------------


def reachable_assignment(viewer: User, assignment_id: Any) -> AssignmentSummary:
    """An assignment that reaches at least one team the viewer manages; else 404."""
    aid = parse_id(assignment_id)
    assignment = assignment_summary(aid) if aid is not None else None
    if assignment is None:
        raise DashboardError(_l("There is no such assignment for your teams."))
    if viewer.is_admin:
        return assignment
    parents = team_parents()
    up = ancestor_team_ids(managed_team_ids(viewer), parents)
    if not assignment.team_ids & up:
        raise DashboardError(_l("There is no such assignment for your teams."))
    return assignment


@dataclass(frozen=True)
class ResultRow:
    name: str
    email: str
    teams: tuple[str, ...]
    status: AssignmentStatus


def assignment_rows(scope: Scope, assignment: AssignmentSummary) -> list[ResultRow]:
    """The scope's members the assignment reaches, with their status, by name."""
    members = scope.members()
    people = member_list(members)
    names = team_names(members, scope.team_ids)
    teams_of = member_team_ids(members)
    parents = team_parents()
    own = assignment.team_ids
    attempts = assignment_attempts([assignment.id], members)
    joined = joined_at(members)
    rows = []
    for user_id, name, email, _seen in people:
        reach = ancestor_team_ids(teams_of.get(user_id, set()), parents)
        if not own & reach:
            continue
        status = assignment_status(assignment, attempts.get((user_id, assignment.id), []), scope.moment,
                                   joined.get(user_id))
        rows.append(ResultRow(name, email, tuple(names.get(user_id, [])), status))
    return rows
