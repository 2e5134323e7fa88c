"""Question banks (``quizzes/banks/*.yaml``) and quiz definitions (``quizzes/quizzes.yaml``).

Loads the plain-text banks into immutable :class:`Question` objects and checks them the way the
app's start-up check reports problems: every problem found, as ``path:line: message``, never just
the first. The format is described in ``docs/content-formats.md`` (section "Question banks").

Why the checks are strict: question ids carry statistics and spaced-repetition history forever,
answers must be right (numeric answers are computed from formulas, and the numbers a formula uses
must be the ones the trainee reads), and both languages are equal.

Pure Python: no Flask, no database. Grading lives in :mod:`trainer.quiz.grading`.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from trainer.content.source import (
    LANGUAGES,
    Problems,
    check_keys,
    check_localized,
    line_of,
    load_yaml_file,
    localized,
)
from trainer.quiz.bank.formula import FUNCTIONS, FormulaError, compile_formula, evaluate

__all__ = [
    "DIFFICULTIES",
    "FEEDBACK_MODES",
    "GRADING_METHODS",
    "QUESTION_TYPES",
    "QUIZ_KINDS",
    "TRANSLATE_MARK",
    "Bank",
    "DrawRule",
    "Localized",
    "MatchPair",
    "NumericAnswer",
    "Option",
    "OrderItem",
    "ParamRange",
    "Question",
    "QuestionBankSet",
    "QuizDefinition",
    "Tolerance",
    "build_question",
    "dump_bank_yaml",
    "fill_placeholders",
    "format_value",
    "load_banks",
    "load_quiz_definitions",
    "placeholders",
]

QUESTION_TYPES: tuple[str, ...] = (
    "single",
    "multi",
    "truefalse",
    "numeric",
    "calculated",
    "ordering",
    "matching",
)
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
QUIZ_KINDS: tuple[str, ...] = ("module", "final", "refresher", "review")
GRADING_METHODS: tuple[str, ...] = ("highest", "last")
FEEDBACK_MODES: tuple[str, ...] = ("immediately", "after_submit", "never")

TRANSLATE_MARK = "[TRANSLATE] "
"""Prefix of a text copied from the other language and not yet translated (GIFT import writes it).
The loader reports it unless ``allow_untranslated`` is set, so it cannot reach trainees."""

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
PART_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
PARAM_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,30}$")
PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")
ANSWER_PLACEHOLDER = "answer"
"""``{answer}`` in an explanation or feedback shows the computed correct answer (never in the text)."""

MIN_OPTIONS, MAX_OPTIONS = 2, 10
MIN_ITEMS = 3
MIN_PAIRS = 3
MAX_RANGE_VALUES = 10_000_000
CALCULATED_SAMPLES = 40

Localized = Mapping[str, str]
"""A frozen ``{zh: ..., en: ...}`` mapping."""


def _freeze(texts: Mapping[str, str]) -> Localized:
    return MappingProxyType(dict(texts))


# --------------------------------------------------------------------------------------------------
# Domain objects
# --------------------------------------------------------------------------------------------------


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

    def allows(self, given: float, expected: float) -> bool:
        limit = abs(expected) * self.value / 100.0 if self.relative else self.value
        # a hair of slack so 40.5 vs 41 +/- 0.5 is inside despite binary floating point
        slack = 1e-9 * max(1.0, abs(expected))
        return abs(given - expected) <= limit + slack

    def describe(self) -> str:
        return f"±{format_value(self.value)}{' %' if self.relative else ''}"


@dataclass(frozen=True)
class NumericAnswer:
    """One accepted answer of a numeric/calculated question: the main one (credit 100) or an
    alternative that earns partial credit (e.g. right within a wider tolerance, a rounding slip)."""

    formula: str
    tolerance: Tolerance
    credit: float = 100.0
    feedback: Localized | None = None


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
    explanation: Localized
    mark: float = 1.0
    shuffle: bool = True
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
    # ordering (items in the correct order) / matching
    items: tuple[OrderItem, ...] = ()
    pairs: tuple[MatchPair, ...] = ()
    # where it came from, for messages
    path: str = ""
    line: int = 1

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
        for extra in (self.feedback_true, self.feedback_false, self.unit):
            if extra:
                yield extra
        for ans in self.answers:
            if ans.feedback:
                yield ans.feedback
        for item in self.items:
            yield item.text
        for pair in self.pairs:
            yield pair.prompt
            yield pair.answer


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

    def select(
        self,
        *,
        module: str | None = None,
        competency: str | None = None,
        difficulty: str | None = None,
    ) -> list[Question]:
        """Questions carrying all the given tags, in bank order."""
        return [
            q
            for q in self.questions.values()
            if (module is None or q.module == module)
            and (competency is None or competency in q.competencies)
            and (difficulty is None or q.difficulty == difficulty)
        ]


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


# --------------------------------------------------------------------------------------------------
# Placeholders and number formatting
# --------------------------------------------------------------------------------------------------


def format_value(value: float, spec: str | None = None) -> str:
    """Show a param or answer the way a person writes it: 730, 7,300,000, 0.0431, 41.25.

    A placeholder may carry a Python format spec instead, e.g. ``{r:.1%}`` gives ``4.3%``.
    """
    if spec:
        return format(value, spec)
    if isinstance(value, float) and value.is_integer() or isinstance(value, int):
        number = int(value)
        return f"{number:,}" if abs(number) >= 10_000 else str(number)
    text = f"{value:,.6f}" if abs(value) >= 10_000 else f"{value:.6f}"
    return text.rstrip("0").rstrip(".")


def placeholders(text: str) -> list[tuple[str, str | None]]:
    """The ``{name}`` / ``{name:spec}`` placeholders in a text, in order."""
    return [(m.group(1), m.group(2)) for m in PLACEHOLDER_RE.finditer(text)]


def fill_placeholders(
    text: str, params: Mapping[str, float], answer: float | None = None, decimals: int = 2
) -> str:
    """Put a numeric or calculated question's param values (and ``{answer}``) into a text."""

    def replace(match: re.Match[str]) -> str:
        name, spec = match.group(1), match.group(2)
        if name == ANSWER_PLACEHOLDER and answer is not None:
            return format_value(answer, spec) if spec else format_value(round(answer, decimals))
        if name in params:
            return format_value(params[name], spec)
        return match.group(0)

    return PLACEHOLDER_RE.sub(replace, text)


_NUMBER_IN_TEXT = re.compile(r"\d[\d,]*(?:\.\d+)?")
_SCALES = (1.0, 100.0, 1e-3, 1e-4, 1e-6, 1e-8)
"""A fixed param may be written as is, in percent, or in thousands / 万 / millions / 亿."""


def _mentions_number(text: str, value: float) -> bool:
    normalized = unicodedata.normalize("NFKC", text)
    found = []
    for token in _NUMBER_IN_TEXT.findall(normalized):
        try:
            found.append(float(token.replace(",", "")))
        except ValueError:  # pragma: no cover - the regex only matches numbers
            continue
    return any(
        math.isclose(number, abs(value) * scale, rel_tol=1e-9, abs_tol=1e-12)
        for number in found
        for scale in _SCALES
    )


# --------------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------------

_COMMON_REQUIRED = ("id", "type", "module", "competencies", "difficulty", "text", "explanation")
_COMMON_OPTIONAL = ("mark",)
_NUMERIC_OPTIONAL = ("tolerance", "tolerance_pct", "unit", "decimals", "alternatives", "feedback")
_TYPE_KEYS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "single": (("options",), ("shuffle",)),
    "multi": (("options",), ("shuffle",)),
    "truefalse": (("answer",), ("feedback_true", "feedback_false")),
    "numeric": (("params", "formula"), _NUMERIC_OPTIONAL),
    "calculated": (("params", "formula"), _NUMERIC_OPTIONAL),
    "ordering": (("items",), ()),
    "matching": (("pairs",), ("shuffle",)),
}


@dataclass
class _Checker:
    """Shared context of one file's checks, so helpers report with the right path."""

    path: str
    problems: Problems
    allow_untranslated: bool = False

    def add(self, line: int, message: str) -> None:
        self.problems.add(self.path, line, message)

    def text(self, container: Any, key: str, where: str, *, required: bool = True) -> Localized | None:
        if not isinstance(container, Mapping) or key not in container:
            return None  # a missing required key is reported by check_keys
        value = container[key]
        if value is None and not required:
            return None
        at = line_of(container, key)
        if not check_localized(
            value, path=self.path, problems=self.problems, where=f"{where} {key}", line=at
        ):
            return None
        if not self.allow_untranslated:
            for lang in LANGUAGES:
                if str(value[lang]).startswith(TRANSLATE_MARK.strip()):
                    self.add(
                        line_of(value, lang, at), f"{where} {key}: {lang} text is marked for translation"
                    )
        return _freeze(localized(value))

    def number(
        self,
        container: Any,
        key: str,
        where: str,
        *,
        low: float | None = None,
        high: float | None = None,
        integer: bool = False,
        exclusive_low: bool = False,
    ) -> float | None:
        value = container.get(key) if isinstance(container, Mapping) else None
        at = line_of(container, key)
        kind = "a whole number" if integer else "a number"
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.add(at, f"{where}: {key} must be {kind}, got {value!r}")
            return None
        if integer and not float(value).is_integer():
            self.add(at, f"{where}: {key} must be {kind}, got {value!r}")
            return None
        if low is not None and (value < low or (exclusive_low and value == low)):
            self.add(
                at,
                f"{where}: {key} must be {'greater than' if exclusive_low else 'at least'} {low:g}, got {value!r}",
            )
            return None
        if high is not None and value > high:
            self.add(at, f"{where}: {key} must be at most {high:g}, got {value!r}")
            return None
        return float(value)

    def part_ids(self, entries: Sequence[Any], where: str, what: str) -> list[str | None]:
        """Check the ``id`` of each option/item/pair: present, well-formed, unique in the question."""
        seen: dict[str, int] = {}
        ids: list[str | None] = []
        for index, entry in enumerate(entries):
            at = line_of(entries, index)
            raw = entry.get("id") if isinstance(entry, Mapping) else None
            if raw is None:
                ids.append(None)
                continue
            part_id = str(raw)
            if not PART_ID_RE.match(part_id):
                self.add(
                    at, f"{where}: {what} id {part_id!r} must be letters, digits, '-' or '_' (at most 40)"
                )
            if part_id in seen:
                self.add(at, f"{where}: duplicate {what} id {part_id!r} (also on line {seen[part_id]})")
            seen.setdefault(part_id, at)
            ids.append(part_id)
        return ids

    def distinct(self, texts: Sequence[tuple[int, Localized | None]], where: str, what: str) -> None:
        """Two identical option/answer texts make a question ambiguous; report them."""
        for lang in LANGUAGES:
            seen: dict[str, int] = {}
            for at, text in texts:
                if text is None:
                    continue
                key = " ".join(text[lang].split()).casefold()
                if key in seen:
                    self.add(at, f"{where}: two {what}s have the same {lang} text (also on line {seen[key]})")
                seen.setdefault(key, at)


def _as_list(checker: _Checker, raw: Mapping[str, Any], key: str, where: str, minimum: int) -> list[Any]:
    value = raw.get(key)
    at = line_of(raw, key)
    if not isinstance(value, list):
        if key in raw:
            checker.add(at, f"{where}: {key} must be a list")
        return []
    if len(value) < minimum:
        checker.add(at, f"{where}: needs at least {minimum} {key}, has {len(value)}")
    return value


def _check_options(checker: _Checker, raw: Mapping[str, Any], qtype: str, where: str) -> tuple[Option, ...]:
    entries = _as_list(checker, raw, "options", where, MIN_OPTIONS)
    if len(entries) > MAX_OPTIONS:
        checker.add(line_of(raw, "options"), f"{where}: at most {MAX_OPTIONS} options, has {len(entries)}")
    ids = checker.part_ids(entries, where, "option")
    options: list[Option] = []
    texts: list[tuple[int, Localized | None]] = []
    marks: list[tuple[bool, float]] = []  # (correct, weight) of every option whose value is readable
    for index, entry in enumerate(entries):
        at = line_of(entries, index)
        label = f"{where} option {ids[index] or index + 1}"
        allowed = ("correct", "feedback") if qtype == "single" else ("feedback",)
        required = ("id", "text") if qtype == "single" else ("id", "text", "weight")
        if not check_keys(
            entry,
            required=required,
            optional=allowed,
            path=checker.path,
            problems=checker.problems,
            where=label,
        ):
            continue
        text = checker.text(entry, "text", label)
        feedback = checker.text(entry, "feedback", label, required=False)
        texts.append((at, text))
        if qtype == "single":
            correct = entry.get("correct", False)
            if not isinstance(correct, bool):
                checker.add(
                    line_of(entry, "correct"), f"{label}: correct must be true or false, got {correct!r}"
                )
                continue
            weight = 100.0 if correct else 0.0
        else:
            number = checker.number(entry, "weight", label, low=-100, high=100) if "weight" in entry else None
            if number is None:
                continue
            if number == 0:
                checker.add(
                    line_of(entry, "weight"),
                    f"{label}: weight 0 makes picking it free; give a wrong option a negative weight (a cost)",
                )
            weight, correct = number, number > 0
        marks.append((correct, weight))
        if text is not None and ids[index] is not None:
            options.append(Option(str(ids[index]), text, correct, weight, feedback))
    checker.distinct(texts, where, "option")
    if not entries or len(marks) < len(entries):
        return tuple(options)
    at = line_of(raw, "options")
    if qtype == "single":
        n_correct = sum(1 for correct, _ in marks if correct)
        if n_correct != 1:
            checker.add(
                at, f"{where}: single choice needs exactly one option with correct: true, found {n_correct}"
            )
    else:
        positive = sum(weight for _, weight in marks if weight > 0)
        if positive == 0:
            checker.add(at, f"{where}: multi needs at least one option with a positive weight")
        elif abs(positive - 100) > 0.05:
            checker.add(
                at, f"{where}: the weights of the correct options must sum to 100, they sum to {positive:g}"
            )
        if not any(weight < 0 for _, weight in marks):
            checker.add(at, f"{where}: multi needs at least one wrong option (negative weight)")
    return tuple(options)


def _check_tolerance(checker: _Checker, entry: Mapping[str, Any], where: str) -> Tolerance | None:
    has_abs, has_pct = "tolerance" in entry, "tolerance_pct" in entry
    if has_abs and has_pct:
        checker.add(
            line_of(entry, "tolerance_pct"),
            f"{where}: give tolerance (absolute) or tolerance_pct (relative), not both",
        )
        return None
    if not has_abs and not has_pct:
        checker.add(
            line_of(entry), f"{where}: missing tolerance (absolute) or tolerance_pct (relative, in percent)"
        )
        return None
    if has_abs:
        value = checker.number(entry, "tolerance", where, low=0)
        return None if value is None else Tolerance(value, relative=False)
    value = checker.number(entry, "tolerance_pct", where, low=0, high=100)
    return None if value is None else Tolerance(value, relative=True)


def _check_formula(
    checker: _Checker, entry: Mapping[str, Any], key: str, where: str, names: Iterable[str]
) -> str | None:
    source = entry.get(key)
    at = line_of(entry, key)
    if isinstance(source, int | float) and not isinstance(source, bool):
        source = repr(source)  # a bare number (GIFT import writes "12.5"; YAML may read it as a float)
    if not isinstance(source, str):
        checker.add(at, f'{where}: {key} must be a text like "dso(A, S, 365)", got {source!r}')
        return None
    try:
        compiled = compile_formula(source)
    except FormulaError as exc:
        checker.add(at, f"{where}: {key} {source!r}: {exc}")
        return None
    unknown = sorted(compiled.names - set(names))
    if unknown:
        checker.add(
            at,
            f"{where}: {key} uses {', '.join(unknown)}, which {'is' if len(unknown) == 1 else 'are'} not among the params",
        )
        return None
    return compiled.source


def _check_numeric(
    checker: _Checker, raw: Mapping[str, Any], qtype: str, qid: str, where: str, text: Localized | None
) -> dict[str, Any] | None:
    """Params, formula(s), tolerance and placeholders of a numeric or calculated question."""
    params_raw = raw.get("params")
    at_params = line_of(raw, "params")
    fixed: dict[str, float] = {}
    ranges: dict[str, ParamRange] = {}
    ok = True
    if not isinstance(params_raw, Mapping):
        if "params" in raw:
            checker.add(
                at_params,
                f"{where}: params must be a mapping of names to {'numbers' if qtype == 'numeric' else '{min, max, step}'} (use {{}} for none)",
            )
        return None
    for name, spec in params_raw.items():
        at = line_of(params_raw, name)
        label = f"{where} param {name}"
        if (
            not isinstance(name, str)
            or not PARAM_RE.match(name)
            or name in FUNCTIONS
            or name == ANSWER_PLACEHOLDER
        ):
            checker.add(
                at,
                f"{label}: a param name must be a letter then letters, digits or _, and not a function name or '{ANSWER_PLACEHOLDER}'",
            )
            ok = False
            continue
        if qtype == "numeric":
            if isinstance(spec, bool) or not isinstance(spec, int | float) or not math.isfinite(spec):
                checker.add(
                    at,
                    f"{label}: must be a number, got {spec!r}"
                    + (" (ranges belong to calculated questions)" if isinstance(spec, Mapping) else ""),
                )
                ok = False
                continue
            fixed[name] = float(spec)
        else:
            if not check_keys(
                spec,
                required=("min", "max", "step"),
                path=checker.path,
                problems=checker.problems,
                where=label,
            ):
                ok = False
                continue
            low = checker.number(spec, "min", label)
            high = checker.number(spec, "max", label)
            step = checker.number(spec, "step", label)
            if low is None or high is None or step is None:
                ok = False
                continue
            if low > high:
                checker.add(line_of(spec, "min"), f"{label}: min {low:g} is greater than max {high:g}")
                ok = False
                continue
            if step <= 0:
                checker.add(line_of(spec, "step"), f"{label}: step must be greater than 0, got {step:g}")
                ok = False
                continue
            rng_ = ParamRange(low, high, step)
            if rng_.count > MAX_RANGE_VALUES:
                checker.add(
                    line_of(spec, "step"),
                    f"{label}: step {step:g} gives more than {MAX_RANGE_VALUES:,} values; use a larger step",
                )
                ok = False
                continue
            ranges[name] = rng_
    if qtype == "calculated" and ok and not ranges:
        checker.add(
            at_params,
            f"{where}: a calculated question needs at least one param range (use type numeric for fixed values)",
        )
        ok = False
    names = list(params_raw.keys())

    main_formula = _check_formula(checker, raw, "formula", where, names) if "formula" in raw else None
    tolerance = _check_tolerance(checker, raw, where)
    feedback = checker.text(raw, "feedback", where, required=False)
    unit = checker.text(raw, "unit", where, required=False)
    decimals: int | None = None
    if "decimals" in raw:
        number = checker.number(raw, "decimals", where, low=0, high=10, integer=True)
        decimals = None if number is None else int(number)
        ok = ok and number is not None
    if main_formula is None or tolerance is None:
        ok = False

    answers: list[NumericAnswer] = []
    if main_formula and tolerance:
        answers.append(NumericAnswer(main_formula, tolerance, 100.0, feedback))
    alternatives = raw.get("alternatives", [])
    if "alternatives" in raw and not isinstance(alternatives, list):
        checker.add(line_of(raw, "alternatives"), f"{where}: alternatives must be a list")
        alternatives, ok = [], False
    for index, alt in enumerate(alternatives):
        label = f"{where} alternative {index + 1}"
        if not check_keys(
            alt,
            required=("credit",),
            optional=("formula", "tolerance", "tolerance_pct", "feedback"),
            path=checker.path,
            problems=checker.problems,
            where=label,
        ):
            ok = False
            continue
        alt_formula = (
            _check_formula(checker, alt, "formula", label, names) if "formula" in alt else main_formula
        )
        alt_tolerance = _check_tolerance(checker, alt, label)
        # credit 100 is a second right answer (GIFT allows several); below 100 is partial credit
        credit = checker.number(alt, "credit", label, low=0, high=100, exclusive_low=True)
        alt_feedback = checker.text(alt, "feedback", label, required=False)
        if alt_formula is None or alt_tolerance is None or credit is None:
            ok = False
            continue
        answers.append(NumericAnswer(alt_formula, alt_tolerance, credit, alt_feedback))

    # placeholders: every {name} must be a param; {answer} only outside the question text
    placeholder_texts: list[tuple[str, int, Localized | None]] = [
        ("text", line_of(raw, "text"), text),
        (
            "explanation",
            line_of(raw, "explanation"),
            _freeze(localized(raw["explanation"])) if _is_full_text(raw.get("explanation")) else None,
        ),
        ("feedback", line_of(raw, "feedback"), feedback),
        *(("alternative feedback", line_of(raw, "alternatives"), a.feedback) for a in answers[1:]),
    ]
    sample = {**fixed, **{name: r.min for name, r in ranges.items()}}
    for key, at, texts in placeholder_texts:
        if texts is None:
            continue
        for lang in LANGUAGES:
            for name, spec in placeholders(texts[lang]):
                if name == ANSWER_PLACEHOLDER and key != "text":
                    continue
                if name == ANSWER_PLACEHOLDER:
                    checker.add(at, f"{where} text: {{answer}} in the question text gives the answer away")
                    ok = False
                elif name not in params_raw:
                    checker.add(at, f"{where} {key}: {lang} placeholder {{{name}}} is not a param")
                    ok = False
                elif spec:
                    try:
                        format_value(sample.get(name, 1.0), spec)
                    except (ValueError, TypeError):
                        checker.add(
                            at, f"{where} {key}: {lang} placeholder {{{name}:{spec}}} has an invalid format"
                        )
                        ok = False
    if text is not None:
        for lang in LANGUAGES:
            shown = {name for name, _ in placeholders(text[lang])}
            for name in ranges:
                if name not in shown:
                    checker.add(
                        line_of(params_raw, name),
                        f"{where} param {name}: drawn but not shown in the {lang} text (write {{{name}}})",
                    )
                    ok = False
            for name, value in fixed.items():
                if name not in shown and not _mentions_number(text[lang], value):
                    checker.add(
                        line_of(params_raw, name),
                        f"{where} param {name}={format_value(value)}: the {lang} text shows neither {{{name}}} nor the number, "
                        "so the trainee may compute with a different figure",
                    )
                    ok = False
    if not ok or not answers:
        return None

    # the answer must exist: evaluate the fixed params, or corners and a sample of draws
    if qtype == "numeric":
        for number, ans in enumerate(answers):
            try:
                evaluate(ans.formula, fixed)
            except FormulaError as exc:
                which = "formula" if number == 0 else f"alternative {number} formula"
                checker.add(line_of(raw, "formula"), f"{where}: {which} gives no answer: {exc}")
                return None
    else:
        rng = random.Random(f"check:{qid}")
        points = [{n: r.min for n, r in ranges.items()}, {n: r.max for n, r in ranges.items()}]
        points += [{n: r.draw(rng) for n, r in ranges.items()} for _ in range(CALCULATED_SAMPLES)]
        for point in points:
            for ans in answers:
                try:
                    evaluate(ans.formula, point)
                except FormulaError as exc:
                    values = ", ".join(f"{n}={format_value(v)}" for n, v in point.items())
                    checker.add(
                        line_of(raw, "formula"), f"{where}: formula gives no answer for {values}: {exc}"
                    )
                    return None
    if decimals is None:
        decimals = _default_decimals(answers[0].tolerance)
    return {
        "params": MappingProxyType(fixed),
        "ranges": MappingProxyType(ranges),
        "answers": tuple(answers),
        "unit": unit,
        "decimals": decimals,
    }


def _is_full_text(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(text := value.get(lang), str) and bool(text.strip()) for lang in LANGUAGES
    )


def _default_decimals(tolerance: Tolerance) -> int:
    """Show the answer as precisely as the tolerance asks: ±0.5 -> 1 decimal, ±0.05 -> 2."""
    if tolerance.relative or tolerance.value <= 0:
        return 2
    return max(0, min(6, math.ceil(-math.log10(tolerance.value) - 1e-9)))


def _check_items(checker: _Checker, raw: Mapping[str, Any], where: str) -> tuple[OrderItem, ...]:
    entries = _as_list(checker, raw, "items", where, MIN_ITEMS)
    ids = checker.part_ids(entries, where, "item")
    items: list[OrderItem] = []
    texts: list[tuple[int, Localized | None]] = []
    ok = len(entries) >= MIN_ITEMS
    for index, entry in enumerate(entries):
        label = f"{where} item {ids[index] or index + 1}"
        if not check_keys(
            entry, required=("id", "text"), path=checker.path, problems=checker.problems, where=label
        ):
            ok = False
            continue
        text = checker.text(entry, "text", label)
        texts.append((line_of(entries, index), text))
        if text is None or ids[index] is None:
            ok = False
            continue
        items.append(OrderItem(str(ids[index]), text))
    checker.distinct(texts, where, "item")
    return tuple(items) if ok else ()


def _check_pairs(checker: _Checker, raw: Mapping[str, Any], where: str) -> tuple[MatchPair, ...]:
    entries = _as_list(checker, raw, "pairs", where, MIN_PAIRS)
    ids = checker.part_ids(entries, where, "pair")
    pairs: list[MatchPair] = []
    prompts: list[tuple[int, Localized | None]] = []
    answers: list[tuple[int, Localized | None]] = []
    ok = len(entries) >= MIN_PAIRS
    for index, entry in enumerate(entries):
        label = f"{where} pair {ids[index] or index + 1}"
        if not check_keys(
            entry,
            required=("id", "prompt", "answer"),
            path=checker.path,
            problems=checker.problems,
            where=label,
        ):
            ok = False
            continue
        prompt = checker.text(entry, "prompt", label)
        answer = checker.text(entry, "answer", label)
        prompts.append((line_of(entries, index), prompt))
        answers.append((line_of(entries, index), answer))
        if prompt is None or answer is None or ids[index] is None:
            ok = False
            continue
        pairs.append(MatchPair(str(ids[index]), prompt, answer))
    checker.distinct(prompts, where, "prompt")
    checker.distinct(answers, where, "answer")
    return tuple(pairs) if ok else ()


def build_question(
    raw: Any,
    *,
    bank_id: str,
    path: str | Path,
    problems: Problems,
    module_ids: Iterable[str],
    competency_ids: Iterable[str],
    allow_untranslated: bool = False,
    index: int = 0,
) -> Question | None:
    """Validate one raw question mapping and build the frozen :class:`Question`.

    Every problem is added to ``problems``; the result is None when anything is wrong, so a broken
    question never reaches a quiz. The GIFT importer uses this too, so imported questions obey the
    same rules as hand-written ones.
    """
    checker = _Checker(str(path), problems, allow_untranslated)
    problems_before = len(problems)
    if not isinstance(raw, Mapping):
        checker.add(line_of(raw), f"question #{index + 1}: expected a mapping")
        return None
    qid_raw = raw.get("id")
    qid = str(qid_raw) if qid_raw is not None else ""
    where = f"question {qid}" if qid else f"question #{index + 1}"
    qtype = str(raw.get("type"))
    if qtype not in _TYPE_KEYS:
        at = line_of(raw, "type")
        if "type" not in raw:
            checker.add(line_of(raw), f"{where}: missing key 'type'")
        else:
            checker.add(
                at, f"{where}: unknown type {raw.get('type')!r} (allowed: {', '.join(QUESTION_TYPES)})"
            )
        return None
    required, optional = _TYPE_KEYS[qtype]
    keys_ok = check_keys(
        raw,
        required=(*_COMMON_REQUIRED, *required),
        optional=(*_COMMON_OPTIONAL, *optional),
        path=checker.path,
        problems=problems,
        where=where,
    )
    ok = keys_ok
    if qid_raw is not None and (not isinstance(qid_raw, str) or not ID_RE.match(qid)):
        checker.add(
            line_of(raw, "id"),
            f"{where}: id must be lowercase letters, digits, '.', '-' or '_' (at most 80), got {qid_raw!r}",
        )
        ok = False

    modules = set(module_ids)
    module = raw.get("module")
    if "module" in raw and module not in modules:
        checker.add(
            line_of(raw, "module"),
            f"{where}: unknown module {module!r} (known: {', '.join(sorted(modules))})",
        )
        ok = False
    known_competencies = set(competency_ids)
    competencies = raw.get("competencies")
    if "competencies" in raw:
        if not isinstance(competencies, list) or not competencies:
            checker.add(
                line_of(raw, "competencies"),
                f"{where}: competencies must be a non-empty list of competency ids",
            )
            ok = False
        else:
            for position, comp in enumerate(competencies):
                if comp not in known_competencies:
                    checker.add(
                        line_of(competencies, position, line_of(raw, "competencies")),
                        f"{where}: unknown competency {comp!r} (known: {', '.join(sorted(known_competencies))})",
                    )
                    ok = False
            if len(set(map(str, competencies))) != len(competencies):
                checker.add(line_of(raw, "competencies"), f"{where}: a competency is listed twice")
                ok = False
    difficulty = raw.get("difficulty")
    if "difficulty" in raw and difficulty not in DIFFICULTIES:
        checker.add(
            line_of(raw, "difficulty"),
            f"{where}: difficulty must be one of {', '.join(DIFFICULTIES)}, got {difficulty!r}",
        )
        ok = False
    text = checker.text(raw, "text", where)
    explanation = checker.text(raw, "explanation", where)
    if text is None or explanation is None:
        ok = False
    mark = 1.0
    if "mark" in raw:
        number = checker.number(raw, "mark", where, low=0, high=100, exclusive_low=True)
        ok = ok and number is not None
        mark = number or 1.0
    shuffle = raw.get("shuffle", True)
    if not isinstance(shuffle, bool):
        checker.add(line_of(raw, "shuffle"), f"{where}: shuffle must be true or false, got {shuffle!r}")
        ok = False

    extra: dict[str, Any] = {}
    if qtype in ("single", "multi"):
        options = _check_options(checker, raw, qtype, where)
        ok = ok and bool(options)
        extra["options"] = options
    elif qtype == "truefalse":
        answer = raw.get("answer")
        if "answer" in raw and not isinstance(answer, bool):
            checker.add(line_of(raw, "answer"), f"{where}: answer must be true or false, got {answer!r}")
            ok = False
        extra["answer"] = answer if isinstance(answer, bool) else None
        extra["feedback_true"] = checker.text(raw, "feedback_true", where, required=False)
        extra["feedback_false"] = checker.text(raw, "feedback_false", where, required=False)
    elif qtype in ("numeric", "calculated"):
        numeric = _check_numeric(checker, raw, qtype, qid, where, text)
        ok = ok and numeric is not None
        extra.update(numeric or {})
    elif qtype == "ordering":
        items = _check_items(checker, raw, where)
        ok = ok and bool(items)
        extra["items"] = items
    elif qtype == "matching":
        pairs = _check_pairs(checker, raw, where)
        ok = ok and bool(pairs)
        extra["pairs"] = pairs

    if not ok or text is None or explanation is None or len(problems) > problems_before:
        return None
    return Question(
        id=qid,
        type=str(qtype),
        bank=bank_id,
        module=str(module),
        competencies=tuple(str(c) for c in competencies or ()),
        difficulty=str(difficulty),
        text=text,
        explanation=explanation,
        mark=mark,
        shuffle=bool(shuffle),
        path=str(path),
        line=line_of(raw),
        **extra,
    )


# --------------------------------------------------------------------------------------------------
# Loading banks
# --------------------------------------------------------------------------------------------------


def load_bank_data(
    data: Any,
    *,
    path: str | Path,
    bank_id: str,
    problems: Problems,
    module_ids: Iterable[str],
    competency_ids: Iterable[str],
    allow_untranslated: bool = False,
) -> tuple[Bank | None, list[Question]]:
    """Validate one parsed bank document (``bank``, ``title``, ``questions``)."""
    path = str(path)
    if data is None:
        return None, []
    if not check_keys(
        data,
        required=("bank", "title", "questions"),
        optional=("description",),
        path=path,
        problems=problems,
        where="bank",
    ):
        return None, []
    checker = _Checker(path, problems, allow_untranslated)
    if "bank" in data and data["bank"] != bank_id:
        checker.add(line_of(data, "bank"), f"bank: id {data['bank']!r} must equal the file name {bank_id!r}")
    title = checker.text(data, "title", "bank")
    checker.text(data, "description", "bank", required=False)
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list):
        if "questions" in data:
            checker.add(line_of(data, "questions"), "bank: questions must be a list")
        return None, []
    modules, competencies = list(module_ids), list(competency_ids)
    questions = [
        q
        for index, raw in enumerate(raw_questions)
        if (
            q := build_question(
                raw,
                bank_id=bank_id,
                path=path,
                problems=problems,
                module_ids=modules,
                competency_ids=competencies,
                allow_untranslated=allow_untranslated,
                index=index,
            )
        )
        is not None
    ]
    bank = Bank(
        bank_id, title or _freeze({lang: bank_id for lang in LANGUAGES}), path, tuple(q.id for q in questions)
    )
    return bank, questions


def load_banks(
    directory: str | Path,
    *,
    module_ids: Iterable[str],
    competency_ids: Iterable[str],
    allow_untranslated: bool = False,
) -> tuple[QuestionBankSet, Problems]:
    """Load every ``*.yaml`` bank in ``directory`` (sorted by name) and check ids are unique across banks.

    Returns the valid questions and every problem found; callers that must not run on bad content
    (app start-up, ``content check``) refuse to continue when the problems are not empty.
    """
    problems = Problems()
    directory = Path(directory)
    modules, competencies = list(module_ids), list(competency_ids)
    banks: dict[str, Bank] = {}
    questions: dict[str, Question] = {}
    first_seen: dict[str, tuple[str, int]] = {}
    if not directory.is_dir():
        problems.add(directory, 1, "question bank folder not found")
        return QuestionBankSet(MappingProxyType(banks), MappingProxyType(questions)), problems
    for path in sorted(directory.glob("*.yaml")):
        data = load_yaml_file(path, problems)
        # ids must be unique even across questions that failed other checks
        raw_questions = data.get("questions") if isinstance(data, Mapping) else None
        for raw in raw_questions if isinstance(raw_questions, list) else []:
            if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
                qid, at = raw["id"], line_of(raw, "id")
                if qid in first_seen:
                    other_path, other_line = first_seen[qid]
                    problems.add(
                        path, at, f"duplicate question id {qid!r} (also at {other_path}:{other_line})"
                    )
                else:
                    first_seen[qid] = (str(path), at)
        bank, bank_questions = load_bank_data(
            data,
            path=path,
            bank_id=path.stem,
            problems=problems,
            module_ids=modules,
            competency_ids=competencies,
            allow_untranslated=allow_untranslated,
        )
        if bank is None:
            continue
        banks[bank.id] = bank
        for question in bank_questions:
            questions.setdefault(question.id, question)
    return QuestionBankSet(MappingProxyType(banks), MappingProxyType(questions)), problems


# --------------------------------------------------------------------------------------------------
# Quiz definitions
# --------------------------------------------------------------------------------------------------

_QUIZ_REQUIRED = (
    "id",
    "kind",
    "title",
    "draw",
    "pass_mark",
    "time_limit_minutes",
    "max_attempts",
    "grading",
    "show_feedback",
)
_QUIZ_OPTIONAL = ("module", "description", "shuffle")


def _max_distinct_draw(rules: Sequence[DrawRule], questions: Sequence[Question]) -> int:
    """How many rule slots can be filled with distinct questions (bipartite matching, Kuhn's
    algorithm). Rules may overlap (module m2 and competency X), so counting per rule is not enough."""
    slots = [rule for rule in rules for _ in range(rule.count)]
    candidates = [[i for i, q in enumerate(questions) if rule.matches(q)] for rule in slots]
    owner: dict[int, int] = {}

    def augment(slot: int, seen: set[int]) -> bool:
        for q in candidates[slot]:
            if q in seen:
                continue
            seen.add(q)
            if q not in owner or augment(owner[q], seen):
                owner[q] = slot
                return True
        return False

    return sum(1 for slot in range(len(slots)) if augment(slot, set()))


def load_quiz_definitions(
    path: str | Path,
    bank_set: QuestionBankSet,
    module_ids: Iterable[str],
    competency_ids: Iterable[str] | None = None,
) -> tuple[dict[str, QuizDefinition], Problems]:
    """Load ``quizzes.yaml``: check every setting and that the banks can satisfy every draw rule."""
    problems = Problems()
    path = Path(path)
    checker = _Checker(str(path), problems)
    modules = set(module_ids)
    competencies = set(competency_ids) if competency_ids is not None else None
    definitions: dict[str, QuizDefinition] = {}
    data = load_yaml_file(path, problems)
    if data is None or not check_keys(
        data, required=("quizzes",), path=path, problems=problems, where="quiz file"
    ):
        return definitions, problems
    entries = data.get("quizzes")
    if not isinstance(entries, list):
        checker.add(line_of(data, "quizzes"), "quizzes must be a list")
        return definitions, problems
    module_quiz: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for index, raw in enumerate(entries):
        at = line_of(entries, index)
        quiz_id = raw.get("id") if isinstance(raw, Mapping) else None
        where = f"quiz {quiz_id}" if quiz_id else f"quiz #{index + 1}"
        ok = check_keys(
            raw, required=_QUIZ_REQUIRED, optional=_QUIZ_OPTIONAL, path=path, problems=problems, where=where
        )
        if not ok:
            continue
        if not isinstance(quiz_id, str) or not ID_RE.match(quiz_id):
            checker.add(
                line_of(raw, "id"),
                f"{where}: id must be lowercase letters, digits, '.', '-' or '_', got {quiz_id!r}",
            )
            ok = False
        elif quiz_id in seen_ids:
            checker.add(line_of(raw, "id"), f"{where}: duplicate quiz id (also on line {seen_ids[quiz_id]})")
            ok = False
        else:
            seen_ids[quiz_id] = line_of(raw, "id")
        kind = raw.get("kind")
        if kind not in QUIZ_KINDS:
            checker.add(
                line_of(raw, "kind"), f"{where}: kind must be one of {', '.join(QUIZ_KINDS)}, got {kind!r}"
            )
            ok = False
        module = raw.get("module")
        if kind == "module":
            if module not in modules:
                checker.add(
                    line_of(raw, "module" if "module" in raw else None),
                    f"{where}: a module quiz needs module: one of {', '.join(sorted(modules))}, got {module!r}",
                )
                ok = False
            elif module in module_quiz:
                checker.add(
                    line_of(raw, "module"),
                    f"{where}: module {module} already has a module quiz (line {module_quiz[module]})",
                )
                ok = False
            else:
                module_quiz[module] = line_of(raw, "module")
        elif "module" in raw:
            checker.add(
                line_of(raw, "module"),
                f"{where}: only module quizzes name a module; use draw rules to pick by module",
            )
            ok = False
        title = checker.text(raw, "title", where)
        description = checker.text(raw, "description", where, required=False)
        pass_mark = checker.number(raw, "pass_mark", where, low=0, high=100)
        time_limit = raw.get("time_limit_minutes")
        if time_limit is not None:
            number = checker.number(raw, "time_limit_minutes", where, low=1, high=24 * 60, integer=True)
            time_limit = None if number is None else int(number)
            ok = ok and number is not None
        max_attempts = raw.get("max_attempts")
        if max_attempts is not None:
            number = checker.number(raw, "max_attempts", where, low=1, high=1000, integer=True)
            max_attempts = None if number is None else int(number)
            ok = ok and number is not None
        grading = raw.get("grading")
        if grading not in GRADING_METHODS:
            checker.add(
                line_of(raw, "grading"),
                f"{where}: grading must be one of {', '.join(GRADING_METHODS)}, got {grading!r}",
            )
            ok = False
        show_feedback = raw.get("show_feedback")
        if show_feedback not in FEEDBACK_MODES:
            checker.add(
                line_of(raw, "show_feedback"),
                f"{where}: show_feedback must be one of {', '.join(FEEDBACK_MODES)}, got {show_feedback!r}",
            )
            ok = False
        shuffle = raw.get("shuffle", True)
        if not isinstance(shuffle, bool):
            checker.add(line_of(raw, "shuffle"), f"{where}: shuffle must be true or false, got {shuffle!r}")
            ok = False
        rules = _check_draw_rules(checker, raw, where, kind, module, modules, competencies)
        if rules is None or title is None or pass_mark is None:
            ok = False
        if ok and rules is not None and kind != "review":
            _check_satisfiable(checker, raw, where, rules, bank_set)
        if not ok or rules is None or title is None or pass_mark is None:
            continue
        definitions[str(quiz_id)] = QuizDefinition(
            id=str(quiz_id),
            kind=str(kind),
            title=title,
            draw=rules,
            pass_mark=pass_mark,
            time_limit_minutes=time_limit,
            max_attempts=max_attempts,
            grading=str(grading),
            show_feedback=str(show_feedback),
            shuffle=shuffle,
            module=str(module) if kind == "module" else None,
            description=description,
            path=str(path),
            line=at,
        )
    return definitions, problems


def _check_draw_rules(
    checker: _Checker,
    raw: Mapping[str, Any],
    where: str,
    kind: Any,
    module: Any,
    modules: set[str],
    competencies: set[str] | None,
) -> tuple[DrawRule, ...] | None:
    entries = raw.get("draw")
    if not isinstance(entries, list) or not entries:
        checker.add(
            line_of(raw, "draw"),
            f"{where}: draw must be a non-empty list of rules like {{module: m1-basics, count: 10}}",
        )
        return None
    rules: list[DrawRule] = []
    ok = True
    for index, entry in enumerate(entries):
        label = f"{where} draw rule {index + 1}"
        if not check_keys(
            entry,
            required=("count",),
            optional=("module", "competency", "difficulty"),
            path=checker.path,
            problems=checker.problems,
            where=label,
        ):
            ok = False
            continue
        count = checker.number(entry, "count", label, low=1, high=500, integer=True)
        rule_module = entry.get("module")
        if kind == "module" and rule_module is None:
            rule_module = module  # a module quiz draws from its own module unless told otherwise
        if rule_module is not None and rule_module not in modules:
            checker.add(line_of(entry, "module"), f"{label}: unknown module {rule_module!r}")
            ok = False
        if kind == "module" and rule_module != module:
            checker.add(
                line_of(entry, "module"), f"{label}: a module quiz draws only from its module {module!r}"
            )
            ok = False
        competency = entry.get("competency")
        if competency is not None and competencies is not None and competency not in competencies:
            checker.add(line_of(entry, "competency"), f"{label}: unknown competency {competency!r}")
            ok = False
        difficulty = entry.get("difficulty")
        if difficulty is not None and difficulty not in DIFFICULTIES:
            checker.add(
                line_of(entry, "difficulty"), f"{label}: difficulty must be one of {', '.join(DIFFICULTIES)}"
            )
            ok = False
        if count is None:
            ok = False
            continue
        rules.append(DrawRule(int(count), rule_module, competency, difficulty))
    return tuple(rules) if ok else None


def _check_satisfiable(
    checker: _Checker,
    raw: Mapping[str, Any],
    where: str,
    rules: Sequence[DrawRule],
    bank_set: QuestionBankSet,
) -> None:
    questions = list(bank_set)
    entries = raw["draw"]
    short = False
    for index, rule in enumerate(rules):
        available = sum(1 for q in questions if rule.matches(q))
        if available < rule.count:
            checker.add(
                line_of(entries, index),
                f"{where} draw rule {index + 1}: wants {rule.count} questions with {rule.describe()}, the banks have {available}",
            )
            short = True
    if short:
        return
    wanted = sum(rule.count for rule in rules)
    possible = _max_distinct_draw(rules, questions)
    if possible < wanted:
        checker.add(
            line_of(raw, "draw"),
            f"{where}: the draw rules together need {wanted} different questions, the banks can supply only {possible} without repeats",
        )


# --------------------------------------------------------------------------------------------------
# Writing banks (GIFT import produces raw questions; this writes them as a bank file)
# --------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def dump_bank_yaml(bank_id: str, title: Mapping[str, str], questions: Sequence[Mapping[str, Any]]) -> str:
    """Serialise raw question mappings as a bank file in the documented format (UTF-8, key order kept)."""
    document = {"bank": bank_id, "title": _plain(title), "questions": [_plain(q) for q in questions]}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
