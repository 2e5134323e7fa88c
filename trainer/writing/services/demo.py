"""Demo data: a submitted letter waiting for the first demo manager's review, and one reviewed."""

from __future__ import annotations

import random
from datetime import timedelta

from trainer.accounts.demo import DemoPeople
from trainer.core.content import catalog
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.writing.checklist import check
from trainer.writing.models import WritingDraft, WritingReview, WritingSubmission
from trainer.writing.services.common import today

DEMO_TEXTS = {
    "huarui-first-overdue": (
        "周经理您好：\n\n合同 HR-2026-0715 的两张发票 04418821 和 04418822 已经到期，合计 386,000 元，"
        "请尽快安排付款。\n\n谢谢！"
    ),
    "jinlan-friendly-reminder": (
        "王会计您好：\n\n感谢一直以来的支持！发票 00917345（合同 JL-2026-1103）金额 128,500.00 元，"
        "将于 12 月 10 日到期，请提前安排。收款账户：招商银行上海分行营业部 1219 0852 6610 608。\n\n祝好！"
    ),
}


def seed_demo(people: DemoPeople, rng: random.Random) -> None:
    """The first trainee of the first manager's team submits two letters; one is reviewed."""
    tasks = catalog().writing.tasks
    manager = people.managers[0] if people.managers else None
    team = people.teams[0] if people.teams else None
    author = next((t for t in people.trainees if team is not None and team in t.teams), None)
    if manager is None or author is None:
        return
    now = utcnow()
    for offset, (task_id, text) in enumerate(DEMO_TEXTS.items()):
        task = tasks.get(task_id)
        if task is None:
            continue
        result = check(task, text, today())
        submitted = now - timedelta(days=2 + offset, hours=rng.randint(0, 6))
        submission = WritingSubmission(user_id=author.id, task_id=task_id, version=1, text=text,
                                       submitted_at=submitted, checklist_found=result.found,
                                       checklist_total=result.total)
        db.session.add(submission)
        db.session.add(WritingDraft(user_id=author.id, task_id=task_id, text=text, updated_at=submitted))
        if offset == 1:
            scores = {item.id: 2 + (index % 2) for index, item in enumerate(task.rubric.items)}
            db.session.flush()
            db.session.add(WritingReview(
                submission_id=submission.id, reviewer_id=manager.id, kind="manager", requested_at=submitted,
                completed_at=submitted + timedelta(hours=20), scores=scores, score=sum(scores.values()),
                max_score=task.rubric.max_score, comment="清楚、客气，账户和到期日都有。",
            ))
    db.session.flush()
