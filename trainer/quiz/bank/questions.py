"""Building one validated :class:`Question` from its raw mapping (a bank file entry or a GIFT import).

The checks common to every type live here; each type's own fields are checked in
:mod:`.check_parts` and :mod:`.check_numeric`. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from trainer.content.source import LANGUAGES, Problems, check_keys, line_of
from trainer.quiz.bank.check_numeric import check_numeric
from trainer.quiz.bank.check_parts import check_items, check_options, check_pairs, check_short
from trainer.quiz.bank.checker import Checker
from trainer.quiz.bank.document_check import check_document
from trainer.quiz.bank.model import (
    DIFFICULTIES,
    EMPTY_TEXT,
    ID_RE,
    QUESTION_KINDS,
    QUESTION_TYPES,
    Localized,
    Question,
)

_COMMON_REQUIRED = ("id", "type", "module", "competencies", "difficulty", "text")
_COMMON_OPTIONAL = ("explanation", "mark", "kind", "retired")
_NUMERIC_OPTIONAL = (
    "tolerance",
    "tolerance_pct",
    "unit",
    "decimals",
    "alternatives",
    "feedback",
    "feedback_wrong",
)
_TYPE_KEYS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "single": (("options",), ("shuffle",)),
    "multi": (("options",), ("shuffle",)),
    "truefalse": (("answer",), ("feedback_true", "feedback_false")),
    "numeric": (("params", "formula"), _NUMERIC_OPTIONAL),
    "calculated": (("params", "formula"), _NUMERIC_OPTIONAL),
    "ordering": (("items",), ()),
    "matching": (("pairs",), ("shuffle",)),
    "short": (("answers",), ("case_sensitive", "feedback_wrong")),
    "document": (("document",), ()),
}


def build_question(
    raw: Any,
    *,
    bank_id: str,
    path: str | Path,
    problems: Problems,
    module_ids: Iterable[str],
    competency_ids: Iterable[str],
    index: int = 0,
) -> Question | None:
    """Validate one raw question mapping and build the frozen :class:`Question`.

    Every problem is added to ``problems``; the result is None when anything is wrong, so a broken
    question never reaches a quiz. The GIFT importer uses this too, so imported questions obey the
    same rules as hand-written ones. A text still marked for translation in one language leaves the
    question usable in the other (``languages``), never an error.
    """
    checker = Checker(str(path), problems)
    problems_before = len(problems)
    if not isinstance(raw, Mapping):
        checker.add(line_of(raw), f"question #{index + 1}: expected a mapping")
        return None
    qid_raw = raw.get("id")
    qid = str(qid_raw) if qid_raw is not None else ""
    where = f"question {qid}" if qid else f"question #{index + 1}"
    qtype = _check_type(checker, raw, where)
    if qtype is None:
        return None
    required, optional = _TYPE_KEYS[qtype]
    ok = check_keys(
        raw,
        required=(*_COMMON_REQUIRED, *required),
        optional=(*_COMMON_OPTIONAL, *optional),
        path=checker.path,
        problems=problems,
        where=where,
    )
    if qid_raw is not None and (not isinstance(qid_raw, str) or not ID_RE.match(qid)):
        checker.add(
            line_of(raw, "id"),
            f"{where}: id must be lowercase letters, digits, '.', '-' or '_' (at most 80), got {qid_raw!r}",
        )
        ok = False
    ok = _check_tags(checker, raw, where, set(module_ids), set(competency_ids)) and ok
    text = checker.text(raw, "text", where)
    explanation = checker.text(raw, "explanation", where, required=False) or EMPTY_TEXT
    mark, shuffle, common_ok = _check_mark_and_shuffle(checker, raw, where)
    retired = checker.flag(raw, "retired", where, default=False)
    if "kind" in raw and not checker.one_of(raw, "kind", where, QUESTION_KINDS):
        common_ok = False
    extra = _type_fields(checker, raw, qtype, qid, where, text)
    if (
        not ok
        or not common_ok
        or retired is None
        or extra is None
        or text is None
        or len(problems) > problems_before
    ):
        return None
    return Question(
        id=qid,
        type=str(qtype),
        bank=bank_id,
        module=str(raw.get("module")),
        competencies=tuple(str(c) for c in raw.get("competencies") or ()),
        difficulty=str(raw.get("difficulty")),
        text=text,
        explanation=explanation,
        mark=mark,
        shuffle=shuffle,
        kind=str(raw["kind"]) if "kind" in raw else None,
        retired=retired,
        path=str(path),
        line=line_of(raw),
        languages=tuple(lang for lang in LANGUAGES if lang not in checker.untranslated),
        **extra,
    )


def _check_type(checker: Checker, raw: Mapping[str, Any], where: str) -> str | None:
    """The question type, or None (reported) when it is missing or unknown."""
    qtype = str(raw.get("type"))
    if qtype in _TYPE_KEYS:
        return qtype
    if "type" not in raw:
        checker.add(line_of(raw), f"{where}: missing key 'type'")
    else:
        checker.add(
            line_of(raw, "type"),
            f"{where}: unknown type {raw.get('type')!r} (allowed: {', '.join(QUESTION_TYPES)})",
        )
    return None


def _check_tags(
    checker: Checker, raw: Mapping[str, Any], where: str, modules: set[str], known_competencies: set[str]
) -> bool:
    """Module, competencies and difficulty: the tags quizzes draw by and statistics group by."""
    ok = True
    module = raw.get("module")
    if "module" in raw and module not in modules:
        checker.add(
            line_of(raw, "module"),
            f"{where}: unknown module {module!r} (known: {', '.join(sorted(modules))})",
        )
        ok = False
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
    if "difficulty" in raw and not checker.one_of(raw, "difficulty", where, DIFFICULTIES):
        ok = False
    return ok


def _check_mark_and_shuffle(checker: Checker, raw: Mapping[str, Any], where: str) -> tuple[float, bool, bool]:
    """``(mark, shuffle, ok)`` with their defaults (1 mark, shuffled)."""
    ok = True
    mark = 1.0
    if "mark" in raw:
        number = checker.number(raw, "mark", where, low=0, high=100, exclusive_low=True)
        ok = number is not None
        mark = number or 1.0
    shuffle = checker.flag(raw, "shuffle", where)
    return mark, bool(shuffle), ok and shuffle is not None


def _type_fields(
    checker: Checker, raw: Mapping[str, Any], qtype: str, qid: str, where: str, text: Localized | None
) -> dict[str, Any] | None:
    """The fields of the question's own type, or None when they are wrong (reported)."""
    if qtype in ("single", "multi"):
        options = check_options(checker, raw, qtype, where)
        return {"options": options} if options else None
    if qtype == "truefalse":
        answer = raw.get("answer")
        ok = True
        if "answer" in raw and not isinstance(answer, bool):
            checker.add(line_of(raw, "answer"), f"{where}: answer must be true or false, got {answer!r}")
            ok = False
        fields = {
            "answer": answer if isinstance(answer, bool) else None,
            "feedback_true": checker.text(raw, "feedback_true", where, required=False),
            "feedback_false": checker.text(raw, "feedback_false", where, required=False),
        }
        return fields if ok else None
    if qtype in ("numeric", "calculated"):
        numeric = check_numeric(checker, raw, qtype, qid, where, text)
        if numeric is not None:
            numeric["wrong_feedback"] = checker.text(raw, "feedback_wrong", where, required=False)
        return numeric
    if qtype == "short":
        return check_short(checker, raw, where)
    if qtype == "document":
        document = check_document(checker, raw, where)
        return {"document": document} if document else None
    if qtype == "ordering":
        items = check_items(checker, raw, where)
        return {"items": items} if items else None
    pairs = check_pairs(checker, raw, where)
    return {"pairs": pairs} if pairs else None
