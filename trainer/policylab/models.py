"""The policy lab: background jobs, saved simulation runs, and team-round workshops.

A run row is written once, complete, when its job succeeds (never half-saved); the job row carries
the status, the progress and, when it fails, the message. Workshops keep no pickled engine state:
each team's position is rebuilt by re-running its recorded policy sequence on the workshop's seed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db


class SimJob(db.Model):  # type: ignore[name-defined]
    """A simulation job: queued → running → done | failed. ``params`` is what to run.

    The worker holding the job writes ``heartbeat_at`` every few seconds (the in-process pool also
    for the jobs waiting in it); a job whose heartbeat is older than a minute has lost its worker.
    ``attempts`` counts the claims, so a worker that comes back after its job was retried cannot
    save over the new attempt. A failure keeps ``error_code`` (what users are told, translated) and
    ``message`` (the log line, never shown)."""

    __tablename__ = "sim_job"
    __table_args__ = (Index("ix_sim_job_status_user", "status", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # run | replicate | round
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(default=0.0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sim_run.id", ondelete="SET NULL"), default=None)
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("sim_workshop.id", ondelete="CASCADE"), default=None, index=True
    )
    backend: Mapped[str] = mapped_column(String(8), default="local")  # local (the thread pool) | rq
    error_code: Mapped[str | None] = mapped_column(String(32), default=None)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


class SimRun(db.Model):  # type: ignore[name-defined]
    """A saved run: the policy, the seed, the engine version and what came out.

    ``kind`` is ``run`` (one seed; ``result`` holds months, debrief facts and the aging report) or
    ``replicate`` (``replications`` seeds; ``result`` holds the bands)."""

    __tablename__ = "sim_run"
    __table_args__ = (Index("ix_sim_run_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="run")
    name: Mapped[str] = mapped_column(String(120), default="")
    preset: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(default=0)
    customers: Mapped[int] = mapped_column(default=0)
    days: Mapped[int] = mapped_column(default=0)
    replications: Mapped[int] = mapped_column(default=1)
    engine_version: Mapped[str] = mapped_column(String(40))
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    baseline_policy: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    seconds: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


sim_workshop_member = Table(
    "sim_workshop_member",
    db.metadata,
    Column("team_id", ForeignKey("sim_workshop_team.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class SimWorkshop(db.Model):  # type: ignore[name-defined]
    """A facilitated simulation: every team faces the same preset and seed, one period per round.

    ``status``: ``open`` (round ``current_round`` takes submissions), ``advancing`` (the facilitator
    closed it and the job is running), ``finished`` (all rounds played)."""

    __tablename__ = "sim_workshop"

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    preset: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(default=0)
    customers: Mapped[int] = mapped_column(default=0)
    rounds: Mapped[int] = mapped_column(default=4)
    round_days: Mapped[int] = mapped_column(default=91)
    current_round: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default="open")
    engine_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    facilitator: Mapped[User] = relationship()
    teams: Mapped[list[SimWorkshopTeam]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="SimWorkshopTeam.id"
    )


class SimWorkshopTeam(db.Model):  # type: ignore[name-defined]
    __tablename__ = "sim_workshop_team"
    __table_args__ = (UniqueConstraint("workshop_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("sim_workshop.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))

    workshop: Mapped[SimWorkshop] = relationship(back_populates="teams")
    members: Mapped[list[User]] = relationship(secondary=sim_workshop_member, order_by="User.name")
    decisions: Mapped[list[SimDecision]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="SimDecision.id"
    )
    results: Mapped[list[SimRoundResult]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="SimRoundResult.round"
    )


class SimDecision(db.Model):  # type: ignore[name-defined]
    """One entry of the decision log: a policy a team submitted for a round, or (``carried``) the
    policy it kept because it submitted nothing. The last entry of a round is the one played."""

    __tablename__ = "sim_decision"
    __table_args__ = (Index("ix_sim_decision_team_round", "team_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sim_workshop_team.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column()
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(280), default="")
    carried: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    team: Mapped[SimWorkshopTeam] = relationship(back_populates="decisions")
    user: Mapped[User | None] = relationship()


class SimRoundResult(db.Model):  # type: ignore[name-defined]
    """A team's position after a round: the cumulative summary, the round's own figures, the score."""

    __tablename__ = "sim_round_result"
    __table_args__ = (UniqueConstraint("team_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sim_workshop_team.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column()
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    period: Mapped[dict[str, Any]] = mapped_column(JSON)
    months: Mapped[list[Any]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    team: Mapped[SimWorkshopTeam] = relationship(back_populates="results")
