"""What each role sees first. Features add their own next steps here as they land."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from trainer.accounts.access import visible_teams
from trainer.accounts.audit_view import AuditRow, describe
from trainer.accounts.models import AuditLog, Role, Team, User, team_members
from trainer.core.time import utcnow
from trainer.extensions import db


@dataclass(frozen=True)
class TeamSummary:
    team: Team
    member_count: int
    active_last_week: int


def manager_overview(manager: User) -> list[TeamSummary]:
    """Each visible team with member counts, in two queries whatever the number of teams."""
    teams = visible_teams(manager)
    if not teams:
        return []
    ids = [t.id for t in teams]
    week_ago = utcnow() - timedelta(days=7)
    counts: dict[int, int] = dict(
        db.session.execute(
            select(team_members.c.team_id, func.count()).where(team_members.c.team_id.in_(ids)).group_by(team_members.c.team_id)
        ).all()
    )
    active: dict[int, int] = dict(
        db.session.execute(
            select(team_members.c.team_id, func.count())
            .join(User, User.id == team_members.c.user_id)
            .where(team_members.c.team_id.in_(ids), User.last_seen_at >= week_ago)
            .group_by(team_members.c.team_id)
        ).all()
    )
    return [TeamSummary(t, int(counts.get(t.id, 0)), int(active.get(t.id, 0))) for t in teams]


@dataclass(frozen=True)
class Health:
    users_active: int
    users_inactive: int
    users_by_role: dict[str, int]
    teams: int
    database: str
    recent_audit: list[AuditRow]


def admin_health(database_url: str) -> Health:
    by_role = dict(
        db.session.execute(select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)).all()
    )
    inactive = db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(False))) or 0
    teams = db.session.scalar(select(func.count()).select_from(Team)) or 0
    recent = list(db.session.scalars(select(AuditLog).order_by(AuditLog.created_at.desc()).limit(10)).all())
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    return Health(
        users_active=sum(by_role.values()),
        users_inactive=int(inactive),
        users_by_role={r.value: int(by_role.get(r.value, 0)) for r in Role},
        teams=int(teams),
        database=backend,
        recent_audit=describe(recent),
    )


@dataclass(frozen=True)
class NextStep:
    """One thing a trainee should do next, shown on their home page."""

    title: str
    detail: str
    url: str
    kind: str = "info"


def trainee_next_steps(user: User) -> list[NextStep]:
    """Collected from every feature's ``next_steps(user)`` provider registered on the app."""
    steps: list[NextStep] = []
    for provider in current_app.extensions.get("next_step_providers", []):
        steps.extend(provider(user))
    return steps
