"""The order flow: the customers, orders drawn in fixed 30-day blocks whatever the policy (common random
numbers), the policy's decision on each order, and raising invoices with their payment intentions.
Also the two clocks on the SimPy timeline, orders and the daily snapshot."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import simpy

from trainer.sim.collectability import bad_ages
from trainer.sim.collection import Collection
from trainer.sim.entities import BLOCK_DAYS, INF, Customer, Invoice, OrderBlock
from trainer.sim.params import BEHAVIOURS, GRADES, MAX_DAYS
from trainer.sim.policy import GradePolicy

_Timeout = simpy.Timeout


class Orders(Collection):
    """Customers, their orders and their invoices."""

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
        self.customers: list[Customer] = []
        self._industry_members: list[list[int]] = [[] for _ in names]
        self._industry_names = names
        for i in range(n):
            c = Customer()
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
        """Each customer's fate (cumulative hazard to default) is drawn once, whatever the policy; the
        hazard itself depends on the grade and on the terms the policy gives it (:meth:`_hazard`)."""
        e = self.rng["defaults"].standard_exponential(self.n_customers)
        for c, draw in zip(self.customers, e, strict=True):
            c.fate = float(draw)
            c.hazard = self._hazard(c.grade)
            c.hazard_since = 0.0
            self._plan_default(c, 0.0)

    def _hazard(self, grade: str) -> float:
        """Default hazard per day: the grade's yearly rate, raised by ``terms_risk`` for every market
        term of credit beyond the market's (long terms draw and keep the customers who cannot pay at
        market terms, and let a weak customer run up more than it can repay)."""
        pf = self.portfolio
        gp = self._grades[grade]
        extra = max(0.0, gp.net_days - pf.market_net_days) / pf.market_net_days if gp.terms == "net" else 0.0
        return pf.default_rate[grade] * (1.0 + pf.terms_risk * extra) / 365.0

    def _plan_default(self, c: Customer, now: float) -> None:
        t = now + c.fate / c.hazard if c.hazard > 0 else INF
        c.default_t = t
        if t < MAX_DAYS:
            self.scheduled += 1
            ev = simpy.Timeout(self.env, t - now, c)
            ev.callbacks.append(self._on_default)

    def _rehazard(self) -> None:
        """After a policy change: spend the fate used so far at the old hazard, go on at the new one."""
        now = self.env.now
        for c in self.customers:
            new = self._hazard(c.grade)
            if c.defaulted or new == c.hazard:
                continue
            c.fate = max(0.0, c.fate - (now - c.hazard_since) * c.hazard)
            c.hazard, c.hazard_since = new, now
            self._plan_default(c, now)

    def _make_block(self) -> OrderBlock:
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
        return OrderBlock(times.tolist(), custs.tolist(), amounts.tolist(), u_thin.tolist(), u_terms.tolist(),
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
                self.scheduled += 1
                ev = simpy.Timeout(self.env, max(0.0, t - self.env.now), (idx, draws))
                ev.callbacks.append(self._on_shock)

    def _start_clocks(self) -> None:
        env = self.env
        for cb in (self._start_orders, self._start_days):
            ev = simpy.Event(env)
            ev.callbacks.append(cb)
            self.scheduled += 1
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
                self.scheduled += 1
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
                dt = times[i] - env.now
                if dt > 0:
                    self._blk_i = i
                    self.scheduled += 1
                    _Timeout(env, dt).callbacks.append(self._order_cb)
                    return
                self._on_order(blk, i)
                i += 1
            self._blk = self._make_block()
            self._blk_i = 0

    def _start_days(self, ev: Any) -> None:
        env = self.env
        self.scheduled += 1
        _Timeout(env, self._day + 1 - env.now).callbacks.append(self._day_cb)

    def _on_day(self, ev: Any) -> None:
        self._snapshot()
        env = self.env
        self.scheduled += 1
        _Timeout(env, self._day + 1 - env.now).callbacks.append(self._day_cb)

    def _on_order(self, blk: OrderBlock, i: int) -> None:
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
                self.scheduled += 1
                ev = _Timeout(self.env, float(offset), (c, amount, blk, i, k))
                ev.callbacks.append(self._on_milestone)
        return None

    def _on_milestone(self, ev: Any) -> None:
        c, amount, blk, i, k = ev.value
        if not c.defaulted:
            self._issue(c, amount, blk, i, k)

    def _lose(self, c: Customer, value: float, reason: str) -> None:
        self.lost_count[reason] += 1
        self.lost_value += value
        self._d_lost += value
        for observer in self._observers:
            observer.on_order_refused(c.id, value, reason)

    def _issue(self, c: Customer, amount: float, blk: OrderBlock, i: int, k: int) -> None:
        """Raise an invoice with the grade's terms and the order's pre-drawn payment intentions."""
        now = self.env._now
        gp = self._grades[c.grade]
        inv = Invoice()
        inv.id = self.n_invoices  # invoices are numbered from 0 in the order they are raised
        self.n_invoices += 1
        inv.cust = c
        inv.amount = inv.remaining = amount
        inv.issue_t = now
        inv.issue_day = self._day
        inv.due_t = due = now + gp.net_days
        inv.due_day = int(due)
        j = i * self._n_milestones + k
        inv.bad_age = bad_age = blk.bad_age[j]
        inv.agency = inv.closed = inv.held = inv.task_pending = inv.stretched = False
        inv.last_day = -INF
        inv.last_action_t = -INF
        inv.last_step = inv.logged_step = ""
        inv.fx0 = self._fx_at(int(now)) if c.foreign else 1.0
        pay = self._own_payment(inv, c, gp, blk, j)
        inv.pay_t = pay if (pay <= due or pay - due < bad_age) else INF
        hold_days = self._hold_days
        inv.hold_t = due + hold_days if hold_days is not None else INF
        inv.writeoff_t = due + self._writeoff_days
        c.open[inv.id] = inv
        c.balance += amount
        self.invoiced += amount
        self.outstanding += amount
        self._d_sales += amount
        self._d_credit += amount
        # on its due day and in today's aging bucket (as _book, written out)
        dd = inv.due_day
        self._by_due[dd] += amount
        age = self._day - dd
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
        inv.next_action_t = nxt = (now if now > nxt else nxt) if nxt < INF else INF
        # its first wake-up (as _schedule, written out: no timer, action, agency or hold yet)
        t = inv.pay_t
        if inv.writeoff_t < t:
            t = inv.writeoff_t
        if nxt < t:
            t = nxt
        if inv.hold_t < t:
            t = inv.hold_t
        if inv.dispute_share and inv.dispute_until < t:
            t = inv.dispute_until
        if t < INF:
            inv.wake_t = t
            inv.timers = [t]
            self.scheduled += 1
            _Timeout(self.env, t - now if t > now else 0.0, (inv, t)).callbacks.append(self._wake_cb)
        else:
            inv.wake_t = INF
            inv.timers = []

    def _own_payment(self, inv: Invoice, c: Customer, gp: GradePolicy, blk: OrderBlock, j: int) -> float:
        """When would this customer pay of its own accord? Sets the invoice's discount and dispute."""
        now = inv.issue_t
        due = inv.due_t
        pf = self.portfolio
        if gp.discount > 0 and c.takes_discount:
            inv.discount = gp.discount
            inv.discount_until = now + gp.discount_days
            pay = now + gp.discount_days * blk.u_delay[j]
        else:
            inv.discount = 0.0
            inv.discount_until = -INF
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
            inv.dispute_share = 2.0 * pf.credit_note_share * blk.u_share[j]
            pay = max(pay, dispute_until + 1.0)
            if inv.discount:
                inv.discount = 0.0
        else:
            inv.dispute_until = -INF
            inv.dispute_share = 0.0
        return pay
