"""Quiz attempts, their answers, spaced-repetition cards and the refresher assignments managers set.

Quizzes and questions live in content files (``quizzes/``), not in the database, so rows refer to
them by their stable ids. An attempt stores the question instances it drew (option order, item
order, calculated params) so review and regrading reproduce exactly what the trainee saw.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.accounts.models import Team, User
from trainer.core.time import utcnow
from trainer.extensions import db

assignment_teams = Table(
    "assignment_team",
    db.metadata,
    Column("assignment_id", ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
)


class Assignment(db.Model):  # type: ignore[name-defined]
    """A quiz a manager sets for one or more of their teams, e.g. "2026 Q4 refresher"."""

    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    quiz_id: Mapped[str] = mapped_column(String(80), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    opens_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()
    teams: Mapped[list[Team]] = relationship(secondary=assignment_teams, order_by="Team.name")

    def __repr__(self) -> str:
        return f"<Assignment {self.id} {self.quiz_id} due={self.due_at:%Y-%m-%d}>"


class Attempt(db.Model):  # type: ignore[name-defined]
    """One person taking one quiz once. ``instances`` holds the drawn ``QuestionInstance`` dicts."""

    __tablename__ = "attempt"
    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "number", name="uq_attempt_user_quiz_number"),
        Index("ix_attempt_user_quiz", "user_id", "quiz_id"),
        # Covers the scorecard's evidence fingerprint (submitted attempts per person up to a moment:
        # count, latest time, score sums), so the dashboard reads it from the index, not the wide rows
        # with their drawn questions. Trailing columns rather than INCLUDE: covering on SQLite too.
        Index("ix_attempt_user_submitted", "user_id", "submitted_at", "score", "max_score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    quiz_id: Mapped[str] = mapped_column(String(80))
    number: Mapped[int] = mapped_column()  # 1 for the person's first attempt at this quiz, then 2...
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="SET NULL"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(default=None)  # None: no time limit
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)  # last answer saved
    submitted_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    score: Mapped[float | None] = mapped_column(default=None)
    max_score: Mapped[float | None] = mapped_column(default=None)
    percent: Mapped[float | None] = mapped_column(default=None)
    passed: Mapped[bool | None] = mapped_column(default=None)
    seed: Mapped[int] = mapped_column(db.BigInteger)
    instances: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    user: Mapped[User] = relationship()
    assignment: Mapped[Assignment | None] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptAnswer.id"
    )

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    def question_ids(self) -> list[str]:
        return [str(item["question_id"]) for item in self.instances]

    def __repr__(self) -> str:
        return f"<Attempt {self.id} user={self.user_id} {self.quiz_id} #{self.number}>"


class AttemptAnswer(db.Model):  # type: ignore[name-defined]
    """The canonical answer to one question of an attempt, and its grade once submitted."""

    __tablename__ = "attempt_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id", name="uq_attempt_answer_attempt_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(80), index=True)
    answer: Mapped[Any | None] = mapped_column(JSON, default=None)  # None: not answered
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column(default=None)  # "check" used: answer locked
    score: Mapped[float | None] = mapped_column(default=None)
    max_score: Mapped[float | None] = mapped_column(default=None)
    correct: Mapped[bool | None] = mapped_column(default=None)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class ReviewCard(db.Model):  # type: ignore[name-defined]
    """One person's FSRS card for one question (``fsrs.Card.to_dict()``); ``due`` copied out to query."""

    __tablename__ = "review_card"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id", name="uq_review_card_user_question"),
        Index("ix_review_card_user_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(80))
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    due: Mapped[datetime] = mapped_column()
    last_reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    reviews: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)  # answers graded wrong

    user: Mapped[User] = relationship()
