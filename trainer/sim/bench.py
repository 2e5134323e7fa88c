"""Benchmark: the model against bare SimPy with the same events, in the same process.

Comparing with bare SimPy measured in the same run makes the ratio meaningful on any machine: what
is left above the bare run is the model's own work per event.

The bare run replays the model's own schedule. An untimed run of the model records every timeout it
scheduled (when, with which delay, from which event's callback); the replay schedules the same
timeouts from callbacks that do nothing else. SimPy then processes the same events at the same times
in the same order with the same events pending, so its event queue does the same work as under the
model. A single process yielding one timeout after another (``bare_loop_seconds``, the first
baseline, still printed) keeps one event pending where the model keeps thousands: every push and pop
on the model's queue sifts through a dozen levels of a heap, which costs SimPy alone about three times
the one-timer loop, however little the model does per event.
"""

from __future__ import annotations

import gc
import heapq
import json
import math
import os
import pickle
import resource
import subprocess
import sys
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TextIO

import simpy
from simpy.events import NORMAL

from trainer.sim.model import Simulation
from trainer.sim.params import MAX_DAYS
from trainer.sim.presets import Preset

__all__ = ["BenchResult", "bare_loop_seconds", "bench", "print_bench"]

#: Every figure is CPU time of the process that runs it: on a shared machine the time spent waiting
#: for a core is not the engine's, and it swings a wall-clock ratio by a third from one run to the
#: next (2.3x and 3.2x back to back at load 8). The big run also reports its wall-clock time.
_clock = time.process_time


@dataclass(frozen=True)
class BenchResult:
    preset: str
    customers: int
    days: int
    wall: float
    events: int
    bare: float
    big_customers: int
    big_wall: float | None
    big_events: int | None
    big_collectors: int | None
    peak_rss_mb: float  # the big run's peak resident size in a fresh process (this process's when big is 0)

    @property
    def ratio(self) -> float:
        return self.wall / self.bare if self.bare > 0 else math.inf


@dataclass(frozen=True)
class _BenchDetail(BenchResult):
    """What ``bench`` returns: the result plus the one-timer loop and the model's mean queue length."""

    loop: float = math.nan  # one process yielding as many timeouts, one pending at a time
    pending: float = math.nan  # events pending in SimPy's queue, on average over the model's events
    long_wall: float | None = None  # the same customers over twice the days (linear in days: twice ``wall``)
    base_rss_mb: float = math.nan  # a fresh process with the engine loaded after a one-customer, one-day run
    load: tuple[float, float] = (math.nan, math.nan)  # the 1-minute load average at the start and the end
    big_clock: float | None = None  # the big run's wall-clock time (``big_wall`` is its CPU time)

    @property
    def loop_ratio(self) -> float:
        return self.wall / self.loop if self.loop > 0 else math.inf


def bare_loop_seconds(events: int) -> float:
    """Wall time of one SimPy process that yields ``events`` timeouts and does nothing else."""
    env = simpy.Environment()

    def loop() -> simpy.events.ProcessGenerator:
        timeout = env.timeout
        for _ in range(events):
            yield timeout(1)

    env.process(loop())
    start = _clock()
    env.run()
    return _clock() - start


@dataclass(frozen=True)
class _Schedule:
    """The model's timeouts, numbered in the order they were scheduled: ``roots`` (delay, id) scheduled
    while building the model; the (delay, id) pairs that event ``k``'s callbacks scheduled, in order, are
    ``delays[j]``, ``ids[j]`` for ``start[k] <= j < start[k + 1]``; ``until`` the end of the run.

    Kept in flat arrays rather than tuples: tens of thousands of small objects left alive between the
    model's allocations would scatter the objects of the next timed runs (the model's and the replay's)
    and slow them by a fifth.
    """

    roots: tuple[tuple[float, int], ...]
    start: array[int]
    delays: array[float]
    ids: array[int]
    until: float
    events: int
    pending: float


class _MirroredEnvironment(simpy.Environment):
    """An environment that keeps its own copy of the event queue through SimPy's public ``schedule``
    and ``step``: (time, priority, order of scheduling, event), which is how SimPy orders its queue,
    so the mirror always knows which event ``step`` processes next."""

    def __init__(self) -> None:
        super().__init__()
        self.mirror: list[tuple[float, int, int, Any]] = []
        self.order = 0
        self.on_schedule: Callable[[Any, int, float], None] | None = None
        self.on_step: Callable[[tuple[float, int, int, Any]], None] | None = None

    def schedule(self, event: Any, priority: Any = NORMAL, delay: Any = 0) -> None:
        heapq.heappush(self.mirror, (self.now + delay, priority, self.order, event))
        self.order += 1
        super().schedule(event, priority, delay)
        if self.on_schedule is not None:
            self.on_schedule(event, priority, delay)

    def step(self) -> None:
        if self.mirror:
            item = heapq.heappop(self.mirror)
            if self.on_step is not None:
                self.on_step(item)
        super().step()


def _record_schedule(preset: Preset, customers: int, days: int, policy: Any = None) -> _Schedule:
    """Run the model once (untimed) and record the timeouts it schedules, as a tree of callbacks."""
    env = _MirroredEnvironment()
    sim = Simulation(preset, policy, seed=1, customers=customers, env=env)
    setup = sorted(env.mirror, key=lambda item: item[2])  # (time, priority, order, event), as scheduled
    children: list[list[tuple[float, int]]] = []
    for k, item in enumerate(setup):
        item[3].__dict__["_bench_id"] = k
        children.append([])
    current: list[tuple[float, int]] = []
    seen = [0, 0]  # events processed, sum of the queue's length before each

    def scheduled(event: Any, priority: int, delay: float) -> None:
        if priority != NORMAL:  # run(until=...)'s own stop event: the replay's run makes its own
            return
        event.__dict__["_bench_id"] = len(children)
        current.append((delay, len(children)))
        children.append([])

    def stepping(item: tuple[float, int, int, Any]) -> None:
        nonlocal current
        seen[0] += 1
        seen[1] += len(env.mirror) + 1  # the queue's length before the pop
        k = item[3].__dict__.get("_bench_id")
        current = children[k] if k is not None else []

    env.on_schedule = scheduled
    env.on_step = stepping
    sim.advance(days)
    events = sim.sim_events()
    if len(children) != events:  # an event scheduled some other way would be missing from the replay
        raise RuntimeError(f"recorded {len(children):,} timeouts but the model counts {events:,} events")
    start = array("q", [0])
    delays = array("d")
    ids = array("q")
    for kids in children:
        for delay, k in kids:
            delays.append(delay)
            ids.append(k)
        start.append(len(ids))
    return _Schedule(
        roots=tuple((item[0], k) for k, item in enumerate(setup)),
        start=start,
        delays=delays,
        ids=ids,
        until=days + 1e-9,  # as Simulation.advance
        events=events,
        pending=seen[1] / seen[0] if seen[0] else 0.0,
    )


def _replay_env(s: _Schedule) -> simpy.Environment:
    """A fresh environment holding the recorded timeouts, each callback only scheduling the next ones."""
    pairs = list(zip(s.delays.tolist(), s.ids.tolist(), strict=True))
    bounds = s.start.tolist()
    children = [tuple(pairs[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    env = simpy.Environment()
    timeout = simpy.Timeout

    def fire(ev: Any) -> None:
        for delay, k in children[ev.value]:
            timeout(env, delay, k).callbacks.append(fire)

    for delay, k in s.roots:
        timeout(env, delay, k).callbacks.append(fire)
    return env


def _replay_seconds(s: _Schedule) -> float:
    """Wall time of SimPy processing the model's recorded timeouts (see the module's docstring).

    The callbacks' tables are rebuilt for each replay (untimed) and dropped after it, so the model's
    timed runs never share the heap with them.
    """
    env = _replay_env(s)
    gc.collect()
    gc_was_on = gc.isenabled()
    gc.disable()  # as Simulation.advance
    try:
        start = _clock()
        env.run(until=s.until)
        return _clock() - start
    finally:
        if gc_was_on:
            gc.enable()


def _timed_run(preset: Preset, customers: int, days: int, collectors: int | None = None) -> tuple[float, float, int]:
    """(CPU seconds, wall-clock seconds, events) of one run, set-up included."""
    policy = preset.policy if collectors is None else replace(preset.policy, collectors=collectors)
    gc.collect()
    start, wall_start = _clock(), time.perf_counter()
    sim = Simulation(preset, policy, seed=1, customers=customers)
    sim.advance(days)
    return _clock() - start, time.perf_counter() - wall_start, sim.sim_events()


def _peak_rss_mb() -> float:
    """This process's peak resident size. On Linux from ``VmHWM``: ``ru_maxrss`` of a process started by
    another carries the parent's size at the fork over the exec, so a small child would read as large
    as the benchmark that started it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # not available on this platform
        return math.nan


def child_main() -> None:
    """In a fresh interpreter (see :func:`_in_fresh_process`): one timed run, its events and the
    process's peak resident size, as JSON on stdout."""
    preset, customers, days, collectors = pickle.loads(sys.stdin.buffer.read())
    cpu, wall, events = _timed_run(preset, customers, days, collectors)
    json.dump({"cpu": cpu, "wall": wall, "events": events, "peak_mb": _peak_rss_mb()}, sys.stdout)


def _in_fresh_process(preset: Preset, customers: int, days: int, collectors: int | None) -> dict[str, float]:
    """Run :func:`child_main` in a new interpreter: the peak memory is then the run's alone (nothing
    the benchmark kept, no fragmentation from earlier runs), as in a web or RQ worker."""
    proc = subprocess.run([sys.executable, "-c", "from trainer.sim.bench import child_main; child_main()"],
                          input=pickle.dumps((preset, customers, days, collectors)), capture_output=True,
                          check=True)
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def bench(preset: Preset, customers: int = 1000, days: int = 365, big: int = 10_000, repeat: int = 3) -> BenchResult:
    """Time ``customers`` × ``days`` (best of ``repeat``), bare SimPy on the same events, the same
    customers over twice the days, and one ``big``-customer run in a fresh process (its time and its
    peak memory, against a fresh process that only loaded the engine).

    The model, the replay of its events and the one-timer loop take turns, so a busy machine slows
    them alike. The big run scales the policy's collectors with the number of customers, so the queue
    stays as loaded as in the preset instead of growing without bound.
    """
    load_start = _load()
    repeat = max(1, repeat)
    schedule = _record_schedule(preset, customers, days)
    wall = bare = loop = math.inf
    events = 0
    for _ in range(repeat):
        w, _, events = _timed_run(preset, customers, days)
        wall = min(wall, w)
        bare = min(bare, _replay_seconds(schedule))
        loop = min(loop, bare_loop_seconds(events))
    pending = schedule.pending
    del schedule
    long_wall = None
    if 2 * days <= MAX_DAYS:
        long_wall = min(_timed_run(preset, customers, 2 * days)[0] for _ in range(repeat))
    big_wall = big_clock = big_events = big_collectors = None
    peak = base = _peak_rss_mb()
    if big > 0:
        base = _in_fresh_process(preset, 1, 1, None)["peak_mb"]
        big_collectors = max(1, round(preset.policy.collectors * big / preset.customers))
        child = _in_fresh_process(preset, big, days, big_collectors)
        big_wall, big_clock, big_events, peak = child["cpu"], child["wall"], int(child["events"]), child["peak_mb"]
    return _BenchDetail(preset.name, customers, days, wall, events, bare, big, big_wall, big_events, big_collectors,
                        peak, loop=loop, pending=pending, long_wall=long_wall, base_rss_mb=base, big_clock=big_clock,
                        load=(load_start, _load()))


def print_bench(r: BenchResult, out: TextIO | None = None) -> None:
    """Print the figures, each with its target and as a ratio against its baseline in the same run."""
    w = (out or sys.stdout).write
    detail = r if isinstance(r, _BenchDetail) else None
    load = f" (load average {detail.load[0]:.2f} at the start, {detail.load[1]:.2f} at the end)" if detail else ""
    w(f"preset {r.preset}: {r.customers} customers x {r.days} days{load}\n")
    w(f"model run:   {r.wall:.3f} s  (CPU time of this process, best of runs; target < 1 s)\n")
    w(f"events:      {r.events:,}  ({r.events / r.wall:,.0f} events/s)\n")
    if detail:
        w(f"bare SimPy:  {r.bare:.3f} s  (the model's own events replayed: same timeouts, times and order, "
          f"{detail.pending:,.0f} pending on average; callbacks that only schedule the next ones; same run)\n")
    else:
        w(f"bare SimPy:  {r.bare:.3f} s  (same number of events, same run)\n")
    w(f"ratio:       {r.ratio:.2f}x  (model / bare SimPy; target <= 2.5x)\n")
    if detail:
        w(f"one-timer loop: {detail.loop:.3f} s, model / loop {detail.loop_ratio:.2f}x  (the first baseline: one "
          "process, as many timeouts, one pending at a time, so its queue does almost no work)\n")
        if detail.long_wall is not None:
            w(f"{2 * r.days} days:    {detail.long_wall:.3f} s = {detail.long_wall / (2 * r.wall):.2f}x twice the "
              f"{r.days}-day run  (linear in days: 1.00)\n")
    if r.big_wall is not None:
        scaled = r.wall * r.big_customers / r.customers
        clock = f" (wall clock {detail.big_clock:.2f} s)" if detail and detail.big_clock is not None else ""
        w(f"{r.big_customers} customers: {r.big_wall:.2f} s CPU{clock}, {r.big_events:,} events, {r.big_collectors} "
          f"collectors, in a fresh process = {r.big_wall / scaled:.2f}x {r.big_customers / r.customers:g} times the "
          f"{r.customers}-customer run  (target < 10 s; linear in customers: 1.00)\n")
        base = detail.base_rss_mb if detail else math.nan
        w(f"peak memory: {r.peak_rss_mb:.0f} MB  (peak resident size of the {r.big_customers}-customer run's process; "
          f"{r.peak_rss_mb / base:.2f}x a fresh process with the engine loaded, {base:.0f} MB; target < 200 MB)\n")
    else:
        w(f"peak memory: {r.peak_rss_mb:.0f} MB  (peak resident size of this process; target < 200 MB)\n")
