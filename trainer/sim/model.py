"""The portfolio simulation: customers, orders, invoices and collectors on a SimPy clock.

Design, in short (docs/simulation.md has the full story):

* Randomness comes from independent ``numpy.random.Generator`` streams spawned from one
  ``SeedSequence``: portfolio, orders, payments, disputes, defaults, collection, shocks, fx. Orders and
  the per-order draws are generated in fixed 30-day blocks, whatever the policy, so two policies on the
  same seed face the same customers, the same orders and the same payment intentions (common random
  numbers); only the collection outcomes depend on what the policy makes happen.
* Every invoice has at most one pending wake-up timer (payment, next collection step, credit hold,
  write-off, end of dispute); a superseded timer is recognised by its time and ignored.
* Collection actions wait in a heap ordered by the trainee's priority rule; ``collectors`` idle
  collectors take the first, and each action is a timeout whose callback completes it.
* Everything on the clock is a SimPy timeout with a callback (orders and the daily snapshot included):
  no generator processes to resume per event. A few hot paths stay written out where a helper call
  per event would show (a payment closes its invoice inline, an idle collector takes an action without
  a trip through the queue, the order clock takes the next order directly).
* Aging buckets are kept by bookkeeping: open amounts are booked by due day and in the current bucket,
  and the end-of-day snapshot slides four due-day cohorts between buckets, so it never scans invoices.

The class is built in layers, one module each: :mod:`~trainer.sim.state` (shared state and helpers),
:mod:`~trainer.sim.ledger` (settlement, holds, defaults, the daily snapshot),
:mod:`~trainer.sim.collection` (timers, the ladder, the collectors' queue), :mod:`~trainer.sim.orders`
(customers, orders, invoices, the clocks) and this module (set-up, policy changes, the public API).
Code outside the engine watches a run through :mod:`trainer.sim.observers`.
"""

from __future__ import annotations

import gc
import heapq
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import simpy

from trainer.sim import kpis
from trainer.sim.collectability import allowance_rates_from_curve
from trainer.sim.entities import (
    ESCALATIONS,
    INF,
    LEDGER_DAYS,
    LOST_REASONS,
    RULES,
    STREAMS,
    Customer,
    Invoice,
    OrderBlock,
)
from trainer.sim.observers import CustomerAging, CustomerView, Observer
from trainer.sim.orders import Orders
from trainer.sim.params import GRADES, MAX_DAYS, STEPS, PolicyError, Problem
from trainer.sim.policy import Policy, policy_to_dict
from trainer.sim.presets import Preset, validate_run
from trainer.sim.results import DailySeries, Event, MonthEnd, SimResult, Summary, average_dso, build_months
from trainer.sim.value import churn_lost_sales, open_receivables_loss, value_breakdown

__all__ = ["STREAMS", "Simulation", "run"]


class Simulation(Orders):
    """A portfolio run that can be advanced in segments, each under its own policy.

    ``Simulation(preset, policy, seed).advance(90)`` runs 90 days; a later ``advance(90, other_policy)``
    continues from the same state with another policy (workshop rounds). ``result()`` may be called at
    any point and covers everything simulated so far. ``observers`` are told about refused orders and
    notable events as they happen (see :class:`trainer.sim.Observer`).
    """

    def __init__(self, preset: Preset, policy: Policy | None = None, seed: int = 0,
                 customers: int | None = None, *, trace: bool = False,
                 observers: Sequence[Observer] = (), env: simpy.Environment | None = None) -> None:
        n = preset.customers if customers is None else customers
        validate_run(n, 1)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise PolicyError([Problem("seed", "must_not_be_negative", "must be a whole number ≥ 0",
                                       {"value": repr(seed)})])
        self.preset = preset
        self.portfolio = preset.portfolio
        self.seed = seed
        self.n_customers = n
        self.policy = policy or preset.policy
        self._observers = tuple(observers)
        self.env = env if env is not None else simpy.Environment()  # the benchmark passes a recording one
        self.scheduled = 0
        children = np.random.SeedSequence(seed).spawn(len(STREAMS))
        self.rng = {name: np.random.Generator(np.random.PCG64(ss)) for name, ss in zip(STREAMS, children, strict=True)}
        self._curve = self.portfolio.collectability_curve
        self._n_milestones = len(self.portfolio.milestones)
        self._allowance_rates = self.portfolio.allowance_rates or allowance_rates_from_curve(self._curve)
        self._make_customers()
        # money and counters
        self.invoiced = self.collected = self.discounts = self.credit_notes = self.written_off = 0.0
        self.outstanding = self.cash_sales = self.lost_value = self.fx_result = 0.0
        self.staff_cost = self.action_cost = self.agency_fees = self.carrying = 0.0
        self.lost_count = dict.fromkeys(LOST_REASONS, 0)
        self.bad_by_grade = dict.fromkeys(GRADES, 0.0)
        self.n_orders = self.n_invoices = self.n_actions = self.n_disputes = 0
        self.n_holds = self.n_escalations = self.n_agency = self.n_writeoffs = self.n_defaults = self.n_churned = 0
        self.events = []
        # per-day accumulators reset at each snapshot
        self._d_sales = self._d_credit = self._d_coll = self._d_disc = self._d_cn = self._d_bad = 0.0
        self._d_lost = self._d_busy = self._d_wait = 0.0
        self._d_waits = 0
        self._daily = {name: [] for name in DailySeries.__dataclass_fields__}
        self._by_due = [0.0] * LEDGER_DAYS  # open amount by due day: the aging buckets slide over it
        self._levels = [0.0] * 5
        self._fx = [1.0]
        self._seq = 0
        self._blocks_made = 0
        self._block_order_id = 0
        self._segments: list[tuple[int, int, dict[str, Any]]] = []
        self._day = 0  # next day to snapshot
        self._progress = None
        self._progress_span = (0, 1)
        self._last_pct = -1
        self._active_collectors = 0
        self._idle = 0  # collectors waiting for work
        self._retiring = 0  # collectors to let go when they finish their current action
        self._tasks = []  # heap: (priority key, seq, ...)
        self._max_queue = 0
        self._busy = 0
        self._busy_since = 0.0
        self._wake_cb = self._on_wake
        self._done_cb = self._on_done
        self._order_cb = self._on_order_time
        self._day_cb = self._on_day
        self._blk = OrderBlock([], [], [], [], [], [], [], [], [], [], [], 0)  # orders of the current block
        self._blk_i = 0
        pf = self.portfolio
        self._milestones = pf.milestones
        #: per step: (action cost, harshness, strength, is an escalation), looked up once per action
        self._step_info = {step: (pf.action_cost[step], pf.harshness[step], pf.action_strength[step],
                                  step in ESCALATIONS)
                           for step in STEPS if step in pf.action_cost and step in pf.harshness
                           and step in pf.action_strength}
        self._rc = self.rng["collection"]
        self._u_buf = []
        self._u_next = 0
        self._exp_work = self.portfolio.work_time == "exponential"
        self._work_days = dict(self.portfolio.work_days)
        #: with ``trace=True``: (issue time, settlement time, amount, issue day, settlement day) of every
        #: settled piece of an invoice (for Little's-law tests; costs memory, so off by default)
        self.trace = [] if trace else None
        self._apply_policy(self.policy, first=True)
        self._start_clocks()
        self._schedule_defaults()

    def _apply_policy(self, policy: Policy, first: bool = False) -> None:
        old = None if first else self.policy
        self.policy = policy
        ladder = policy.ladder()
        steps: list[tuple[str, float]] = []
        if policy.reminder_days_before_due is not None:
            steps.append(("reminder", -float(policy.reminder_days_before_due)))
        steps.extend((name, float(day)) for name, day in ladder)
        self._steps = steps
        self._step_days = [day for _name, day in steps]
        # steps in order of their days (validated policies always are): the current and the next step
        # are then found by bisection
        self._steps_sorted = all(a <= b for a, b in zip(self._step_days, self._step_days[1:], strict=False))
        self._first_step_day = steps[0][1] if steps else INF
        self._grades = policy.grades
        self._hold_days = policy.credit_hold_days
        self._writeoff_days = policy.write_off_day
        self._rule = RULES.get(policy.priority, 2)
        self._follow = float(policy.follow_up_days) if policy.follow_up_days is not None else INF
        pf = self.portfolio
        self._terms_factor = {}
        for g in GRADES:
            gp = policy.grades[g]
            if gp.terms == "net":
                short = max(0.0, (pf.market_net_days - gp.net_days) / pf.market_net_days)
                self._terms_factor[g] = max(0.2, 1.0 - pf.terms_elasticity * short)
            else:
                self._terms_factor[g] = 1.0
        # collectors: hire at once; let go idle ones now and busy ones when they finish
        change = policy.collectors - self._active_collectors
        self._active_collectors = policy.collectors
        if change > 0:
            cancel = min(change, self._retiring)
            self._retiring -= cancel
            self._idle += change - cancel
        elif change < 0:
            leave_now = min(-change, self._idle)
            self._idle -= leave_now
            self._retiring += -change - leave_now
        if old is not None:
            if old.priority != policy.priority:
                items = self._tasks
                items[:] = [(self._priority(it[2], it[4]), it[1], it[2], it[3], it[4]) for it in items]
                heapq.heapify(items)
            self._replan_all()
            self._rehazard()
        self._dispatch()

    def _replan_all(self) -> None:
        """After a policy change: re-plan holds, write-offs and next steps of every open invoice."""
        now = self.env.now
        for c in self.customers:
            for inv in list(c.open.values()):
                self._set_policy_times(inv)
                if not inv.task_pending and not inv.agency:
                    self._plan_next(inv, now)
                self._schedule(inv)

    def _set_policy_times(self, inv: Invoice) -> None:
        p = self.policy
        inv.hold_t = inv.due_t + p.credit_hold_days if p.credit_hold_days is not None else INF
        inv.writeoff_t = inv.due_t + p.write_off_day

    @property
    def day(self) -> int:
        """Days simulated so far."""
        return self._day

    def advance(self, days: int, policy: Policy | None = None,
                on_progress: Callable[[float], None] | None = None) -> None:
        """Run ``days`` more days, switching to ``policy`` first if given.

        ``on_progress(fraction)`` is called as the segment advances (at most about 100 times).
        """
        if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
            raise PolicyError([Problem("days", "must_be_positive", f"must be a whole number > 0, got {days!r}",
                                       {"value": repr(days)})])
        if self._day + days > MAX_DAYS:
            raise PolicyError([Problem("days", "horizon_too_long",
                                       f"the run would last {self._day + days} days; at most {MAX_DAYS} "
                                       "(five years) are allowed", {"maximum": MAX_DAYS, "value": self._day + days})])
        if policy is not None and policy != self.policy:
            self._apply_policy(policy)
            if self._day:
                self._log(Event("policy_change", float(self._day), -1, 0.0, ""))
        start = self._day
        self._progress = on_progress
        self._progress_span = (start, start + days)
        self._last_pct = -1
        gc_was_on = gc.isenabled()
        # The model makes no reference cycles that outlive an invoice, but it keeps tens of thousands of
        # objects alive; the cyclic collector's full scans of them cost a third of a 10,000-customer run.
        gc.disable()
        try:
            self.env.run(until=start + days + 1e-9)
        finally:
            if gc_was_on:
                gc.enable()
            self._progress = None
        if self._segments and self._segments[-1][2] == policy_to_dict(self.policy):
            first, _, pd = self._segments[-1]
            self._segments[-1] = (first, self._day - 1, pd)
        else:
            self._segments.append((start, self._day - 1, policy_to_dict(self.policy)))

    def sim_events(self) -> int:
        """SimPy events the model scheduled so far (used by the benchmark); the ones ``env.run(until=...)``
        schedules for itself are not counted, so running in segments does not change the count."""
        return self.scheduled

    def result(self) -> SimResult:
        """Immutable results of everything simulated so far."""
        daily = DailySeries(**{k: tuple(v) for k, v in self._daily.items()})
        months = build_months(daily, self._allowance_rates, self.portfolio.annual_rate)
        return SimResult(
            preset=self.preset.name,
            seed=self.seed,
            customers=self.n_customers,
            days=self._day,
            segments=tuple(self._segments),
            daily=daily,
            months=months,
            summary=self._summary(daily, months),
            events=tuple(self.events),
        )

    def _summary(self, daily: DailySeries, months: Sequence[MonthEnd]) -> Summary:
        def safe(fn: Callable[..., float], *args: Any) -> float | None:
            try:
                return float(fn(*args))
            except ValueError:
                return None

        n = len(daily)
        sales = self.cash_sales + self.invoiced
        ar_avg = max(0.0, sum(daily.ar) / n) if n else 0.0
        last = months[-1] if months else None
        ar_end = daily.ar[-1] if n else 0.0
        current_end = daily.current[-1] if n else 0.0
        ceis = [m.cei for m in months if m.cei is not None]
        cap = sum(daily.collectors)
        waits = sum(daily.waits)
        margin = self.portfolio.margin
        collection_cost = self.staff_cost + self.action_cost + self.agency_fees
        dso, best_dso, add = average_dso(daily.ar, daily.current, self.invoiced)
        churn_sales = churn_lost_sales(c.monthly for c in self.customers if c.churned and not c.defaulted)
        open_loss = open_receivables_loss(self._curve, ((inv.remaining, self._day - inv.due_t)
                                                        for c in self.customers for inv in c.open.values()))
        value = value_breakdown(sales=sales, margin_rate=margin, bad_debt=self.written_off, discounts=self.discounts,
                                credit_notes=self.credit_notes, collection_cost=collection_cost,
                                carrying_cost=self.carrying, open_loss=open_loss, churn_sales=churn_sales,
                                fx_result=self.fx_result)
        return Summary(
            days=n,
            customers=self.n_customers,
            orders=self.n_orders,
            invoices=self.n_invoices,
            sales=sales,
            credit_sales=self.invoiced,
            cash_sales=self.cash_sales,
            collected=self.collected,
            discounts=self.discounts,
            credit_notes=self.credit_notes,
            bad_debt=self.written_off,
            bad_debt_by_grade=dict(self.bad_by_grade),
            outstanding=self.outstanding,
            ar_average=ar_avg,
            ar_end=ar_end,
            past_due_end=max(0.0, ar_end - current_end),
            dso=dso,
            dso_countback_end=last.dso_countback if last else None,
            best_possible_dso=best_dso,
            add=add,
            cei_average=sum(ceis) / len(ceis) if ceis else None,
            overdue_pct_end=last.overdue_pct if last else None,
            bad_debt_rate=safe(kpis.bad_debt_rate, self.written_off, sales),
            turnover=safe(kpis.ar_turnover, self.invoiced * 365.0 / max(n, 1), ar_avg),
            allowance_end=last.allowance if last else 0.0,
            gross_margin=value.margin,
            lost_sales=self.lost_value + churn_sales,
            refused_sales=self.lost_value,
            churn_lost_sales=churn_sales,
            lost_orders=sum(self.lost_count.values()),
            lost_by_reason=dict(self.lost_count),
            carrying_cost=self.carrying,
            staff_cost=self.staff_cost,
            action_cost=self.action_cost,
            agency_fees=self.agency_fees,
            collection_cost=collection_cost,
            fx_result=self.fx_result,
            expected_open_loss=open_loss,
            net_value=value.net_value,
            value=value.to_dict(),
            churned=self.n_churned,
            defaults=self.n_defaults,
            holds=self.n_holds,
            escalations=self.n_escalations,
            agency_placements=self.n_agency,
            write_offs=self.n_writeoffs,
            disputes=self.n_disputes,
            actions=self.n_actions,
            utilisation=sum(daily.busy_time) / cap if cap else 0.0,
            mean_wait=sum(daily.wait_time) / waits if waits else None,
            max_queue=self._max_queue,
            sim_events=self.sim_events(),
        )

    def customer(self, cid: int) -> CustomerView:
        """Customer ``cid`` (0 … customers − 1) as it is now."""
        c = self.customers[cid]
        return CustomerView(c.id, c.grade, c.behaviour, _status(c))

    def aging_by_customer(self) -> list[CustomerAging]:
        """Every customer's open invoices by aging bucket as of the last daily snapshot (a full scan)."""
        last_day = self._day - 1
        out = []
        for c in self.customers:
            buckets = [0.0] * 5
            oldest = 0
            for inv in c.open.values():
                late = last_day - inv.due_day
                buckets[_bucket(late)] += inv.remaining
                oldest = max(oldest, late)
            out.append(CustomerAging(CustomerView(c.id, c.grade, c.behaviour, _status(c)),
                                     (buckets[0], buckets[1], buckets[2], buckets[3], buckets[4]), oldest))
        return out

    def open_invoice_count(self) -> int:
        """Open invoices (a full scan; for tests and debugging, never called by the engine)."""
        return sum(len(c.open) for c in self.customers)

    def open_invoices(self) -> list[tuple[int, float]]:
        """(issue day, remaining amount) of every open invoice (full scan; for tests)."""
        return [(inv.issue_day, inv.remaining) for c in self.customers for inv in c.open.values()]

    def min_open_balance(self) -> float:
        """Smallest remaining amount over open invoices (full scan; for invariant tests)."""
        return min((inv.remaining for c in self.customers for inv in c.open.values()), default=0.0)


def _status(c: Customer) -> str:
    if c.defaulted:
        return "defaulted"
    if c.churned:
        return "churned"
    if c.hold_count > 0:
        return "hold"
    return "active"


def _bucket(late: int) -> int:
    """Aging bucket of an invoice ``late`` days past due: current, 1-30, 31-60, 61-90, over 90."""
    if late <= 0:
        return 0
    if late <= 30:
        return 1
    if late <= 60:
        return 2
    if late <= 90:
        return 3
    return 4


def run(preset: Preset, policy: Policy | None = None, seed: int = 0, customers: int | None = None,
        days: int | None = None, on_progress: Callable[[float], None] | None = None) -> SimResult:
    """Run one simulation of ``preset`` under ``policy`` (default: the preset's own) and return its result."""
    n_days = preset.days if days is None else days
    validate_run(preset.customers if customers is None else customers, n_days)
    sim = Simulation(preset, policy, seed=seed, customers=customers)
    sim.advance(n_days, on_progress=on_progress)
    return sim.result()
