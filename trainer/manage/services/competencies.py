"""The competency heatmap: members × dimensions, self-rated and measured, with the team average."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.content.source import pick
from trainer.manage.services.cells import scorecards_by_member
from trainer.manage.services.people import member_list
from trainer.manage.services.scope import Scope
from trainer.scorecard import rules
from trainer.scorecard.services.common import framework


@dataclass(frozen=True)
class HeatCell:
    dimension_id: str
    self_score: float | None
    measured: float | None
    gap: str
    low_confidence: bool

    @property
    def flag(self) -> str:
        """The gap to mark: over/underconfident only on enough evidence (as the overview counts)."""
        return self.gap if self.gap in ("overconfident", "underconfident") and not self.low_confidence else ""

    @property
    def heat(self) -> int | None:
        """Colour class 1-5: the measured level, else the self level."""
        value = self.measured if self.measured is not None else self.self_score
        return None if value is None else rules.level_for(value)


@dataclass(frozen=True)
class HeatRow:
    user_id: int
    name: str
    cells: list[HeatCell]


@dataclass(frozen=True)
class Heatmap:
    dimensions: list[tuple[str, str]]  # (id, title)
    rows: list[HeatRow]
    averages: list[HeatCell]


def heatmap(scope: Scope, lang: str) -> Heatmap:
    """Members × dimensions, self and measured: four queries whatever the team size."""
    fw = framework()
    members = scope.members()
    people = member_list(members)
    summaries = scorecards_by_member(members, scope.quarter, scope.as_of)
    rows = []
    for user_id, name, _email, _seen in people:
        summary = summaries.get(user_id)
        cells = []
        for dim in fw.ids:
            own = summary.self_scores.get(dim) if summary else None
            measured = summary.measured.get(dim) if summary else None
            gap = summary.gaps[dim].kind if summary and dim in summary.gaps else "no_evidence"
            cells.append(
                HeatCell(dim, own, measured.score if measured else None, gap,
                         bool(measured and measured.score is not None and measured.low_confidence))
            )
        rows.append(HeatRow(user_id, name, cells))
    averages = []
    for index, dim in enumerate(fw.ids):
        selfs = [s for r in rows if (s := r.cells[index].self_score) is not None]
        scores = [m for r in rows if (m := r.cells[index].measured) is not None]
        own = sum(selfs) / len(selfs) if selfs else None
        other = sum(scores) / len(scores) if scores else None
        kind = rules.gaps({dim: own}, {dim: other})[dim].kind
        averages.append(HeatCell(dim, own, other, kind, False))
    return Heatmap([(d.id, pick(d.title, lang)) for d in fw], rows, averages)
