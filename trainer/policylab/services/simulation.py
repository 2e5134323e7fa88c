"""One observed engine run and what the results page needs from it.

The engine (:mod:`trainer.sim`) stays pure; the lab watches it through the public observer interface
(:class:`trainer.sim.Observer`) for the value of the orders refused per reason, and reads the
end-of-run aging customer by customer (:meth:`trainer.sim.Simulation.aging_by_customer`). Everything
here is a plain JSON-ready dict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from trainer import sim
from trainer.policylab.services.presets import preset

LOST_REASONS = ("grade", "terms", "hold", "limit")

Progress = Callable[[float], None]


class RefusedOrders(sim.Observer):
    """Adds up the value of the orders the policy refused, per reason (the engine only counts them)."""

    def __init__(self) -> None:
        self.value_by_reason: dict[str, float] = dict.fromkeys(LOST_REASONS, 0.0)

    def on_order_refused(self, customer: int, value: float, reason: str) -> None:
        self.value_by_reason[reason] = self.value_by_reason.get(reason, 0.0) + value


def aging_rows(engine: sim.Simulation) -> list[dict[str, Any]]:
    """Each customer with an open balance: buckets as the engine's last snapshot counts them."""
    rows = []
    for aging in engine.aging_by_customer():
        total = sum(aging.buckets)
        if total <= 0.005:
            continue
        rows.append({
            "customer": aging.customer.id,
            "grade": aging.customer.grade,
            "behaviour": aging.customer.behaviour,
            "status": aging.customer.status,
            "buckets": [round(x, 2) for x in aging.buckets],
            "total": round(total, 2),
            "oldest": max(0, aging.oldest),
        })
    return rows


def cash(summary: Mapping[str, Any]) -> float:
    """Cash in: collections on invoices plus cash sales and deposits."""
    return float(summary["collected"]) + float(summary["cash_sales"])


def _defaults(engine: sim.Simulation, result: sim.SimResult, policy: sim.Policy) -> list[dict[str, Any]]:
    """The customers who defaulted, largest balance first, with the terms the policy gave them."""
    defaults: list[dict[str, Any]] = []
    for e in result.events:
        if e.kind == "default":
            c = engine.customer(e.customer)
            gp = policy.grades[c.grade]
            defaults.append({
                "customer": e.customer, "day": int(e.day), "amount": round(e.amount, 2), "grade": c.grade,
                "behaviour": c.behaviour, "terms": gp.terms, "net_days": gp.net_days,
                "limit": gp.credit_limit_months,
            })
    defaults.sort(key=lambda d: (-d["amount"], d["customer"]))
    return defaults


def debrief_facts(engine: sim.Simulation, refused: RefusedOrders, result: sim.SimResult,
                  policy: sim.Policy) -> dict[str, Any]:
    """The numbers the written debrief is made of (the words are added per language when shown)."""
    s = result.summary
    defaults = _defaults(engine, result, policy)
    write_offs = {"default": 0.0, "age": 0.0}
    escalations = {"manager": 0, "executive": 0, "legal": 0}
    for e in result.events:
        if e.kind == "write_off":
            write_offs["default" if e.detail == "default" else "age"] += e.amount
        elif e.kind == "escalation" and e.detail in escalations:
            escalations[e.detail] += 1
    busiest = None
    waits = [m for m in result.months if m.mean_wait is not None]
    if waits:
        worst = max(waits, key=lambda m: (m.mean_wait or 0.0, m.max_queue))
        busiest = {"month": worst.month, "year": worst.year, "mean_wait": worst.mean_wait,
                   "max_queue": worst.max_queue, "utilisation": worst.utilisation}
    peak_util = max((m.utilisation for m in result.months), default=0.0)
    return {
        "defaults": defaults[:5],
        "default_count": s.defaults,
        "default_total": round(sum(d["amount"] for d in defaults), 2),
        "write_offs": {k: round(v, 2) for k, v in write_offs.items()},
        "lost_count": dict(s.lost_by_reason),
        "lost_value": {k: round(v, 2) for k, v in refused.value_by_reason.items()},
        "holds": s.holds,
        "escalations": escalations,
        "agency": s.agency_placements,
        "churned": s.churned,
        "busiest": busiest,
        "peak_utilisation": peak_util,
        "utilisation": s.utilisation,
        "mean_wait": s.mean_wait,
        "max_queue": s.max_queue,
        "collectors": policy.collectors,
        "margin": engine.portfolio.margin,
    }


def simulate(preset_name: str, policy: Mapping[str, Any], seed: int, customers: int, days: int,
             progress: Progress | None = None) -> dict[str, Any]:
    """One run, everything the results page needs, as a JSON-ready dict."""
    the_preset = preset(preset_name)
    pol = sim.policy_from_dict(dict(policy), the_preset.policy)
    refused = RefusedOrders()
    engine = sim.Simulation(the_preset, pol, seed=seed, customers=customers, observers=[refused])
    engine.advance(days, on_progress=progress)
    result = engine.result()
    return {
        "summary": result.summary.to_dict(),
        "result": {
            "months": [m.to_dict() for m in result.months],
            "debrief": debrief_facts(engine, refused, result, pol),
            "aging": aging_rows(engine),
            "currency": the_preset.portfolio.currency,
            "margin": the_preset.portfolio.margin,
        },
    }
