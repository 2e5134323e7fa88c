"""Checking the ``document:`` mapping of a ``document`` question and building its
:class:`~trainer.quiz.bank.document_model.Document`.

Every problem is reported as ``path:line: message`` and the checks carry on. Figures are checked
for consistency where the document allows it: an aging line's days past due must fall in its
oldest non-empty bucket; the five to call first must be clear (no tie at the fifth place); a
statement line that is not a difference must have its twin in our ledger. Pure Python.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from trainer.content.source import check_keys, line_of
from trainer.quiz.bank.checker import Checker, as_list
from trainer.quiz.bank.document_model import (
    BUCKET_DAYS,
    BUCKETS,
    DIFFERENCES,
    DOCUMENT_KINDS,
    FIXES,
    RISKS,
    STEPS,
    AgingRow,
    Clause,
    DecisionOption,
    Document,
    Entry,
    Field,
    Line,
    Localized,
    OpenItem,
    entry_name,
    format_money,
    ladder_step,
)
from trainer.quiz.bank.model import freeze

AGING_ROWS = (15, 30)
CALL_FIRST = 5
GRADES = ("A", "B", "C", "D")
_KIND_KEYS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "aging": (("title", "as_of", "large", "rows"), ("heading", "currency")),
    "contract": (("title", "clauses"), ("heading",)),
    "remittance": (("title", "advice", "ours", "open_items", "decision"), ("heading", "currency", "as_of")),
    "reconciliation": (("title", "as_of", "statement", "ledger"), ("heading", "currency", "pick")),
}


def check_document(checker: Checker, raw: Mapping[str, Any], where: str) -> Document | None:
    """The question's document, or None when anything is wrong (every problem reported)."""
    doc = raw.get("document")
    at = line_of(raw, "document")
    if not isinstance(doc, Mapping):
        checker.add(at, f"{where}: document must be a mapping with a kind ({', '.join(DOCUMENT_KINDS)})")
        return None
    kind = doc.get("kind")
    if kind not in DOCUMENT_KINDS:
        checker.add(
            line_of(doc, "kind", at),
            f"{where}: document kind must be one of {', '.join(DOCUMENT_KINDS)}, got {kind!r}",
        )
        return None
    required, optional = _KIND_KEYS[str(kind)]
    before = len(checker.problems)
    check_keys(
        doc,
        required=("kind", *required),
        optional=optional,
        path=checker.path,
        problems=checker.problems,
        where=f"{where} document",
    )
    where = f"{where} document"
    title = checker.text(doc, "title", where)
    heading = checker.text(doc, "heading", where, required=False)
    currency = str(doc.get("currency", "CNY"))
    builders = {"aging": _aging, "contract": _contract, "remittance": _remittance, "reconciliation": _reconciliation}
    fields = builders[str(kind)](checker, doc, where)
    if fields is None or title is None or len(checker.problems) > before:
        return None
    return Document(kind=str(kind), title=title, heading=heading, currency=currency, **fields)


def _date(checker: Checker, container: Any, key: str, where: str) -> date | None:
    value = container.get(key) if isinstance(container, Mapping) else None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    checker.add(line_of(container, key), f"{where}: {key} must be a date like 2026-11-30, got {value!r}")
    return None


def _entries(
    checker: Checker, doc: Mapping[str, Any], key: str, where: str, required: Sequence[str], optional: Sequence[str]
) -> list[tuple[Mapping[str, Any], str, str]]:
    """The mappings listed under ``key`` with their id and a label for messages; bad ones reported."""
    entries = as_list(checker, doc, key, where, 1)
    ids = checker.part_ids(entries, where, key.rstrip("s"))
    found = []
    for index, entry in enumerate(entries):
        label = f"{where} {key} {ids[index] or index + 1}"
        if check_keys(
            entry, required=required, optional=optional, path=checker.path, problems=checker.problems, where=label
        ) and ids[index] is not None:
            found.append((entry, str(ids[index]), label))
    return found


def _aging(checker: Checker, doc: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    as_of = _date(checker, doc, "as_of", where)
    large = checker.number(doc, "large", where, low=0, exclusive_low=True)
    rows: list[AgingRow] = []
    required = ("id", "customer", "grade", "terms", "limit", *BUCKETS)
    for entry, row_id, label in _entries(checker, doc, "rows", where, required, ("oldest_due", "note")):
        row = _aging_row(checker, entry, row_id, label, as_of)
        if row is not None:
            rows.append(row)
    count = len(doc.get("rows") or ())
    if not AGING_ROWS[0] <= count <= AGING_ROWS[1]:
        checker.add(line_of(doc, "rows"), f"{where}: an aging report has {AGING_ROWS[0]}-{AGING_ROWS[1]} rows, has {count}")
    if as_of is None or large is None or len(rows) != count:
        return None
    ranked = sorted(rows, key=lambda row: -row.priority)
    if len(ranked) > CALL_FIRST and ranked[CALL_FIRST - 1].priority <= 0:
        checker.add(line_of(doc, "rows"), f"{where}: fewer than {CALL_FIRST} rows are past due")
    elif len(ranked) > CALL_FIRST and ranked[CALL_FIRST - 1].priority == ranked[CALL_FIRST].priority:
        checker.add(
            line_of(doc, "rows"),
            f"{where}: rows {ranked[CALL_FIRST - 1].id} and {ranked[CALL_FIRST].id} tie for the fifth call "
            "(same amount x days); the five to call first must be clear",
        )
    first = {row.id for row in ranked[:CALL_FIRST]}
    lines = tuple(
        Line(row.id, row.customer, ladder_step(row.days, row.overdue, large) if row.id in first else None)
        for row in rows
    )
    return {"as_of": as_of, "large": large, "rows": tuple(rows), "lines": lines, "labels": STEPS,
            "slots": CALL_FIRST, "false_pick_cost": 0.0}


def _aging_row(
    checker: Checker, entry: Mapping[str, Any], row_id: str, label: str, as_of: date | None
) -> AgingRow | None:
    customer = checker.text(entry, "customer", label)
    note = checker.text(entry, "note", label, required=False)
    grade = entry.get("grade")
    if grade not in GRADES:
        checker.add(line_of(entry, "grade"), f"{label}: grade must be one of {', '.join(GRADES)}, got {grade!r}")
    terms = checker.number(entry, "terms", label, low=0, high=365, integer=True)
    limit = checker.number(entry, "limit", label, low=0)
    amounts = [checker.number(entry, bucket, label, low=0) for bucket in BUCKETS]
    if customer is None or terms is None or limit is None or grade not in GRADES or None in amounts:
        return None
    values = tuple(float(a or 0) for a in amounts)
    overdue_buckets = [b for b, v in zip(BUCKETS[1:], values[1:], strict=True) if v > 0]
    days, oldest_due = 0, None
    if overdue_buckets and "oldest_due" not in entry:
        checker.add(line_of(entry), f"{label}: oldest_due is needed when an amount is past due")
        return None
    if not overdue_buckets and "oldest_due" in entry:
        checker.add(line_of(entry, "oldest_due"), f"{label}: oldest_due given but nothing is past due")
        return None
    if overdue_buckets and as_of is not None:
        oldest_due = _date(checker, entry, "oldest_due", label)
        if oldest_due is None:
            return None
        days = (as_of - oldest_due).days
        low, high = BUCKET_DAYS[overdue_buckets[-1]]
        if not low <= days <= high:
            checker.add(
                line_of(entry, "oldest_due"),
                f"{label}: oldest_due {oldest_due} is {days} days past due on {as_of}, but the oldest "
                f"amount is in the {overdue_buckets[-1]} column ({low}-{high} days)",
            )
            return None
    return AgingRow(row_id, customer, str(grade), int(terms), limit, values, oldest_due, days, note)


def _contract(checker: Checker, doc: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    clauses: list[Clause] = []
    entries = _entries(checker, doc, "clauses", where, ("id", "number", "heading", "text"), ("risk", "feedback"))
    for entry, clause_id, label in entries:
        heading = checker.text(entry, "heading", label)
        text = checker.text(entry, "text", label)
        feedback = checker.text(entry, "feedback", label, required=False)
        risk = entry.get("risk")
        if risk is not None and risk not in RISKS:
            checker.add(line_of(entry, "risk"), f"{label}: risk must be one of {', '.join(RISKS)}, got {risk!r}")
            continue
        if risk is not None and feedback is None:
            checker.add(line_of(entry), f"{label}: a risky clause needs feedback (why it puts the money at risk)")
            continue
        if heading is not None and text is not None:
            clauses.append(Clause(clause_id, str(entry.get("number")), heading, text, risk, feedback))
    risky = sum(1 for clause in clauses if clause.risk)
    if risky < 2 or len(clauses) - risky < 2:
        checker.add(line_of(doc, "clauses"), f"{where}: a contract needs at least 2 risky and 2 sound clauses")
    if len(clauses) != len(entries):
        return None
    lines = tuple(
        Line(
            c.id,
            freeze({"zh": f"第{c.number}条 {c.heading['zh']}", "en": f"Clause {c.number} {c.heading['en']}"}),
            RISKS[c.risk][1] if c.risk else None,
            c.feedback,
        )
        for c in clauses
    )
    return {"clauses": tuple(clauses), "lines": lines, "labels": FIXES}


def _fields(checker: Checker, doc: Mapping[str, Any], key: str, where: str, selectable: bool) -> list[Field] | None:
    optional = ("mismatch", "feedback") if selectable else ()
    entries = _entries(checker, doc, key, where, ("id", "label", "value"), optional)
    fields = []
    for entry, field_id, label in entries:
        name = checker.text(entry, "label", label)
        value = checker.text(entry, "value", label)
        mismatch = checker.flag(entry, "mismatch", label, default=False)
        feedback = checker.text(entry, "feedback", label, required=False)
        if mismatch and feedback is None:
            checker.add(line_of(entry), f"{label}: a mismatch needs feedback (what does not match and why)")
            continue
        if name is not None and value is not None and mismatch is not None:
            fields.append(Field(field_id, name, value, mismatch, feedback))
    return fields if len(fields) == len(entries) else None


def _remittance(checker: Checker, doc: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    as_of = _date(checker, doc, "as_of", where) if "as_of" in doc else None
    advice = _fields(checker, doc, "advice", where, True)
    ours = _fields(checker, doc, "ours", where, False)
    items = []
    for entry, _, label in _entries(checker, doc, "open_items", where, ("id", "invoice", "issued", "due", "amount"), ()):
        issued, due = _date(checker, entry, "issued", label), _date(checker, entry, "due", label)
        amount = checker.number(entry, "amount", label, low=0, exclusive_low=True)
        if issued is not None and due is not None and amount is not None:
            if due < issued:
                checker.add(line_of(entry, "due"), f"{label}: due date before the invoice date")
            items.append(OpenItem(str(entry.get("invoice")), issued, due, amount))
    decision = _decision(checker, doc, where)
    if advice is not None and (not any(f.mismatch for f in advice) or all(f.mismatch for f in advice)):
        checker.add(line_of(doc, "advice"), f"{where}: the advice needs at least one mismatch and one matching field")
    if advice is None or ours is None or decision is None:
        return None
    lines = tuple(Line(f.id, f.label, "" if f.mismatch else None, f.feedback) for f in advice)
    return {"as_of": as_of, "fields": tuple(advice), "our_fields": tuple(ours), "open_items": tuple(items), "lines": lines,
            "labels": (), "label_share": 0.0, "decision_weight": 0.4, "decision": decision[1],
            "decision_prompt": decision[0]}


def _decision(
    checker: Checker, doc: Mapping[str, Any], where: str
) -> tuple[Localized, tuple[DecisionOption, ...]] | None:
    raw = doc.get("decision")
    label = f"{where} decision"
    if not check_keys(raw, required=("prompt", "options"), path=checker.path, problems=checker.problems, where=label):
        return None
    assert isinstance(raw, Mapping)  # check_keys refuses anything else
    prompt = checker.text(raw, "prompt", label)
    options = []
    entries = _entries(checker, raw, "options", label, ("id", "text", "feedback"), ("correct",))
    for entry, option_id, option_label in entries:
        text = checker.text(entry, "text", option_label)
        feedback = checker.text(entry, "feedback", option_label)
        correct = checker.flag(entry, "correct", option_label, default=False)
        if text is not None and correct is not None:
            options.append(DecisionOption(option_id, text, correct, feedback))
    checker.distinct([(line_of(raw, "options"), o.text) for o in options], label, "option")
    if len(entries) < 2 or sum(1 for o in options if o.correct) != 1:
        checker.add(line_of(raw, "options"), f"{label}: needs 2 or more options, exactly one with correct: true")
        return None
    if prompt is None or len(options) != len(entries):
        return None
    return prompt, tuple(options)


def _reconciliation(checker: Checker, doc: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    as_of = _date(checker, doc, "as_of", where)
    sides: dict[str, tuple[float, list[Entry]]] = {}
    for side in ("statement", "ledger"):
        part = doc.get(side)
        label = f"{where} {side}"
        if not check_keys(part, required=("opening", "lines"), path=checker.path, problems=checker.problems, where=label):
            return None
        assert isinstance(part, Mapping)  # check_keys refuses anything else
        opening = checker.number(part, "opening", label)
        entries = []
        keys = ("id", "date", "ref", "text", "debit", "credit")
        for entry, entry_id, entry_label in _entries(checker, part, "lines", label, keys, ("difference", "feedback")):
            built = _entry(checker, entry, entry_id, entry_label, as_of)
            if built is not None:
                entries.append(built)
        if opening is None or len(entries) != len(part.get("lines") or ()):
            return None
        sides[side] = (opening, entries)
    (s_open, statement), (l_open, ledger) = sides["statement"], sides["ledger"]
    if not _twins(checker, doc, where, s_open, statement, l_open, ledger):
        return None
    differences = sum(1 for e in (*statement, *ledger) if e.difference)
    pick = int(checker.number(doc, "pick", where, low=1, high=12, integer=True) or 0) if "pick" in doc else differences + 2
    if pick < differences:
        checker.add(line_of(doc, "pick"), f"{where}: pick ({pick}) is smaller than the number of differences ({differences})")
        return None
    lines = tuple(
        Line(e.id, entry_name(side, e), e.difference, e.feedback)
        for side, entries in (("statement", statement), ("ledger", ledger))
        for e in entries
    )
    return {"as_of": as_of, "statement": tuple(statement), "ledger": tuple(ledger), "statement_opening": s_open,
            "ledger_opening": l_open, "lines": lines, "labels": DIFFERENCES, "slots": pick}


def _entry(checker: Checker, entry: Mapping[str, Any], entry_id: str, label: str, as_of: date | None) -> Entry | None:
    when = _date(checker, entry, "date", label)
    text = checker.text(entry, "text", label)
    debit = checker.number(entry, "debit", label, low=0)
    credit = checker.number(entry, "credit", label, low=0)
    difference = entry.get("difference")
    feedback = checker.text(entry, "feedback", label, required=False)
    if difference is not None and difference not in {d.id for d in DIFFERENCES}:
        checker.add(line_of(entry, "difference"), f"{label}: difference must be one of {', '.join(d.id for d in DIFFERENCES)}")
        return None
    if difference is not None and feedback is None:
        checker.add(line_of(entry), f"{label}: a difference needs feedback (how to clear it)")
        return None
    if debit is not None and credit is not None and (debit > 0) == (credit > 0):
        checker.add(line_of(entry), f"{label}: exactly one of debit and credit is above zero")
        return None
    if when is not None and as_of is not None and when > as_of:
        checker.add(line_of(entry, "date"), f"{label}: date {when} is after the statement date {as_of}")
        return None
    if when is None or text is None or debit is None or credit is None:
        return None
    return Entry(entry_id, when, str(entry.get("ref")), text, debit, credit, difference, feedback)


def _twins(
    checker: Checker,
    doc: Mapping[str, Any],
    where: str,
    s_open: float,
    statement: list[Entry],
    l_open: float,
    ledger: list[Entry],
) -> bool:
    """Every line that is not a difference has its twin (reference and amounts) on the other side."""
    if abs(s_open - l_open) > 0.005:
        checker.add(line_of(doc, "ledger"), f"{where}: the opening balances differ ({format_money(s_open)} vs {format_money(l_open)})")
        return False
    ours = Counter((e.ref, e.debit, e.credit) for e in ledger if not e.difference)
    theirs = Counter((e.ref, e.debit, e.credit) for e in statement if not e.difference)
    unmatched = (ours - theirs) + (theirs - ours)
    for ref, debit, credit in sorted(unmatched):
        checker.add(
            line_of(doc, "statement"),
            f"{where}: line {ref} ({format_money(debit or credit)}) is on one side only but not marked as a difference",
        )
    if not any(e.difference for e in (*statement, *ledger)):
        checker.add(line_of(doc, "statement"), f"{where}: a reconciliation needs at least one difference")
        return False
    return not unmatched

