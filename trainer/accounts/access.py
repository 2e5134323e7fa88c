"""Who may see whom. Every feature asks these functions instead of writing its own checks:
a trainee sees only their own records, a manager the members of the teams they manage and of
every team nested below those, an admin everyone."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql import CompoundSelect, Select

from trainer.accounts.models import Role, Team, User, team_managers, team_members
from trainer.extensions import db


def team_parents() -> dict[int, int | None]:
    """Every team's parent in one query: the tree is small, so it is walked in memory."""
    return dict(db.session.execute(select(Team.id, Team.parent_id)).all())


def _walk(start: Iterable[int], step: Callable[[int], Iterable[int]]) -> set[int]:
    """The start ids and everything reachable through ``step`` (cycles ignored)."""
    seen: set[int] = set()
    frontier = set(start)
    while frontier:
        seen |= frontier
        frontier = {found for team_id in frontier for found in step(team_id)} - seen
    return seen


def ancestor_team_ids(team_ids: Iterable[int], parents: Mapping[int, int | None] | None = None) -> set[int]:
    """The given teams and every team above them. Pass ``parents`` (from :func:`team_parents`)
    when walking up from many teams, so the tree is read once."""
    tree = team_parents() if parents is None else parents

    def up(team_id: int) -> list[int]:
        parent = tree.get(team_id)
        return [parent] if parent is not None else []

    return _walk(team_ids, up)


def member_team_ids_up_query(user_id: int) -> Select[Any]:
    """A SELECT of the teams ``user_id`` belongs to and every team above them, for a subquery filter:
    one recursive query instead of reading the person's teams and the whole tree first (the home
    page asks it on every visit). ``UNION`` drops repeats, so even a loop in the tree ends."""
    up = select(team_members.c.team_id.label("id")).where(team_members.c.user_id == user_id).cte(
        "teams_up", recursive=True)
    up = up.union(select(Team.parent_id).join(up, Team.id == up.c.id).where(Team.parent_id.is_not(None)))
    return select(up.c.id)


def descendant_team_ids(root_ids: Iterable[int], parents: Mapping[int, int | None] | None = None) -> set[int]:
    """The given teams and every team nested below them (cycles ignored)."""
    children: dict[int, list[int]] = {}
    for team_id, parent in (team_parents() if parents is None else parents).items():
        if parent is not None:
            children.setdefault(parent, []).append(team_id)
    return _walk(root_ids, lambda team_id: children.get(team_id, []))


def would_nest_in_itself(team_id: int, parent_id: int) -> bool:
    """True when putting team ``team_id`` under ``parent_id`` would close a loop in the tree."""
    return team_id in ancestor_team_ids([parent_id])


def managed_team_ids(user: User) -> set[int]:
    """Teams a manager may see: the ones they manage and all below. Admins see all teams."""
    if user.is_admin:
        return set(db.session.scalars(select(Team.id)).all())
    if not user.is_manager:
        return set()
    direct = db.session.scalars(select(team_managers.c.team_id).where(team_managers.c.user_id == user.id)).all()
    return descendant_team_ids(direct)


def visible_user_ids_query(viewer: User) -> Select[Any] | CompoundSelect:
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
