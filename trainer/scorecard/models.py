"""The quarterly self-assessment: one row per person and quarter, ratings kept as they are typed.

The statements live in ``courses/competencies.yaml`` (the competency framework), so ratings refer
to them by their stable ids: ``{"credit_assessment.s1": 4, ...}``. Measured scores are not stored:
they are computed from quiz answers and role-play results whenever they are shown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db


class SelfAssessment(db.Model):  # type: ignore[name-defined]
    """One person's self-assessment for one quarter (``2026-Q4``)."""

    __tablename__ = "self_assessment"
    __table_args__ = (UniqueConstraint("user_id", "quarter", name="uq_self_assessment_user_quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    quarter: Mapped[str] = mapped_column(String(7))  # YYYY-Qn
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)  # every statement rated
    ratings: Mapped[dict[str, int]] = mapped_column(MutableDict.as_mutable(JSON), default=dict)

    user: Mapped[User] = relationship()

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def __repr__(self) -> str:
        return f"<SelfAssessment user={self.user_id} {self.quarter} rated={len(self.ratings or {})}>"
