"""Who sees what: the viewer's :class:`Scope` (their teams and every team below them, admins all,
optionally narrowed to one team) and the quarter. A team id outside the viewer's reach is "not
found", whatever the URL says; every list is filtered by the scope's member subquery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.sql import Select

from trainer.accounts.access import descendant_team_ids, managed_team_ids
from trainer.accounts.models import Team, User, team_members
from trainer.core.inputs import bounded_int
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.scorecard.services.common import ScorecardError
from trainer.scorecard.services.quarters import (
    check_quarter,
    previous_quarter,
    quarter_bounds,
    this_quarter,
)


class DashboardError(Exception):
    """A refusal; ``status`` 404 hides whether the thing exists."""

    def __init__(self, message: Any, status: int = 404) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status


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
    return bounded_int(raw)


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
        label = check_quarter(quarter, default=this_quarter(moment))
    except ScorecardError as refused:
        raise DashboardError(refused.message) from None
    start, end = quarter_bounds(label)
    return Scope(viewer, teams, chosen, frozenset(team_ids), label, start, end, moment)


def quarter_choices(scope: Scope, back: int = 5) -> list[str]:
    """This quarter and the ``back`` before it, newest first (plus the chosen one if older)."""
    labels = [this_quarter(scope.moment)]
    for _ in range(back):
        labels.append(previous_quarter(labels[-1]))
    if scope.quarter not in labels:
        labels.append(scope.quarter)
    return labels
