"""What other features read about role-play (the manager's dashboard, the scorecard's evidence):
finished solo plays and workshop rubrics as small frozen records. Functions that cover many people
take them as :data:`~trainer.accounts.selection.UserIds` and run one query whatever their number;
the ones that return a SELECT are parts the caller unions with other features' into one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.sql import Select

from trainer.accounts.selection import UserIds, user_id_filter
from trainer.extensions import db
from trainer.roleplay.models import Play, RubricScore, WorkshopSession
from trainer.roleplay.play import result_fraction


@dataclass(frozen=True)
class PlayResult:
    """A finished solo play: its outcome and its result 0..1 (None when nothing was scored)."""

    user_id: int
    scenario_id: str
    outcome: str | None
    fraction: float | None
    finished_at: datetime


@dataclass(frozen=True)
class RubricResult:
    """An observer's rubric for a salesperson in a workshop on a scenario, in percent."""

    user_id: int
    scenario_id: str
    percent: float
    at: datetime


def _play_results(query: Select) -> list[PlayResult]:
    return [
        PlayResult(user_id, scenario_id, outcome, result_fraction(scores), finished_at)
        for user_id, scenario_id, outcome, scores, finished_at in db.session.execute(query).all()
        if finished_at is not None
    ]


def _play_columns() -> Select:
    return select(Play.user_id, Play.scenario_id, Play.outcome, Play.scores, Play.finished_at)


def finished_plays(members: UserIds, until: datetime) -> list[PlayResult]:
    """Every play the people finished up to ``until`` (one query)."""
    return _play_results(
        _play_columns().where(
            Play.user_id.in_(user_id_filter(members)), Play.finished_at.is_not(None), Play.finished_at <= until
        )
    )


def plays_of(user_id: int, limit: int | None = None) -> list[PlayResult]:
    """One person's finished plays, newest first."""
    return _play_results(
        _play_columns()
        .where(Play.user_id == user_id, Play.finished_at.is_not(None))
        .order_by(Play.finished_at.desc())
        .limit(limit)
    )


def rubric_means(members: UserIds, until: datetime) -> dict[int, tuple[float, int]]:
    """Per salesperson, the mean rubric percent and how many rubrics, up to ``until`` (one query)."""
    return {
        user_id: (float(mean or 0.0), int(count))
        for user_id, mean, count in db.session.execute(
            select(RubricScore.salesperson_id, func.avg(RubricScore.percent), func.count())
            .where(RubricScore.salesperson_id.in_(user_id_filter(members)), RubricScore.at <= until)
            .group_by(RubricScore.salesperson_id)
        ).all()
    }


def rubric_results(members: UserIds, until: datetime) -> list[RubricResult]:
    """Every rubric the people received up to ``until``, with the session's scenario (one query)."""
    return [
        RubricResult(user_id, scenario_id, float(percent), at)
        for user_id, scenario_id, percent, at in db.session.execute(
            select(RubricScore.salesperson_id, WorkshopSession.scenario_id, RubricScore.percent, RubricScore.at)
            .join(WorkshopSession, WorkshopSession.id == RubricScore.session_id)
            .where(RubricScore.salesperson_id.in_(user_id_filter(members)), RubricScore.at <= until)
        ).all()
        if percent is not None
    ]


def rubric_marks(user_id: int, limit: int | None = None) -> list[tuple[datetime, float]]:
    """``(time, percent)`` of the rubrics one person received."""
    rows = db.session.execute(
        select(RubricScore.at, RubricScore.percent).where(RubricScore.salesperson_id == user_id).limit(limit)
    ).all()
    return [(at, float(percent)) for at, percent in rows]


def last_plays(members: Select) -> Select:
    """Each person's latest play (finished, else started) as a ``(user_id, at)`` SELECT, for the
    dashboard's one-query union of everyone's last activity."""
    return (
        select(Play.user_id.label("user_id"), func.max(func.coalesce(Play.finished_at, Play.started_at)).label("at"))
        .where(Play.user_id.in_(members))
        .group_by(Play.user_id)
    )


def last_rubrics(members: Select) -> Select:
    """Each salesperson's latest rubric as a ``(user_id, at)`` SELECT (see :func:`last_plays`)."""
    return (
        select(RubricScore.salesperson_id.label("user_id"), func.max(RubricScore.at).label("at"))
        .where(RubricScore.salesperson_id.in_(members))
        .group_by(RubricScore.salesperson_id)
    )


def play_totals(members: UserIds, until: datetime) -> Select:
    """Per person, finished plays up to ``until`` as a SELECT of ``(user_id, entries, last)``."""
    return (
        select(Play.user_id.label("user_id"), func.count().label("entries"), func.max(Play.finished_at).label("last"))
        .where(Play.user_id.in_(user_id_filter(members)), Play.finished_at.is_not(None), Play.finished_at <= until)
        .group_by(Play.user_id)
    )


def rubric_totals(members: UserIds, until: datetime) -> Select:
    """Per salesperson, rubrics up to ``until`` as a SELECT of ``(user_id, entries, last, percent_sum)``."""
    return (
        select(
            RubricScore.salesperson_id.label("user_id"),
            func.count().label("entries"),
            func.max(RubricScore.at).label("last"),
            func.sum(RubricScore.percent).label("percent_sum"),
        )
        .where(RubricScore.salesperson_id.in_(user_id_filter(members)), RubricScore.at <= until)
        .group_by(RubricScore.salesperson_id)
    )
