"""The frozen objects of the question banks: questions and their parts, banks, quiz definitions.

Built only by the validating loaders (:mod:`.questions`, :mod:`.loader`, :mod:`.definitions`), so
code that holds one can trust it. Pure Python: no Flask, no database.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from trainer.content.source import LANGUAGES
from trainer.quiz.bank.document_model import Document
from trainer.quiz.bank.formula import evaluate
from trainer.quiz.bank.placeholders import format_value

QUESTION_TYPES: tuple[str, ...] = (
    "single",
    "multi",
    "truefalse",
    "numeric",
    "calculated",
    "ordering",
    "matching",
    "short",
    "document",  # a document to work on: trainer/quiz/bank/document_model.py
)
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
QUESTION_KINDS: tuple[str, ...] = ("recall", "application")
"""What a question measures: ``recall`` of a fact or list, or ``application`` (a short case, then
the decision). The content lint wants mostly application and no question left unclassified."""
QUIZ_KINDS: tuple[str, ...] = ("module", "final", "refresher", "review")
GRADING_METHODS: tuple[str, ...] = ("highest", "last")
FEEDBACK_MODES: tuple[str, ...] = ("immediately", "after_submit", "never")

TRANSLATE_MARK = "[TRANSLATE] "
"""Prefix of a text copied from the other language and not yet translated (GIFT import writes it).
A question with such a text is usable only in its written languages (:attr:`Question.languages`):
never drawn for a trainee in the other language, and listed as needing translation in content
health. It never stops the app."""

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")

Localized = Mapping[str, str]
"""A frozen ``{zh: ..., en: ...}`` mapping."""


def freeze(texts: Mapping[str, str]) -> Localized:
    """A read-only copy, so a loaded question cannot be changed by whoever holds it."""
    return MappingProxyType(dict(texts))


@dataclass(frozen=True)
class Option:
    """A choice of a single or multi question. ``weight`` is the percent of the mark it is worth
    (single: 100 for the correct one, 0 otherwise; multi: positive for correct, negative for wrong)."""

    id: str
    text: Localized
    correct: bool
    weight: float
    feedback: Localized | None = None


@dataclass(frozen=True)
class OrderItem:
    """One step of an ordering question; the bank lists items in the correct order."""

    id: str
    text: Localized


@dataclass(frozen=True)
class MatchPair:
    """A prompt and its one right answer (answers are shuffled when shown)."""

    id: str
    prompt: Localized
    answer: Localized


@dataclass(frozen=True)
class ParamRange:
    """A calculated question's param: drawn per attempt from ``min, min+step, ..., <= max``.

    Values are computed in decimal so 0.1 steps give 0.3, not 0.30000000000000004.
    """

    min: float
    max: float
    step: float

    @property
    def count(self) -> int:
        span = Decimal(repr(self.max)) - Decimal(repr(self.min))
        return int(span / Decimal(repr(self.step))) + 1

    def value(self, index: int) -> float:
        if not 0 <= index < self.count:
            raise IndexError(f"param value index {index} out of range 0..{self.count - 1}")
        result = Decimal(repr(self.min)) + Decimal(index) * Decimal(repr(self.step))
        return float(result)

    def draw(self, rng: random.Random) -> float:
        return self.value(rng.randrange(self.count))

    def contains(self, value: float) -> bool:
        """Whether ``value`` is one of the drawable values (used to check stored instances)."""
        if not self.min - 1e-9 <= value <= self.max + 1e-9:
            return False
        steps = (Decimal(repr(float(value))) - Decimal(repr(self.min))) / Decimal(repr(self.step))
        return abs(steps - steps.to_integral_value()) < Decimal("1e-6")


@dataclass(frozen=True)
class Tolerance:
    """How far a numeric answer may be from the right one; edges are inclusive."""

    value: float
    relative: bool = False
    """False: absolute (``|given - answer| <= value``); True: ``value`` percent of ``|answer|``."""

    def limit(self, expected: float) -> float:
        """The largest distance from ``expected`` still allowed (the SCORM quiz page compares with it)."""
        limit = abs(expected) * self.value / 100.0 if self.relative else self.value
        # a hair of slack so 40.5 vs 41 +/- 0.5 is inside despite binary floating point
        return limit + 1e-9 * max(1.0, abs(expected))

    def allows(self, given: float, expected: float) -> bool:
        return abs(given - expected) <= self.limit(expected)

    def describe(self) -> str:
        return f"±{format_value(self.value)}{' %' if self.relative else ''}"


@dataclass(frozen=True)
class NumericAnswer:
    """One accepted answer of a numeric/calculated question: the main one (credit 100), an
    alternative that earns partial credit (e.g. right within a wider tolerance, a rounding slip), or
    a recognised slip (credit 0, its own formula and feedback: closing instead of average AR, 360
    instead of 365 days) that earns nothing but tells the trainee which mistake they made."""

    formula: str
    tolerance: Tolerance
    credit: float = 100.0
    feedback: Localized | None = None


@dataclass(frozen=True)
class ShortAnswer:
    """One accepted answer of a short-answer question, with the credit (percent) it earns.

    ``*`` in the text matches any run of characters (as in Moodle), so ``*`` alone is a catch-all.
    """

    text: Localized
    credit: float = 100.0
    feedback: Localized | None = None


EMPTY_TEXT: Localized = MappingProxyType({"zh": "", "en": ""})


@dataclass(frozen=True)
class Question:
    """One question of a bank, validated and frozen. Type-specific fields are empty for other types."""

    id: str
    type: str
    bank: str
    module: str
    competencies: tuple[str, ...]
    difficulty: str
    text: Localized
    explanation: Localized = field(default_factory=lambda: EMPTY_TEXT)
    """The general feedback shown in review; empty when the author gave none."""
    mark: float = 1.0
    shuffle: bool = True
    kind: str | None = None
    """``recall`` or ``application`` (:data:`QUESTION_KINDS`); None while unclassified."""
    retired: bool = False
    """Kept so past attempts, statistics and exports still show it, never drawn again, and its
    spaced-repetition cards are no longer scheduled. Ids are stable forever, so a question that
    should go is retired, never deleted."""
    # single / multi
    options: tuple[Option, ...] = ()
    # truefalse
    answer: bool | None = None
    feedback_true: Localized | None = None
    feedback_false: Localized | None = None
    # numeric (fixed params) / calculated (ranges)
    params: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    ranges: Mapping[str, ParamRange] = field(default_factory=lambda: MappingProxyType({}))
    answers: tuple[NumericAnswer, ...] = ()
    unit: Localized | None = None
    decimals: int = 2
    wrong_feedback: Localized | None = None
    """numeric / calculated / short: feedback when no accepted answer matches (GIFT ``~#...``)."""
    # short
    accepted: tuple[ShortAnswer, ...] = ()
    case_sensitive: bool = False
    # ordering (items in the correct order) / matching
    items: tuple[OrderItem, ...] = ()
    pairs: tuple[MatchPair, ...] = ()
    # document
    document: Document | None = None
    # where it came from, for messages
    path: str = ""
    line: int = 1
    languages: tuple[str, ...] = LANGUAGES
    """The languages every text is written in; the others still carry :data:`TRANSLATE_MARK`."""

    def option(self, option_id: str) -> Option:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        raise KeyError(option_id)

    def pair(self, pair_id: str) -> MatchPair:
        for pair in self.pairs:
            if pair.id == pair_id:
                return pair
        raise KeyError(pair_id)

    def item(self, item_id: str) -> OrderItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def is_numeric(self) -> bool:
        return self.type in ("numeric", "calculated")

    def correct_value(self, params: Mapping[str, float] | None = None) -> float:
        """The right answer for these params (a calculated question's drawn values)."""
        if not self.answers:
            raise ValueError(f"question {self.id} ({self.type}) has no numeric answer")
        return evaluate(self.answers[0].formula, self.params if params is None else params)

    def all_texts(self) -> Iterator[Localized]:
        """Every user-facing text, for checks such as 'is everything translated'."""
        yield self.text
        yield self.explanation
        for opt in self.options:
            yield opt.text
            if opt.feedback:
                yield opt.feedback
        for extra in (self.feedback_true, self.feedback_false, self.unit, self.wrong_feedback):
            if extra:
                yield extra
        for ans in self.answers:
            if ans.feedback:
                yield ans.feedback
        for accepted in self.accepted:
            yield accepted.text
            if accepted.feedback:
                yield accepted.feedback
        for item in self.items:
            yield item.text
        for pair in self.pairs:
            yield pair.prompt
            yield pair.answer
        if self.document is not None:
            yield from self.document.texts()


@dataclass(frozen=True)
class Bank:
    """One bank file: its id (the file name stem), title and the ids of its questions in order."""

    id: str
    title: Localized
    path: str
    question_ids: tuple[str, ...]


@dataclass(frozen=True)
class QuestionBankSet:
    """All banks, with questions addressable by their globally unique id."""

    banks: Mapping[str, Bank]
    questions: Mapping[str, Question]

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions.values())

    def __contains__(self, question_id: object) -> bool:
        return question_id in self.questions

    def __getitem__(self, question_id: str) -> Question:
        return self.questions[question_id]

    def get(self, question_id: str) -> Question | None:
        return self.questions.get(question_id)

    def drawable(self, lang: str | None = None) -> list[Question]:
        """The questions new quizzes, refreshers and the daily review may draw: the non-retired ones
        written in ``lang`` (None: in every language, which is what quiz definitions count on)."""
        return [q for q in self.questions.values() if _usable(q, lang)]

    def is_drawable(self, question_id: str, lang: str | None = None) -> bool:
        """Whether the id names a question still in use (known, not retired, written in ``lang``)."""
        question = self.questions.get(question_id)
        return question is not None and _usable(question, lang)

    def untranslated(self) -> list[Question]:
        """Questions written in only some languages (an import waiting for its translation)."""
        return [q for q in self.questions.values() if len(q.languages) < len(LANGUAGES)]

    def select(
        self,
        *,
        module: str | None = None,
        competency: str | None = None,
        difficulty: str | None = None,
    ) -> list[Question]:
        """Drawable questions carrying all the given tags, in bank order."""
        return [
            q
            for q in self.drawable()
            if (module is None or q.module == module)
            and (competency is None or competency in q.competencies)
            and (difficulty is None or q.difficulty == difficulty)
        ]


def _usable(question: Question, lang: str | None) -> bool:
    if question.retired:
        return False
    return len(question.languages) == len(LANGUAGES) if lang is None else lang in question.languages


@dataclass(frozen=True)
class DrawRule:
    """Draw ``count`` questions carrying all the given tags (a tag left out matches anything)."""

    count: int
    module: str | None = None
    competency: str | None = None
    difficulty: str | None = None

    def matches(self, question: Question) -> bool:
        return (
            (self.module is None or question.module == self.module)
            and (self.competency is None or self.competency in question.competencies)
            and (self.difficulty is None or question.difficulty == self.difficulty)
        )

    def describe(self) -> str:
        tags = [
            f"{k}={v}"
            for k, v in (
                ("module", self.module),
                ("competency", self.competency),
                ("difficulty", self.difficulty),
            )
            if v
        ]
        return ", ".join(tags) or "any tags"


@dataclass(frozen=True)
class QuizDefinition:
    """A quiz: which questions to draw and the rules of taking it.

    ``time_limit_minutes`` None means no limit; ``max_attempts`` None means unlimited. Kind
    ``review`` (the daily review) draws only from the ids it is given (the trainee's due cards).
    """

    id: str
    kind: str
    title: Localized
    draw: tuple[DrawRule, ...]
    pass_mark: float
    time_limit_minutes: int | None
    max_attempts: int | None
    grading: str
    show_feedback: str
    shuffle: bool = True
    module: str | None = None
    description: Localized | None = None
    path: str = ""
    line: int = 1

    @property
    def question_count(self) -> int:
        return sum(rule.count for rule in self.draw)
