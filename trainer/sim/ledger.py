"""The ledger: settling invoices (payments, credit notes, write-offs), credit holds, defaults and
industry shocks, and the end-of-day snapshot that slides the aging buckets without scanning invoices."""

from __future__ import annotations

from typing import Any

import simpy

from trainer.sim.entities import Customer, Invoice
from trainer.sim.results import Event
from trainer.sim.state import SimState


class Ledger(SimState):
    """Money leaving the books and what the books look like at the end of each day."""

    def _settle(self, inv: Invoice, x: float) -> None:
        """Remove ``x`` of the invoice from every aggregate (ledger, customer, portfolio)."""
        self._book(inv, -x)
        if self.trace is not None:
            self.trace.append((inv.issue_t, self.env.now, x, inv.issue_day, self._day))
        inv.remaining -= x
        inv.cust.balance -= x
        self.outstanding -= x

    def _close(self, inv: Invoice) -> None:
        inv.closed = True
        inv.remaining = 0.0
        c = inv.cust
        c.open.pop(inv.id, None)
        if not c.open:
            c.balance = 0.0  # no drift from rounding once nothing is open
        if inv.held:
            inv.held = False
            c.hold_count -= 1
            if c.hold_count == 0:
                self._log(Event("hold_end", self.env.now, c.id, c.balance, ""))

    def _pay(self, inv: Invoice) -> None:
        """The invoice is paid in full (as _settle, then _close, written out)."""
        now = self.env._now
        r = inv.remaining
        disc = round(r * inv.discount, 2) if inv.discount and now <= inv.discount_until + 1e-9 else 0.0
        cash = r - disc
        c = inv.cust
        # settle: off the ledger by due day and today's aging bucket (as _book, written out)
        dd = inv.due_day
        self._by_due[dd] -= r
        age = self._day - dd
        lv = self._levels
        if age <= 0:
            lv[0] -= r
        elif age <= 30:
            lv[1] -= r
        elif age <= 60:
            lv[2] -= r
        elif age <= 90:
            lv[3] -= r
        else:
            lv[4] -= r
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
        del opened[inv.id]  # open until now: _on_wake returns for a closed invoice
        if not opened:
            c.balance = 0.0  # no drift from rounding once nothing is open
        if inv.held:
            inv.held = False
            c.hold_count -= 1
            if c.hold_count == 0:
                self._log(Event("hold_end", now, c.id, c.balance, ""))

    def _credit_note(self, inv: Invoice) -> None:
        x = round(min(inv.remaining, inv.remaining * inv.dispute_share), 2)
        inv.dispute_share = 0.0
        if x > 0:
            self._settle(inv, x)
            self.credit_notes += x
            self._d_cn += x

    def _write_off(self, inv: Invoice, reason: str) -> None:
        r = inv.remaining
        self._settle(inv, r)
        self.written_off += r
        self.bad_by_grade[inv.cust.grade] += r
        self._d_bad += r
        self.n_writeoffs += 1
        self._log(Event("write_off", self.env.now, inv.cust.id, r, reason))
        self._close(inv)

    def _start_hold(self, inv: Invoice) -> None:
        inv.held = True
        c = inv.cust
        c.hold_count += 1
        if c.hold_count == 1:
            self.n_holds += 1
            self._log(Event("hold_start", self.env.now, c.id, c.balance, ""))
            self._strain(c, self.portfolio.hold_harshness)

    def _on_default(self, ev: Any) -> None:
        c: Customer = ev.value
        if c.defaulted or ev.env.now < c.default_t - 1e-6:
            return  # a timer superseded by a policy change (see Orders._rehazard)
        c.defaulted = True
        self.n_defaults += 1
        self._log(Event("default", self.env.now, c.id, c.balance, ""))
        for inv in list(c.open.values()):  # by id: invoices are added in the order they are raised
            self._write_off(inv, "default")

    def _on_shock(self, ev: Any) -> None:
        idx, draws = ev.value
        pf = self.portfolio
        now = self.env.now
        members = self._industry_members[idx]
        self._log(Event("shock", now, -1, 0.0, self._industry_names[idx]))
        for cid, u in zip(members, draws, strict=True):
            c = self.customers[cid]
            if c.defaulted:
                continue
            if u < pf.shock_default_prob:
                c.default_t = now
                self.scheduled += 1
                ev2 = simpy.Timeout(self.env, 0.0, c)
                ev2.callbacks.append(self._on_default)
            else:
                c.shock_until = now + pf.shock_days

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
