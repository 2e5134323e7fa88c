"""Who may see whom. Every feature asks these functions instead of writing its own checks:
a trainee sees only their own records, a manager the members of the teams they manage and of
every team nested below those, an admin everyone."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.sql import Select

from trainer.accounts.models import Role, Team, User, team_managers, team_members
from trainer.extensions import db


def descendant_team_ids(root_ids: Iterable[int]) -> set[int]:
    """The given teams and every team nested below them (one query per level, cycles ignored)."""
    seen: set[int] = set()
    frontier = set(root_ids)
    while frontier:
        seen |= frontier
        children = db.session.scalars(select(Team.id).where(Team.parent_id.in_(frontier))).all()
        frontier = set(children) - seen
    return seen


def managed_team_ids(user: User) -> set[int]:
    """Teams a manager may see: the ones they manage and all below. Admins see all teams."""
    if user.is_admin:
        return set(db.session.scalars(select(Team.id)).all())
    if not user.is_manager:
        return set()
    direct = db.session.scalars(select(team_managers.c.team_id).where(team_managers.c.user_id == user.id)).all()
    return descendant_team_ids(direct)


def visible_user_ids_query(viewer: User) -> Select:
    """A SELECT of the user ids ``viewer`` may see, to use as a subquery filter in any feature."""
    if viewer.is_admin:
        return select(User.id)
    if viewer.is_manager:
        team_ids = managed_team_ids(viewer)
        return (
            select(team_members.c.user_id)
            .where(team_members.c.team_id.in_(team_ids))
            .union(select(User.id).where(User.id == viewer.id))
        )
    return select(User.id).where(User.id == viewer.id)


def can_view_user(viewer: User, subject_id: int) -> bool:
    """True when ``viewer`` may see the records of user ``subject_id``."""
    if viewer.id == subject_id or viewer.is_admin:
        return True
    if not viewer.is_manager:
        return False
    team_ids = managed_team_ids(viewer)
    if not team_ids:
        return False
    hit = db.session.execute(
        select(team_members.c.user_id).where(
            team_members.c.user_id == subject_id, team_members.c.team_id.in_(team_ids)
        )
    ).first()
    return hit is not None


def can_manage_team(viewer: User, team_id: int) -> bool:
    """Managers act on teams they manage (and those below); admins on all."""
    return team_id in managed_team_ids(viewer)


def visible_teams(viewer: User) -> list[Team]:
    """Teams shown to ``viewer``, ordered by name."""
    ids = managed_team_ids(viewer)
    if not ids:
        return []
    return list(db.session.scalars(select(Team).where(Team.id.in_(ids)).order_by(Team.name)).all())


def role_values() -> list[str]:
    return [role.value for role in Role]
