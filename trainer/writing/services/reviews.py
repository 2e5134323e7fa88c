"""Who may read and review a submission, and the review itself.

- The author reads their own submissions; a peer reads one only when the author asked them to
  review it; a manager reads the submissions of the members of their teams (admins all), through
  :mod:`trainer.accounts.access`. Anyone else gets "not found".
- A review is written by the asked peer or by a manager of one of the author's teams; never by
  the author. Scores follow the task's rubric (0 to 3 per item); comments are anchored to a
  paragraph and, when the reviewer selected text, to a range inside it.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from trainer.accounts.access import can_view_user
from trainer.accounts.models import User, team_members
from trainer.core.inputs import bounded_int
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.writing.models import WritingComment, WritingReview, WritingSubmission
from trainer.writing.services.common import WritingError, paragraphs, task_of
from trainer.writing.tasks import RUBRIC_LEVELS, Task

COMMENT_MAX_CHARS = 1000
OVERALL_MAX_CHARS = 3000


def _request_of(submission: WritingSubmission, user: User) -> WritingReview | None:
    return next((r for r in submission.reviews if r.reviewer_id == user.id), None)


def is_manager_of(viewer: User, submission: WritingSubmission) -> bool:
    return viewer.id != submission.user_id and (viewer.is_manager or viewer.is_admin) and can_view_user(
        viewer, submission.user_id)


def readable_submission(viewer: User, submission_id: int) -> WritingSubmission:
    """The submission when ``viewer`` may read it; otherwise "not found" (its existence stays hidden)."""
    submission = db.session.get(WritingSubmission, submission_id)
    if submission is None:
        raise WritingError("not found", 404)
    if submission.user_id == viewer.id or _request_of(submission, viewer) is not None or is_manager_of(viewer, submission):
        return submission
    raise WritingError("not found", 404)


def can_review(viewer: User, submission: WritingSubmission) -> bool:
    if viewer.id == submission.user_id:
        return False
    request = _request_of(submission, viewer)
    return (request is not None and request.kind == "peer") or is_manager_of(viewer, submission)


def reviewable_submission(viewer: User, submission_id: int) -> WritingSubmission:
    submission = readable_submission(viewer, submission_id)
    if not can_review(viewer, submission):
        raise WritingError(_l("You cannot review your own work."), 403)
    return submission


def peer_choices(user: User) -> list[User]:
    """Active people who share a team with ``user`` (the workshop peers they may ask)."""
    teams = select(team_members.c.team_id).where(team_members.c.user_id == user.id)
    return list(
        db.session.scalars(
            select(User)
            .join(team_members, team_members.c.user_id == User.id)
            .where(team_members.c.team_id.in_(teams), User.id != user.id, User.active.is_(True))
            .distinct()
            .order_by(User.name)
        )
    )


def ask_peer(user: User, submission: WritingSubmission, raw_peer: object) -> WritingReview:
    if submission.user_id != user.id:
        raise WritingError("not found", 404)
    peer_id = bounded_int(raw_peer)
    peer = next((p for p in peer_choices(user) if p.id == peer_id), None)
    if peer is None:
        raise WritingError(_l("Choose a colleague from your own team."))
    existing = _request_of(submission, peer)
    if existing is not None:
        return existing
    review = WritingReview(submission_id=submission.id, reviewer_id=peer.id, kind="peer", scores={})
    db.session.add(review)
    db.session.commit()
    return review


def _open_review(reviewer: User, submission: WritingSubmission) -> WritingReview:
    review = _request_of(submission, reviewer)
    if review is None:
        review = WritingReview(submission_id=submission.id, reviewer_id=reviewer.id, kind="manager", scores={})
        db.session.add(review)
        submission.reviews.append(review)
    return review


def add_comment(reviewer: User, submission: WritingSubmission, form: Mapping[str, object]) -> WritingComment:
    """A comment on paragraph ``paragraph`` (1-based on the page) or on the range ``start``..``end``."""
    body = str(form.get("body") or "").strip()
    if not body:
        raise WritingError(_l("Write the comment first."))
    if len(body) > COMMENT_MAX_CHARS:
        raise WritingError(_l("A comment may be at most %(limit)d characters long.", limit=COMMENT_MAX_CHARS))
    spans = paragraphs(submission.text)
    start, end = bounded_int(form.get("start"), low=0), bounded_int(form.get("end"), low=1)
    if start is not None and end is not None and start < end <= len(submission.text):
        number = next((i for i, (a, b) in enumerate(spans) if a <= start < b), 0)
    else:
        start = end = None
        picked = bounded_int(form.get("paragraph"), low=1, high=max(len(spans), 1))
        if picked is None:
            raise WritingError(_l("Choose the paragraph the comment is about."))
        number = picked - 1
    review = _open_review(reviewer, submission)
    comment = WritingComment(paragraph=number, start=start, end=end, body=body)
    review.comments.append(comment)
    db.session.commit()
    return comment


def save_review(reviewer: User, submission: WritingSubmission, form: Mapping[str, object]) -> WritingReview:
    """Scores for every rubric item (0 to 3) and an overall comment; completes the review."""
    task: Task = task_of(submission.task_id)
    scores: dict[str, int] = {}
    for item in task.rubric.items:
        value = bounded_int(form.get(f"score-{item.id}"), low=0, high=RUBRIC_LEVELS - 1)
        if value is None:
            raise WritingError(_l("Give every rubric item a score from 0 to 3."))
        scores[item.id] = value
    comment = str(form.get("comment") or "").strip()
    if len(comment) > OVERALL_MAX_CHARS:
        raise WritingError(_l("The overall comment may be at most %(limit)d characters long.", limit=OVERALL_MAX_CHARS))
    review = _open_review(reviewer, submission)
    review.scores, review.comment = scores, comment
    review.score, review.max_score = sum(scores.values()), task.rubric.max_score
    review.completed_at = utcnow()
    db.session.commit()
    return review


def requests_for(user: User) -> list[WritingSubmission]:
    """Submissions colleagues asked ``user`` to review and not yet scored, oldest first."""
    return list(
        db.session.scalars(
            select(WritingSubmission)
            .join(WritingReview, WritingReview.submission_id == WritingSubmission.id)
            .where(WritingReview.reviewer_id == user.id, WritingReview.completed_at.is_(None),
                   WritingReview.kind == "peer")
            .order_by(WritingSubmission.submitted_at)
        )
    )
