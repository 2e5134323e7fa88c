"""The scope's members: names, the teams they belong to, and the team tree above those teams
(assignments reach a member through any team above theirs)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.sql import Select

from trainer.accounts.models import Team, User, team_members
from trainer.extensions import db


def member_list(members: Select) -> list[tuple[int, str, str, datetime | None]]:
    """(id, name, email, last seen) of each member, by name: plain rows, the overview reads hundreds."""
    return [
        (row[0], row[1], row[2], row[3])
        for row in db.session.execute(
            select(User.id, User.name, User.email, User.last_seen_at).where(User.id.in_(members)).order_by(User.name)
        ).all()
    ]


def team_names(members: Select, team_ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of each member's teams among ``team_ids`` (the scope's), alphabetical."""
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


def joined_at(members: Select) -> dict[int, datetime]:
    """When each member's account was created: a refresher due before that is not theirs to do."""
    return {user_id: created for user_id, created in db.session.execute(
        select(User.id, User.created_at).where(User.id.in_(members))
    ).all()}


def member_team_ids(members: Select) -> dict[int, set[int]]:
    """Every team each member belongs to (assignments reach them through any of them)."""
    result: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in db.session.execute(
        select(team_members.c.user_id, team_members.c.team_id).where(team_members.c.user_id.in_(members))
    ).all():
        result[user_id].add(team_id)
    return result


