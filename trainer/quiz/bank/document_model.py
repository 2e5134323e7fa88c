"""The frozen parts of a ``document`` question: the document shown (an aging report, a contract
page, a bank advice with our open items, a customer's statement beside our ledger) and the lines a
trainee can mark on it, each with the label a right answer gives it.

The rules the course teaches live here as data, so the loader derives the answer key from the
figures instead of trusting a hand-written one:

- the escalation ladder (lesson m3-escalation-ladder): not yet due -> reminder, 1-30 days past due
  -> salesperson, 31-60 -> sales manager with finance, 61-90 -> executive, over 90 -> legal action,
  or a collection agency when the overdue amount is below the report's "large amount" line (class
  4 of the amount x age grid: small and old);
- who to call first: the largest overdue amount x days past due (the lesson's worked example).

Pure Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

Localized = Mapping[str, str]

DOCUMENT_KINDS: tuple[str, ...] = ("aging", "contract", "remittance", "reconciliation")
BUCKETS: tuple[str, ...] = ("current", "d1_30", "d31_60", "d61_90", "over_90")
"""Aging columns: not yet due, then days past due."""
BUCKET_DAYS: Mapping[str, tuple[int, int]] = MappingProxyType(
    {"current": (0, 0), "d1_30": (1, 30), "d31_60": (31, 60), "d61_90": (61, 90), "over_90": (91, 100_000)}
)


def _t(zh: str, en: str) -> Localized:
    return MappingProxyType({"zh": zh, "en": en})


@dataclass(frozen=True)
class Label:
    """A choice a trainee gives a marked line: a ladder step, a fix, a kind of difference."""

    id: str
    text: Localized


STEPS: tuple[Label, ...] = (
    Label("reminder", _t("到期前提醒", "Reminder before the due date")),
    Label("salesperson", _t("销售员例行催收", "Salesperson: routine collection")),
    Label("manager", _t("销售经理会同财务", "Sales manager with finance")),
    Label("executive", _t("公司高层出面", "Executive steps in")),
    Label("legal", _t("法律途径（律师函、起诉）", "Legal action (lawyer's letter, suit)")),
    Label("agency", _t("委托催收机构", "Collection agency")),
)
FIXES: tuple[Label, ...] = (
    Label(
        "acceptance_deadline",
        _t(
            "验收期限：到货后10个工作日内验收，期满未书面提出异议即视为验收合格",
            "Acceptance deadline: inspect within 10 working days of delivery; no written objection "
            "by then means accepted",
        ),
    ),
    Label(
        "fixed_due_date",
        _t(
            "固定付款日：发票日后30天内电汇付款，不以买方收到其客户付款为条件",
            "Fixed due date: pay by bank transfer within 30 days of invoice, whether or not the "
            "buyer's own client has paid",
        ),
    ),
    Label(
        "late_fee",
        _t(
            "违约责任：逾期按每日0.05%计付违约金，卖方有权暂停后续发货直至付清",
            "Default: a late fee of 0.05 % of the overdue amount per day, and the right to suspend "
            "deliveries until paid",
        ),
    ),
    Label(
        "written_amendment",
        _t(
            "变更须双方书面签署补充协议，任何一方不得单方变更",
            "Changes only by a written amendment signed by both parties; neither may change the "
            "terms alone",
        ),
    ),
    Label(
        "quality_standard",
        _t(
            "质量标准写明具体国标或技术规格，质量异议须在验收期内书面提出",
            "Quality to a named national standard or specification; quality objections in writing "
            "within the acceptance period",
        ),
    ),
)
RISKS: Mapping[str, tuple[Localized, str]] = MappingProxyType(
    {
        "open_acceptance": (_t("验收无期限", "Open-ended acceptance"), "acceptance_deadline"),
        "pay_when_paid": (_t("背靠背付款", "Pay when paid"), "fixed_due_date"),
        "no_late_fee": (_t("没有违约责任", "No late fee or remedy"), "late_fee"),
        "unilateral_change": (_t("单方变更权", "Unilateral changes"), "written_amendment"),
        "vague_quality": (_t("质量标准含糊", "Vague quality terms"), "quality_standard"),
    }
)
"""Risky clause categories: their name and the fix from :data:`FIXES` that cures them."""
DIFFERENCES: tuple[Label, ...] = (
    Label("unapplied_cash", _t("已收款未核销", "Unapplied cash")),
    Label("credit_note", _t("贷项通知单未入账", "Credit note not booked")),
    Label("disputed", _t("有争议的发票", "Disputed invoice")),
    Label("duplicate", _t("重复记账", "Duplicate entry")),
    Label("in_transit", _t("在途款项", "Payment in transit")),
)


def ladder_step(days_past_due: int, overdue: float, large: float) -> str:
    """The ladder step for an account whose oldest invoice is ``days_past_due`` late."""
    if days_past_due <= 0:
        return "reminder"
    if days_past_due <= 30:
        return "salesperson"
    if days_past_due <= 60:
        return "manager"
    if days_past_due <= 90:
        return "executive"
    return "legal" if overdue >= large else "agency"


@dataclass(frozen=True)
class Line:
    """A line the trainee may mark, in document order. ``expected``: the label id a right answer
    gives it ("" on a document without labels), or None when marking it is a false pick."""

    id: str
    name: Localized
    """How the answer controls and the review name the line (a customer, clause 4.2, a field)."""
    expected: str | None
    feedback: Localized | None = None


@dataclass(frozen=True)
class AgingRow:
    id: str
    customer: Localized
    grade: str
    terms: int
    limit: float
    amounts: tuple[float, ...]
    """One amount per :data:`BUCKETS`."""
    oldest_due: date | None
    """Due date of the oldest unpaid invoice past due; None when nothing is past due."""
    days: int
    """Days past due of the oldest unpaid invoice on the report date (0: nothing past due)."""
    note: Localized | None = None

    @property
    def total(self) -> float:
        return sum(self.amounts)

    @property
    def overdue(self) -> float:
        return sum(self.amounts[1:])

    @property
    def priority(self) -> float:
        """Overdue amount x days past due (amount x age)."""
        return self.overdue * self.days


@dataclass(frozen=True)
class Clause:
    id: str
    number: str
    heading: Localized
    text: Localized
    risk: str | None = None
    feedback: Localized | None = None


@dataclass(frozen=True)
class Field:
    """A labelled value of a bank advice or of our own records."""

    id: str
    label: Localized
    value: Localized
    mismatch: bool = False
    feedback: Localized | None = None


@dataclass(frozen=True)
class OpenItem:
    invoice: str
    issued: date
    due: date
    amount: float


@dataclass(frozen=True)
class Entry:
    """A line of a customer's statement or of our ledger (amounts owed to us go up with debit)."""

    id: str
    date: date
    ref: str
    text: Localized
    debit: float
    credit: float
    difference: str | None = None
    feedback: Localized | None = None


@dataclass(frozen=True)
class DecisionOption:
    id: str
    text: Localized
    correct: bool
    feedback: Localized | None = None


@dataclass(frozen=True)
class Document:
    """The document of one question, validated, with the lines a trainee may mark."""

    kind: str
    title: Localized
    heading: Localized | None
    currency: str
    lines: tuple[Line, ...]
    labels: tuple[Label, ...]
    as_of: date | None = None
    slots: int = 0
    """aging / reconciliation: how many lines the answer form offers (at most this many marked);
    0: one control per line (contract, remittance)."""
    false_pick_cost: float = 0.5
    """Share of one right line a wrong mark costs (aging: 0, a wrong pick already used a slot)."""
    label_share: float = 0.5
    """Share of a right line's credit that needs the right label (0 when there are no labels)."""
    decision_weight: float = 0.0
    """Share of the mark for the decision (remittance: the next step)."""
    large: float = 0.0
    rows: tuple[AgingRow, ...] = ()
    clauses: tuple[Clause, ...] = ()
    fields: tuple[Field, ...] = ()
    our_fields: tuple[Field, ...] = ()
    open_items: tuple[OpenItem, ...] = ()
    statement: tuple[Entry, ...] = ()
    ledger: tuple[Entry, ...] = ()
    statement_opening: float = 0.0
    ledger_opening: float = 0.0
    decision: tuple[DecisionOption, ...] = ()
    decision_prompt: Localized | None = None

    def line(self, line_id: str) -> Line:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(line_id)

    def label(self, label_id: str) -> Label:
        for label in self.labels:
            if label.id == label_id:
                return label
        raise KeyError(label_id)

    def option(self, option_id: str) -> DecisionOption:
        for option in self.decision:
            if option.id == option_id:
                return option
        raise KeyError(option_id)

    @property
    def targets(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.expected is not None)

    def ranking(self) -> list[AgingRow]:
        """Aging rows from the most to the least urgent (amount x age), report order on ties."""
        return sorted(self.rows, key=lambda row: -row.priority)

    def texts(self) -> Iterator[Localized]:
        """Every user-facing text of the document (translation checks, the content lint)."""
        yield self.title
        if self.heading:
            yield self.heading
        if self.decision_prompt:
            yield self.decision_prompt
        for line in self.lines:  # names are built from the texts below (a customer, a heading)
            if line.feedback:
                yield line.feedback
        for row in self.rows:
            yield row.customer
            if row.note:
                yield row.note
        for clause in self.clauses:
            yield clause.heading
            yield clause.text
        for field in (*self.fields, *self.our_fields):
            yield field.label
            yield field.value
        for entry in (*self.statement, *self.ledger):
            yield entry.text
        for option in self.decision:
            yield option.text
            if option.feedback:
                yield option.feedback


def format_money(amount: float) -> str:
    """``48,000.00``: how every amount of a document is shown."""
    return f"{amount:,.2f}"


def entry_name(side: str, entry: Entry) -> Localized:
    """How a statement or ledger line is named in the answer controls and the review."""
    amount = format_money(entry.debit or entry.credit)
    when = entry.date.isoformat()
    if side == "statement":
        return _t(f"客户对账单 {when} {entry.ref} {amount}", f"Their statement {when} {entry.ref} {amount}")
    return _t(f"我方账 {when} {entry.ref} {amount}", f"Our ledger {when} {entry.ref} {amount}")
