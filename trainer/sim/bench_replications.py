"""Benchmark: replications of two policies spread over the cores, against one run timed in the same
process.

Ten seeds of two policies are twenty runs. On ``cores`` processes they cannot take less than
``20 × one run ÷ cores``; the target allows 30 % on top for starting the workers, sending the work and
the results, and runs that do not divide evenly. The workers are started fresh inside the timing (an
RQ job starts its own), so the figure is the worst case; a web process reuses its pool.

On a machine other programs share, the cores may not all be free: the benchmark also times a fixed
pure-Python loop alone and on every worker at once, and prints how many cores that found free, so a
ratio above 1 can be told apart from a busy machine.
"""

from __future__ import annotations

import gc
import math
import sys
import time
from dataclasses import dataclass, replace
from typing import TextIO

from trainer.sim.model import run
from trainer.sim.parallel import RunSpec, default_workers, run_summaries, shared_pool, shutdown
from trainer.sim.presets import Preset

__all__ = ["ReplicationBench", "bench_replications", "print_replication_bench"]

OVERHEAD = 1.3  # the target: the ideal parallel time plus 30 %


@dataclass(frozen=True)
class ReplicationBench:
    preset: str
    customers: int
    days: int
    replications: int
    workers: int
    one_run: float  # seconds, one run in this process (the mean of the two policies' runs)
    parallel: float  # seconds, every run of both policies on ``workers`` processes
    free_cores: float = math.nan  # cores the calibration loop found free (``workers`` on an idle machine)

    @property
    def target(self) -> float:
        return OVERHEAD * 2 * self.replications * self.one_run / self.workers

    @property
    def ratio(self) -> float:
        return self.parallel / self.target if self.target > 0 else math.inf


def _one_run(preset: Preset, spec: RunSpec, customers: int, days: int) -> float:
    gc.collect()
    start = time.perf_counter()
    run(preset, spec.policy, seed=spec.seed, customers=customers, days=days)
    return time.perf_counter() - start


def spin(loops: int) -> float:
    """A fixed amount of pure-Python work; its wall time in seconds (the calibration's unit)."""
    start = time.perf_counter()
    total = 0
    for i in range(loops):
        total += i
    return time.perf_counter() - start if total >= 0 else math.nan


def free_cores(workers: int, loops: int = 3_000_000) -> float:
    """How many of ``workers`` cores are free now: the loop alone here, then once on every worker at
    once (the pool started and warm); ``workers`` when they all ran as fast as the loop alone."""
    pool = shared_pool(workers)
    list(pool.map(spin, [1000] * workers))  # start every worker before timing
    alone = min(spin(loops) for _ in range(2))
    together = max(pool.map(spin, [loops] * workers))
    return min(float(workers), workers * alone / together) if together > 0 else math.nan


def bench_replications(preset: Preset, customers: int = 1000, days: int = 365, replications: int = 10,
                       workers: int | None = None) -> ReplicationBench:
    """Time ``replications`` seeds of the preset's policy and of a variant (two more collectors) on
    ``workers`` processes (default: every core), and one run of each policy in this process."""
    count = workers or default_workers()
    policies = (preset.policy, replace(preset.policy, collectors=preset.policy.collectors + 2))
    one = sum(_one_run(preset, RunSpec(p, 0), customers, days) for p in policies) / len(policies)
    specs = [RunSpec(p, seed) for seed in range(replications) for p in policies]
    shutdown()
    gc.collect()
    start = time.perf_counter()
    run_summaries(preset, specs, customers, days, workers=count)
    parallel = time.perf_counter() - start
    free = free_cores(count)
    shutdown()
    return ReplicationBench(preset.name, customers, days, replications, count, one, parallel, free)


def print_replication_bench(r: ReplicationBench, out: TextIO | None = None) -> None:
    w = (out or sys.stdout).write
    w(f"replications: {r.replications} seeds x 2 policies, {r.customers} customers x {r.days} days, "
      f"{r.workers} processes: {r.parallel:.2f} s\n")
    w(f"  one run in this process {r.one_run:.3f} s; target {OVERHEAD} x (2 x {r.replications} x one run / "
      f"{r.workers} cores) = {r.target:.2f} s\n")
    w(f"  ratio:     {r.ratio:.2f}  (parallel / target; target <= 1)\n")
    w(f"  free cores during the run: {r.free_cores:.1f} of {r.workers}  (a loop timed alone and on every worker "
      "at once; fewer free cores than workers means other programs were using them)\n")
