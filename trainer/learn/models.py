"""Course progress: one row per person and lesson, and the certificates issued for a finished path.

Lessons and modules live in content files (``courses/``), not in the database, so rows refer to them
by their stable ids. Which module a lesson belongs to is read from the content at run time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db


class LessonProgress(db.Model):  # type: ignore[name-defined]
    """What one person did with one lesson: opened, last visited, the inline check, completed."""

    __tablename__ = "lesson_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id", name="uq_lesson_progress_user_lesson"),
        Index("ix_lesson_progress_user_course", "user_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(64))
    lesson_id: Mapped[str] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    visited_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    # The ungraded "check yourself" question: the last option chosen and whether it was right.
    check_option: Mapped[int | None] = mapped_column(default=None)
    check_correct: Mapped[bool | None] = mapped_column(default=None)
    check_answered_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    def __repr__(self) -> str:
        return f"<LessonProgress user={self.user_id} {self.lesson_id} done={self.completed}>"


class Certificate(db.Model):  # type: ignore[name-defined]
    """Proof that a person finished a course. The name and title are copied at issue time so the
    certificate still reads the same after a rename; ``code`` is what anyone can verify."""

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("user_id", "course_id", name="uq_certificate_user_course"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    holder_name: Mapped[str] = mapped_column(String(120))
    course_title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))  # content language of the certificate: zh / en

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Certificate {self.code} user={self.user_id} {self.course_id}>"
