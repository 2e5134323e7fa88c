"""The pure checklist: elements found or missing against the case's facts, amounts in every
common notation, dates (past, invalid, without a year), tone warnings in both languages, length."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from trainer.writing.checklist import capital_amount, check, find_dates, paragraphs, segments, tone_warnings
from trainer.writing.tasks import load_writing

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 12, 6)
COMPETENCIES = {"collection_communication", "legal_compliance", "negotiation_objections", "teamwork_escalation",
                "invoicing_reconciliation"}


@pytest.fixture(scope="module")
def tasks():
    content, problems = load_writing(ROOT / "writing", COMPETENCIES)
    assert not problems
    return content.tasks


def _items(task, text, today=TODAY):
    return {item.id: item for item in check(task, text, today).items}


@pytest.mark.parametrize("notation", ["128,500.00", "128500", "128500元", "12.85万", "12.85 万元", "¥128,500", "CNY 128,500.00",
                                      "人民币壹拾贰万捌仟伍佰元整"])
def test_amount_in_any_common_notation(tasks, notation):
    item = _items(tasks["jinlan-friendly-reminder"], f"发票金额 {notation}，请安排。")["amount"]
    assert item.found and item.spans


def test_wrong_amount_is_reported_with_the_right_one(tasks):
    item = _items(tasks["jinlan-friendly-reminder"], "金额 125,800.00 元")["amount"]
    assert not item.found and item.note == "wrong_amount" and item.values == ("125,800.00", "128,500.00")


def test_numbers_that_are_codes_or_dates_are_not_amounts(tasks):
    item = _items(tasks["jinlan-friendly-reminder"], "发票 00917345，合同 JL-2026-1103，2026-12-10 到期")["amount"]
    assert not item.found and item.note == ""


def test_invoices_all_some_none(tasks):
    task = tasks["huarui-first-overdue"]
    assert _items(task, "发票 04418821 和 04418822")["invoices"].found
    some = _items(task, "发票 04418821")["invoices"]
    assert not some.found and some.note == "some_missing" and some.values == ("04418822",)
    assert not _items(task, "发票 104418821 和 044188220")["invoices"].found


def test_due_date_in_several_notations(tasks):
    task = tasks["huarui-first-overdue"]
    for text in ("2026-11-29", "2026年11月29日", "11月29日", "29 November 2026", "November 29", "Nov. 29th, 2026", "2026/11/29"):
        assert _items(task, f"due on {text}")["due_date"].found, text
    assert not _items(task, "due on 2025-11-29")["due_date"].found


def test_deadline_in_the_past_invalid_or_future(tasks):
    task = tasks["huarui-first-overdue"]
    past = _items(task, "请在 2026 年 12 月 1 日前回复")["reply_deadline"]
    assert not past.found and past.note == "past_deadline"
    invalid = _items(task, "请在 2 月 30 日前回复")["reply_deadline"]
    assert not invalid.found and invalid.note == "invalid_date"
    assert not _items(task, "reply by 2026-13-01")["reply_deadline"].found
    assert _items(task, "请在 12 月 11 日前回复")["reply_deadline"].found
    assert _items(task, "please reply by 8 January")["reply_deadline"].found  # next year
    assert not _items(task, "到期日 11 月 29 日")["reply_deadline"].found  # the case's own due date is past
    result = check(task, "请在 2 月 30 日前回复", TODAY)
    assert [w.category for w in result.warnings] == ["invalid_date"]


def test_dates_without_year_resolve_near_today():
    found = find_dates("1月5日 和 12月1日 和 9月29日", TODAY)
    assert [f.value for f in found] == [date(2027, 1, 5), date(2026, 12, 1), date(2027, 9, 29)]


def test_account_with_or_without_spaces_and_custom_words(tasks):
    task = tasks["huarui-already-paid"]
    assert _items(task, "账号 121908526610608")["account"].found
    assert _items(task, "account 1219-0852-6610-608")["account"].found
    assert not _items(task, "账号尾号 0608")["account"].found
    assert _items(task, "Please send the Remittance advice")["remittance"].found
    assert not _items(task, "please pay")["remittance"].found


def test_tone_warnings_both_languages():
    zh = tone_warnings("你们这些老赖，再不付款后果自负！我们会告诉你们的客户。违约金就不要了。")
    assert [w.category for w in zh] == ["insult", "threat", "defamation", "promise"]
    en = tone_warnings("You liars. Pay or else. This is fraud. We can waive the late fee and extend your payment terms.")
    assert [w.category for w in en] == ["insult", "threat", "defamation", "promise", "promise"]


def test_negated_promises_are_fine_and_allowed_kinds_are_skipped():
    assert tone_warnings("我们不能免除违约金。We cannot waive the late fee.") == []
    assert tone_warnings("可以延期到下月", allow=("extension",)) == []
    assert [w.category for w in tone_warnings("可以延期到下月")] == ["promise"]


def test_length_in_characters_or_words(tasks):
    task = tasks["jinlan-friendly-reminder"]
    short = check(task, "王会计您好", TODAY).length
    assert (short.language, short.count, short.status) == ("zh", 5, "short")
    long = check(task, "word " * 500, TODAY).length
    assert (long.language, long.count, long.status) == ("en", 500, "long")


def test_capital_amounts():
    assert capital_amount("壹拾贰万捌仟伍佰元整") == Decimal(128500)
    assert capital_amount("叁拾捌万陆仟元整") == Decimal(386000)
    assert capital_amount("壹佰零伍元伍角陆分") == Decimal("105.56")
    assert capital_amount("壹亿贰仟万元整") == Decimal(120_000_000)
    assert capital_amount("一百元") is None


def test_segments_cover_the_text_with_marks():
    pieces = segments("abcdef", [((1, 3), "i1"), ((2, 5), "warn")])
    assert "".join(p for p, _ in pieces) == "abcdef"
    assert pieces == [("a", ()), ("b", ("i1",)), ("c", ("i1", "warn")), ("de", ("warn",)), ("f", ())]


def test_loader_reports_problems_with_lines(tmp_path):
    folder = tmp_path / "writing"
    folder.mkdir()
    (folder / "cases.yaml").write_text("cases:\n  - id: x\n    customer: {zh: 甲}\n", encoding="utf-8")
    (folder / "tasks.yaml").write_text("rubrics: {}\ntasks:\n  - id: t1\n    case: nope\n", encoding="utf-8")
    _, problems = load_writing(folder, set())
    messages = [str(p) for p in problems]
    assert any("cases.yaml:2:" in m and "'id'" in m for m in messages)
    assert any("cases.yaml:3:" in m and "customer" in m for m in messages)
    assert any("tasks.yaml:4:" in m and "unknown case 'nope'" in m for m in messages)


def test_any_text_gives_a_result_never_an_error(tasks):
    alphabet = "0123456789,.-/ 年月日号万元¥壹贰拾佰仟亿整角分 JanMayOct stndrdth\n\n不能免除违约金 or else 骗子"
    rng = random.Random(17)
    task = tasks["dingsheng-formal-demand"]
    for _ in range(600):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        result = check(task, text, TODAY)
        marks = [((w.start, w.end), "warn") for w in result.warnings]
        marks += [(span, item.id) for item in result.items for span in item.spans]
        assert "".join(piece for piece, _ in segments(text, marks)) == text
    assert check(task, "9" * 5000 + " 万元 " + "1" * 400, TODAY).items


def test_paragraph_spans():
    assert paragraphs("a\n\n\nb c\n  \nd") == [(0, 1), (4, 7), (11, 12)]
    assert paragraphs("") == [] and paragraphs("\n\n") == []
