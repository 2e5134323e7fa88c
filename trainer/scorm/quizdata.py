"""A module quiz as plain data for the static quiz page: the questions of the module's bank in one
language, with everything the page's script needs to mark them (so the page carries its answers).

Every question type runs in plain JavaScript (:data:`PLAYABLE`). A calculated question is drawn
once, when the package is built (seeded by its id, so the same package is built twice alike):
every learner of that package sees the same numbers. A short answer is matched by the page's port
of :mod:`trainer.quiz.bank.short_match`, an ordering marked by the longest run in the right order;
the browser tests compare both with the site's rules on the real questions. A type added to the
banks later and not to :data:`PLAYABLE` is counted in ``left_out`` and never drawn.

Credit follows :mod:`trainer.quiz.grading`: single the picked option's weight, multi the ticked
weights normalised by the positive ones and clamped to [0, 1], numeric the best credit of an
accepted answer within its tolerance. Pure Python: no Flask.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from trainer.content.markdown import render_text_markdown
from trainer.content.source import pick
from trainer.quiz.bank.formula import evaluate
from trainer.quiz.bank.model import TRANSLATE_MARK, Localized, Question, QuizDefinition
from trainer.quiz.bank.placeholders import fill_placeholders, format_value
from trainer.quiz.bank.short_match import model_answer
from trainer.quiz.instances import draw_instance

PLAYABLE: tuple[str, ...] = ("single", "multi", "truefalse", "numeric", "calculated", "short", "ordering", "matching")


_MARKUP = re.compile(r"[*_`\[\]<>&\\#!|~\n\u00a0]|^\s|\s$|^(\d+[.)]|[-+=>])")
"""Characters and starts that Markdown or the sanitiser could change; a text without them renders
to itself, and most question texts are such plain sentences."""


def render_text(text: str) -> str:
    """:func:`render_text_markdown`, skipping the Markdown parser for plain text (the same result;
    a package renders some 2,000 texts, and a parser per text made a build take seconds)."""
    return text if not _MARKUP.search(text) else render_text_markdown(text)


@dataclass(frozen=True)
class QuizData:
    """What the quiz page embeds: how many questions to draw per attempt from ``questions``."""

    quiz_id: str
    title: str
    pass_mark: float
    count: int
    shuffle: bool
    questions: tuple[dict[str, Any], ...]
    left_out: dict[str, int]  # question type -> how many of the bank's were left out

    def to_json(self) -> dict[str, Any]:
        return {
            "quiz": self.quiz_id,
            "title": self.title,
            "passMark": self.pass_mark,
            "count": self.count,
            "shuffle": self.shuffle,
            "questions": list(self.questions),
        }


def module_quiz(definitions: Iterable[QuizDefinition], module_id: str) -> QuizDefinition | None:
    """The module quiz of ``module_id``, or None when the module has none."""
    return next((d for d in definitions if d.kind == "module" and d.module == module_id), None)


def quiz_data(definition: QuizDefinition, questions: Iterable[Question], lang: str) -> QuizData:
    """The pool a module quiz draws from, in ``lang``: live questions written in that language and
    matching one of the quiz's draw rules, of the playable types."""
    pool: list[dict[str, Any]] = []
    left_out: dict[str, int] = {}
    for question in questions:
        if question.retired or lang not in question.languages:
            continue
        if not any(rule.matches(question) for rule in definition.draw):
            continue
        if question.type not in PLAYABLE:
            left_out[question.type] = left_out.get(question.type, 0) + 1
            continue
        pool.append(question_data(question, lang))
    return QuizData(
        quiz_id=definition.id,
        title=pick(definition.title, lang),
        pass_mark=definition.pass_mark,
        count=min(definition.question_count, len(pool)),
        shuffle=definition.shuffle,
        questions=tuple(pool),
        left_out=left_out,
    )


def _html(texts: Localized | None, lang: str, params: dict[str, float] | None = None,
          answer: float | None = None, decimals: int = 2) -> str:
    if not texts:
        return ""
    text = pick(texts, lang)
    if params is not None:
        text = fill_placeholders(text, params, answer, decimals)
    return render_text(text) if text else ""


def question_data(question: Question, lang: str) -> dict[str, Any]:
    """One question as JSON-able data for the page; raises ValueError for a type left out."""
    if question.type not in PLAYABLE:
        raise ValueError(f"question {question.id}: type {question.type!r} does not run in a static page")
    data: dict[str, Any] = {"id": question.id, "type": question.type, "mark": question.mark}
    if question.is_numeric:
        return _numeric(question, lang, data)
    data["text"] = _html(question.text, lang)
    data["explanation"] = _html(question.explanation, lang)
    if question.type == "short":
        return _short(question, lang, data)
    if question.type == "ordering":
        data["text"] = _html(question.text, lang)
        data["explanation"] = _html(question.explanation, lang)
        data["items"] = [{"id": item.id, "text": pick(item.text, lang)} for item in question.items]
        return data
    if question.type == "matching":
        data["text"] = _html(question.text, lang)
        data["explanation"] = _html(question.explanation, lang)
        data["shuffle"] = question.shuffle
        data["pairs"] = [{"id": pair.id, "prompt": pick(pair.prompt, lang), "answer": pick(pair.answer, lang)}
                         for pair in question.pairs]
        return data
    if question.type == "truefalse":
        data["answer"] = bool(question.answer)
        data["feedback"] = {"true": _html(question.feedback_true, lang), "false": _html(question.feedback_false, lang)}
        return data
    total = 100.0 if question.type == "single" else sum(o.weight for o in question.options if o.weight > 0) or 100.0
    data["shuffle"] = question.shuffle
    data["options"] = [
        {"id": o.id, "text": _html(o.text, lang), "credit": round(o.weight / total, 6), "correct": o.correct,
         "feedback": _html(o.feedback, lang)}
        for o in question.options
    ]
    return data


def _numeric(question: Question, lang: str, data: dict[str, Any]) -> dict[str, Any]:
    """Numeric: its fixed params; calculated: one draw, seeded by the question id."""
    params = dict(draw_instance(question, random.Random(question.id)).params)
    expected = evaluate(question.answers[0].formula, params)
    accepted = []
    for answer in question.answers:
        value = expected if answer is question.answers[0] else evaluate(answer.formula, params)
        accepted.append({
            "value": value,
            "limit": answer.tolerance.limit(value),
            "credit": answer.credit / 100.0,
            "feedback": _html(answer.feedback, lang, params, expected, question.decimals),
        })
    data["text"] = _html(question.text, lang, params, expected, question.decimals)
    data["explanation"] = _html(question.explanation, lang, params, expected, question.decimals)
    data["answers"] = accepted
    data["shown"] = format_value(round(expected, question.decimals))
    data["unit"] = pick(question.unit, lang) if question.unit else ""
    data["wrongFeedback"] = _html(question.wrong_feedback, lang, params, expected, question.decimals)
    return data


def _short(question: Question, lang: str, data: dict[str, Any]) -> dict[str, Any]:
    """Every accepted text in every written language (as the site accepts them), best credit first."""
    mark = TRANSLATE_MARK.strip()
    data["accepted"] = [
        {"texts": [text for text in answer.text.values() if text and not text.startswith(mark)],
         "credit": answer.credit / 100.0, "feedback": _html(answer.feedback, lang)}
        for answer in question.accepted
    ]
    data["caseSensitive"] = question.case_sensitive
    data["shown"] = pick(model_answer(question).text, lang)
    data["wrongFeedback"] = _html(question.wrong_feedback, lang)
    return data
