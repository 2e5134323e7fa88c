"""What other features read about quizzes (the manager's dashboard, the scorecard's evidence), as
plain values and small frozen records. Functions that cover many people take them as
:data:`~trainer.accounts.selection.UserIds` and run a fixed number of queries whatever their number;
the ones that return a SELECT are parts the caller unions with other features' into one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.sql import Select

from trainer.accounts.selection import UserIds, user_id_filter
from trainer.extensions import db
from trainer.learn.services import onboarding_course
from trainer.quiz.grading import kept_percent
from trainer.quiz.models import Assignment, Attempt, AttemptAnswer, assignment_teams
from trainer.quiz.services.progress import final_quizzes


@dataclass(frozen=True)
class FinalExam:
    """A person's final exam of the onboarding course: the best kept grade, passed, tries."""

    percent: float | None
    passed: bool
    attempts: int


@dataclass(frozen=True)
class SubmittedAttempt:
    """One submitted attempt, as a timeline or a chart shows it."""

    quiz_id: str
    submitted_at: datetime
    percent: float | None
    passed: bool | None


@dataclass(frozen=True)
class AnswerTally:
    """How a group answered one question: graded answers, wrong ones, and how many people."""

    question_id: str
    answers: int
    wrong: int
    people: int


@dataclass(frozen=True)
class AssignmentSummary:
    """A refresher assignment and the ids of the teams it names."""

    id: int
    title: str
    quiz_id: str
    opens_at: datetime
    due_at: datetime
    team_ids: frozenset[int]


@dataclass(frozen=True)
class AssignmentAttempt:
    """An attempt started for an assignment: what the status rule reads."""

    id: int
    user_id: int
    assignment_id: int
    submitted_at: datetime | None
    percent: float | None


def final_exams(members: UserIds, until: datetime) -> dict[int, FinalExam]:
    """Each person's final exam of the onboarding course up to ``until`` (one query), kept by the
    quiz's grading rule; people without a submitted final are left out."""
    course = onboarding_course()
    definitions = {d.id: d for d in (final_quizzes(course.id) if course else [])}
    if not definitions:
        return {}
    rows = db.session.execute(
        select(Attempt.user_id, Attempt.quiz_id, Attempt.percent)
        .where(
            Attempt.user_id.in_(user_id_filter(members)),
            Attempt.quiz_id.in_(list(definitions)),
            Attempt.submitted_at.is_not(None),
            Attempt.submitted_at <= until,
        )
        .order_by(Attempt.submitted_at, Attempt.id)
    ).all()
    percents: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for user_id, quiz_id, percent in rows:
        percents[user_id][quiz_id].append(float(percent or 0.0))
    result = {}
    for user_id, by_quiz in percents.items():
        kept = [(kept_percent(definitions[q], p), definitions[q]) for q, p in by_quiz.items()]
        best = max((k for k, _ in kept if k is not None), default=None)
        passed = any(k is not None and k >= d.pass_mark for k, d in kept)
        result[user_id] = FinalExam(best, passed, sum(len(p) for p in by_quiz.values()))
    return result


def last_answers(members: Select) -> Select:
    """Each person's latest saved answer as a ``(user_id, at)`` SELECT, for the dashboard's
    one-query union of everyone's last activity."""
    return (
        select(Attempt.user_id.label("user_id"), func.max(Attempt.updated_at).label("at"))
        .where(Attempt.user_id.in_(members))
        .group_by(Attempt.user_id)
    )


def submitted_totals(members: UserIds, until: datetime) -> Select:
    """Per person, submitted attempts up to ``until`` as a SELECT of ``(user_id, entries, last,
    score_sum, max_score_sum)``: a summary that changes whenever their quiz results do."""
    return (
        select(
            Attempt.user_id.label("user_id"),
            func.count().label("entries"),
            func.max(Attempt.submitted_at).label("last"),
            func.sum(func.coalesce(Attempt.score, 0.0)).label("score_sum"),
            func.sum(func.coalesce(Attempt.max_score, 0.0)).label("max_score_sum"),
        )
        .where(
            Attempt.user_id.in_(user_id_filter(members)),
            Attempt.submitted_at.is_not(None),
            Attempt.submitted_at <= until,
        )
        .group_by(Attempt.user_id)
    )


def _submitted_ids(members: UserIds, until: datetime) -> Select:
    return select(Attempt.id).where(
        Attempt.user_id.in_(user_id_filter(members)),
        Attempt.submitted_at.is_not(None),
        Attempt.submitted_at <= until,
    )


def submitted_times(members: UserIds, until: datetime) -> dict[int, tuple[int, datetime]]:
    """Attempt id -> (person, submission time) of every attempt submitted up to ``until``."""
    return {
        attempt_id: (user_id, submitted_at)
        for attempt_id, user_id, submitted_at in db.session.execute(
            select(Attempt.id, Attempt.user_id, Attempt.submitted_at).where(
                Attempt.id.in_(_submitted_ids(members, until))
            )
        ).all()
        if submitted_at is not None
    }


def graded_answers(members: UserIds, until: datetime) -> Iterable[tuple[int, str, float | None, float | None]]:
    """``(attempt id, question id, score, max score)`` of every graded answer of the attempts
    :func:`submitted_times` lists, streamed as plain tuples (no ORM rows: there may be 100 000)."""
    return db.session.connection().execute(
        select(AttemptAnswer.attempt_id, AttemptAnswer.question_id, AttemptAnswer.score, AttemptAnswer.max_score).where(
            AttemptAnswer.attempt_id.in_(_submitted_ids(members, until)),
            AttemptAnswer.score.is_not(None),
            AttemptAnswer.max_score > 0,
        )
    )


def answer_tallies(members: UserIds, start: datetime, end: datetime, min_answers: int) -> list[AnswerTally]:
    """Per question, the graded answers the people gave in attempts submitted within [start, end],
    for questions answered at least ``min_answers`` times (one query)."""
    wrong = func.sum(case((AttemptAnswer.score < AttemptAnswer.max_score, 1), else_=0))
    rows = db.session.execute(
        select(AttemptAnswer.question_id, func.count(), wrong, func.count(func.distinct(Attempt.user_id)))
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(
            Attempt.user_id.in_(user_id_filter(members)),
            Attempt.submitted_at.is_not(None),
            Attempt.submitted_at >= start,
            Attempt.submitted_at <= end,
            AttemptAnswer.score.is_not(None),
            AttemptAnswer.max_score > 0,
        )
        .group_by(AttemptAnswer.question_id)
        .having(func.count() >= min_answers)
    ).all()
    return [AnswerTally(q, int(answers), int(w or 0), int(people)) for q, answers, w, people in rows]


def submitted_attempts(user_id: int, *, newest_first: bool = False, limit: int | None = None) -> list[SubmittedAttempt]:
    """One person's submitted attempts in order of submission (or newest first)."""
    order = Attempt.submitted_at.desc() if newest_first else Attempt.submitted_at
    rows = db.session.execute(
        select(Attempt.quiz_id, Attempt.submitted_at, Attempt.percent, Attempt.passed)
        .where(Attempt.user_id == user_id, Attempt.submitted_at.is_not(None))
        .order_by(order)
        .limit(limit)
    ).all()
    return [SubmittedAttempt(q, at, percent, passed) for q, at, percent, passed in rows if at is not None]


def assignments_due(start: datetime, end: datetime, reach: Iterable[int]) -> list[AssignmentSummary]:
    """Assignments due within [start, end] that name any of the teams ``reach`` (give teams with
    their ancestors already), earliest due first; two queries."""
    wanted_teams = set(reach) or {-1}
    rows = db.session.execute(
        select(assignment_teams.c.assignment_id, assignment_teams.c.team_id)
        .join(Assignment, Assignment.id == assignment_teams.c.assignment_id)
        .where(Assignment.due_at >= start, Assignment.due_at <= end)
    ).all()
    teams: dict[int, set[int]] = defaultdict(set)
    for assignment_id, team_id in rows:
        teams[assignment_id].add(team_id)
    wanted = [aid for aid, tids in teams.items() if tids & wanted_teams]
    if not wanted:
        return []
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.id.in_(wanted)).order_by(Assignment.due_at, Assignment.id)
    ).all()
    return [_summary(a, teams[a.id]) for a in assignments]


def _summary(assignment: Assignment, team_ids: Iterable[int]) -> AssignmentSummary:
    return AssignmentSummary(
        assignment.id, assignment.title, assignment.quiz_id, assignment.opens_at, assignment.due_at, frozenset(team_ids)
    )


def assignment_summary(assignment_id: int) -> AssignmentSummary | None:
    """One assignment with its teams, or None when there is no such assignment."""
    assignment = db.session.get(Assignment, assignment_id)
    return None if assignment is None else _summary(assignment, (t.id for t in assignment.teams))


def assignment_attempts(
    assignment_ids: Sequence[int], members: UserIds
) -> dict[tuple[int, int], list[AssignmentAttempt]]:
    """(person, assignment) -> the attempts started for it, oldest first (one query)."""
    if not assignment_ids:
        return {}
    rows = db.session.execute(
        select(Attempt.id, Attempt.user_id, Attempt.assignment_id, Attempt.submitted_at, Attempt.percent)
        .where(Attempt.assignment_id.in_(list(assignment_ids)), Attempt.user_id.in_(user_id_filter(members)))
        .order_by(Attempt.id)
    ).all()
    result: dict[tuple[int, int], list[AssignmentAttempt]] = defaultdict(list)
    for attempt_id, user_id, assignment_id, submitted_at, percent in rows:
        assert assignment_id is not None
        result[(user_id, assignment_id)].append(AssignmentAttempt(attempt_id, user_id, assignment_id, submitted_at, percent))
    return result
