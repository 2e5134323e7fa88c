"""GIFT export: a bank's questions as GIFT text in one language (see :mod:`.gift_read` for the
mapping between GIFT and our question types).

Our tags and part ids go into a ``// @trainer`` comment Moodle ignores, so export then import gives
the same questions. Ordering, calculated and document questions have no GIFT equivalent and are skipped with a
warning; a numeric question's formula is written as its value.

Weights are written from Moodle's grade list (:data:`MOODLE_GRADES`: 33.33333, not 33 or 34),
because Moodle's import refuses any other grade by default; where that changes a weight, the exact
ones travel in the comment (``weights=34,33,33``) so our own import restores them. A missing-word
question (a ``_____`` blank followed by more text) is written with its answer block in the blank,
as Moodle writes it. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from trainer.content.source import LANGUAGES
from trainer.quiz.bank.formula import evaluate
from trainer.quiz.bank.gift_syntax import BLANK, META_PREFIX, escape, number_text
from trainer.quiz.bank.model import TRANSLATE_MARK, Question
from trainer.quiz.bank.placeholders import fill_placeholders

__all__ = ["MOODLE_GRADES", "export_gift", "moodle_grade"]

MOODLE_GRADES: tuple[float, ...] = (
    100,
    90,
    83.33333,
    80,
    75,
    70,
    66.66667,
    60,
    50,
    40,
    33.33333,
    30,
    25,
    20,
    16.66667,
    14.28571,
    12.5,
    11.11111,
    10,
    5,
    0,
)
"""Moodle's grade list (question_bank::fraction_options_full, as percent): the only grades its GIFT
import accepts with the default "error" setting; negatives are the same with a minus."""
EXPORTED: tuple[str, ...] = ("single", "multi", "truefalse", "numeric", "matching", "short")
GIFT_BLOCK_TYPES = ("single", "multi", "truefalse", "numeric", "short")
"""The types whose answer block may stand in a missing-word blank."""


def moodle_grade(weight: float) -> float:
    """The nearest grade of Moodle's list, keeping the sign."""
    nearest = min(MOODLE_GRADES, key=lambda grade: abs(grade - abs(weight)))
    return -nearest if weight < 0 else nearest


def _weights(question: Question) -> list[float]:
    return [option.weight for option in question.options]


def _text(texts: Mapping[str, str] | None, lang: str) -> str:
    if not texts:
        return ""
    value = texts.get(lang) or ""
    return value[len(TRANSLATE_MARK) :] if value.startswith(TRANSLATE_MARK) else value


def _meta_line(question: Question, lang: str) -> str:
    parts = [
        f"module={question.module}",
        f"competencies={','.join(question.competencies)}",
        f"difficulty={question.difficulty}",
    ]
    ids = [o.id for o in question.options] or [p.id for p in question.pairs]
    if ids:
        parts.append(f"ids={','.join(ids)}")
    if question.unit:
        parts.append(f"unit={_text(question.unit, lang)}")
    if question.mark != 1:
        parts.append(f"mark={number_text(question.mark)}")
    if question.kind:
        parts.append(f"kind={question.kind}")
    if question.retired:
        parts.append("retired=true")
    weights = _weights(question)
    if any(moodle_grade(w) != w for w in weights):
        parts.append(f"weights={','.join(number_text(w) for w in weights)}")
    if question.case_sensitive:
        parts.append("case=sensitive")
    return f"// {META_PREFIX} " + "; ".join(parts)


def _with_feedback(text: str, feedback: Mapping[str, str] | None, lang: str) -> str:
    out = escape(text)
    if feedback:
        out += "#" + escape(_text(feedback, lang))
    return out


def _answer_block(question: Question, lang: str) -> list[str]:
    if question.type in ("single", "multi"):
        lines = []
        for option in question.options:
            if question.type == "single" and (option.correct or option.weight == 0):
                mark = "=" if option.correct else "~"
            else:
                mark = f"~%{number_text(moodle_grade(option.weight))}%"
            lines.append(f"\t{mark}{_with_feedback(_text(option.text, lang), option.feedback, lang)}")
        return lines
    if question.type == "truefalse":
        right = question.feedback_true if question.answer else question.feedback_false
        wrong = question.feedback_false if question.answer else question.feedback_true
        token = "TRUE" if question.answer else "FALSE"
        wrong_text, right_text = escape(_text(wrong, lang)), escape(_text(right, lang))
        if right_text:
            return [f"\t{token}#{wrong_text}#{right_text}"]
        return [f"\t{token}#{wrong_text}"] if wrong_text else [f"\t{token}"]
    if question.type == "numeric":
        lines = ["\t#"]
        main_value = question.correct_value()
        for index, accepted in enumerate(question.answers):
            value = question.correct_value() if index == 0 else _eval_alt(question, accepted.formula)
            tolerance = (
                accepted.tolerance.value * abs(value) / 100
                if accepted.tolerance.relative
                else accepted.tolerance.value
            )
            credit = (
                ""
                if accepted.credit == 100 and index == 0
                else f"%{number_text(moodle_grade(accepted.credit))}%"
            )
            feedback = ""
            if accepted.feedback:
                filled = fill_placeholders(
                    _text(accepted.feedback, lang), question.params, main_value, question.decimals
                )
                feedback = "#" + escape(filled)
            lines.append(f"\t={credit}{number_text(value)}:{number_text(tolerance)}{feedback}")
        if question.wrong_feedback:
            lines.append(f"\t~#{escape(_text(question.wrong_feedback, lang))}")
        return lines
    if question.type == "short":
        lines = []
        for short in question.accepted:
            credit = "" if short.credit == 100 else f"%{number_text(moodle_grade(short.credit))}%"
            lines.append(f"\t={credit}{_with_feedback(_text(short.text, lang), short.feedback, lang)}")
        if question.wrong_feedback:
            lines.append(f"\t=%0%*#{escape(_text(question.wrong_feedback, lang))}")
        return lines
    if question.type == "matching":
        return [
            f"\t={escape(_text(p.prompt, lang))} -> {escape(_text(p.answer, lang))}" for p in question.pairs
        ]
    raise ValueError(question.type)  # pragma: no cover


def _blank_split(question: Question, text: str) -> tuple[str, str]:
    """Text before the answer block (with the space before ``{``) and after it: a missing word's
    blank holds the block when text follows, so Moodle shows the blank where it was."""
    if question.type in GIFT_BLOCK_TYPES and text.count(BLANK) == 1:
        before, after = text.split(BLANK)
        if after.strip():
            return escape(before), escape(after)
    return escape(text) + " ", ""


def _eval_alt(question: Question, formula: str) -> float:
    return evaluate(formula, question.params)


def export_gift(
    questions: Iterable[Question], *, lang: str, category: str | None = None
) -> tuple[str, list[str]]:
    """Write questions as GIFT in one language; returns the text and a warning per skipped question.

    Each module starts a ``$CATEGORY: $course$/<category or bank>/<module>`` so Moodle files the
    questions by module and import recovers it.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}")
    out: list[str] = []
    warnings: list[str] = []
    current_category = None
    for question in questions:
        if question.type not in EXPORTED:
            warnings.append(
                f"question {question.id} ({question.type}): GIFT has no {question.type} question; skipped"
            )
            continue
        cat = f"$course$/{category or question.bank}/{question.module}"
        if cat != current_category:
            out.append(f"$CATEGORY: {cat}\n")
            current_category = cat
        text = _text(question.text, lang)
        explanation = _text(question.explanation, lang)
        if question.type == "numeric":
            answer = question.correct_value()
            text = fill_placeholders(text, question.params, None)
            explanation = fill_placeholders(explanation, question.params, answer, question.decimals)
        before, after = _blank_split(question, text)
        lines = [_meta_line(question, lang), f"::{escape(question.id)}::[markdown]{before}{{"]
        lines += _answer_block(question, lang)
        if explanation:
            lines.append(f"\t####{escape(explanation)}")
        lines.append("}" + after)
        out.append("\n".join(lines) + "\n")
    return "\n".join(out), warnings
