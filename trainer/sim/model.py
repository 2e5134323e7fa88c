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
  no generator processes to resume per event, and the hot callbacks are written out rather than split
  into helper calls (the helpers they mirror stay for the rare paths).
* Aging buckets are kept by bookkeeping: open amounts are booked by due day and in the current bucket,
  and the end-of-day snapshot slides four due-day cohorts between buckets, so it never scans invoices.
"""

from __future__ import annotations

import bisect
import gc
import heapq
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from trainer.sim.collectability import allowance_rates_from_curve, bad_ages
from trainer.sim.observers import CustomerAging, CustomerView, Observer
from trainer.sim.params import (
    BEHAVIOURS,
    GRADES,
    MAX_DAYS,
    STEPS,
    Behaviour,
    Policy,
    PolicyError,
    Preset,
    Problem,
    policy_to_dict,
    validate_run,
)
from trainer.sim.results import DailySeries, Event, MonthEnd, SimResult, Summary, build_months

__all__ = ["STREAMS", "Replications", "Simulation", "replicate", "run"]

#: names of the random streams, in spawn order (never reorder: it would change every seeded run)
STREAMS: tuple[str, ...] = ("portfolio", "orders", "payments", "disputes", "defaults", "collection", "shocks", "fx")
BLOCK_DAYS = 30
_LEDGER_DAYS = MAX_DAYS + 365 * 2 + 200  # issue day + net days + milestone offsets + 91 days of aging
_INF = math.inf
_Timeout = simpy.Timeout
_LOST_REASONS = ("grade", "terms", "hold", "limit")
_ESCALATIONS = frozenset(("manager", "executive", "legal"))
_RULES = {"oldest_debt": 0, "largest_balance": 1}  # queue keys (see _priority); anything else: first come
_heappush = heapq.heappush
_heappop = heapq.heappop
_bisect_right = bisect.bisect_right


class _Customer:
    __slots__ = (
        "id", "grade", "behaviour", "resp", "takes_discount", "fixed_delay", "size", "rate", "industry",
        "foreign", "sensitivity", "goodwill", "churned", "defaulted", "balance", "hold_count", "open",
        "shock_until", "monthly", "beh",
    )
    id: int
    grade: str
    behaviour: str
    resp: float
    takes_discount: bool
    fixed_delay: float
    size: float
    rate: float
    industry: int
    foreign: bool
    sensitivity: float
    goodwill: float
    churned: bool
    defaulted: bool
    balance: float
    hold_count: int
    open: set[_Invoice]
    shock_until: float
    monthly: float
    beh: Behaviour

    def __init__(self) -> None:
        self.open: set[_Invoice] = set()
        self.balance = 0.0
        self.hold_count = 0
        self.goodwill = 1.0
        self.churned = False
        self.defaulted = False
        self.shock_until = -1.0


class _Invoice:
    __slots__ = (
        "id", "cust", "amount", "remaining", "issue_t", "due_t", "due_day", "pay_t", "bad_age", "discount",
        "discount_until", "wake_t", "timers", "next_action_t", "last_day", "last_action_t", "task_pending", "agency",
        "closed", "held", "hold_t", "writeoff_t", "dispute_until", "dispute_share", "fx0", "last_step", "issue_day", "logged_step",
    )


    id: int
    cust: _Customer
    amount: float
    remaining: float
    issue_t: float
    due_t: float
    due_day: int
    pay_t: float
    bad_age: float
    discount: float
    discount_until: float
    wake_t: float  # earliest pending timer (inf: none)
    timers: list[float]  # times of every pending timer
    next_action_t: float
    last_day: float
    last_action_t: float
    task_pending: bool
    agency: bool
    closed: bool
    held: bool
    hold_t: float
    writeoff_t: float
    dispute_until: float
    dispute_share: float
    fx0: float
    last_step: str
    issue_day: int
    logged_step: str

    def __hash__(self) -> int:
        return self.id

    def __eq__(self, other: object) -> bool:
        return self is other


@dataclass
class _Block:
    times: list[float]
    custs: list[int]
    amounts: list[float]
    u_thin: list[float]
    u_terms: list[float]
    # per-invoice draws, flattened: order i, milestone k is at index i * milestones + k
    u_delay: list[float]
    e_extra: list[float]
    bad_age: list[float]
    u_dispute: list[float]
    e_dispute: list[float]
    u_share: list[float]
    first_id: int


class Simulation:
    """A portfolio run that can be advanced in segments, each under its own policy.

    ``Simulation(preset, policy, seed).advance(90)`` runs 90 days; a later ``advance(90, other_policy)``
    continues from the same state with another policy (workshop rounds). ``result()`` may be called at
    any point and covers everything simulated so far.
    """

    def __init__(self, preset: Preset, policy: Policy | None = None, seed: int = 0,
                 customers: int | None = None, *, trace: bool = False,
                 observers: Sequence[Observer] = ()) -> None:
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
        self.env = simpy.Environment()
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
        self.lost_count = dict.fromkeys(_LOST_REASONS, 0)
        self.n_orders = self.n_invoices = self.n_actions = self.n_disputes = 0
        self.n_holds = self.n_escalations = self.n_agency = self.n_writeoffs = self.n_defaults = self.n_churned = 0
        self.events: list[Event] = []
        # per-day accumulators reset at each snapshot
        self._d_sales = self._d_credit = self._d_coll = self._d_disc = self._d_cn = self._d_bad = 0.0
        self._d_lost = self._d_busy = self._d_wait = 0.0
        self._d_waits = 0
        self._daily: dict[str, list[Any]] = {name: [] for name in DailySeries.__dataclass_fields__}
        self._by_due = [0.0] * _LEDGER_DAYS  # open amount by due day: the aging buckets slide over it
        self._levels = [0.0] * 5
        self._fx: list[float] = [1.0]
        self._seq = 0
        self._blocks_made = 0
        self._block_order_id = 0
        self._segments: list[tuple[int, int, dict[str, Any]]] = []
        self._day = 0  # next day to snapshot
        self._eid_overhead = 0
        self._progress: Callable[[float], None] | None = None
        self._progress_span = (0, 1)
        self._last_pct = -1
        self._active_collectors = 0
        self._idle = 0  # collectors waiting for work
        self._retiring = 0  # collectors to let go when they finish their current action
        self._tasks: list[tuple[float, int, _Invoice, str, float]] = []  # heap: (priority key, seq, ...)
        self._max_queue = 0
        self._busy = 0
        self._busy_since = 0.0
        self._wake_cb = self._on_wake
        self._done_cb = self._on_done
        self._order_cb = self._on_order_time
        self._day_cb = self._on_day
        self._blk = _Block([], [], [], [], [], [], [], [], [], [], [], 0)  # orders of the current block
        self._blk_i = 0
        pf = self.portfolio
        self._milestones = pf.milestones
        #: per step: (action cost, harshness, strength, is an escalation), looked up once per action
        self._step_info = {step: (pf.action_cost[step], pf.harshness[step], pf.action_strength[step],
                                  step in _ESCALATIONS)
                           for step in STEPS if step in pf.action_cost and step in pf.harshness
                           and step in pf.action_strength}
        self._rc = self.rng["collection"]
        self._u_buf: list[float] = []
        self._u_next = 0
        self._exp_work = self.portfolio.work_time == "exponential"
        self._work_days = dict(self.portfolio.work_days)
        #: with ``trace=True``: (issue time, settlement time, amount, issue day, settlement day) of every
        #: settled piece of an invoice (for Little's-law tests; costs memory, so off by default)
        self.trace: list[tuple[float, float, float, int, int]] | None = [] if trace else None
        self._apply_policy(self.policy, first=True)
        self._start_clocks()
        self._schedule_defaults()

    # ------------------------------------------------------------------ set-up
    def _make_customers(self) -> None:
        pf = self.portfolio
        n = self.n_customers
        r = self.rng["portfolio"]
        grades = r.choice(len(GRADES), size=n, p=[pf.grade_mix[g] for g in GRADES])
        behav = r.choice(len(BEHAVIOURS), size=n, p=[pf.behaviour_mix[b] for b in BEHAVIOURS])
        names = list(pf.industries)
        industry = r.choice(len(names), size=n, p=[pf.industries[k].share for k in names])
        foreign = r.random(n) < pf.foreign_share
        sd = pf.size_dispersion
        size = pf.order_size * np.exp(sd * r.standard_normal(n) - sd * sd / 2)
        resp_noise = np.exp(0.3 * r.standard_normal(n))
        u_disc = r.random(n)
        u_fixed = r.random(n)
        sens = np.clip(pf.strictness_sensitivity * 2 * r.random(n), 0, 1)
        phase = r.random(n)
        rate = pf.orders_per_year / 365.0
        self.customers: list[_Customer] = []
        self._industry_members: list[list[int]] = [[] for _ in names]
        self._industry_names = names
        for i in range(n):
            c = _Customer()
            b = pf.behaviours[BEHAVIOURS[int(behav[i])]]
            c.id = i
            c.grade = GRADES[int(grades[i])]
            c.behaviour = BEHAVIOURS[int(behav[i])]
            c.beh = b
            # a power keeps 0 and 1 fixed while spreading customers around the cluster's value
            c.resp = float(b.responsiveness ** resp_noise[i])
            c.takes_discount = bool(u_disc[i] < b.discount_takers)
            c.fixed_delay = float(b.delay_min + (b.delay_max - b.delay_min) * u_fixed[i]) if b.fixed else 0.0
            c.size = float(size[i])
            c.rate = rate
            c.industry = int(industry[i])
            c.foreign = bool(foreign[i])
            c.sensitivity = float(sens[i])
            c.monthly = rate * (365.0 / 12.0) * c.size
            self.customers.append(c)
            self._industry_members[c.industry].append(i)
        self._phase = phase / rate  # regular order process: first order time of each customer
        self._sizes = np.array([c.size for c in self.customers])  # each customer's mean order

    def _schedule_defaults(self) -> None:
        """Each customer's default time is drawn once (hazard by grade), whatever the policy."""
        pf = self.portfolio
        e = self.rng["defaults"].standard_exponential(self.n_customers)
        for c, draw in zip(self.customers, e, strict=True):
            hz = pf.default_rate[c.grade]
            if hz <= 0:
                continue
            t = float(draw) / hz * 365.0
            if t < MAX_DAYS:
                ev = simpy.Timeout(self.env, t, c)
                ev.callbacks.append(self._on_default)

    def _make_block(self) -> _Block:
        """Orders and their per-order draws for the next 30-day block (policy-independent)."""
        pf = self.portfolio
        k = self._blocks_made
        self._blocks_made += 1
        start, end = k * BLOCK_DAYS, (k + 1) * BLOCK_DAYS
        n = self.n_customers
        ro = self.rng["orders"]
        rate = pf.orders_per_year / 365.0
        if pf.order_process == "regular":
            first = np.ceil((start - self._phase) * rate)
            last = np.ceil((end - self._phase) * rate) - 1
            counts = np.maximum(last - first + 1, 0).astype(np.int64)
            custs = np.repeat(np.arange(n), counts)
            offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            times = self._phase[custs] + (np.repeat(first, counts) + offsets) / rate
        else:
            counts = ro.poisson(rate * BLOCK_DAYS, size=n)
            custs = np.repeat(np.arange(n), counts)
            times = start + ro.random(custs.size) * BLOCK_DAYS
        order = np.argsort(times, kind="stable")
        times, custs = times[order], custs[order]
        m = times.size
        cv = pf.order_size_cv
        s2 = math.log1p(cv * cv)
        sizes = self._sizes[custs] if m else np.zeros(0)
        amounts = np.round(sizes * np.exp(math.sqrt(s2) * ro.standard_normal(m) - s2 / 2), 2)
        u_thin = ro.random(m)
        u_terms = ro.random(m)
        km = len(pf.milestones) * m
        rp = self.rng["payments"]
        u_delay = rp.random(km)
        e_extra = rp.standard_exponential(km)
        bad = bad_ages(self._curve, rp.random(km))
        rd = self.rng["disputes"]
        u_disp = rd.random(km)
        e_disp = rd.standard_exponential(km)
        u_share = rd.random(km)
        self._make_shocks(start, end)
        first_id = self._block_order_id
        self._block_order_id += m
        return _Block(times.tolist(), custs.tolist(), amounts.tolist(), u_thin.tolist(), u_terms.tolist(),
                      u_delay.tolist(), e_extra.tolist(), bad.tolist(), u_disp.tolist(), e_disp.tolist(),
                      u_share.tolist(), first_id)

    def _make_shocks(self, start: float, end: float) -> None:
        pf = self.portfolio
        rs = self.rng["shocks"]
        for idx, name in enumerate(self._industry_names):
            lam = pf.industries[name].shock_rate * (end - start) / 365.0
            count = int(rs.poisson(lam)) if lam > 0 else 0
            for t in np.sort(start + rs.random(count) * (end - start)).tolist():
                draws = rs.random(len(self._industry_members[idx])).tolist()
                ev = simpy.Timeout(self.env, max(0.0, t - self.env.now), (idx, draws))
                ev.callbacks.append(self._on_shock)

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

    # ------------------------------------------------------------------ policy
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
        self._first_step_day = steps[0][1] if steps else _INF
        self._grades = policy.grades
        self._hold_days = policy.credit_hold_days
        self._writeoff_days = policy.write_off_day
        self._rule = _RULES.get(policy.priority, 2)
        self._follow = float(policy.follow_up_days) if policy.follow_up_days is not None else _INF
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
        self._dispatch()

    def _replan_all(self) -> None:
        """After a policy change: re-plan holds, write-offs and next steps of every open invoice."""
        now = self.env.now
        for c in self.customers:
            for inv in list(c.open):
                self._set_policy_times(inv)
                if not inv.task_pending and not inv.agency:
                    self._plan_next(inv, now)
                self._schedule(inv)

    def _set_policy_times(self, inv: _Invoice) -> None:
        p = self.policy
        inv.hold_t = inv.due_t + p.credit_hold_days if p.credit_hold_days is not None else _INF
        inv.writeoff_t = inv.due_t + p.write_off_day

    # ------------------------------------------------------------------ clocks
    # The order stream and the daily snapshot are chains of timeouts with a callback rather than SimPy
    # processes: each link schedules its next timeout exactly where the process used to yield it, so the
    # events, their times and their order are the same, without a generator to resume per event.
    def _start_clocks(self) -> None:
        env = self.env
        for cb in (self._start_orders, self._start_days):
            ev = simpy.Event(env)
            ev.callbacks.append(cb)
            ev.succeed()  # at time 0 before any other event, as a process's start would be

    def _start_orders(self, ev: Any) -> None:
        self._blk = self._make_block()
        self._blk_i = 0
        self._orders_due()

    def _on_order_time(self, ev: Any) -> None:
        blk = self._blk
        i = self._blk_i
        self._on_order(blk, i)
        i += 1
        self._blk_i = i
        times = blk.times
        if i < len(times):
            # the usual case, written out: the next order is later (as _orders_due)
            env = self.env
            dt = times[i] - env._now
            if dt > 0:
                _Timeout(env, dt).callbacks.append(self._order_cb)
                return
        self._orders_due()

    def _orders_due(self) -> None:
        """Take the orders due now, then wait for the next one (making blocks as they run out)."""
        env = self.env
        while True:
            blk = self._blk
            times = blk.times
            n = len(times)
            i = self._blk_i
            while i < n:
                dt = times[i] - env._now
                if dt > 0:
                    self._blk_i = i
                    _Timeout(env, dt).callbacks.append(self._order_cb)
                    return
                self._on_order(blk, i)
                i += 1
            self._blk = self._make_block()
            self._blk_i = 0

    def _start_days(self, ev: Any) -> None:
        env = self.env
        _Timeout(env, self._day + 1 - env._now).callbacks.append(self._day_cb)

    def _on_day(self, ev: Any) -> None:
        self._snapshot()
        env = self.env
        _Timeout(env, self._day + 1 - env._now).callbacks.append(self._day_cb)

    # ------------------------------------------------------------------ collectors
    def _dispatch(self) -> None:
        """Give waiting actions to idle collectors, highest priority first."""
        tasks = self._tasks
        env = self.env
        while self._idle and tasks:
            item = _heappop(tasks)
            inv = item[2]
            if inv.closed:
                inv.task_pending = False
                continue
            now = env._now
            self._d_wait += now - item[4]
            self._d_waits += 1
            mean = self._work_days[item[3]]
            work = -mean * math.log(1.0 - self._uniform()) if self._exp_work else mean
            self._idle -= 1
            # integrate busy collectors over time (utilisation), then count one more
            self._d_busy += self._busy * (now - self._busy_since)
            self._busy_since = now
            self._busy += 1
            _Timeout(env, work, item).callbacks.append(self._done_cb)

    def _on_done(self, ev: Any) -> None:
        """A collector finished an action: cost, the customer's reaction, the next step."""
        item = ev._value
        now = self.env._now
        self._d_busy += self._busy * (now - self._busy_since)
        self._busy_since = now
        self._busy -= 1
        if self._retiring:
            self._retiring -= 1
        else:
            self._idle += 1
        inv: _Invoice = item[2]
        inv.task_pending = False
        step: str = item[3]
        cost, harsh, strength, escalation = self._step_info[step]
        c = inv.cust
        self.n_actions += 1
        self.action_cost += cost
        if harsh > 0:
            self._strain(c, harsh)
        if not inv.closed:
            if escalation and inv.logged_step != step:
                inv.logged_step = step  # log the first action at each level, not every follow-up
                self.n_escalations += 1
                self._log(Event("escalation", now, c.id, inv.remaining, step))
            age = now - inv.due_t
            collectable = age <= 0 or age < inv.bad_age
            j = self._u_next  # next uniform of the collection stream (as _uniform)
            buf = self._u_buf
            if j >= len(buf):
                buf = self._u_buf = self._rc.random(4096).tolist()
                j = 0
            self._u_next = j + 1
            u = buf[j]
            if step == "agency":
                pf = self.portfolio
                inv.agency = True
                self.n_agency += 1
                self._log(Event("agency", now, c.id, inv.remaining, ""))
                delay = -pf.agency_days * math.log(1.0 - self._uniform())
                inv.pay_t = now + delay if (collectable and u < strength) else _INF
                inv.next_action_t = _INF
            else:
                if collectable and now >= inv.dispute_until and u < strength * c.resp:
                    if step == "reminder":
                        promised = max(now, inv.due_t)
                    else:
                        promised = now + self.portfolio.promise_days * self._uniform()
                    if promised < inv.pay_t:
                        inv.pay_t = promised
                # the next step (as _plan_next)
                days = self._step_days
                if self._steps_sorted:
                    k = _bisect_right(days, inv.last_day)
                    nxt = inv.due_t + days[k] if k < len(days) else _INF
                else:
                    nxt = _INF
                    last_day = inv.last_day
                    for day in days:
                        if day > last_day:
                            nxt = inv.due_t + day
                            break
                last_step = inv.last_step
                if last_step and last_step != "reminder" and inv.last_action_t + self._follow < nxt:
                    nxt = inv.last_action_t + self._follow
                inv.next_action_t = (now if now > nxt else nxt) if nxt < _INF else _INF
            # the next wake-up (as _schedule; no action is pending now)
            t = inv.pay_t
            if inv.writeoff_t < t:
                t = inv.writeoff_t
            if not inv.agency and inv.next_action_t < t:
                t = inv.next_action_t
            if not inv.held and inv.hold_t < t:
                t = inv.hold_t
            if inv.dispute_share and inv.dispute_until < t:
                t = inv.dispute_until
            if t < inv.wake_t and t < _INF:
                inv.wake_t = t
                inv.timers.append(t)
                delay = t - now
                _Timeout(self.env, delay if delay > 0.0 else 0.0, (inv, t)).callbacks.append(self._wake_cb)
        if self._idle and self._tasks:
            self._dispatch()

    def _busy_change(self, delta: int) -> None:
        """Integrate busy collectors over time (for utilisation), then change their number."""
        now = self.env._now
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

    # ------------------------------------------------------------------ orders and invoices
    def _on_order(self, blk: _Block, i: int) -> None:
        c = self.customers[blk.custs[i]]
        if c.churned or c.defaulted:
            return
        grade = c.grade
        if blk.u_thin[i] >= c.goodwill * self._terms_factor[grade]:
            return
        self.n_orders += 1
        value = blk.amounts[i]
        gp = self._grades[grade]
        if not gp.accept:
            return self._lose(c, value, "grade")
        if gp.terms != "net":
            pf = self.portfolio
            acceptance = pf.cia_acceptance if gp.terms == "cia" else pf.cod_acceptance
            if blk.u_terms[i] >= acceptance:
                return self._lose(c, value, "terms")
            self.cash_sales += value
            self._d_sales += value
            return None
        if gp.deposit > 0 and blk.u_terms[i] >= 1.0 - gp.deposit * self.portfolio.deposit_sensitivity:
            return self._lose(c, value, "terms")
        if c.hold_count > 0:
            return self._lose(c, value, "hold")
        credit = value * (1.0 - gp.deposit)
        if gp.credit_limit_months is not None and c.balance + credit > gp.credit_limit_months * c.monthly:
            return self._lose(c, value, "limit")
        deposit = value - credit
        if deposit:
            self.cash_sales += deposit
            self._d_sales += deposit
        for k, (offset, share) in enumerate(self._milestones):
            amount = round(credit * share, 2)
            if amount <= 0:
                continue
            if offset == 0:
                self._issue(c, amount, blk, i, k)
            else:
                ev = _Timeout(self.env, float(offset), (c, amount, blk, i, k))
                ev.callbacks.append(self._on_milestone)
        return None

    def _on_milestone(self, ev: Any) -> None:
        c, amount, blk, i, k = ev._value
        if not c.defaulted:
            self._issue(c, amount, blk, i, k)

    def _lose(self, c: _Customer, value: float, reason: str) -> None:
        self.lost_count[reason] += 1
        self.lost_value += value
        self._d_lost += value
        for observer in self._observers:
            observer.on_order_refused(c.id, value, reason)

    def _log(self, event: Event) -> None:
        """Record a notable event and tell the observers."""
        self.events.append(event)
        for observer in self._observers:
            observer.on_event(event)

    def _issue(self, c: _Customer, amount: float, blk: _Block, i: int, k: int) -> None:
        """Raise an invoice with the grade's terms and the order's pre-drawn payment intentions."""
        env = self.env
        now = env._now
        pf = self.portfolio
        gp = self._grades[c.grade]
        inv = _Invoice()
        inv.id = self.n_invoices  # invoices are numbered from 0 in the order they are raised
        self.n_invoices += 1
        inv.cust = c
        inv.amount = inv.remaining = amount
        inv.issue_t = now
        inv.issue_day = day = self._day
        inv.due_t = due = now + gp.net_days
        inv.due_day = due_day = int(due)
        j = i * self._n_milestones + k
        inv.bad_age = bad_age = blk.bad_age[j]
        inv.agency = inv.closed = inv.held = inv.task_pending = False
        inv.last_day = -_INF
        inv.last_action_t = -_INF
        inv.last_step = inv.logged_step = ""
        inv.fx0 = self._fx_at(int(now)) if c.foreign else 1.0
        # when would this customer pay of its own accord?
        if gp.discount > 0 and c.takes_discount:
            inv.discount = gp.discount
            inv.discount_until = now + gp.discount_days
            pay = now + gp.discount_days * blk.u_delay[j]
        else:
            inv.discount = 0.0
            inv.discount_until = -_INF
            b = c.beh
            if b.fixed:
                delay = c.fixed_delay + (blk.u_delay[j] - 0.5)
            else:
                delay = b.delay_min + (b.delay_max - b.delay_min) * blk.u_delay[j] + b.extra_mean * blk.e_extra[j]
            if now < c.shock_until:
                delay += pf.shock_delay_days
            pay = due + delay
        if blk.u_dispute[j] < pf.dispute_rate:
            self.n_disputes += 1
            inv.dispute_until = dispute_until = now + pf.dispute_days * blk.e_dispute[j]
            inv.dispute_share = dispute_share = 2.0 * pf.credit_note_share * blk.u_share[j]
            pay = max(pay, dispute_until + 1.0)
            if inv.discount:
                inv.discount = 0.0
        else:
            inv.dispute_until = dispute_until = -_INF
            inv.dispute_share = dispute_share = 0.0
        inv.pay_t = pay = pay if (pay <= due or pay - due < bad_age) else _INF
        hold_days = self._hold_days
        inv.hold_t = hold_t = due + hold_days if hold_days is not None else _INF
        inv.writeoff_t = writeoff_t = due + self._writeoff_days
        c.open.add(inv)
        c.balance += amount
        self.invoiced += amount
        self.outstanding += amount
        self._d_sales += amount
        self._d_credit += amount
        # book the amount on its due day and in today's aging bucket (see _book)
        self._by_due[due_day] += amount
        age = day - due_day
        lv = self._levels
        if age <= 0:
            lv[0] += amount
        elif age <= 30:
            lv[1] += amount
        elif age <= 60:
            lv[2] += amount
        elif age <= 90:
            lv[3] += amount
        else:
            lv[4] += amount
        # the first step of the ladder (see _plan_next: nothing has been done yet)
        nxt = due + self._first_step_day
        inv.next_action_t = nxt = (now if now > nxt else nxt) if nxt < _INF else _INF
        # the first wake-up (see _schedule: no timer is pending yet)
        t = pay
        if writeoff_t < t:
            t = writeoff_t
        if nxt < t:
            t = nxt
        if hold_t < t:
            t = hold_t
        if dispute_share and dispute_until < t:
            t = dispute_until
        if t < _INF:
            inv.wake_t = t
            inv.timers = [t]
            delay = t - now
            _Timeout(env, delay if delay > 0.0 else 0.0, (inv, t)).callbacks.append(self._wake_cb)
        else:
            inv.wake_t = _INF
            inv.timers = []

    def _book(self, inv: _Invoice, x: float) -> None:
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

    def _schedule(self, inv: _Invoice) -> None:
        t = inv.pay_t
        if inv.writeoff_t < t:
            t = inv.writeoff_t
        if not inv.task_pending and not inv.agency and inv.next_action_t < t:
            t = inv.next_action_t
        if not inv.held and inv.hold_t < t:
            t = inv.hold_t
        if inv.dispute_share and inv.dispute_until < t:
            t = inv.dispute_until
        if t < inv.wake_t and t < _INF:
            # a later pending timer stays: when it fires it re-checks what is due then
            inv.wake_t = t
            inv.timers.append(t)
            env = self.env
            delay = t - env._now
            _Timeout(env, delay if delay > 0.0 else 0.0, (inv, t)).callbacks.append(self._wake_cb)

    def _on_wake(self, ev: Any) -> None:
        inv, t_sched = ev._value
        if inv.closed:
            return
        timers = inv.timers
        timers.remove(t_sched)
        inv.wake_t = wake = min(timers) if timers else _INF
        env = self.env
        now = env._now
        if now >= inv.pay_t:
            self._pay(inv)
            return
        if now >= inv.writeoff_t:
            self._write_off(inv, "age")
            return
        if inv.dispute_share and now >= inv.dispute_until:
            self._credit_note(inv)
        if not inv.held and now >= inv.hold_t:
            self._start_hold(inv)
        if not inv.task_pending and not inv.agency and now >= inv.next_action_t:
            self._enqueue(inv, now)
        # the next wake-up (as _schedule)
        t = inv.pay_t
        if inv.writeoff_t < t:
            t = inv.writeoff_t
        if not inv.task_pending and not inv.agency and inv.next_action_t < t:
            t = inv.next_action_t
        if not inv.held and inv.hold_t < t:
            t = inv.hold_t
        if inv.dispute_share and inv.dispute_until < t:
            t = inv.dispute_until
        if t < wake and t < _INF:
            inv.wake_t = t
            timers.append(t)
            delay = t - now
            _Timeout(env, delay if delay > 0.0 else 0.0, (inv, t)).callbacks.append(self._wake_cb)

    # ------------------------------------------------------------------ collection
    def _priority(self, inv: _Invoice, t: float) -> float:
        """Queue key of an action: smaller is served first."""
        rule = self.policy.priority
        if rule == "oldest_debt":
            return inv.due_t
        if rule == "largest_balance":
            return -inv.remaining
        return t

    def _enqueue(self, inv: _Invoice, now: float) -> None:
        # the current step: the last one whose day has come (a wake planned for due + day may land a hair
        # early in floating point)
        age = now - inv.due_t + 1e-9
        if self._steps_sorted:
            k = _bisect_right(self._step_days, age)
            if not k:
                inv.next_action_t = _INF
                return
            name, day = self._steps[k - 1]
        else:
            found = None
            for step in self._steps:
                if step[1] <= age:
                    found = step
                else:
                    break
            if found is None:
                inv.next_action_t = _INF
                return
            name, day = found
        if inv.dispute_until > now and name != "reminder":
            # a disputed invoice is not chased: the dispute is worked first
            inv.next_action_t = inv.dispute_until
            return
        inv.last_day = day
        inv.last_step = name
        inv.last_action_t = now
        inv.next_action_t = _INF
        inv.task_pending = True
        self._seq += 1
        tasks = self._tasks
        if self._idle and not tasks:
            # an idle collector takes it at once: what pushing it on the empty queue and popping it again
            # in _dispatch would do (the wait is zero; the queue held one action)
            if self._max_queue < 1:
                self._max_queue = 1
            self._d_waits += 1
            mean = self._work_days[name]
            work = -mean * math.log(1.0 - self._uniform()) if self._exp_work else mean
            self._idle -= 1
            self._d_busy += self._busy * (now - self._busy_since)
            self._busy_since = now
            self._busy += 1
            _Timeout(self.env, work, (0.0, self._seq, inv, name, now)).callbacks.append(self._done_cb)
            return
        rule = self._rule
        key = inv.due_t if rule == 0 else (-inv.remaining if rule == 1 else now)
        _heappush(tasks, (key, self._seq, inv, name, now))
        if len(tasks) > self._max_queue:
            self._max_queue = len(tasks)
        if self._idle:
            self._dispatch()

    def _plan_next(self, inv: _Invoice, now: float) -> None:
        nxt = _INF
        last_day = inv.last_day
        for day in self._step_days:
            if day > last_day:
                nxt = inv.due_t + day
                break
        if inv.last_step and inv.last_step != "reminder" and inv.last_action_t + self._follow < nxt:
            nxt = inv.last_action_t + self._follow
        inv.next_action_t = (now if now > nxt else nxt) if nxt < _INF else _INF

    def _strain(self, c: _Customer, harshness: float) -> None:
        """Strict treatment costs goodwill; below the threshold the customer leaves."""
        c.goodwill *= 1.0 - c.sensitivity * harshness
        if not c.churned and not c.defaulted and c.goodwill < self.portfolio.churn_threshold:
            c.churned = True
            self.n_churned += 1
            self._log(Event("churn", self.env._now, c.id, c.balance, ""))

    # ------------------------------------------------------------------ settlement
    def _settle(self, inv: _Invoice, x: float) -> None:
        """Remove ``x`` of the invoice from every aggregate (ledger, customer, portfolio)."""
        self._book(inv, -x)
        if self.trace is not None:
            self.trace.append((inv.issue_t, self.env._now, x, inv.issue_day, self._day))
        inv.remaining -= x
        inv.cust.balance -= x
        self.outstanding -= x

    def _close(self, inv: _Invoice) -> None:
        inv.closed = True
        inv.remaining = 0.0
        c = inv.cust
        c.open.discard(inv)
        if not c.open:
            c.balance = 0.0  # no drift from rounding once nothing is open
        if inv.held:
            inv.held = False
            c.hold_count -= 1
            if c.hold_count == 0:
                self._log(Event("hold_end", self.env._now, c.id, c.balance, ""))

    def _pay(self, inv: _Invoice) -> None:
        """The invoice is paid in full (as _settle, then _close, written out: one call per payment)."""
        now = self.env._now
        r = inv.remaining
        disc = round(r * inv.discount, 2) if inv.discount and now <= inv.discount_until + 1e-9 else 0.0
        cash = r - disc
        c = inv.cust
        # settle: take the remaining amount off the ledger by due day and today's aging bucket (as _book)
        x = -r
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
        if self.trace is not None:
            self.trace.append((inv.issue_t, now, r, inv.issue_day, self._day))
        c.balance -= r
        self.outstanding -= r
        self.collected += cash
        self.discounts += disc
        self._d_coll += cash
        self._d_disc += disc
        if c.foreign:
            self.fx_result += cash * (self._fx_at(int(now)) / inv.fx0 - 1.0)
        if inv.agency:
            self.agency_fees += cash * self.policy.agency_fee
        if c.goodwill < 1.0:
            c.goodwill = min(1.0, c.goodwill + self.portfolio.goodwill_recovery)
        # close (as _close)
        inv.closed = True
        inv.remaining = 0.0
        opened = c.open
        opened.discard(inv)
        if not opened:
            c.balance = 0.0  # no drift from rounding once nothing is open
        if inv.held:
            inv.held = False
            c.hold_count -= 1
            if c.hold_count == 0:
                self._log(Event("hold_end", now, c.id, c.balance, ""))

    def _credit_note(self, inv: _Invoice) -> None:
        x = round(min(inv.remaining, inv.remaining * inv.dispute_share), 2)
        inv.dispute_share = 0.0
        if x > 0:
            self._settle(inv, x)
            self.credit_notes += x
            self._d_cn += x

    def _write_off(self, inv: _Invoice, reason: str) -> None:
        r = inv.remaining
        self._settle(inv, r)
        self.written_off += r
        self._d_bad += r
        self.n_writeoffs += 1
        self._log(Event("write_off", self.env._now, inv.cust.id, r, reason))
        self._close(inv)

    def _start_hold(self, inv: _Invoice) -> None:
        inv.held = True
        c = inv.cust
        c.hold_count += 1
        if c.hold_count == 1:
            self.n_holds += 1
            self._log(Event("hold_start", self.env._now, c.id, c.balance, ""))
            self._strain(c, self.portfolio.hold_harshness)

    def _on_default(self, ev: Any) -> None:
        c: _Customer = ev._value
        if c.defaulted:
            return
        c.defaulted = True
        self.n_defaults += 1
        self._log(Event("default", self.env._now, c.id, c.balance, ""))
        for inv in sorted(c.open, key=lambda x: x.id):
            self._write_off(inv, "default")

    def _on_shock(self, ev: Any) -> None:
        idx, draws = ev._value
        pf = self.portfolio
        now = self.env._now
        members = self._industry_members[idx]
        self._log(Event("shock", now, -1, 0.0, self._industry_names[idx]))
        for cid, u in zip(members, draws, strict=True):
            c = self.customers[cid]
            if c.defaulted:
                continue
            if u < pf.shock_default_prob:
                ev2 = simpy.Timeout(self.env, 0.0, c)
                ev2.callbacks.append(self._on_default)
            else:
                c.shock_until = now + pf.shock_days

    # ------------------------------------------------------------------ daily snapshot
    def _snapshot(self) -> None:
        d = self._day
        self._busy_change(0)
        lv = self._levels
        for b in range(5):
            if -1e-6 < lv[b] < 1e-6:
                lv[b] = 0.0  # floating-point dust from adding and removing amounts
        pf = self.portfolio
        ar = lv[0] + lv[1] + lv[2] + lv[3] + lv[4]
        self.staff_cost += self._active_collectors * pf.collector_daily_cost
        self.carrying += ar * pf.annual_rate / 365.0
        s = self._daily
        s["day"].append(d)
        s["sales"].append(self._d_sales)
        s["credit_sales"].append(self._d_credit)
        s["collections"].append(self._d_coll)
        s["discounts"].append(self._d_disc)
        s["credit_notes"].append(self._d_cn)
        s["bad_debt"].append(self._d_bad)
        s["lost_sales"].append(self._d_lost)
        s["ar"].append(ar)
        s["current"].append(lv[0])
        s["past_due_1_30"].append(lv[1])
        s["past_due_31_60"].append(lv[2])
        s["past_due_61_90"].append(lv[3])
        s["past_due_over_90"].append(lv[4])
        s["collectors"].append(self._active_collectors)
        s["busy_time"].append(self._d_busy)
        s["queue"].append(len(self._tasks))
        s["waits"].append(self._d_waits)
        s["wait_time"].append(self._d_wait)
        s["churned"].append(self.n_churned)
        self._d_sales = self._d_credit = self._d_coll = self._d_disc = self._d_cn = self._d_bad = 0.0
        self._d_lost = self._d_busy = self._d_wait = 0.0
        self._d_waits = 0
        # tomorrow every due-day cohort is one day older: slide the bucket windows by one day
        bd = self._by_due
        x = bd[d]
        lv[0] -= x
        lv[1] += x
        if d >= 30:
            x = bd[d - 30]
            lv[1] -= x
            lv[2] += x
            if d >= 60:
                x = bd[d - 60]
                lv[2] -= x
                lv[3] += x
                if d >= 90:
                    x = bd[d - 90]
                    lv[3] -= x
                    lv[4] += x
        self._day = d + 1
        if self._progress is not None:
            a, b = self._progress_span
            pct = int(100 * (self._day - a) / max(1, b - a))
            if pct != self._last_pct:
                self._last_pct = pct
                self._progress(min(1.0, pct / 100))

    # ------------------------------------------------------------------ public API
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
            self._eid_overhead += 2  # the "until" event, rescheduled once when it stops the run
        if self._segments and self._segments[-1][2] == policy_to_dict(self.policy):
            first, _, pd = self._segments[-1]
            self._segments[-1] = (first, self._day - 1, pd)
        else:
            self._segments.append((start, self._day - 1, policy_to_dict(self.policy)))

    def sim_events(self) -> int:
        """SimPy events the model scheduled so far (used by the benchmark).

        Read from SimPy's event-id counter, minus the ids taken by ``env.run(until=...)`` and by these
        reads, so running in segments or peeking at results does not change the count.
        """
        eid = getattr(self.env, "_eid", None)
        if eid is None:
            return 0
        value = int(next(eid)) - self._eid_overhead
        self._eid_overhead += 1
        return value

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
        from trainer.sim import kpis

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
        gross = sales * margin
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
            outstanding=self.outstanding,
            ar_average=ar_avg,
            ar_end=ar_end,
            past_due_end=max(0.0, ar_end - current_end),
            dso=safe(kpis.dso, ar_avg, self.invoiced, n),
            dso_countback_end=last.dso_countback if last else None,
            best_possible_dso_end=last.best_possible_dso if last else None,
            average_days_delinquent_end=last.average_days_delinquent if last else None,
            cei_average=sum(ceis) / len(ceis) if ceis else None,
            overdue_pct_end=last.overdue_pct if last else None,
            bad_debt_rate=safe(kpis.bad_debt_rate, self.written_off, sales),
            turnover=safe(kpis.ar_turnover, self.invoiced * 365.0 / max(n, 1), ar_avg),
            allowance_end=last.allowance if last else 0.0,
            gross_margin=gross,
            lost_sales=self.lost_value,
            lost_orders=sum(self.lost_count.values()),
            lost_by_reason=dict(self.lost_count),
            lost_margin=self.lost_value * margin,
            carrying_cost=self.carrying,
            staff_cost=self.staff_cost,
            action_cost=self.action_cost,
            agency_fees=self.agency_fees,
            collection_cost=collection_cost,
            fx_result=self.fx_result,
            contribution=gross - self.discounts - self.credit_notes - self.written_off - collection_cost
            - self.carrying + self.fx_result,
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
            for inv in c.open:
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
        return [(inv.issue_day, inv.remaining) for c in self.customers for inv in c.open]

    def min_open_balance(self) -> float:
        """Smallest remaining amount over open invoices (full scan; for invariant tests)."""
        return min((inv.remaining for c in self.customers for inv in c.open), default=0.0)


def _status(c: _Customer) -> str:
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


@dataclass(frozen=True)
class Replications:
    """Per-seed summaries of one preset and policy, for medians and 10-90 % bands."""

    seeds: tuple[int, ...]
    summaries: tuple[Summary, ...]

    def values(self, metric: str) -> list[float]:
        out = []
        for s in self.summaries:
            v = getattr(s, metric)
            if v is not None:
                out.append(float(v))
        return out

    def band(self, metric: str) -> tuple[float, float, float] | None:
        """(10th percentile, median, 90th percentile) of ``metric`` over the seeds."""
        vals = self.values(metric)
        if not vals:
            return None
        p10, p50, p90 = np.percentile(np.array(vals), [10, 50, 90])
        return float(p10), float(p50), float(p90)


def replicate(preset: Preset, policy: Policy | None = None, seeds: Iterable[int] = range(10),
              customers: int | None = None, days: int | None = None,
              on_progress: Callable[[float], None] | None = None) -> Replications:
    """Run the same preset and policy once per seed and collect the summaries."""
    seed_list = tuple(seeds)
    out = []
    for j, s in enumerate(seed_list):
        res = run(preset, policy, seed=s, customers=customers, days=days)
        out.append(res.summary)
        if on_progress is not None:
            on_progress((j + 1) / len(seed_list))
    return Replications(seed_list, tuple(out))
