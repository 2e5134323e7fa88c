"""The collection desk: each invoice's wake-up timer, the ladder of collection steps, the queue of
actions ordered by the trainee's priority rule, and collectors working through it."""

from __future__ import annotations

import bisect
import heapq
import math
from typing import Any

import simpy

from trainer.sim.entities import INF, Invoice
from trainer.sim.ledger import Ledger
from trainer.sim.results import Event

_Timeout = simpy.Timeout
_heappush = heapq.heappush
_heappop = heapq.heappop
_bisect_right = bisect.bisect_right
#: steps taken once per invoice, never followed up
_ONCE = frozenset(("reminder", "legal"))


class Collection(Ledger):
    """Timers, the collection ladder and the collectors' queue."""

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
            # an idle collector takes it: draw its work time, count one more busy collector, time it
            mean = self._work_days[item[3]]
            work = -mean * math.log(1.0 - self._uniform()) if self._exp_work else mean
            self._idle -= 1
            # integrate busy collectors over time (utilisation), then count one more
            self._d_busy += self._busy * (now - self._busy_since)
            self._busy_since = now
            self._busy += 1
            self.scheduled += 1
            _Timeout(env, work, item).callbacks.append(self._done_cb)

    def _on_done(self, ev: Any) -> None:
        """A collector finished an action: cost, the customer's reaction, the next step."""
        item = ev._value  # SimPy's ``value`` property reads this: the hot paths skip the property call
        now = self.env._now
        self._d_busy += self._busy * (now - self._busy_since)
        self._busy_since = now
        self._busy -= 1
        if self._retiring:
            self._retiring -= 1
        else:
            self._idle += 1
        inv: Invoice = item[2]
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
            i = self._u_next  # the next uniform (as _uniform, written out)
            buf = self._u_buf
            if i >= len(buf):
                buf = self._u_buf = self._rc.random(4096).tolist()
                i = 0
            self._u_next = i + 1
            u = buf[i]
            if step == "agency":
                self._to_agency(inv, now, collectable and u < strength)
            else:
                if collectable and now >= inv.dispute_until and u < strength * c.resp:
                    if step == "reminder":
                        promised = max(now, inv.due_t)
                    else:
                        promised = now + self.portfolio.promise_days * self._uniform()
                    if promised < inv.pay_t:
                        inv.pay_t = promised
                if self._steps_sorted:  # as _plan_next, written out for the usual case
                    days = self._step_days
                    k = _bisect_right(days, inv.last_day)
                    nxt = inv.due_t + days[k] if k < len(days) else INF
                    last = inv.last_step
                    if last and last not in _ONCE and inv.last_action_t + self._follow < nxt:
                        nxt = inv.last_action_t + self._follow
                    inv.next_action_t = (now if now > nxt else nxt) if nxt < INF else INF
                else:
                    self._plan_next(inv, now)
            # the next wake-up, no action pending now (as _schedule, written out)
            t = inv.pay_t
            if inv.writeoff_t < t:
                t = inv.writeoff_t
            if not inv.agency and inv.next_action_t < t:
                t = inv.next_action_t
            if not inv.held and inv.hold_t < t:
                t = inv.hold_t
            if inv.dispute_share and inv.dispute_until < t:
                t = inv.dispute_until
            if t < inv.wake_t and t < INF:
                inv.wake_t = t
                inv.timers.append(t)
                self.scheduled += 1
                _Timeout(self.env, t - now if t > now else 0.0, (inv, t)).callbacks.append(self._wake_cb)
        if self._idle and self._tasks:
            self._dispatch()

    def _to_agency(self, inv: Invoice, now: float, recovers: bool) -> None:
        """The debt goes to the agency: it collects after an exponential delay if it ``recovers``."""
        inv.agency = True
        self.n_agency += 1
        self._log(Event("agency", now, inv.cust.id, inv.remaining, ""))
        delay = -self.portfolio.agency_days * math.log(1.0 - self._uniform())
        inv.pay_t = now + delay if recovers else INF
        inv.next_action_t = INF

    def _priority(self, inv: Invoice, t: float) -> float:
        """Queue key of an action: smaller is served first."""
        rule = self.policy.priority
        if rule == "oldest_debt":
            return inv.due_t
        if rule == "largest_balance":
            return -inv.remaining
        return t

    def _enqueue(self, inv: Invoice, now: float) -> None:
        # the current step: the last one whose day has come (a wake planned for due + day may land a hair
        # early in floating point)
        age = now - inv.due_t + 1e-9
        if self._steps_sorted:
            k = _bisect_right(self._step_days, age)
            if not k:
                inv.next_action_t = INF
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
                inv.next_action_t = INF
                return
            name, day = found
        if inv.dispute_until > now and name != "reminder":
            # a disputed invoice is not chased: the dispute is worked first
            inv.next_action_t = inv.dispute_until
            return
        inv.last_day = day
        inv.last_step = name
        inv.last_action_t = now
        inv.next_action_t = INF
        inv.task_pending = True
        self._seq += 1
        tasks = self._tasks
        if self._idle and not tasks:
            # an idle collector takes it at once: what pushing it on the empty queue and popping it again
            # in _dispatch would do (the wait is zero; the queue held one action)
            if self._max_queue < 1:
                self._max_queue = 1
            self._d_waits += 1
            mean = self._work_days[name]  # as in _dispatch
            work = -mean * math.log(1.0 - self._uniform()) if self._exp_work else mean
            self._idle -= 1
            self._d_busy += self._busy * (now - self._busy_since)
            self._busy_since = now
            self._busy += 1
            self.scheduled += 1
            _Timeout(self.env, work, (0.0, self._seq, inv, name, now)).callbacks.append(self._done_cb)
            return
        rule = self._rule
        key = inv.due_t if rule == 0 else (-inv.remaining if rule == 1 else now)
        _heappush(tasks, (key, self._seq, inv, name, now))
        if len(tasks) > self._max_queue:
            self._max_queue = len(tasks)
        if self._idle:
            self._dispatch()

    def _plan_next(self, inv: Invoice, now: float) -> None:
        """When the invoice's next collection step is due: the first step after the last one done, or
        the follow-up of the last action if sooner."""
        days = self._step_days
        if self._steps_sorted:
            k = _bisect_right(days, inv.last_day)
            nxt = inv.due_t + days[k] if k < len(days) else INF
        else:
            nxt = INF
            last_day = inv.last_day
            for day in days:
                if day > last_day:
                    nxt = inv.due_t + day
                    break
        # follow-ups repeat a call or a letter; a reminder is sent once and a legal claim is filed once
        if inv.last_step and inv.last_step not in _ONCE and inv.last_action_t + self._follow < nxt:
            nxt = inv.last_action_t + self._follow
        inv.next_action_t = (now if now > nxt else nxt) if nxt < INF else INF

    def _schedule(self, inv: Invoice) -> None:
        t = inv.pay_t
        if inv.writeoff_t < t:
            t = inv.writeoff_t
        if not inv.task_pending and not inv.agency and inv.next_action_t < t:
            t = inv.next_action_t
        if not inv.held and inv.hold_t < t:
            t = inv.hold_t
        if inv.dispute_share and inv.dispute_until < t:
            t = inv.dispute_until
        if t < inv.wake_t and t < INF:
            # a later pending timer stays: when it fires it re-checks what is due then
            inv.wake_t = t
            inv.timers.append(t)
            env = self.env
            delay = t - env._now
            self.scheduled += 1
            _Timeout(env, delay if delay > 0.0 else 0.0, (inv, t)).callbacks.append(self._wake_cb)

    def _stretch(self, inv: Invoice, now: float) -> None:
        """Nobody asked for this late invoice: the customer, short of cash, pays those who ask first,
        so its lateness is stretched by ``unchased_stretch`` (never collected if the debt goes bad by
        then). "Most customers pay only after a reminder" (reference §3)."""
        inv.stretched = True
        late = (now - inv.due_t) * self.portfolio.unchased_stretch
        inv.pay_t = inv.due_t + late if late < inv.bad_age else INF

    def _on_wake(self, ev: Any) -> None:
        inv, t_sched = ev._value
        if inv.closed:
            return
        timers = inv.timers
        if len(timers) == 1:  # the usual case: this was the only pending timer
            timers.clear()
            inv.wake_t = INF
        else:
            timers.remove(t_sched)
            inv.wake_t = min(timers)
        now = self.env._now
        if now >= inv.pay_t:
            if now > inv.due_t and inv.last_action_t == -INF and not inv.stretched:
                self._stretch(inv, now)
            else:
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
        # the next wake-up (as _schedule, written out: every wake that keeps the invoice open ends here)
        t = inv.pay_t
        if inv.writeoff_t < t:
            t = inv.writeoff_t
        if not inv.task_pending and not inv.agency and inv.next_action_t < t:
            t = inv.next_action_t
        if not inv.held and inv.hold_t < t:
            t = inv.hold_t
        if inv.dispute_share and inv.dispute_until < t:
            t = inv.dispute_until
        if t < inv.wake_t and t < INF:
            inv.wake_t = t
            timers.append(t)
            self.scheduled += 1
            _Timeout(self.env, t - now if t > now else 0.0, (inv, t)).callbacks.append(self._wake_cb)
