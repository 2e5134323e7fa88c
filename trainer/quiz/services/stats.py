"""Content health for admins and content owners: what the registry holds and warns about, and
item statistics per question (facility, discrimination, how often each option was chosen)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select

from trainer.content.source import pick
from trainer.core.content import catalog
from trainer.extensions import db
from trainer.quiz.bank.model import Question
from trainer.quiz.bank.short_match import best_match
from trainer.quiz.itemstats import ItemStats, Response, choices_of, item_statistics
from trainer.quiz.models import Attempt, AttemptAnswer
from trainer.quiz.services.common import banks, definitions_of_kind, quizzes

MIN_ATTEMPTS_FOR_FLAGS = 10
TOP_TYPED_ANSWERS = 8


@dataclass(frozen=True)
class OptionCount:
    label: str
    count: int
    rate: float
    correct: bool


@dataclass(frozen=True)
class ItemRow:
    question: Question
    text: str
    stats: ItemStats | None
    options: list[OptionCount] = field(default_factory=list)

    @property
    def flags(self) -> tuple[str, ...]:
        return self.stats.flags if self.stats else ()


def _responses() -> list[Response]:
    """Graded answers of submitted attempts, except the daily review (it picks questions by due
    date, one person's weak spots, which would bias facility and discrimination)."""
    review_ids = [d.id for d in definitions_of_kind("review")]
    query = (
        select(
            AttemptAnswer.attempt_id,
            AttemptAnswer.question_id,
            AttemptAnswer.score,
            AttemptAnswer.max_score,
            AttemptAnswer.answer,
        )
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(Attempt.submitted_at.is_not(None), AttemptAnswer.score.is_not(None))
    )
    if review_ids:
        query = query.where(Attempt.quiz_id.not_in(review_ids))
    bank_set = banks()
    rows = []
    for attempt_id, qid, score, max_score, answer in db.session.execute(query).all():
        question = bank_set.get(qid)
        if question is None:
            continue
        try:
            chosen = choices_of(question.type, answer)
        except TypeError:
            chosen = ()
        rows.append(Response(attempt_id, qid, float(score or 0), float(max_score or 0), chosen))
    return rows


def item_rows(
    lang: str,
    *,
    module: str | None = None,
    flagged_only: bool = False,
    tf_labels: Mapping[bool, str] | None = None,
) -> list[ItemRow]:
    labels = tf_labels or {True: "true", False: "false"}
    stats = item_statistics(_responses(), min_attempts=MIN_ATTEMPTS_FOR_FLAGS)
    result = []
    for question in banks():
        if module and question.module != module:
            continue
        found = stats.get(question.id)
        if flagged_only and not (found and found.flags):
            continue
        options: list[OptionCount] = []
        if found is not None and question.type in ("single", "multi"):
            options = [
                OptionCount(pick(o.text, lang), found.choice_counts.get(o.id, 0), found.choice_rate(o.id), o.correct)
                for o in question.options
            ]
        elif found is not None and question.type == "truefalse":
            options = [
                OptionCount(labels[value], found.choice_counts.get(key, 0), found.choice_rate(key), question.answer is value)
                for key, value in (("true", True), ("false", False))
            ]
        elif found is not None and question.type == "short":
            options = _typed_answers(question, found)
        elif found is not None and question.document is not None:  # the lines marked most often
            marked = sorted(question.document.lines, key=lambda line: -found.choice_counts.get(line.id, 0))
            options = [
                OptionCount(pick(line.name, lang), found.choice_counts[line.id], found.choice_rate(line.id),
                            line.expected is not None)
                for line in marked[:TOP_TYPED_ANSWERS] if found.choice_counts.get(line.id)
            ]
        result.append(ItemRow(question, pick(question.text, lang), found, options))
    return result


def _typed_answers(question: Question, found: ItemStats) -> list[OptionCount]:
    """The most common typed answers of a short-answer question, and whether each earns full credit."""
    common = sorted(found.choice_counts.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP_TYPED_ANSWERS]
    result = []
    for text, count in common:
        match = best_match(question, text)
        result.append(OptionCount(text, count, found.choice_rate(text), match is not None and match.credit == 100))
    return result


@dataclass(frozen=True)
class ContentHealth:
    counts: dict[str, int]
    warnings: list[str]
    questions_by_module: dict[str, Counter]
    difficulty_by_module: dict[str, Counter]
    quiz_rows: list[tuple[str, str, str, int, float, int | None, int | None]]
    attempts: int
    graded_answers: int
    flagged: int
    needs_translation: list[NeedsTranslation] = field(default_factory=list)


@dataclass(frozen=True)
class NeedsTranslation:
    """A bank with questions written in only some languages: drawn only for trainees in those."""

    bank: str
    title: str
    questions: int
    languages: tuple[str, ...]
    """The languages the untranslated questions are written in."""


def content_health(lang: str) -> ContentHealth:
    content = catalog()
    by_module: dict[str, Counter] = {}
    difficulty: dict[str, Counter] = {}
    for question in banks():
        by_module.setdefault(question.module, Counter())[question.type] += 1
        difficulty.setdefault(question.module, Counter())[question.difficulty] += 1
    quiz_rows = [
        (
            d.id,
            pick(d.title, lang),
            d.kind,
            d.question_count,
            d.pass_mark,
            d.time_limit_minutes,
            d.max_attempts,
        )
        for d in quizzes().values()
    ]
    attempts = db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.submitted_at.is_not(None)))
    graded = db.session.scalar(
        select(func.count()).select_from(AttemptAnswer).where(AttemptAnswer.score.is_not(None))
    )
    flagged = sum(1 for row in item_rows(lang) if row.flags)
    bank_set = banks()
    waiting: dict[str, list[Question]] = {}
    for question in bank_set.untranslated():
        waiting.setdefault(question.bank, []).append(question)
    needs_translation = [
        NeedsTranslation(
            bank_id,
            pick(bank_set.banks[bank_id].title, lang),
            len(questions),
            tuple(sorted({code for q in questions for code in q.languages})),
        )
        for bank_id, questions in sorted(waiting.items())
    ]
    return ContentHealth(
        counts=content.counts(),
        warnings=[str(w) for w in content.warnings],
        questions_by_module=dict(sorted(by_module.items())),
        difficulty_by_module=dict(sorted(difficulty.items())),
        quiz_rows=quiz_rows,
        attempts=int(attempts or 0),
        graded_answers=int(graded or 0),
        flagged=flagged,
        needs_translation=needs_translation,
    )
