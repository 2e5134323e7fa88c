"""Benchmark: the model against a bare SimPy loop with the same number of events, in the same process.

Comparing with a bare loop measured in the same run makes the ratio meaningful on any machine: what
is left above the loop is the model's own work per event.
"""

from __future__ import annotations

import gc
import math
import resource
import sys
import time
from dataclasses import dataclass, replace
from typing import TextIO

import simpy

from trainer.sim.model import Simulation
from trainer.sim.params import Preset

__all__ = ["BenchResult", "bare_loop_seconds", "bench", "print_bench"]


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
    peak_rss_mb: float

    @property
    def ratio(self) -> float:
        return self.wall / self.bare if self.bare > 0 else math.inf


def bare_loop_seconds(events: int) -> float:
    """Wall time of one SimPy process that yields ``events`` timeouts and does nothing else."""
    env = simpy.Environment()

    def loop() -> simpy.events.ProcessGenerator:
        timeout = env.timeout
        for _ in range(events):
            yield timeout(1)

    env.process(loop())
    start = time.perf_counter()
    env.run()
    return time.perf_counter() - start


def _timed_run(preset: Preset, customers: int, days: int, collectors: int | None = None) -> tuple[float, int]:
    policy = preset.policy if collectors is None else replace(preset.policy, collectors=collectors)
    gc.collect()
    start = time.perf_counter()
    sim = Simulation(preset, policy, seed=1, customers=customers)
    sim.advance(days)
    wall = time.perf_counter() - start
    return wall, sim.sim_events()


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def bench(preset: Preset, customers: int = 1000, days: int = 365, big: int = 10_000, repeat: int = 3) -> BenchResult:
    """Time ``customers`` × ``days`` (best of ``repeat``), the bare loop, and one ``big``-customer run.

    The big run scales the policy's collectors with the number of customers, so the queue stays as
    loaded as in the preset instead of growing without bound.
    """
    repeat = max(1, repeat)
    wall = math.inf
    events = 0
    for _ in range(repeat):
        w, events = _timed_run(preset, customers, days)
        wall = min(wall, w)
    bare = min(bare_loop_seconds(events) for _ in range(repeat))
    big_wall = big_events = big_collectors = None
    if big > 0:
        big_collectors = max(1, round(preset.policy.collectors * big / preset.customers))
        big_wall, big_events = _timed_run(preset, big, days, big_collectors)
    return BenchResult(preset.name, customers, days, wall, events, bare, big, big_wall, big_events, big_collectors,
                       _peak_rss_mb())


def print_bench(r: BenchResult, out: TextIO | None = None) -> None:
    """Print the figures, each with its target."""
    w = (out or sys.stdout).write
    w(f"preset {r.preset}: {r.customers} customers x {r.days} days\n")
    w(f"model run:   {r.wall:.3f} s  (best of runs; target < 1 s)\n")
    w(f"events:      {r.events:,}  ({r.events / r.wall:,.0f} events/s)\n")
    w(f"bare SimPy:  {r.bare:.3f} s  (one process, same number of events, same run)\n")
    w(f"ratio:       {r.ratio:.2f}x  (model / bare loop; target <= 3x)\n")
    if r.big_wall is not None:
        w(f"{r.big_customers} customers: {r.big_wall:.2f} s, {r.big_events:,} events, {r.big_collectors} collectors "
          f"(target < 15 s)\n")
    w(f"peak memory: {r.peak_rss_mb:.0f} MB  (peak resident size of this process; target < 300 MB)\n")
