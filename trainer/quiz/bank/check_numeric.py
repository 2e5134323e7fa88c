"""Checks of numeric and calculated questions: params, formulas, tolerances, alternative answers,
and the placeholders that show the params to the trainee.

The numbers a formula uses must be the numbers the trainee reads, and every answer must exist (a
calculated question is evaluated at the corners and a sample of its ranges). Pure Python.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from trainer.content.source import LANGUAGES, check_keys, line_of, localized
from trainer.quiz.bank.checker import Checker
from trainer.quiz.bank.formula import FUNCTIONS, FormulaError, compile_formula, evaluate
from trainer.quiz.bank.model import Localized, NumericAnswer, ParamRange, Tolerance, freeze
from trainer.quiz.bank.placeholders import ANSWER_PLACEHOLDER, format_value, mentions_number, placeholders

PARAM_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,30}$")
MAX_RANGE_VALUES = 10_000_000
CALCULATED_SAMPLES = 40


@dataclass
class _Params:
    """The params of one question as far as they are readable; ``ok`` is False once one is not."""

    raw: Mapping[Any, Any]
    fixed: dict[str, float]
    ranges: dict[str, ParamRange]
    ok: bool = True


@dataclass
class _Answers:
    """The accepted answers and how they are shown; ``ok`` is False once one is unreadable."""

    answers: list[NumericAnswer]
    feedback: Localized | None
    unit: Localized | None
    decimals: int | None
    ok: bool = True


def check_numeric(
    checker: Checker, raw: Mapping[str, Any], qtype: str, qid: str, where: str, text: Localized | None
) -> dict[str, Any] | None:
    """Params, formula(s), tolerance and placeholders of a numeric or calculated question.

    Returns the question's numeric fields, or None when anything is wrong (all of it reported).
    """
    params = _check_params(checker, raw, qtype, where)
    if params is None:
        return None
    found = _check_answers(checker, raw, where, list(params.raw.keys()))
    ok = params.ok and found.ok
    ok = _check_placeholders(checker, raw, where, text, found, params) and ok
    ok = _check_shown(checker, where, text, params) and ok
    if not ok or not found.answers:
        return None
    if not _answers_exist(checker, raw, qtype, qid, where, found.answers, params):
        return None
    decimals = found.decimals
    if decimals is None:
        decimals = _default_decimals(found.answers[0].tolerance)
    return {
        "params": MappingProxyType(params.fixed),
        "ranges": MappingProxyType(params.ranges),
        "answers": tuple(found.answers),
        "unit": found.unit,
        "decimals": decimals,
    }


def _check_params(checker: Checker, raw: Mapping[str, Any], qtype: str, where: str) -> _Params | None:
    """Fixed values (numeric) or ranges (calculated); None when ``params`` is not even a mapping."""
    params_raw = raw.get("params")
    at_params = line_of(raw, "params")
    if not isinstance(params_raw, Mapping):
        if "params" in raw:
            checker.add(
                at_params,
                f"{where}: params must be a mapping of names to {'numbers' if qtype == 'numeric' else '{min, max, step}'} (use {{}} for none)",
            )
        return None
    params = _Params(params_raw, {}, {})
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
            params.ok = False
            continue
        if qtype == "numeric":
            if isinstance(spec, bool) or not isinstance(spec, int | float) or not math.isfinite(spec):
                checker.add(
                    at,
                    f"{label}: must be a number, got {spec!r}"
                    + (" (ranges belong to calculated questions)" if isinstance(spec, Mapping) else ""),
                )
                params.ok = False
                continue
            params.fixed[name] = float(spec)
            continue
        param_range = _check_range(checker, spec, label)
        if param_range is None:
            params.ok = False
            continue
        params.ranges[name] = param_range
    if qtype == "calculated" and params.ok and not params.ranges:
        checker.add(
            at_params,
            f"{where}: a calculated question needs at least one param range (use type numeric for fixed values)",
        )
        params.ok = False
    return params


def _check_range(checker: Checker, spec: Any, label: str) -> ParamRange | None:
    """One calculated param's ``{min, max, step}``."""
    if not check_keys(
        spec,
        required=("min", "max", "step"),
        path=checker.path,
        problems=checker.problems,
        where=label,
    ):
        return None
    low = checker.number(spec, "min", label)
    high = checker.number(spec, "max", label)
    step = checker.number(spec, "step", label)
    if low is None or high is None or step is None:
        return None
    if low > high:
        checker.add(line_of(spec, "min"), f"{label}: min {low:g} is greater than max {high:g}")
        return None
    if step <= 0:
        checker.add(line_of(spec, "step"), f"{label}: step must be greater than 0, got {step:g}")
        return None
    param_range = ParamRange(low, high, step)
    if param_range.count > MAX_RANGE_VALUES:
        checker.add(
            line_of(spec, "step"),
            f"{label}: step {step:g} gives more than {MAX_RANGE_VALUES:,} values; use a larger step",
        )
        return None
    return param_range


def _check_answers(checker: Checker, raw: Mapping[str, Any], where: str, names: list[Any]) -> _Answers:
    """The main formula with its tolerance and feedback, the unit, decimals and the alternatives."""
    main_formula = _check_formula(checker, raw, "formula", where, names) if "formula" in raw else None
    tolerance = _check_tolerance(checker, raw, where)
    feedback = checker.text(raw, "feedback", where, required=False)
    unit = checker.text(raw, "unit", where, required=False)
    found = _Answers([], feedback, unit, None)
    if "decimals" in raw:
        number = checker.number(raw, "decimals", where, low=0, high=10, integer=True)
        found.decimals = None if number is None else int(number)
        found.ok = number is not None
    if main_formula is None or tolerance is None:
        found.ok = False
    if main_formula and tolerance:
        found.answers.append(NumericAnswer(main_formula, tolerance, 100.0, feedback))
    alternatives = raw.get("alternatives", [])
    if "alternatives" in raw and not isinstance(alternatives, list):
        checker.add(line_of(raw, "alternatives"), f"{where}: alternatives must be a list")
        alternatives, found.ok = [], False
    for index, alt in enumerate(alternatives):
        answer = _check_alternative(checker, alt, f"{where} alternative {index + 1}", names, main_formula)
        if answer is None:
            found.ok = False
            continue
        found.answers.append(answer)
    return found


def _check_alternative(
    checker: Checker, alt: Any, label: str, names: list[Any], main_formula: str | None
) -> NumericAnswer | None:
    """Another accepted answer: credit 100 is a second right answer (GIFT allows several); below
    100 is partial credit; 0 is a recognised slip that only earns its feedback (it needs a formula
    and a feedback). Without its own formula it is the main one with another tolerance."""
    if not check_keys(
        alt,
        required=("credit",),
        optional=("formula", "tolerance", "tolerance_pct", "feedback"),
        path=checker.path,
        problems=checker.problems,
        where=label,
    ):
        return None
    alt_formula = _check_formula(checker, alt, "formula", label, names) if "formula" in alt else main_formula
    alt_tolerance = _check_tolerance(checker, alt, label)
    credit = checker.number(alt, "credit", label, low=0, high=100)
    alt_feedback = checker.text(alt, "feedback", label, required=False)
    if credit == 0 and ("formula" not in alt or "feedback" not in alt):
        checker.add(
            line_of(alt, "credit"),
            f"{label}: credit 0 marks a recognised slip, so it needs its own formula and a feedback "
            "that names the mistake",
        )
        return None
    if alt_formula is None or alt_tolerance is None or credit is None:
        return None
    return NumericAnswer(alt_formula, alt_tolerance, credit, alt_feedback)


def _check_placeholders(
    checker: Checker,
    raw: Mapping[str, Any],
    where: str,
    text: Localized | None,
    found: _Answers,
    params: _Params,
) -> bool:
    """Every ``{name}`` must be a param with a valid format; ``{answer}`` only outside the text."""
    placeholder_texts: list[tuple[str, int, Localized | None]] = [
        ("text", line_of(raw, "text"), text),
        (
            "explanation",
            line_of(raw, "explanation"),
            freeze(localized(raw["explanation"])) if _is_full_text(raw.get("explanation")) else None,
        ),
        ("feedback", line_of(raw, "feedback"), found.feedback),
        *(("alternative feedback", line_of(raw, "alternatives"), a.feedback) for a in found.answers[1:]),
    ]
    sample = {**params.fixed, **{name: r.min for name, r in params.ranges.items()}}
    ok = True
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
                elif name not in params.raw:
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
    return ok


def _check_shown(checker: Checker, where: str, text: Localized | None, params: _Params) -> bool:
    """The text must show every drawn param, and every fixed one as a placeholder or its number."""
    if text is None:
        return True
    ok = True
    for lang in LANGUAGES:
        shown = {name for name, _ in placeholders(text[lang])}
        for name in params.ranges:
            if name not in shown:
                checker.add(
                    line_of(params.raw, name),
                    f"{where} param {name}: drawn but not shown in the {lang} text (write {{{name}}})",
                )
                ok = False
        for name, value in params.fixed.items():
            if name not in shown and not mentions_number(text[lang], value):
                checker.add(
                    line_of(params.raw, name),
                    f"{where} param {name}={format_value(value)}: the {lang} text shows neither {{{name}}} nor the number, "
                    "so the trainee may compute with a different figure",
                )
                ok = False
    return ok


def _answers_exist(
    checker: Checker,
    raw: Mapping[str, Any],
    qtype: str,
    qid: str,
    where: str,
    answers: list[NumericAnswer],
    params: _Params,
) -> bool:
    """Evaluate the fixed params, or the corners and a sample of draws, so every answer exists."""
    if qtype == "numeric":
        for number, ans in enumerate(answers):
            try:
                evaluate(ans.formula, params.fixed)
            except FormulaError as exc:
                which = "formula" if number == 0 else f"alternative {number} formula"
                checker.add(line_of(raw, "formula"), f"{where}: {which} gives no answer: {exc}")
                return False
        return True
    ranges = params.ranges
    rng = random.Random(f"check:{qid}")
    points = [{n: r.min for n, r in ranges.items()}, {n: r.max for n, r in ranges.items()}]
    points += [{n: r.draw(rng) for n, r in ranges.items()} for _ in range(CALCULATED_SAMPLES)]
    for point in points:
        for ans in answers:
            try:
                evaluate(ans.formula, point)
            except FormulaError as exc:
                values = ", ".join(f"{n}={format_value(v)}" for n, v in point.items())
                checker.add(line_of(raw, "formula"), f"{where}: formula gives no answer for {values}: {exc}")
                return False
    return True


def _check_tolerance(checker: Checker, entry: Mapping[str, Any], where: str) -> Tolerance | None:
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
    checker: Checker, entry: Mapping[str, Any], key: str, where: str, names: Iterable[str]
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


def _is_full_text(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(text := value.get(lang), str) and bool(text.strip()) for lang in LANGUAGES
    )


def _default_decimals(tolerance: Tolerance) -> int:
    """Show the answer as precisely as the tolerance asks: ±0.5 -> 1 decimal, ±0.05 -> 2."""
    if tolerance.relative or tolerance.value <= 0:
        return 2
    return max(0, min(6, math.ceil(-math.log10(tolerance.value) - 1e-9)))

