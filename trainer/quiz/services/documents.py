"""What the attempt and review pages show of a ``document`` question, in one language: the
document itself (an aging report, a contract page, a bank advice, two statements), the answer
controls with positional keys only, and the per-line review of a graded answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from trainer.content.source import pick
from trainer.quiz.bank.document_model import RISKS, Document, Entry, format_money
from trainer.quiz.document_grading import DECISION_PART
from trainer.quiz.grading import Grade


@dataclass(frozen=True)
class Key:
    key: str
    text: str


@dataclass(frozen=True)
class Row:
    """One row or paragraph of the document as shown; ``key`` is its line key (``l3``) or ""."""

    key: str
    cells: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Ledger:
    title: str
    opening: str
    rows: tuple[Row, ...]
    closing: str


@dataclass
class DocumentView:
    kind: str
    title: str
    heading: str
    currency: str
    as_of: str
    rows: list[Row] = field(default_factory=list)
    totals: tuple[str, ...] = ()
    our_rows: list[Row] = field(default_factory=list)
    items: list[Row] = field(default_factory=list)
    items_total: str = ""
    ledgers: list[Ledger] = field(default_factory=list)
    lines: list[Key] = field(default_factory=list)
    labels: list[Key] = field(default_factory=list)
    options: list[Key] = field(default_factory=list)
    decision_prompt: str = ""
    slots: list[int] = field(default_factory=list)
    large: str = ""


@dataclass(frozen=True)
class ReviewLine:
    """One line of the per-line feedback."""

    name: str
    verdict: str  # right | label | missed | false | decision
    given: str
    expected: str
    feedback: str = ""
    risk: str = ""  # contract: the name of the risk in the clause
    overdue: str = ""  # aging: the overdue amount, days past due, rank by amount x days
    days: int = 0
    rank: int = 0


@dataclass(frozen=True)
class DocumentReview:
    lines: tuple[ReviewLine, ...]
    found: int
    targets: int
    false_picks: int


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def document_view(document: Document, lang: str) -> DocumentView:
    """The document and its answer controls in ``lang``."""
    keys = {line.id: f"l{n}" for n, line in enumerate(document.lines, start=1)}
    view = DocumentView(
        kind=document.kind,
        title=pick(document.title, lang),
        heading=pick(document.heading, lang) if document.heading else "",
        currency=document.currency,
        as_of=_day(document.as_of),
        lines=[Key(keys[line.id], pick(line.name, lang)) for line in document.lines],
        labels=[Key(f"k{n}", pick(label.text, lang)) for n, label in enumerate(document.labels, start=1)],
        options=[Key(f"d{n}", pick(o.text, lang)) for n, o in enumerate(document.decision, start=1)],
        decision_prompt=pick(document.decision_prompt, lang) if document.decision_prompt else "",
        slots=list(range(1, document.slots + 1)),
        large=format_money(document.large),
    )
    if document.kind == "aging":
        view.rows = [
            Row(
                keys[r.id],
                (pick(r.customer, lang), r.grade, str(r.terms), format_money(r.limit),
                 *(format_money(a) for a in r.amounts), format_money(r.total), _day(r.oldest_due),
                 str(r.days) if r.days else ""),
                pick(r.note, lang) if r.note else "",
            )
            for r in document.rows
        ]
        view.totals = tuple(format_money(sum(r.amounts[i] for r in document.rows)) for i in range(5)) + (
            format_money(sum(r.total for r in document.rows)),
        )
    elif document.kind == "contract":
        view.rows = [Row(keys[c.id], (c.number, pick(c.heading, lang), pick(c.text, lang))) for c in document.clauses]
    elif document.kind == "remittance":
        view.rows = [Row(keys[f.id], (pick(f.label, lang), pick(f.value, lang))) for f in document.fields]
        view.our_rows = [Row("", (pick(f.label, lang), pick(f.value, lang))) for f in document.our_fields]
        view.items = [
            Row("", (i.invoice, _day(i.issued), _day(i.due), format_money(i.amount))) for i in document.open_items
        ]
        view.items_total = format_money(sum(i.amount for i in document.open_items))
    else:
        view.ledgers = [
            _ledger("statement", document.statement_opening, document.statement, keys, lang),
            _ledger("ledger", document.ledger_opening, document.ledger, keys, lang),
        ]
    return view


def _ledger(side: str, opening: float, entries: tuple[Entry, ...], keys: dict[str, str], lang: str) -> Ledger:
    balance = opening
    rows = []
    for entry in entries:
        balance += entry.debit - entry.credit
        rows.append(
            Row(
                keys[entry.id],
                (_day(entry.date), entry.ref, pick(entry.text, lang),
                 format_money(entry.debit) if entry.debit else "", format_money(entry.credit) if entry.credit else "",
                 format_money(balance)),
            )
        )
    return Ledger(side, format_money(opening), tuple(rows), format_money(balance))


def _aging_details(document: Document) -> dict[str, dict[str, Any]]:
    return {
        row.id: {"overdue": format_money(row.overdue), "days": row.days, "rank": rank}
        for rank, row in enumerate(document.ranking(), start=1)
        if row.days
    }


def document_review(document: Document, result: Grade, lang: str) -> DocumentReview:
    """Per-line feedback: every line marked or that should have been, and the decision."""
    labels = {label.id: pick(label.text, lang) for label in document.labels}
    details = _aging_details(document) if document.kind == "aging" else {}
    risks = {c.id: pick(RISKS[c.risk][0], lang) for c in document.clauses if c.risk}
    lines: list[ReviewLine] = []
    found = false_picks = 0
    for part in result.parts:
        if part.id == DECISION_PART:
            lines.append(_decision_line(document, part.given, part.expected, lang))
            continue
        line = document.line(part.id)
        if part.given is None and part.expected is None:
            continue
        if part.expected is None:
            verdict = "false"
            false_picks += 1
        elif part.given is None:
            verdict = "missed"
        else:
            found += 1
            verdict = "right" if part.correct else "label"
        lines.append(
            ReviewLine(
                name=pick(line.name, lang),
                verdict=verdict,
                given=labels.get(str(part.given), "") if part.given else "",
                expected=labels.get(str(part.expected), "") if part.expected else "",
                feedback=pick(line.feedback, lang) if line.feedback else "",
                risk=risks.get(line.id, ""),
                **details.get(line.id, {}),
            )
        )
    return DocumentReview(tuple(lines), found, len(document.targets), false_picks)


def _decision_line(document: Document, given: Any, expected: Any, lang: str) -> ReviewLine:
    chosen = document.option(given) if given else None
    return ReviewLine(
        name=pick(document.decision_prompt, lang) if document.decision_prompt else "",
        verdict="decision",
        given=pick(chosen.text, lang) if chosen else "",
        expected=pick(document.option(expected).text, lang),
        feedback=pick(chosen.feedback, lang) if chosen and chosen.feedback else "",
    )
