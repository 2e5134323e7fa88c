"""Immutable result records of a simulation run and the month-end KPI roll-up.

The engine only records raw daily figures; every KPI here is computed with :mod:`trainer.sim.kpis`, so
the numbers a trainee sees in the simulation are the same formulas the lessons teach.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from trainer.sim import kpis
from trainer.sim.params import BUCKETS

__all__ = ["DailySeries", "Event", "MonthEnd", "SimResult", "Summary", "average_dso", "month_calendar"]

#: A 365-day calendar without leap years: the simulation starts on 1 January of year 1.
MONTH_DAYS: tuple[int, ...] = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MONTH_NAMES: tuple[str, ...] = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_calendar(days: int) -> list[tuple[int, int, int, int]]:
    """(year, month, first_day, last_day) for every month touched by days ``0 .. days-1``."""
    out: list[tuple[int, int, int, int]] = []
    start = 0
    year = 1
    while start < days:
        for m, length in enumerate(MONTH_DAYS, start=1):
            if start >= days:
                break
            out.append((year, m, start, min(start + length, days) - 1))
            start += length
        year += 1
    return out


@dataclass(frozen=True)
class Event:
    """A notable event for the debrief: ``kind`` is default, hold_start, hold_end, escalation, agency,
    write_off, churn, shock or policy_change; ``day`` is the simulation time in days."""

    kind: str
    day: float
    customer: int
    amount: float
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DailySeries:
    """End-of-day figures, one entry per simulated day (columns, ready for charts)."""

    day: tuple[int, ...]
    sales: tuple[float, ...]
    credit_sales: tuple[float, ...]
    collections: tuple[float, ...]
    discounts: tuple[float, ...]
    credit_notes: tuple[float, ...]
    bad_debt: tuple[float, ...]
    lost_sales: tuple[float, ...]
    ar: tuple[float, ...]
    current: tuple[float, ...]
    past_due_1_30: tuple[float, ...]
    past_due_31_60: tuple[float, ...]
    past_due_61_90: tuple[float, ...]
    past_due_over_90: tuple[float, ...]
    collectors: tuple[int, ...]
    busy_time: tuple[float, ...]
    queue: tuple[int, ...]
    waits: tuple[int, ...]
    wait_time: tuple[float, ...]
    churned: tuple[int, ...]

    def buckets(self, i: int) -> tuple[float, float, float, float, float]:
        """Aging buckets of day ``i`` in :data:`BUCKETS` order."""
        return (self.current[i], self.past_due_1_30[i], self.past_due_31_60[i], self.past_due_61_90[i],
                self.past_due_over_90[i])

    def __len__(self) -> int:
        return len(self.day)

    def to_dict(self) -> dict[str, list[Any]]:
        return {f.name: list(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class MonthEnd:
    """One calendar month: flows over the month, balances and KPIs at its end.

    ``dso``, ``best_possible_dso`` and ``average_days_delinquent`` follow the Credit Research Foundation
    (ending balances over the month's credit sales); ``None`` where a KPI is undefined (no credit sales).
    """

    year: int
    month: int
    label: str
    first_day: int
    last_day: int
    days: int
    sales: float
    credit_sales: float
    collections: float
    discounts: float
    credit_notes: float
    bad_debt: float
    lost_sales: float
    ar: float
    buckets: tuple[float, float, float, float, float]
    average_ar: float
    dso: float | None
    dso_countback: float | None
    best_possible_dso: float | None
    average_days_delinquent: float | None
    cei: float | None
    overdue_pct: float | None
    bad_debt_rate: float | None
    allowance: float
    turnover: float | None
    utilisation: float
    mean_wait: float | None
    max_queue: int
    churned: int
    carrying_cost: float

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["buckets"] = dict(zip(BUCKETS, self.buckets, strict=True))
        return d


@dataclass(frozen=True)
class Summary:
    """The whole run in one record (money in the portfolio's currency, rates in percent, times in days).

    ``dso``, ``best_possible_dso`` and ``add`` share one basis, the run's average balances over its credit
    sales (:func:`average_dso`), so ``add == dso − best_possible_dso`` exactly. ``lost_sales`` is
    ``refused_sales`` (orders refused) plus ``churn_lost_sales`` (what churned customers would have bought,
    see :mod:`trainer.sim.value`); ``value`` is the waterfall from margin to ``net_value``.
    """

    days: int
    customers: int
    orders: int
    invoices: int
    sales: float
    credit_sales: float
    cash_sales: float
    collected: float
    discounts: float
    credit_notes: float
    bad_debt: float
    bad_debt_by_grade: Mapping[str, float]
    outstanding: float
    ar_average: float
    ar_end: float
    past_due_end: float
    dso: float | None
    dso_countback_end: float | None
    best_possible_dso: float | None
    add: float | None
    cei_average: float | None
    overdue_pct_end: float | None
    bad_debt_rate: float | None
    turnover: float | None
    allowance_end: float
    gross_margin: float
    lost_sales: float
    refused_sales: float
    churn_lost_sales: float
    lost_orders: int
    lost_by_reason: Mapping[str, int]
    carrying_cost: float
    staff_cost: float
    action_cost: float
    agency_fees: float
    collection_cost: float
    fx_result: float
    expected_open_loss: float
    net_value: float
    value: Mapping[str, float]
    churned: int
    defaults: int
    holds: int
    escalations: int
    agency_placements: int
    write_offs: int
    disputes: int
    actions: int
    utilisation: float
    mean_wait: float | None
    max_queue: int
    sim_events: int

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["lost_by_reason"] = dict(self.lost_by_reason)
        d["value"] = dict(self.value)
        d["bad_debt_by_grade"] = dict(self.bad_debt_by_grade)
        return d


@dataclass(frozen=True)
class SimResult:
    """Everything a run produced. ``segments`` lists (first_day, last_day, policy dict) per policy period."""

    preset: str
    seed: int
    customers: int
    days: int
    segments: tuple[tuple[int, int, Mapping[str, Any]], ...]
    daily: DailySeries
    months: tuple[MonthEnd, ...]
    summary: Summary
    events: tuple[Event, ...]

    def to_dict(self, *, daily: bool = True, events: bool = True) -> dict[str, Any]:
        """JSON-ready dict; leave out the daily columns or the event log to keep it small."""
        out: dict[str, Any] = {
            "preset": self.preset,
            "seed": self.seed,
            "customers": self.customers,
            "days": self.days,
            "segments": [{"first_day": a, "last_day": b, "policy": dict(p)} for a, b, p in self.segments],
            "summary": self.summary.to_dict(),
            "months": [m.to_dict() for m in self.months],
        }
        if daily:
            out["daily"] = self.daily.to_dict()
        if events:
            out["events"] = [e.to_dict() for e in self.events]
        return out


def average_dso(ar: Sequence[float], current: Sequence[float], credit_sales: float
                ) -> tuple[float | None, float | None, float | None]:
    """(DSO, Best Possible DSO, ADD) of a run on one basis: average daily balances over the run's credit
    sales. Each day's current part is clipped to the day's receivables, so BPDSO ≤ DSO and ADD is
    their difference; all three are ``None`` without credit sales."""
    n = len(ar)
    if not n:
        return None, None, None
    ar_avg = max(0.0, sum(ar) / n)
    current_avg = min(ar_avg, sum(min(max(c, 0.0), max(a, 0.0)) for a, c in zip(ar, current, strict=True)) / n)
    dso = _safe(kpis.dso, ar_avg, credit_sales, n)
    if dso is None:
        return None, None, None
    best = kpis.best_possible_dso(current_avg, credit_sales, n)
    return dso, best, kpis.average_days_delinquent(ar_avg, current_avg, credit_sales, n)


def _safe(fn: Any, *args: Any, **kw: Any) -> float | None:
    try:
        return float(fn(*args, **kw))
    except ValueError:
        return None


def build_months(daily: DailySeries, allowance_rates: Sequence[float], annual_rate: float) -> tuple[MonthEnd, ...]:
    """Roll the daily series up to calendar months and compute the month-end KPIs."""
    months: list[MonthEnd] = []
    history: list[tuple[float, float]] = []  # (credit sales, days), oldest first
    previous_ar = 0.0
    n = len(daily)
    for year, month, first, last in month_calendar(n):
        sl = slice(first, last + 1)
        days = last - first + 1
        credit = sum(daily.credit_sales[sl])
        sales = sum(daily.sales[sl])
        ar = max(0.0, daily.ar[last])
        buckets = daily.buckets(last)
        current = min(max(buckets[0], 0.0), ar)  # the same basis for DSO, BPDSO and ADD
        past_due = ar - current
        avg_ar = max(0.0, sum(daily.ar[sl]) / days)
        history.append((credit, float(days)))
        cap = sum(daily.collectors[sl])
        busy = sum(daily.busy_time[sl])
        waits = sum(daily.waits[sl])
        bad = sum(daily.bad_debt[sl])
        months.append(
            MonthEnd(
                year=year,
                month=month,
                label=f"Y{year}-{MONTH_NAMES[month - 1]}",
                first_day=first,
                last_day=last,
                days=days,
                sales=sales,
                credit_sales=credit,
                collections=sum(daily.collections[sl]),
                discounts=sum(daily.discounts[sl]),
                credit_notes=sum(daily.credit_notes[sl]),
                bad_debt=bad,
                lost_sales=sum(daily.lost_sales[sl]),
                ar=ar,
                buckets=buckets,
                average_ar=avg_ar,
                dso=_safe(kpis.dso, ar, credit, days),
                dso_countback=_safe(kpis.dso_countback, ar, list(reversed(history))),
                best_possible_dso=_safe(kpis.best_possible_dso, current, credit, days),
                average_days_delinquent=_safe(kpis.average_days_delinquent, ar, current, credit, days),
                cei=_safe(kpis.cei, previous_ar, credit, ar, current, 1),
                overdue_pct=_safe(kpis.overdue_rate, past_due, ar),
                bad_debt_rate=_safe(kpis.bad_debt_rate, bad, sales),
                allowance=kpis.allowance_by_aging([max(b, 0.0) for b in buckets], list(allowance_rates)),
                turnover=_safe(kpis.ar_turnover, credit * 365.0 / days, avg_ar),
                utilisation=busy / cap if cap else 0.0,
                mean_wait=sum(daily.wait_time[sl]) / waits if waits else None,
                max_queue=max(daily.queue[sl]),
                churned=daily.churned[last],
                carrying_cost=kpis.carrying_cost(avg_ar, annual_rate, days=days),
            )
        )
        previous_ar = ar
    return tuple(months)
