"""What the policy lab tells the other features about people's saved runs (the manager dashboard
reads them here instead of querying the lab's tables)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from trainer.accounts.selection import UserIds, user_id_filter
from trainer.extensions import db
from trainer.policylab.models import SimRun


@dataclass(frozen=True)
class LabActivity:
    """Saved policy-lab runs: how many, when the latest was, and that run's DSO (days)."""

    runs: int
    last_at: datetime | None
    dso: float | None


@dataclass(frozen=True)
class SavedRun:
    created_at: datetime
    name: str
    preset: str


def _dso(summary: Any) -> float | None:
    dso = (summary or {}).get("dso") if isinstance(summary, dict) else None
    return float(dso) if isinstance(dso, int | float) and not isinstance(dso, bool) else None


def lab_activity(members: UserIds, until: datetime) -> dict[int, LabActivity]:
    """Saved runs per person up to ``until`` and the latest one's DSO (two queries for any group)."""
    counts = db.session.execute(
        select(SimRun.user_id, func.count(), func.max(SimRun.id), func.max(SimRun.created_at))
        .where(SimRun.user_id.in_(user_id_filter(members)), SimRun.created_at <= until)
        .group_by(SimRun.user_id)
    ).all()
    if not counts:
        return {}
    latest: dict[int, Any] = dict(
        db.session.execute(select(SimRun.id, SimRun.summary).where(SimRun.id.in_([row[2] for row in counts]))).all()
    )
    return {user_id: LabActivity(int(runs), last_at, _dso(latest.get(last_id)))
            for user_id, runs, last_id, last_at in counts}


def saved_runs(user_id: int, limit: int) -> list[SavedRun]:
    """One person's saved runs, newest first (for their timeline)."""
    rows = db.session.execute(
        select(SimRun.created_at, SimRun.name, SimRun.preset)
        .where(SimRun.user_id == user_id)
        .order_by(SimRun.created_at.desc())
        .limit(limit)
    ).all()
    return [SavedRun(created_at, name or "", preset) for created_at, name, preset in rows]
