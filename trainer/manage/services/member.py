"""A member's page: their row, their scorecard, a timeline of what they did and their quiz
results over time as a chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from trainer.accounts.access import can_view_user, managed_team_ids
from trainer.accounts.models import User
from trainer.content.source import pick
from trainer.core.charts import Chart, Point, xy_chart
from trainer.core.content import catalog
from trainer.extensions import db
from trainer.learn.services.reports import certificate_dates, completions
from trainer.manage.services.cells import (
    Progress,
    Roleplay,
    empty_scorecard,
)
from trainer.manage.services.overview import MemberRow, member_rows
from trainer.manage.services.refreshers import Refresher
from trainer.manage.services.scope import DashboardError, Scope, parse_id
from trainer.policylab.services.reports import saved_runs
from trainer.quiz.services.reports import submitted_attempts
from trainer.roleplay.services.practice import outcome_label
from trainer.roleplay.services.reports import plays_of, rubric_marks
from trainer.scorecard.services.assessments import assessments_of
from trainer.scorecard.services.quarters import local_date
from trainer.scorecard.services.results import Scorecard, scorecard

TIMELINE_LIMIT = 60


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
    scorecard: Scorecard
    timeline: list[Event]
    attempts: list[AttemptPoint]
    chart: Chart | None


def _lesson_events(user_id: int, lang: str) -> list[Event]:
    lessons = catalog().lessons
    text = str(_l("Lesson completed"))
    return [
        Event(done.completed_at, "lesson", text, lessons[done.lesson_id].title(lang) if done.lesson_id in lessons else done.lesson_id)
        for done in completions(user_id, limit=TIMELINE_LIMIT)
    ]


def _quiz_events(user_id: int, lang: str) -> list[Event]:
    quizzes = catalog().quizzes
    events = []
    for attempt in submitted_attempts(user_id, newest_first=True, limit=TIMELINE_LIMIT):
        definition = quizzes.get(attempt.quiz_id)
        title = pick(definition.title, lang) if definition else attempt.quiz_id
        passed = attempt.passed
        verdict = "" if passed is None else (str(_l("passed")) if passed else str(_l("not passed")))
        detail = f"{title} · {float(attempt.percent or 0):.0f}% {verdict}".strip()
        events.append(Event(attempt.submitted_at, "quiz", str(_l("Quiz submitted")), detail))
    return events


def _roleplay_events(user_id: int, lang: str) -> list[Event]:
    scenarios = catalog().scenarios
    events = []
    for play in plays_of(user_id, TIMELINE_LIMIT):
        scenario_id = play.scenario_id
        title = pick(scenarios[scenario_id].title, lang) if scenario_id in scenarios else scenario_id
        events.append(
            Event(play.finished_at, "roleplay", str(_l("Role-play finished")), f"{title} · {outcome_label(play.outcome, lang)}")
        )
    for at, percent in rubric_marks(user_id, TIMELINE_LIMIT):
        events.append(Event(at, "workshop", str(_l("Workshop rubric")), f"{percent:.0f}%"))
    return events


def _other_events(user_id: int) -> list[Event]:
    """Self-assessments, saved policy-lab runs and certificates."""
    events = []
    for assessment in assessments_of(user_id):
        quarter, updated_at, finished_at = assessment.quarter, assessment.updated_at, assessment.finished_at
        if finished_at is not None:
            events.append(Event(finished_at, "scorecard", str(_l("Self-assessment completed")), quarter))
        if updated_at is not None and updated_at != finished_at:
            events.append(Event(updated_at, "scorecard", str(_l("Self-assessment updated")), quarter))
    for run in saved_runs(user_id, TIMELINE_LIMIT):
        events.append(Event(run.created_at, "simulation", str(_l("Policy-lab run saved")), run.name or run.preset))
    for issued_at in certificate_dates(user_id):
        events.append(Event(issued_at, "certificate", str(_l("Certificate issued")), ""))
    return events


def _timeline(user_id: int, lang: str) -> list[Event]:
    """What the member did, newest first: up to :data:`TIMELINE_LIMIT` events of every kind."""
    events = [
        *_lesson_events(user_id, lang), *_quiz_events(user_id, lang), *_roleplay_events(user_id, lang),
        *_other_events(user_id),
    ]
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:TIMELINE_LIMIT]


def _attempt_points(user_id: int, lang: str) -> list[AttemptPoint]:
    content = catalog()
    points: list[AttemptPoint] = []
    for attempt in submitted_attempts(user_id):
        definition = content.quizzes.get(attempt.quiz_id)
        points.append(
            AttemptPoint(
                attempt.submitted_at,
                pick(definition.title, lang) if definition else attempt.quiz_id,
                definition.kind if definition else "",
                float(attempt.percent or 0.0),
                attempt.passed,
            )
        )
    return points


PASS_COLORS = {True: "#2e7d32", False: "#c62828", None: "#147a80"}


def score_chart(points: Sequence[AttemptPoint], width: int = 560, height: int = 200) -> Chart | None:
    """Quiz results over time as a line (x is time, y is 0-100 %), each dot coloured by the verdict;
    narrow enough that its labels stay legible on a phone (the page caps its height on wide screens)."""
    if not points:
        return None
    first, last = points[0].at, points[-1].at
    span = (last - first).total_seconds()
    ticks = [(0.0, local_date(first))] + ([(span, local_date(last))] if len(points) > 1 else [])
    return xy_chart(
        "score-chart-svg", str(_l("Quiz results over time, in percent; the table below lists them.")),
        [Point((p.at - first).total_seconds(), p.percent, f"{local_date(p.at)} {p.quiz}",
               f"{p.quiz}: {p.percent:.0f}%", PASS_COLORS[p.passed]) for p in points],
        x_range=(0.0, span), x_ticks=ticks, fmt=lambda v: f"{v:.0f}%", width=width, height=height,
    )


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
        Roleplay(0, None, None, None, 0), empty_scorecard(),
    )
    points = _attempt_points(user.id, lang)
    return MemberDetail(
        user=user,
        row=row,
        scorecard=scorecard(user, scope.quarter, lang, scope.moment),
        timeline=_timeline(user.id, lang),
        attempts=points,
        chart=score_chart(points),
    )
