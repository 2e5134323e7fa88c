"""A manager's home page summary: how the team is progressing, who is overdue, which
competencies are weakest, each with a link to the dashboard page that has the detail."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.manage.services.competencies import heatmap
from trainer.manage.services.overview import overview
from trainer.manage.services.scope import Scope

WEAKEST_SHOWN = 3
OVERDUE_SHOWN = 5


@dataclass(frozen=True)
class WeakCompetency:
    title: str
    measured: float


@dataclass(frozen=True)
class HomeSummary:
    members: int
    onboarding_percent: int  # lessons done across the members, as a share of all their lessons
    certified: int
    overdue: list[tuple[int, str]]  # (user id, name), the first OVERDUE_SHOWN
    overdue_count: int
    weakest: list[WeakCompetency]


def home_summary(scope: Scope, lang: str) -> HomeSummary:
    """The figures of the dashboard's overview and heatmap, boiled down for the home page."""
    rows = overview(scope).rows
    done = sum(row.progress.done for row in rows)
    total = sum(row.progress.total for row in rows)
    overdue = [(row.user_id, row.name) for row in rows if row.refresher.overdue]
    heat = heatmap(scope, lang)
    measured = [
        WeakCompetency(title, cell.measured)
        for (_dim, title), cell in zip(heat.dimensions, heat.averages, strict=True)
        if cell.measured is not None
    ]
    return HomeSummary(
        members=len(rows),
        onboarding_percent=round(100 * done / total) if total else 0,
        certified=sum(1 for row in rows if row.progress.certificate),
        overdue=overdue[:OVERDUE_SHOWN],
        overdue_count=len(overdue),
        weakest=sorted(measured, key=lambda w: w.measured)[:WEAKEST_SHOWN],
    )
