"""Role-play records: solo plays with every choice made, and facilitated pair workshops (sessions
with a room code, participants seated in groups with a role per round, observers' rubric scores).

Scenarios and the rubric live in content files (``scenarios/``), so rows refer to them by their
stable ids; the play state is the JSON-able dict of :mod:`trainer.roleplay.play`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db

ROLES = ("salesperson", "customer", "observer")
"""Workshop roles, in the order seats are given them in a new group."""


class Play(db.Model):  # type: ignore[name-defined]
    """One person's run through one scenario, from the start node to an ending (or abandoned)."""

    __tablename__ = "play"
    __table_args__ = (Index("ix_play_user_scenario", "user_id", "scenario_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    scenario_id: Mapped[str] = mapped_column(String(100))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    ending_id: Mapped[str | None] = mapped_column(String(100), default=None)
    outcome: Mapped[str | None] = mapped_column(String(32), default=None)
    # {variable: 0-100} for the scored variables, filled in when the play ends
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)

    user: Mapped[User] = relationship()
    choices: Mapped[list[PlayChoice]] = relationship(
        back_populates="play", order_by="PlayChoice.step", cascade="all, delete-orphan"
    )

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def __repr__(self) -> str:
        return f"<Play {self.id} user={self.user_id} {self.scenario_id} outcome={self.outcome}>"


class PlayChoice(db.Model):  # type: ignore[name-defined]
    """One choice made in a play: at which step and node, which choice, its technique and quality."""

    __tablename__ = "play_choice"
    __table_args__ = (UniqueConstraint("play_id", "step", name="uq_play_choice_play_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    play_id: Mapped[int] = mapped_column(ForeignKey("play.id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column()  # 1, 2, ...
    node: Mapped[str] = mapped_column(String(100))
    choice_index: Mapped[int] = mapped_column()
    technique: Mapped[str] = mapped_column(String(32))
    quality: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    play: Mapped[Play] = relationship(back_populates="choices")


class WorkshopSession(db.Model):  # type: ignore[name-defined]
    """A facilitated workshop on one scenario; participants join with ``code`` until it expires."""

    __tablename__ = "workshop_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(8), default="open")  # open / closed
    debrief_revealed: Mapped[bool] = mapped_column(default=False)
    round: Mapped[int] = mapped_column(default=1)
    group_size: Mapped[int] = mapped_column(default=3)  # largest group
    capacity: Mapped[int] = mapped_column(default=30)  # most participants in the room

    facilitator: Mapped[User] = relationship()
    participants: Mapped[list[Participant]] = relationship(
        back_populates="session", order_by="Participant.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<WorkshopSession {self.code} {self.scenario_id} {self.status} round={self.round}>"


class Participant(db.Model):  # type: ignore[name-defined]
    """A seat in a workshop: the group and this round's role (it changes when roles rotate)."""

    __tablename__ = "workshop_participant"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_workshop_participant_session_user"),
        Index("ix_workshop_participant_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("workshop_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    group_number: Mapped[int] = mapped_column()  # 1, 2, ...
    role: Mapped[str] = mapped_column(String(16))  # salesperson / customer / observer, this round
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[WorkshopSession] = relationship(back_populates="participants")
    user: Mapped[User] = relationship()


class RubricScore(db.Model):  # type: ignore[name-defined]
    """An observer's rubric for one group's salesperson in one round (one row per group and round)."""

    __tablename__ = "rubric_score"
    __table_args__ = (
        UniqueConstraint("session_id", "round", "group_number", name="uq_rubric_score_session_round_group"),
        Index("ix_rubric_score_salesperson", "salesperson_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("workshop_session.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column()
    group_number: Mapped[int] = mapped_column()
    observer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    salesperson_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    items: Mapped[dict[str, Any]] = mapped_column(JSON)  # {rubric item id: 0-3}
    total: Mapped[int] = mapped_column()
    percent: Mapped[float] = mapped_column()
    comment: Mapped[str] = mapped_column(db.Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[WorkshopSession] = relationship()
    observer: Mapped[User] = relationship(foreign_keys=[observer_id])
    salesperson: Mapped[User] = relationship(foreign_keys=[salesperson_id])
