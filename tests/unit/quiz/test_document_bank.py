"""Document questions in a bank file: valid ones load with their answer key derived from the
figures; malformed ones give a clear problem with file and line, like every content error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import COMPETENCIES
from tests.unit.quiz.conftest import MODULES
from trainer.quiz.bank.gift_write import export_gift
from trainer.quiz.bank.loader import load_banks

HEAD = """\
bank: b
title: {zh: 单据, en: Documents}
questions:
  - id: doc-x
    type: document
    module: m3-collection
    competencies: [data_analysis]
    difficulty: medium
    kind: application
    text: {zh: 题目, en: The task}
    document:
"""

# (id, current, 1-30, 31-60, 61-90, over 90, oldest due) on 2026-11-30; large = 100,000
ROWS = [
    ("r01", 0, 0, 0, 310000, 0, "2026-09-19"),  # 72 days: 22.32M executive
    ("r02", 0, 0, 0, 0, 150000, "2026-08-04"),  # 118 days: 17.70M legal
    ("r03", 0, 0, 135000, 0, 0, "2026-10-09"),  # 52 days: 7.02M manager
    ("r04", 0, 0, 0, 0, 46000, "2026-07-12"),  # 141 days: 6.49M agency
    ("r05", 0, 260000, 0, 0, 0, "2026-11-06"),  # 24 days: 6.24M salesperson
    ("r06", 900000, 0, 0, 0, 0, None),
    *[(f"r{n:02d}", 1000 * n, 1000, 0, 0, 0, "2026-11-25") for n in range(7, 16)],
]


def aging_yaml(rows=ROWS, as_of: str = "2026-11-30") -> str:  # type: ignore[no-untyped-def]
    lines = [f"      kind: aging\n      title: {{zh: 账龄表, en: Aging}}\n      as_of: {as_of}\n      large: 100000\n      rows:"]
    for rid, cur, a, b, c, d, due in rows:
        lines.append(
            f"        - {{id: {rid}, customer: {{zh: 客户{rid}, en: Customer {rid}}}, grade: B, terms: 30, limit: 500000,"
            f" current: {cur}, d1_30: {a}, d31_60: {b}, d61_90: {c}, over_90: {d}"
            + (f", oldest_due: {due}" if due else "") + "}"
        )
    return HEAD + "\n".join(lines) + "\n"


CONTRACT = HEAD + """\
      kind: contract
      title: {zh: 合同, en: Contract}
      clauses:
        - {id: c1, number: "1", heading: {zh: 标的, en: Subject}, text: {zh: 甲, en: A}}
        - {id: c2, number: "2", heading: {zh: 验收, en: Acceptance}, text: {zh: 乙, en: B}, risk: open_acceptance,
           feedback: {zh: 无期限, en: No deadline}}
        - {id: c3, number: "3", heading: {zh: 付款, en: Payment}, text: {zh: 丙, en: C}, risk: pay_when_paid,
           feedback: {zh: 背靠背, en: Pay when paid}}
        - {id: c4, number: "4", heading: {zh: 争议, en: Disputes}, text: {zh: 丁, en: D}}
"""

RECON = HEAD + """\
      kind: reconciliation
      title: {zh: 对账, en: Reconciliation}
      as_of: 2026-11-30
      statement:
        opening: 1000
        lines:
          - {id: s1, date: 2026-11-03, ref: INV-1, text: {zh: 入库, en: Goods}, debit: 500, credit: 0}
          - {id: s2, date: 2026-11-09, ref: BK-1, text: {zh: 付款, en: Payment}, debit: 0, credit: 300,
             difference: unapplied_cash, feedback: {zh: 核销, en: Apply it}}
      ledger:
        opening: 1000
        lines:
          - {id: l1, date: 2026-11-03, ref: INV-1, text: {zh: 发票, en: Invoice}, debit: 500, credit: 0}
"""


@pytest.fixture
def load(tmp_path: Path) -> Callable[[str], object]:
    def run(text: str):  # type: ignore[no-untyped-def]
        folder = tmp_path / "banks"
        folder.mkdir(exist_ok=True)
        (folder / "b.yaml").write_text(text, encoding="utf-8")
        return load_banks(folder, module_ids=MODULES, competency_ids=COMPETENCIES)

    return run


def test_an_aging_report_derives_the_five_calls_and_their_steps(load) -> None:  # type: ignore[no-untyped-def]
    bank_set, problems = load(aging_yaml())
    assert not problems, "\n".join(map(str, problems))
    document = bank_set["doc-x"].document
    assert {line.id: line.expected for line in document.targets} == {
        "r01": "executive", "r02": "legal", "r03": "manager", "r04": "agency", "r05": "salesperson"}
    row = document.rows[0]
    assert (row.days, row.overdue, row.total) == (72, 310000, 310000)


def test_contract_and_reconciliation_load(load) -> None:  # type: ignore[no-untyped-def]
    for text in (CONTRACT, RECON):
        bank_set, problems = load(text)
        assert not problems, "\n".join(map(str, problems))
    assert [line.expected for line in bank_set["doc-x"].document.lines] == [None, "unapplied_cash", None]
    assert bank_set["doc-x"].document.slots == 3  # one difference + 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (aging_yaml(ROWS[:14]), "b.yaml:16: question doc-x document: an aging report has 15-30 rows, has 14"),
        (aging_yaml([*ROWS[:5], ("r06", 0, 0, 0, 5000, 0, "2026-11-20"), *ROWS[6:]]),
         "b.yaml:22: question doc-x document rows r06: oldest_due 2026-11-20 is 10 days past due on 2026-11-30, "
         "but the oldest amount is in the d61_90 column (61-90 days)"),
        (aging_yaml([*ROWS[:5], ("r06", 0, 0, 0, 0, 0, "2026-11-20"), *ROWS[6:]]),
         "b.yaml:22: question doc-x document rows r06: oldest_due given but nothing is past due"),
        (aging_yaml([*ROWS[:5], ("r06", 0, 260000, 0, 0, 0, "2026-11-06"), *ROWS[6:]]),
         "question doc-x document: rows r05 and r06 tie for the fifth call"),
        (aging_yaml(as_of="30 Nov"), "b.yaml:14: question doc-x document: as_of must be a date like 2026-11-30, got '30 Nov'"),
        (aging_yaml().replace("grade: B, terms: 30, limit: 500000, current: 0, d1_30: 0, d31_60: 0, d61_90: 310000",
                              "grade: E, terms: 30, limit: 500000, current: 0, d1_30: 0, d31_60: 0, d61_90: 310000"),
         "b.yaml:17: question doc-x document rows r01: grade must be one of A, B, C, D, got 'E'"),
        (CONTRACT.replace("risk: pay_when_paid", "risk: pay_later"),
         "b.yaml:18: question doc-x document clauses c3: risk must be one of open_acceptance"),
        (CONTRACT.replace("risk: pay_when_paid,\n           feedback: {zh: 背靠背, en: Pay when paid}", "risk: pay_when_paid"),
         "b.yaml:18: question doc-x document clauses c3: a risky clause needs feedback"),
        (CONTRACT.replace("kind: contract", "kind: invoice"), "b.yaml:12: question doc-x: document kind must be one of aging, contract"),
        (CONTRACT.replace("      clauses:", "      pages: 2\n      clauses:"), "b.yaml:14: question doc-x document: unknown key 'pages'"),
        (RECON.replace("ref: INV-1, text: {zh: 发票", "ref: INV-2, text: {zh: 发票"),
         "question doc-x document: line INV-1 (500.00) is on one side only but not marked as a difference"),
        (RECON.replace("opening: 1000\n        lines:\n          - {id: l1", "opening: 900\n        lines:\n          - {id: l1"),
         "question doc-x document: the opening balances differ (1,000.00 vs 900.00)"),
        (RECON.replace("debit: 0, credit: 300", "debit: 300, credit: 300"),
         "b.yaml:19: question doc-x document statement lines s2: exactly one of debit and credit is above zero"),
        (RECON.replace("date: 2026-11-09", "date: 2026-12-09"),
         "b.yaml:19: question doc-x document statement lines s2: date 2026-12-09 is after the statement date 2026-11-30"),
        (RECON.replace("difference: unapplied_cash", "difference: lost"),
         "b.yaml:20: question doc-x document statement lines s2: difference must be one of unapplied_cash"),
        (HEAD.replace("    document:\n", "    document: [1, 2]\n"), "b.yaml:11: question doc-x: document must be a mapping"),
    ],
)
def test_malformed_documents_name_the_file_and_line(load, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    bank_set, problems = load(text)
    messages = [str(problem).split("/banks/", 1)[-1] for problem in problems]
    assert any(expected in message for message in messages), "\n".join(messages)
    assert "doc-x" not in bank_set


def test_gift_export_skips_document_questions_with_a_warning(load) -> None:  # type: ignore[no-untyped-def]
    bank_set, problems = load(CONTRACT)
    assert not problems
    text, warnings = export_gift(list(bank_set), lang="en")
    assert "doc-x" not in text
    assert warnings == ["question doc-x (document): GIFT has no document question; skipped"]
