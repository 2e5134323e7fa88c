"""Answers to ``document`` questions and their grading (pure: no Flask, no database).

**Canonical answer** (stored, graded, counted): ``{"lines": {line id: label id}, "decision":
option id}``: the lines the trainee marked on the document, each with the label chosen for it (a
ladder step, a fix from the clause library, a kind of difference; ``""`` on a document without
labels, or when the label was left blank), and the next step chosen (remittance checks only).

**Form** (posted): positional keys only, so no id reaches the page: ``l3`` is the third line of
the document, ``k2`` the second label, ``d1`` the first decision option. Documents with answer
slots (aging: the five calls; reconciliation: the differences found) post ``s1`` = a line key and
``s1k`` = its label key; the others post ``l3`` = a label key (contract) or ``on`` (remittance);
``d`` = the decision key. A slot naming a line twice, more lines than slots, or any key or value
that is not in the question raises :class:`DocumentAnswerError`.

**Credit**, with ``n`` the lines that should be marked:

- a right line earns ``1/n``: ``label_share`` of it (half) only with the right label;
- a wrong mark costs ``false_pick_cost / n`` (half a line; nothing on an aging report, where a
  wrong pick already took one of the five places); the lines' total stays within 0..1;
- a document with a decision gives it ``decision_weight`` of the mark (remittance: 40 %), the lines
  the rest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from trainer.quiz.bank.document_model import Document

DECISION_PART = ":decision"
"""The part id of the decision in a grade (``:`` cannot appear in a line id)."""
_SLOT_RE = re.compile(r"^s([1-9][0-9]?)(k?)$")
_LINE_RE = re.compile(r"^l([1-9][0-9]?)$")


class DocumentAnswerError(ValueError):
    """An answer that does not fit the document; reject it and store nothing."""


PartTuple = tuple[str, Any, Any, bool, float]
"""``(id, given, expected, correct, credit)`` of one line or of the decision."""


def normalize_document(document: Document, raw: Any) -> dict[str, Any] | None:
    """Check a canonical answer against the document; None when nothing is marked."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not set(raw) <= {"lines", "decision"}:
        raise DocumentAnswerError("expected a mapping of marked lines and a decision")
    lines = raw.get("lines") or {}
    if not isinstance(lines, Mapping):
        raise DocumentAnswerError("expected a mapping of line ids to labels")
    known = {line.id for line in document.lines}
    labels = {label.id for label in document.labels}
    for line_id, label in lines.items():
        if line_id not in known:
            raise DocumentAnswerError(f"line {line_id!r} is not in this question")
        if not isinstance(label, str) or (label and label not in labels):
            raise DocumentAnswerError(f"label {label!r} is not in this question")
    if document.slots and len(lines) > document.slots:
        raise DocumentAnswerError(f"too many lines marked: at most {document.slots}")
    decision = raw.get("decision")
    if decision is not None and (not isinstance(decision, str) or decision not in {o.id for o in document.decision}):
        raise DocumentAnswerError(f"decision {decision!r} is not in this question")
    if not lines and decision is None:
        return None
    ordered = {line.id: str(lines[line.id]) for line in document.lines if line.id in lines}
    return {"lines": ordered, "decision": decision}


def _keyed(document: Document) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    lines = {f"l{n}": line.id for n, line in enumerate(document.lines, start=1)}
    labels = {f"k{n}": label.id for n, label in enumerate(document.labels, start=1)}
    options = {f"d{n}": option.id for n, option in enumerate(document.decision, start=1)}
    return lines, labels, options


def _value(posted: Any, keys: Mapping[str, str], what: str) -> str:
    if not isinstance(posted, str) or posted not in keys:
        raise DocumentAnswerError(f"{what} {posted!r} is not in this question")
    return keys[posted]


def document_from_form(document: Document, posted: Any) -> dict[str, Any] | None:
    """Turn the posted fields (positional keys) into the canonical answer, or None when empty."""
    if posted is None:
        return None
    if not isinstance(posted, Mapping):
        raise DocumentAnswerError("expected the fields of the document's answer")
    line_keys, label_keys, option_keys = _keyed(document)
    lines: dict[str, str] = {}
    slot_lines: dict[int, str] = {}
    slot_labels: dict[int, str] = {}
    decision = None
    for key, value in posted.items():
        if value in (None, ""):
            continue
        slot = _SLOT_RE.match(str(key))
        if key == "d":
            decision = _value(value, option_keys, "decision")
        elif slot and document.slots:
            index = int(slot.group(1))
            if index > document.slots:
                raise DocumentAnswerError(f"too many lines marked: at most {document.slots}")
            target = slot_labels if slot.group(2) else slot_lines
            target[index] = _value(value, label_keys if slot.group(2) else line_keys, "choice")
        elif _LINE_RE.match(str(key)) and not document.slots:
            line_id = _value(key, line_keys, "line")
            lines[line_id] = "" if not document.labels and value == "on" else _value(value, label_keys, "label")
        else:
            raise DocumentAnswerError(f"field {key!r} is not in this question")
    for index, line_id in sorted(slot_lines.items()):
        if line_id in lines:
            raise DocumentAnswerError("a line is given twice")
        lines[line_id] = slot_labels.get(index, "")
    return normalize_document(document, {"lines": lines, "decision": decision})


def document_to_form(document: Document, answer: Any) -> dict[str, str] | None:
    """The form values that show a stored canonical answer again."""
    value = normalize_document(document, answer)
    if value is None:
        return None
    line_key = {line_id: key for key, line_id in _keyed(document)[0].items()}
    label_key = {label_id: key for key, label_id in _keyed(document)[1].items()}
    option_key = {option_id: key for key, option_id in _keyed(document)[2].items()}
    form: dict[str, str] = {}
    for slot, (line_id, label) in enumerate(value["lines"].items(), start=1):
        if document.slots:
            form[f"s{slot}"] = line_key[line_id]
            form[f"s{slot}k"] = label_key.get(label, "")
        else:
            form[line_key[line_id]] = label_key.get(label, "") if document.labels else "on"
    if value["decision"] is not None:
        form["d"] = option_key[value["decision"]]
    return form


def grade_document(document: Document, answer: dict[str, Any] | None) -> tuple[float, list[PartTuple]]:
    """``(fraction of the mark, parts)`` for a canonical answer (see the module docstring)."""
    marked: Mapping[str, str] = (answer or {}).get("lines") or {}
    targets = len(document.targets) or 1
    parts: list[PartTuple] = []
    total = 0.0
    for line in document.lines:
        given = marked.get(line.id)
        if line.expected is None:
            credit = 0.0 if given is None or not document.false_pick_cost else -document.false_pick_cost / targets
            parts.append((line.id, given, None, given is None, credit))
        elif given is None:
            parts.append((line.id, None, line.expected, False, 0.0))
        else:
            label_ok = document.label_share == 0 or given == line.expected
            credit = ((1 - document.label_share) + (document.label_share if label_ok else 0.0)) / targets
            parts.append((line.id, given, line.expected, label_ok, credit))
        total += parts[-1][4]
    fraction = min(1.0, max(0.0, total))
    if document.decision:
        chosen = (answer or {}).get("decision")
        right = next(o.id for o in document.decision if o.correct)
        weight = document.decision_weight
        parts.append((DECISION_PART, chosen, right, chosen == right, weight if chosen == right else 0.0))
        fraction = (1 - weight) * fraction + (weight if chosen == right else 0.0)
    return fraction, parts


def key_answer(document: Document) -> dict[str, Any]:
    """The full-credit answer (the demo seeder and tests use it)."""
    right = next((o.id for o in document.decision if o.correct), None)
    return {"lines": {line.id: str(line.expected) for line in document.targets}, "decision": right}
