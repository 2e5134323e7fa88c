"""What `flask notify run` does each time cron or a systemd timer calls it: queue the reminders,
overdue notices and weekly digests that are due (each once, by its key), then send the outbox.
Running it twice in a row, or every few minutes, queues nothing new the second time."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from trainer.accounts.access import descendant_team_ids
from trainer.accounts.models import Role, User, team_managers, team_members
from trainer.core.time import local_day, local_text
from trainer.extensions import db
from trainer.notify.rules import reminder_due, week_period
from trainer.notify.services.messages import OverdueRow, deadline_notice, digest
from trainer.notify.services.outbox import SendReport, send_pending
from trainer.quiz.services.assignments import (
    DONE,
    LATE,
    MISSING,
    member_status,
    open_assignments,
    personal_due,
    reached_members,
)


@dataclass(frozen=True)
class Owed:
    """One person's open work on one assignment."""

    user: User
    assignment_id: int
    title: str
    quiz_id: str
    due_at: datetime
    overdue: bool


@dataclass(frozen=True)
class RunReport:
    reminders: int
    overdue: int
    digests: int
    sending: SendReport


def owed(moment: datetime) -> list[Owed]:
    """Everything open people still owe on assignments that have opened, with their own due dates."""
    found = []
    for assignment in open_assignments(moment):
        for user in reached_members(assignment):
            status = member_status(assignment, user, moment).status
            if status in (DONE, LATE):
                continue
            found.append(Owed(user, assignment.id, assignment.title, assignment.quiz_id,
                              personal_due(assignment, user.created_at), status == MISSING))
    return found


def queue_deadlines(items: list[Owed], moment: datetime) -> tuple[int, int]:
    """A reminder a few days before each person's due date and one overdue notice after it."""
    today = local_day(moment)
    assert today is not None
    reminders = overdue = 0
    for item in items:
        if item.overdue:
            overdue += deadline_notice(item.user, "overdue", item.assignment_id, item.title, item.quiz_id,
                                       item.due_at)
        elif reminder_due(today, local_day(item.due_at) or today):
            reminders += deadline_notice(item.user, "reminder", item.assignment_id, item.title, item.quiz_id,
                                         item.due_at)
    return reminders, overdue


def queue_digests(items: list[Owed], moment: datetime) -> int:
    """Each manager's weekly list of overdue people in the teams they manage themselves and the teams
    below (an admin who manages no team gets none): once per ISO week, by its key."""
    overdue_by_user: dict[int, list[Owed]] = defaultdict(list)
    for item in items:
        if item.overdue:
            overdue_by_user[item.user.id].append(item)
    if not overdue_by_user:
        return 0
    today = local_day(moment)
    assert today is not None
    managers = db.session.scalars(
        select(User).join(team_managers, team_managers.c.user_id == User.id)
        .where(User.active.is_(True), User.role.in_([Role.MANAGER.value, Role.ADMIN.value])).distinct()
    ).all()
    queued = 0
    for manager in managers:
        teams = descendant_team_ids(t.id for t in manager.managed_teams)
        visible = set(db.session.scalars(select(team_members.c.user_id).where(team_members.c.team_id.in_(teams))))
        rows = [OverdueRow(item.user.name, item.title, local_text(item.due_at, "%Y-%m-%d"))
                for user_id in sorted(visible & set(overdue_by_user)) if user_id != manager.id
                for item in overdue_by_user[user_id]]
        if rows:
            queued += digest(manager, sorted(rows, key=lambda r: (r.name, r.due)), week_period(today))
    return queued


def run(moment: datetime, *, send: bool = True) -> RunReport:
    items = owed(moment)
    reminders, overdue = queue_deadlines(items, moment)
    digests = queue_digests(items, moment)
    sending = send_pending() if send else SendReport(0, 0, 0, 0, configured=False)
    return RunReport(reminders, overdue, digests, sending)
