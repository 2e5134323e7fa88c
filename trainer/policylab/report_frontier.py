"""A policy against the efficient frontier, for a person: the chart (value against DSO, the frontier,
the preset default and the policy), the share of the best value it reaches, the value it leaves at its
risk, and the levers in which the nearest better frontier policy differs, in the user's language.

Reads the plain ``frontier`` dict a run or a round stored (:func:`trainer.sim.frontier.place`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from trainer.core.charts import PALETTE, Chart, ScatterGroup, ScatterPoint, scatter_chart
from trainer.policylab.forms import PRIORITY_LABELS, TERMS_LABELS
from trainer.policylab.report import Fmt

FRONTIER_COLOR, DEFAULT_COLOR, YOURS_COLOR = PALETTE[0], PALETTE[1], PALETTE[3]


@dataclass(frozen=True)
class LeverChange:
    name: str
    yours: str
    theirs: str


@dataclass(frozen=True)
class FrontierView:
    chart: Chart
    share: float | None  # of the best frontier value, 0..1 (None when the best value is not positive)
    gap: float  # value the frontier earns at no more risk, above this policy's
    best_value: float
    yours: Mapping[str, float]
    levers: list[LeverChange]
    on_frontier: bool
    seeds: Sequence[int]
    customers: int
    days: int


def lever_name(key: str) -> str:
    kind, _dot, grade = key.partition(".")
    names = {
        "terms": _("Grade %(grade)s terms", grade=grade),
        "limit": _("Grade %(grade)s credit limit", grade=grade),
        "deposit": _("Grade %(grade)s deposit", grade=grade),
        "discount": _("Grade %(grade)s early-payment discount", grade=grade),
        "reminder": _("Reminder before the due date"),
        "ladder": _("Escalation ladder"),
        "legal": _("Legal step"),
        "follow_up": _("Follow-up interval"),
        "agency": _("Collection agency"),
        "hold": _("Credit hold"),
        "collectors": _("Collectors"),
        "priority": _("Collectors' priority"),
    }
    return names.get(kind, key)


def _days_past_due(value: Any) -> str:
    return _("never") if value is None else _("day %(n)s past due", n=value)


def lever_value(key: str, value: Any) -> str:
    """A lever's level in words (``net30`` → 30 days' credit, ``None`` limit → no limit)."""
    kind = key.partition(".")[0]
    if kind == "terms":
        if value == "refuse":
            return _("not accepted")
        if str(value).startswith("net"):
            return _("%(n)s days' credit", n=str(value)[3:])
        return str(TERMS_LABELS.get(value, value))
    if kind == "limit":
        return _("no limit") if value is None else _("%(n)s months of purchases", n=f"{value:g}")
    if kind == "deposit":
        return f"{float(value) * 100:g} %"
    if kind == "discount":
        rate, days = value
        return _("none") if not rate else _("%(pct)s %% if paid within %(days)s days", pct=f"{rate * 100:g}", days=days)
    if kind == "reminder":
        return _("none") if value is None else _("%(n)s days before due", n=value)
    if kind == "ladder":
        if value[0] is None:
            return _("no escalation")
        return _("salesperson day %(s)s, manager day %(m)s, executive day %(e)s", s=value[0], m=value[1], e=value[2])
    if kind in ("legal", "agency", "hold"):
        return _days_past_due(value)
    if kind == "follow_up":
        return _("once, not repeated") if value is None else _("every %(n)s days", n=value)
    if kind == "priority":
        return str(PRIORITY_LABELS.get(value, value))
    return str(value)


def lever_changes(place: Mapping[str, Any]) -> list[LeverChange]:
    """The stored levers (at most three) in words: name, this policy's level, the frontier policy's."""
    return [LeverChange(lever_name(d["key"]), lever_value(d["key"], d["yours"]), lever_value(d["key"], d["theirs"]))
            for d in place.get("levers", [])]


def _point(x: Mapping[str, float], label: str, fmt: Fmt) -> ScatterPoint:
    return ScatterPoint(x["dso"], x["net_value"], label, (fmt.money_short(x["credit_loss"]),))


def frontier_chart(place: Mapping[str, Any], fmt: Fmt, chart_id: str = "chart-frontier") -> Chart:
    points = place["points"]
    best = int(place["best"])
    labels = [_("Frontier policy %(n)s", n=i + 1) + (" · " + _("best value") if i == best else "")
              for i in range(len(points))]
    groups = [
        ScatterGroup(_("Efficient frontier"), [_point(p, labels[i], fmt) for i, p in enumerate(points)],
                     FRONTIER_COLOR, "circle", line=True, size=4.5),
        ScatterGroup(_("Preset default"), [_point(place["default"], _("Preset default"), fmt)], DEFAULT_COLOR,
                     "diamond", size=5.5),
        ScatterGroup(_("Your policy"), [_point(place["yours"], _("Your policy"), fmt)], YOURS_COLOR, "star", size=6),
    ]
    return scatter_chart(chart_id, _("Net value against DSO: your policy and the efficient frontier"), groups,
                         x_label=_("DSO (days)"), y_label=_("Net value"), x_fmt=lambda v: f"{v:,.0f}",
                         y_fmt=fmt.money_short,
                         columns=(_("Policy"), _("DSO (days)"), _("Net value"),
                                  _("Bad debt, written off and expected")),
                         width=340, height=290, font_size=13)  # narrow: readable on a phone, capped on a desk


def frontier_view(place: Mapping[str, Any] | None, fmt: Fmt) -> FrontierView | None:
    """Everything the results page shows about the frontier (None when the run has no placing)."""
    if not place:
        return None
    levers = lever_changes(place)
    best_value = float(place["points"][int(place["best"])]["net_value"])
    return FrontierView(frontier_chart(place, fmt), place.get("share"), float(place.get("gap") or 0.0), best_value,
                        place["yours"], levers, place.get("nearest") is None or float(place.get("gap") or 0.0) <= 0,
                        place.get("seeds", []), int(place.get("customers", 0)), int(place.get("days", 0)))


@dataclass(frozen=True)
class TeamDistance:
    team: str
    share: float | None
    gap: float
    value: float
    levers: list[LeverChange]


def team_distances(standings: Sequence[Any]) -> list[TeamDistance]:
    """Each team with a placed result: the share of the best frontier value its current policy
    reaches, the value the frontier adds at its risk, and the levers to change (facilitators' view)."""
    out = []
    for standing in standings:
        result = standing.result
        place = (result.period or {}).get("frontier") if result is not None else None
        if not place:
            continue
        out.append(TeamDistance(standing.team.name, place.get("share"), float(place.get("gap") or 0.0),
                                float(place["yours"]["net_value"]), lever_changes(place)))
    return out
