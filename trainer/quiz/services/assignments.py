"""Refresher campaigns: a manager assigns a quiz to their teams with an open and a due date.

An assignment reaches the members of its teams and of every team nested below them (the same
reach a manager has). A member has *done* it once an attempt started for it is submitted: on
time, or *late* when submitted after the due date; *missing* when the due date passed without one.
Each person's due date counts from the later of the assignment opening and their joining
(:func:`personal_due`): a new hire gets the same span of time from their first day, never a
refresher that was "past due" before they arrived.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from trainer.accounts import audit
from trainer.accounts.access import (
    can_manage_team,
    descendant_team_ids,
    managed_team_ids,
    member_team_ids_up_query,
    visible_user_ids_query,
)
from trainer.accounts.models import Team, User, team_members
from trainer.core.events import assignment_changed
from trainer.core.time import local_day_end, local_day_start
from trainer.extensions import db
from trainer.quiz.bank.model import QuizDefinition
from trainer.quiz.grading import kept_percent
from trainer.quiz.models import Assignment, Attempt, assignment_teams
from trainer.quiz.services.common import QuizError, definitions_of_kind, quizzes
from trainer.quiz.services.expiry import close_expired

MAX_TITLE = 200
MAX_SPAN_DAYS = 366
ASSIGNABLE_KINDS = ("refresher", "module", "final")

NOT_STARTED, IN_PROGRESS, DONE, LATE, MISSING = "not_started", "in_progress", "done", "late", "missing"
STATUS_ORDER = (MISSING, LATE, IN_PROGRESS, NOT_STARTED, DONE)


def assignable_quizzes() -> list[QuizDefinition]:
    return definitions_of_kind(*ASSIGNABLE_KINDS)


def assignments_for_user(user: User, quiz_id: str | None = None) -> list[Assignment]:
    """Assignments that reach this person through their teams (or a team above one), earliest due
    first: one query."""
    query = (
        select(Assignment)
        .join(assignment_teams, assignment_teams.c.assignment_id == Assignment.id)
        .where(assignment_teams.c.team_id.in_(member_team_ids_up_query(user.id)))
        .order_by(Assignment.due_at, Assignment.id)
        .distinct()
    )
    if quiz_id is not None:
        query = query.where(Assignment.quiz_id == quiz_id)
    return list(db.session.scalars(query).all())


def reaches(assignment: Assignment, user: User) -> bool:
    return any(a.id == assignment.id for a in assignments_for_user(user, assignment.quiz_id))


@dataclass(frozen=True)
class MemberResult:
    """One person's standing on one assignment."""

    user: User
    status: str
    percent: float | None
    passed: bool | None
    submitted_at: datetime | None
    attempt_id: int | None


@dataclass(frozen=True)
class Standing:
    """Where one person stands on one assignment, judged from their attempts for it."""

    status: str
    percent: float | None
    passed: bool | None
    submitted_at: datetime | None
    attempt_id: int | None


class Due(Protocol):
    """What the status rule reads of an assignment (the model, or the dashboard's summary)."""

    @property
    def quiz_id(self) -> str: ...
    @property
    def opens_at(self) -> datetime: ...
    @property
    def due_at(self) -> datetime: ...


def personal_due(assignment: Due, joined: datetime | None) -> datetime:
    """The person's due date: counted from the later of the assignment opening and their joining,
    with the assignment's span (someone who joins after it opened gets as long as everyone else)."""
    if joined is None or joined <= assignment.opens_at:
        return assignment.due_at
    return joined + (assignment.due_at - assignment.opens_at)


class Try(Protocol):
    """What the status rule reads of an attempt (the model, or the dashboard's summary)."""

    @property
    def id(self) -> int: ...
    @property
    def submitted_at(self) -> datetime | None: ...
    @property
    def percent(self) -> float | None: ...


def standing(assignment: Due, attempts: Sequence[Try], moment: datetime, joined: datetime | None = None) -> Standing:
    """The one refresher status rule (the dashboard uses it too): done, or late when the first
    submission came after the person's due date (:func:`personal_due`, from when they ``joined``);
    missing once that date passed without one; else in progress or not started. The kept grade
    follows the quiz's grading rule."""
    definition = quizzes().get(assignment.quiz_id)
    due = personal_due(assignment, joined)
    done = sorted((a for a in attempts if a.submitted_at is not None), key=lambda a: (a.submitted_at, a.id))
    if done:
        percents = [float(a.percent or 0) for a in done]
        kept = kept_percent(definition, percents) if definition else percents[-1]
        kept_attempt = next((a for a in reversed(done) if float(a.percent or 0) == kept), done[-1])
        passed = definition is not None and kept is not None and kept >= definition.pass_mark
        first = done[0].submitted_at
        assert first is not None
        return Standing(LATE if first > due else DONE, kept, passed, first, kept_attempt.id)
    status = IN_PROGRESS if attempts else NOT_STARTED
    if moment > due:
        status = MISSING
    return Standing(status, None, None, None, attempts[-1].id if attempts else None)


def _result(user: User, assignment: Assignment, attempts: list[Attempt], moment: datetime) -> MemberResult:
    found = standing(assignment, attempts, moment, user.created_at)
    return MemberResult(user, found.status, found.percent, found.passed, found.submitted_at, found.attempt_id)


def _attempts_by_user(assignment: Assignment, user_ids: list[int]) -> dict[int, list[Attempt]]:
    if not user_ids:
        return {}
    rows = db.session.scalars(
        select(Attempt)
        .where(Attempt.assignment_id == assignment.id, Attempt.user_id.in_(user_ids))
        .order_by(Attempt.id)
    ).all()
    result: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in rows:
        result[attempt.user_id].append(attempt)
    return result


def member_status(assignment: Assignment, user: User, moment: datetime) -> MemberResult:
    return _result(user, assignment, _attempts_by_user(assignment, [user.id]).get(user.id, []), moment)


def member_statuses(
    assignments: Sequence[Assignment], user: User, moment: datetime, attempts: Iterable[Attempt]
) -> dict[int, MemberResult]:
    """One person's standing on each of their assignments, by assignment id, from all their attempts
    (oldest first, read once by the page): no query per assignment."""
    by_assignment: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        if attempt.assignment_id is not None:
            by_assignment[attempt.assignment_id].append(attempt)
    return {a.id: _result(user, a, by_assignment.get(a.id, []), moment) for a in assignments}


def open_assignment_for(user: User, quiz_id: str, moment: datetime) -> Assignment | None:
    """The assignment a new attempt at this quiz counts for: open, not yet done, earliest due."""
    for assignment in assignments_for_user(user, quiz_id):
        if assignment.opens_at > moment:
            continue
        if member_status(assignment, user, moment).status in (DONE, LATE):
            continue
        return assignment
    return None


# --- managers -----------------------------------------------------------------------------------


def visible_assignments(viewer: User) -> list[Assignment]:
    """Assignments with at least one team the viewer manages (admins: all), latest due first."""
    query = select(Assignment).order_by(Assignment.due_at.desc(), Assignment.id.desc())
    if not viewer.is_admin:
        team_ids = managed_team_ids(viewer)
        if not team_ids:
            return []
        query = (
            query.join(assignment_teams, assignment_teams.c.assignment_id == Assignment.id)
            .where(assignment_teams.c.team_id.in_(team_ids))
            .distinct()
        )
    return list(db.session.scalars(query).all())


def get_visible_assignment(viewer: User, assignment_id: int) -> Assignment | None:
    """The assignment if the viewer manages one of its teams; None (-> 404) otherwise."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        return None
    if viewer.is_admin or any(can_manage_team(viewer, t.id) for t in assignment.teams):
        return assignment
    return None


@dataclass(frozen=True)
class AssignmentInput:
    """What the assignment form sends (create and edit alike)."""

    title: str
    quiz_id: str
    team_ids: list[int]
    opens_on: date | None
    due_on: date | None


def _validated(manager: User, data: AssignmentInput, today: date) -> tuple[str, QuizDefinition, list[Team]]:
    """The title, quiz and teams, or :class:`QuizError` with the form field it belongs to."""
    title = (data.title or "").strip()
    if not title:
        raise QuizError(_l("Give the assignment a title, e.g. 2026 Q4 refresher."), field="title")
    if len(title) > MAX_TITLE:
        raise QuizError(_l("The title can be at most %(n)d characters.", n=MAX_TITLE), field="title")
    definition = quizzes().get(data.quiz_id or "")
    if definition is None or definition.kind not in ASSIGNABLE_KINDS:
        raise QuizError(_l("Choose a quiz from the list."), field="quiz_id")
    if not data.team_ids:
        raise QuizError(_l("Choose at least one team."), field="team_ids")
    teams = []
    for team_id in dict.fromkeys(data.team_ids):
        team = db.session.get(Team, team_id)
        if team is None or not can_manage_team(manager, team_id):
            raise QuizError(_l("You can only assign quizzes to teams you manage."), field="team_ids", code="forbidden")
        teams.append(team)
    opens_on, due_on = data.opens_on, data.due_on
    if opens_on is None:
        raise QuizError(_l("Enter the date the assignment opens."), field="opens_on")
    if due_on is None:
        raise QuizError(_l("Enter the due date."), field="due_on")
    if due_on < opens_on:
        raise QuizError(_l("The due date cannot be before the open date."), field="due_on")
    if due_on < today:
        raise QuizError(_l("The due date is in the past."), field="due_on")
    if (due_on - opens_on) > timedelta(days=MAX_SPAN_DAYS):
        raise QuizError(_l("An assignment can run for at most a year."), field="due_on")
    return title, definition, teams


def create_assignment(manager: User, data: AssignmentInput, today: date) -> Assignment:
    """Validate and store; the people it reaches are told (the ``assignment_changed`` signal)."""
    title, definition, teams = _validated(manager, data, today)
    assert data.opens_on is not None and data.due_on is not None
    assignment = Assignment(
        title=title,
        quiz_id=definition.id,
        created_by_id=manager.id,
        opens_at=local_day_start(data.opens_on),
        due_at=local_day_end(data.due_on),
    )
    assignment.teams = teams
    db.session.add(assignment)
    audit.record(manager, "quiz.assignment.create", title, quiz=dict(definition.title), teams=[t.id for t in teams],
                 due=data.due_on.isoformat())
    db.session.commit()
    _announce(manager, assignment, "created", [u.id for u in reached_members(assignment)])
    return assignment


def update_assignment(manager: User, assignment: Assignment, data: AssignmentInput, today: date) -> Assignment:
    """Change title, quiz, teams or dates; everyone it reached before or reaches now is told. The
    manager must manage every team it names now (not only one), so nobody edits another's teams."""
    if not manager.is_admin and not all(can_manage_team(manager, t.id) for t in assignment.teams):
        raise QuizError(_l("Only a manager of every team it names can change this assignment."),
                        field="title", code="forbidden")
    before = {u.id for u in reached_members(assignment)}
    title, definition, teams = _validated(manager, data, today)
    assert data.opens_on is not None and data.due_on is not None
    assignment.title, assignment.quiz_id, assignment.teams = title, definition.id, teams
    assignment.opens_at = local_day_start(data.opens_on)
    assignment.due_at = local_day_end(data.due_on)
    audit.record(manager, "quiz.assignment.update", title, quiz=dict(definition.title), teams=[t.id for t in teams],
                 due=data.due_on.isoformat())
    db.session.commit()
    after = [u.id for u in reached_members(assignment)]
    _announce(manager, assignment, "edited", sorted(before | set(after)))
    return assignment


def cancel_assignment(manager: User, assignment: Assignment) -> None:
    """Delete it (attempts already taken stay, without the link); the people it reached are told."""
    if not manager.is_admin and not all(can_manage_team(manager, t.id) for t in assignment.teams):
        raise QuizError(_l("Only a manager of every team it names can cancel this assignment."),
                        field="title", code="forbidden")
    reached = [u.id for u in reached_members(assignment)]
    snapshot = (assignment.id, assignment.title, assignment.due_at)
    audit.record(manager, "quiz.assignment.cancel", snapshot[1], teams=[t.id for t in assignment.teams])
    db.session.delete(assignment)
    db.session.commit()
    assignment_changed.send(manager, assignment_id=snapshot[0], change="cancelled", user_ids=reached,
                            title=snapshot[1], due_at=snapshot[2])


def _announce(manager: User, assignment: Assignment, change: str, user_ids: list[int]) -> None:
    assignment_changed.send(manager, assignment_id=assignment.id, change=change, user_ids=user_ids,
                            title=assignment.title, due_at=assignment.due_at)


def reached_members(assignment: Assignment) -> list[User]:
    """Every active person the assignment reaches (its teams and the teams nested below), by name."""
    team_ids = descendant_team_ids(t.id for t in assignment.teams)
    return list(
        db.session.scalars(
            select(User)
            .join(team_members, team_members.c.user_id == User.id)
            .where(team_members.c.team_id.in_(team_ids), User.active.is_(True))
            .order_by(User.name)
            .distinct()
        ).all()
    )


def open_assignments(moment: datetime, horizon_days: int = MAX_SPAN_DAYS) -> list[Assignment]:
    """Assignments already open and opened within the horizon (their members may still owe them)."""
    return list(db.session.scalars(
        select(Assignment)
        .where(Assignment.opens_at <= moment, Assignment.opens_at >= moment - timedelta(days=horizon_days))
        .order_by(Assignment.id)
    ).all())


def assignment_results(viewer: User, assignment: Assignment, moment: datetime) -> list[MemberResult]:
    """Every member the assignment reaches and the viewer may see, with done/late/missing."""
    team_ids = descendant_team_ids(t.id for t in assignment.teams)
    visible = visible_user_ids_query(viewer)
    users = list(
        db.session.scalars(
            select(User)
            .join(team_members, team_members.c.user_id == User.id)
            .where(team_members.c.team_id.in_(team_ids), User.id.in_(visible), User.active.is_(True))
            .order_by(User.name)
            .distinct()
        ).all()
    )
    close_expired(user_ids=[u.id for u in users], quiz_id=assignment.quiz_id, moment=moment)
    attempts = _attempts_by_user(assignment, [u.id for u in users])
    results = [_result(user, assignment, attempts.get(user.id, []), moment) for user in users]
    return sorted(results, key=lambda row: STATUS_ORDER.index(row.status))  # flagged first, names kept in order


def summarize(results: list[MemberResult]) -> dict[str, int]:
    counts = {NOT_STARTED: 0, IN_PROGRESS: 0, DONE: 0, LATE: 0, MISSING: 0}
    for row in results:
        counts[row.status] += 1
    return counts
