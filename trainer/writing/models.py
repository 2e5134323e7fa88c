"""Writing practice records: one draft per person and task (autosaved), every submitted version
(earlier ones are kept), reviews by a manager or an invited peer with rubric scores, and comments
anchored to a paragraph or a range of the submitted text. Tasks live in content (``writing/``), so
rows refer to them by their stable ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db


class WritingDraft(db.Model):  # type: ignore[name-defined]
    __tablename__ = "writing_draft"
    __table_args__ = (UniqueConstraint("user_id", "task_id", name="uq_writing_draft_user_task"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    task_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WritingSubmission(db.Model):  # type: ignore[name-defined]
    """A submitted version; a resubmission is a new row with the next version number."""

    __tablename__ = "writing_submission"
    __table_args__ = (
        UniqueConstraint("user_id", "task_id", "version", name="uq_writing_submission_version"),
        Index("ix_writing_submission_submitted", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    task_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(default=1)
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    checklist_found: Mapped[int] = mapped_column(default=0)
    checklist_total: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship()
    reviews: Mapped[list[WritingReview]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="WritingReview.id"
    )


class WritingReview(db.Model):  # type: ignore[name-defined]
    """A review: asked of a peer (``completed_at`` None until they score it) or a manager's."""

    __tablename__ = "writing_review"
    __table_args__ = (
        UniqueConstraint("submission_id", "reviewer_id", name="uq_writing_review_reviewer"),
        Index("ix_writing_review_reviewer", "reviewer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("writing_submission.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # "manager" or "peer"
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    score: Mapped[int | None] = mapped_column(default=None)
    max_score: Mapped[int | None] = mapped_column(default=None)
    comment: Mapped[str] = mapped_column(Text, default="")

    submission: Mapped[WritingSubmission] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()
    comments: Mapped[list[WritingComment]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="WritingComment.id"
    )


class WritingComment(db.Model):  # type: ignore[name-defined]
    """A reviewer's inline comment: on a paragraph (0-based) and, when the reviewer selected text,
    on the range ``start``..``end`` of the submission's text."""

    __tablename__ = "writing_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("writing_review.id", ondelete="CASCADE"), index=True)
    paragraph: Mapped[int] = mapped_column(default=0)
    start: Mapped[int | None] = mapped_column(default=None)
    end: Mapped[int | None] = mapped_column(default=None)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[WritingReview] = relationship(back_populates="comments")
