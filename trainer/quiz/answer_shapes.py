"""The two shapes of an answer: what the form posts and what is stored and graded.

The **form** names options, items and matching answers by positional keys from
:meth:`QuestionInstance.choices` (``o1`` = first option shown, ``i1`` = first item shown, ``r1`` =
first matching answer shown), never by content ids: authors tend to make option ``a`` the right
one, and an id in the page source would give it away. The **canonical** form (what is stored,
graded, counted in item statistics) uses the question's ids. Convert with :func:`answer_from_form`
(validates, raises :class:`AnswerError`) and back with :func:`answer_to_form` (to re-fill the form
from a saved answer).

===========  ================================  ==============================================
type         form (posted)                     canonical (stored)
===========  ================================  ==============================================
single       ``"o2"``                          ``"b"`` (option id)
multi        ``["o1", "o3"]``                  ``["a", "c"]`` (option ids, display order)
truefalse    ``"true"``/``"false"`` or bool    ``true`` / ``false``
numeric,     ``"41.5"`` as typed               the same text, stripped (``1,234.5``,
calculated                                     full-width digits, a trailing ``%`` accepted)
ordering     ``["i3", "i1", ...]`` every key   ``["remind", "call", ...]`` (item ids)
matching     ``{"wired": "r2", ...}``          ``{"wired": "proof", ...}`` prompt pair id ->
             prompt pair id -> answer key      pair id of the chosen answer; unanswered
                                               prompts left out
short        ``"aging analysis"`` as typed     the same text, stripped (at most 200 chars)
document     ``{"s1": "l4", "s1k": "k3"}``     ``{"lines": {"hengtai": "executive"},
             (see document_grading)            "decision": null}``
===========  ================================  ==============================================

``None`` (and ``""`` for numbers) means "not answered" for every type and scores 0. An answer
that names something not in the instance, or has the wrong shape, raises :class:`AnswerError`
so the web layer rejects it and stores nothing. Pure Python.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from trainer.quiz.bank.model import Question
from trainer.quiz.bank.short_match import MAX_SHORT_ANSWER
from trainer.quiz.document_grading import (
    DocumentAnswerError,
    document_from_form,
    document_to_form,
    normalize_document,
)
from trainer.quiz.instances import QuestionInstance

MAX_NUMERIC_ANSWER = 40


class AnswerError(ValueError):
    """An answer that does not fit the question instance; reject it and store nothing."""


_NUMBER_RE = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$")


def parse_number(text: str) -> float:
    """Read a typed number: ``41.5``, ``-3``, ``1,234.5``, ``.5``, full-width ``４１．５``, ``37.2%``.

    Commas only as thousands separators (``41,5`` is refused rather than guessed).
    """
    cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "").replace("\u2212", "-")
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    if not cleaned or not _NUMBER_RE.match(cleaned) or not any(ch.isdigit() for ch in cleaned):
        raise AnswerError(f"not a number: {text!r} (type digits with a point for decimals, e.g. 41.5)")
    value = float(cleaned.replace(",", ""))
    if not math.isfinite(value):  # pragma: no cover - the regex admits only finite numbers
        raise AnswerError(f"not a finite number: {text!r}")
    return value


def _ids_in(raw: Any, allowed: Sequence[str], what: str, qid: str) -> list[str]:
    if not isinstance(raw, list | tuple) or not all(isinstance(x, str) for x in raw):
        raise AnswerError(f"question {qid}: expected a list of {what} ids")
    unknown = [x for x in raw if x not in allowed]
    if unknown:
        raise AnswerError(f"question {qid}: {what} {unknown[0]!r} is not in this question")
    if len(set(raw)) != len(raw):
        raise AnswerError(f"question {qid}: a {what} is given twice")
    return list(raw)


def normalize_answer(question: Question, instance: QuestionInstance, raw: Any) -> Any:
    """Check a canonical answer (ids) against the instance and return it in canonical shape.

    Returns None for "not answered". Raises :class:`AnswerError` for anything naming an option,
    item, prompt or answer that is not in the instance, or of the wrong shape.
    """
    qid, qtype = question.id, question.type
    if raw is None:
        return None
    if qtype == "document":
        return _document(question, normalize_document, raw)
    if qtype == "single":
        if not isinstance(raw, str):
            raise AnswerError(f"question {qid}: expected one option id")
        if raw not in instance.order:
            raise AnswerError(f"question {qid}: option {raw!r} is not in this question")
        return raw
    if qtype == "multi":
        picked = set(_ids_in(raw, instance.order, "option", qid))
        return [option_id for option_id in instance.order if option_id in picked]
    if qtype == "truefalse":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        raise AnswerError(f"question {qid}: expected true or false")
    if qtype in ("numeric", "calculated"):
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise AnswerError(f"question {qid}: expected a number")
        text = str(raw).strip()
        if not text:
            return None
        if len(text) > MAX_NUMERIC_ANSWER:
            raise AnswerError(f"question {qid}: the answer is too long")
        parse_number(text)
        return text
    if qtype == "short":
        if not isinstance(raw, str):
            raise AnswerError(f"question {qid}: expected a typed answer")
        text = raw.strip()
        if len(text) > MAX_SHORT_ANSWER:
            raise AnswerError(f"question {qid}: the answer is too long (at most {MAX_SHORT_ANSWER} characters)")
        return text or None
    if qtype == "ordering":
        given = _ids_in(raw, instance.order, "item", qid)
        if len(given) != len(instance.order):
            raise AnswerError(f"question {qid}: put every item in order ({len(instance.order)} items)")
        return given
    if qtype == "matching":
        if not isinstance(raw, Mapping):
            raise AnswerError(f"question {qid}: expected a mapping of prompt ids to answers")
        result: dict[str, str] = {}
        for prompt_id, chosen in raw.items():
            if prompt_id not in instance.order:
                raise AnswerError(f"question {qid}: prompt {prompt_id!r} is not in this question")
            if chosen is None or chosen == "":
                continue
            if not isinstance(chosen, str) or chosen not in instance.answer_order:
                raise AnswerError(f"question {qid}: answer {chosen!r} is not in this question")
            result[str(prompt_id)] = chosen
        return {prompt_id: result[prompt_id] for prompt_id in instance.order if prompt_id in result}
    raise AnswerError(f"question {qid}: unknown question type {qtype!r}")  # pragma: no cover


def _document(question: Question, convert: Any, value: Any) -> Any:
    """A document answer through ``convert``, its refusals as :class:`AnswerError`."""
    assert question.document is not None
    try:
        return convert(question.document, value)
    except DocumentAnswerError as error:
        raise AnswerError(f"question {question.id}: {error}") from None


def _key(posted: Any, keys: Mapping[str, str], qid: str, what: str) -> str:
    if not isinstance(posted, str) or posted not in keys:
        raise AnswerError(f"question {qid}: {what} {posted!r} is not in this question")
    return keys[posted]


def answer_from_form(question: Question, instance: QuestionInstance, posted: Any) -> Any:
    """Turn what the form posted (positional keys) into the canonical answer to store and grade.

    Raises :class:`AnswerError` for a key, prompt or value that is not in the instance.
    """
    qid, qtype = question.id, question.type
    keys = dict(instance.choices())
    if posted is None:
        return None
    if qtype == "document":
        return _document(question, document_from_form, posted)
    if qtype == "single":
        return normalize_answer(question, instance, _key(posted, keys, qid, "option"))
    if qtype in ("multi", "ordering"):
        what = "option" if qtype == "multi" else "item"
        if not isinstance(posted, list | tuple):
            raise AnswerError(f"question {qid}: expected a list of {what}s")
        return normalize_answer(question, instance, [_key(p, keys, qid, what) for p in posted])
    if qtype == "matching":
        if not isinstance(posted, Mapping):
            raise AnswerError(f"question {qid}: expected a mapping of prompt ids to answer keys")
        chosen = {
            prompt: (None if value is None or value == "" else _key(value, keys, qid, "answer"))
            for prompt, value in posted.items()
        }
        return normalize_answer(question, instance, chosen)
    return normalize_answer(question, instance, posted)


def answer_to_form(question: Question, instance: QuestionInstance, answer: Any) -> Any:
    """The form values that show a stored canonical answer again (e.g. after a reload)."""
    if question.type == "document":
        return _document(question, document_to_form, answer)
    value = normalize_answer(question, instance, answer)
    key_of = {item_id: key for key, item_id in instance.choices()}
    if value is None:
        return None
    if question.type == "single":
        return key_of[value]
    if question.type in ("multi", "ordering"):
        return [key_of[v] for v in value]
    if question.type == "matching":
        return {prompt: key_of[chosen] for prompt, chosen in value.items()}
    if question.type == "truefalse":
        return "true" if value else "false"
    return value
