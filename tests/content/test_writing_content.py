"""The real writing tasks: they load without problems, there are at least ten covering the kinds
the course asks for, every case's figures add up, and every model answer (both languages) passes
its own checklist, has no tone warning and is within the task's length."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from trainer.scorecard.framework import load_framework
from trainer.writing.checklist import check
from trainer.writing.tasks import load_writing

ROOT = Path(__file__).resolve().parents[2]
WRITTEN_ON = date(2026, 12, 1)  # the model answers' reply deadlines are in December 2026


@pytest.fixture(scope="module")
def content():
    framework, problems = load_framework(ROOT / "courses" / "competencies.yaml")
    assert not problems
    loaded, found = load_writing(ROOT / "writing", set(framework.competencies))
    assert not list(found)
    return loaded


def test_volume_and_kinds(content):
    kinds = Counter(task.kind for task in content.tasks.values())
    assert len(content.tasks) >= 10
    for kind in ("reminder", "overdue-email", "demand", "undertaking", "minutes", "escalation"):
        assert kinds[kind] >= 1, kind


def test_case_figures_add_up(content):
    for case in content.cases.values():
        assert case.amount == sum((i.amount for i in case.invoices), Decimal(0))
        assert all(i.date < case.due_date for i in case.invoices)
    jinlan, huarui, dingsheng = content.cases["jinlan"], content.cases["huarui"], content.cases["dingsheng"]
    assert jinlan.due_date == jinlan.invoices[0].date + timedelta(days=30)
    assert huarui.due_date == date(2026, 9, 30) + timedelta(days=60)
    assert dingsheng.due_date == dingsheng.invoices[0].date + timedelta(days=60)
    assert dingsheng.amount == Decimal("327000.00")
    assert content.cases["kaiyue"].amount == 3 * Decimal("140000")
    assert content.cases["mingtai"].amount - Decimal(12000) == Decimal(146000)


def test_every_model_answer_passes_its_own_checklist(content):
    for task in content.tasks.values():
        for lang in ("zh", "en"):
            result = check(task, task.model[lang], WRITTEN_ON)
            assert result.found == result.total, (task.id, lang, [i.id for i in result.items if not i.found])
            assert not result.warnings, (task.id, lang, result.warnings)
            assert result.length.status == "ok" and result.length.language == lang, (task.id, lang, result.length)
