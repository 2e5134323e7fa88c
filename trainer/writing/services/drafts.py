"""Drafts and submissions: one draft per person and task, saved by the editor's autosave or its
Save button; submitting keeps the text as the next version (earlier versions stay readable)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.writing.models import WritingDraft, WritingReview, WritingSubmission
from trainer.writing.services.common import MAX_TEXT_CHARS, WritingError, feedback, tasks
from trainer.writing.tasks import Task


def clean_text(raw: object) -> str:
    """The text as typed, line ends normalised; refused when too long (nothing is cut silently)."""
    text = str(raw or "").replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_TEXT_CHARS:
        raise WritingError(
            _l("The text is %(count)d characters long; the limit is %(limit)d. Shorten it and save again; nothing was saved.",
               count=len(text), limit=MAX_TEXT_CHARS)
        )
    return text


def draft_of(user: User, task: Task) -> WritingDraft | None:
    return db.session.scalar(
        select(WritingDraft).where(WritingDraft.user_id == user.id, WritingDraft.task_id == task.id)
    )


def save_draft(user: User, task: Task, raw: object) -> WritingDraft:
    text = clean_text(raw)
    for _attempt in range(2):  # two first saves at the same moment: the loser updates the winner's row
        draft = draft_of(user, task)
        if draft is None:
            draft = WritingDraft(user_id=user.id, task_id=task.id, text=text)
            db.session.add(draft)
        draft.text = text
        draft.updated_at = utcnow()
        try:
            db.session.commit()
            return draft
        except IntegrityError:
            db.session.rollback()
    raise WritingError(_l("The draft could not be saved just now; please try again."))


def submissions_of(user_id: int, task_id: str) -> list[WritingSubmission]:
    """Every version of one person's work on a task, newest first."""
    return list(
        db.session.scalars(
            select(WritingSubmission)
            .where(WritingSubmission.user_id == user_id, WritingSubmission.task_id == task_id)
            .order_by(WritingSubmission.version.desc())
        )
    )


def submit(user: User, task: Task, raw: object) -> WritingSubmission:
    text = clean_text(raw)
    if not text.strip():
        raise WritingError(_l("Write your text before submitting it."))
    result = feedback(task, text)
    latest = db.session.scalar(
        select(func.max(WritingSubmission.version)).where(
            WritingSubmission.user_id == user.id, WritingSubmission.task_id == task.id
        )
    )
    submission = WritingSubmission(
        user_id=user.id, task_id=task.id, version=(latest or 0) + 1, text=text,
        checklist_found=result.found, checklist_total=result.total,
    )
    db.session.add(submission)
    draft = draft_of(user, task)
    if draft is None:
        db.session.add(WritingDraft(user_id=user.id, task_id=task.id, text=text))
    else:
        draft.text, draft.updated_at = text, utcnow()
    try:
        db.session.commit()
    except IntegrityError:  # submitted twice at the same moment: the other request made this version
        db.session.rollback()
        raise WritingError(_l("This version was just submitted from another window; reload the page.")) from None
    return submission


@dataclass(frozen=True)
class TaskRow:
    task: Task
    draft_at: datetime | None
    versions: int
    score: int | None
    max_score: int | None


def task_rows(user: User) -> list[TaskRow]:
    """Every task with this person's draft time, number of versions and latest review score (3 queries)."""
    drafts = dict(
        db.session.execute(select(WritingDraft.task_id, WritingDraft.updated_at).where(WritingDraft.user_id == user.id)).all()
    )
    versions = dict(
        db.session.execute(
            select(WritingSubmission.task_id, func.max(WritingSubmission.version))
            .where(WritingSubmission.user_id == user.id)
            .group_by(WritingSubmission.task_id)
        ).all()
    )
    scores: dict[str, tuple[int | None, int | None]] = {}
    for task_id, score, max_score in db.session.execute(
        select(WritingSubmission.task_id, WritingReview.score, WritingReview.max_score)
        .join(WritingReview, WritingReview.submission_id == WritingSubmission.id)
        .where(WritingSubmission.user_id == user.id, WritingReview.completed_at.is_not(None))
        .order_by(WritingReview.completed_at)
    ).all():
        scores[task_id] = (score, max_score)
    return [
        TaskRow(task, drafts.get(task.id), int(versions.get(task.id) or 0), *scores.get(task.id, (None, None)))
        for task in tasks()
    ]
