"""The state every part of a run shares (declared once, for the type checker and the reader) and the
small helpers the parts all use. :class:`trainer.sim.model.Simulation` builds it; the ledger, the
collection desk and the order flow (:mod:`~trainer.sim.ledger`, :mod:`~trainer.sim.collection`,
:mod:`~trainer.sim.orders`) each add their behaviour on top, one layer per module."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import simpy

from trainer.sim.entities import BLOCK_DAYS, Customer, Invoice, OrderBlock
from trainer.sim.observers import Observer
from trainer.sim.policy import GradePolicy, Policy
from trainer.sim.portfolio import Portfolio
from trainer.sim.presets import Preset
from trainer.sim.results import Event

#: a queued collection action: (priority key, sequence number, invoice, step, time queued)
Task = tuple[float, int, Invoice, str, float]


class SimState:
    """Attributes of a run (set in ``Simulation.__init__``) and the helpers shared by every layer."""

    # the run
    preset: Preset
    portfolio: Portfolio
    policy: Policy
    seed: int
    n_customers: int
    env: simpy.Environment
    #: SimPy events the model scheduled (counted where it schedules them; the benchmark's denominator)
    scheduled: int
    rng: dict[str, np.random.Generator]
    customers: list[Customer]
    events: list[Event]
    trace: list[tuple[float, float, float, int, int]] | None
    _observers: tuple[Observer, ...]
    # money and counters
    invoiced: float
    collected: float
    discounts: float
    credit_notes: float
    written_off: float
    outstanding: float
    cash_sales: float
    lost_value: float
    fx_result: float
    staff_cost: float
    action_cost: float
    agency_fees: float
    carrying: float
    lost_count: dict[str, int]
    bad_by_grade: dict[str, float]
    n_orders: int
    n_invoices: int
    n_actions: int
    n_disputes: int
    n_holds: int
    n_escalations: int
    n_agency: int
    n_writeoffs: int
    n_defaults: int
    n_churned: int
    # per-day accumulators, reset at each snapshot
    _d_sales: float
    _d_credit: float
    _d_coll: float
    _d_disc: float
    _d_cn: float
    _d_bad: float
    _d_lost: float
    _d_busy: float
    _d_wait: float
    _d_waits: int
    _daily: dict[str, list[Any]]
    _by_due: list[float]
    _levels: list[float]
    _day: int
    _progress: Callable[[float], None] | None
    _progress_span: tuple[int, int]
    _last_pct: int
    # the portfolio, prepared
    _curve: tuple[tuple[float, float], ...]
    _n_milestones: int
    _milestones: tuple[tuple[int, float], ...]
    _allowance_rates: tuple[float, ...]
    _industry_members: list[list[int]]
    _industry_names: list[str]
    _phase: np.ndarray[Any, Any]
    _sizes: np.ndarray[Any, Any]
    _fx: list[float]
    _step_info: dict[str, tuple[float, float, float, bool]]
    _exp_work: bool
    _work_days: dict[str, float]
    # orders
    _blocks_made: int
    _block_order_id: int
    _blk: OrderBlock
    _blk_i: int
    # the policy, prepared
    _steps: list[tuple[str, float]]
    _step_days: list[float]
    _steps_sorted: bool
    _first_step_day: float
    _grades: Mapping[str, GradePolicy]
    _hold_days: int | None
    _writeoff_days: int
    _rule: int
    _follow: float
    _terms_factor: dict[str, float]
    # collectors
    _active_collectors: int
    _idle: int
    _retiring: int
    _tasks: list[Task]
    _seq: int
    _max_queue: int
    _busy: int
    _busy_since: float
    _rc: np.random.Generator
    _u_buf: list[float]
    _u_next: int
    # bound callbacks, made once
    _wake_cb: Callable[[simpy.Event], None]
    _done_cb: Callable[[simpy.Event], None]
    _order_cb: Callable[[simpy.Event], None]
    _day_cb: Callable[[simpy.Event], None]

    def _log(self, event: Event) -> None:
        """Record a notable event and tell the observers."""
        self.events.append(event)
        for observer in self._observers:
            observer.on_event(event)

    def _fx_at(self, day: int) -> float:
        """The invoice currency's value in home currency on ``day`` (a random walk, made lazily)."""
        pf = self.portfolio
        if pf.fx_volatility == 0 and pf.fx_drift == 0:
            return 1.0
        while day >= len(self._fx):
            sigma = pf.fx_volatility / math.sqrt(365.0)
            mu = pf.fx_drift / 365.0 - sigma * sigma / 2
            steps = np.exp(mu + sigma * self.rng["fx"].standard_normal(BLOCK_DAYS))
            last = self._fx[-1]
            for s in steps.tolist():
                last *= s
                self._fx.append(last)
        return self._fx[day]

    def _busy_change(self, delta: int) -> None:
        """Integrate busy collectors over time (for utilisation), then change their number."""
        now = self.env.now
        self._d_busy += self._busy * (now - self._busy_since)
        self._busy_since = now
        self._busy += delta

    def _uniform(self) -> float:
        """Next uniform number of the collection stream (drawn in batches: numpy scalars are slow)."""
        i = self._u_next
        buf = self._u_buf
        if i >= len(buf):
            buf = self._u_buf = self._rc.random(4096).tolist()
            i = 0
        self._u_next = i + 1
        return buf[i]

    def _strain(self, c: Customer, harshness: float) -> None:
        """Strict treatment costs goodwill; below the threshold the customer leaves."""
        c.goodwill *= 1.0 - c.sensitivity * harshness
        if not c.churned and not c.defaulted and c.goodwill < self.portfolio.churn_threshold:
            c.churned = True
            self.n_churned += 1
            self._log(Event("churn", self.env.now, c.id, c.balance, ""))

    def _book(self, inv: Invoice, x: float) -> None:
        """Add ``x`` (negative to remove) to the open amount by due day and to today's aging bucket."""
        dd = inv.due_day
        self._by_due[dd] += x
        age = self._day - dd
        lv = self._levels
        if age <= 0:
            lv[0] += x
        elif age <= 30:
            lv[1] += x
        elif age <= 60:
            lv[2] += x
        elif age <= 90:
            lv[3] += x
        else:
            lv[4] += x
