"""Independent runs (replications, comparisons, frontier searches) spread over the machine's cores.

Each run is seeded on its own and shares nothing with the others, so a run gives the same summary in
a worker process as in this one: the parallel result equals the serial one, seed for seed (tested).

Workers are *spawned* processes (fresh interpreters), never forked: a web process or an RQ worker has
threads, open database connections and locks that a fork would copy half-way. A spawned worker
imports only this module and what it needs (the engine, NumPy, SimPy: no Flask, no database), so it
starts in a fraction of a second. The pool is created on first use and kept for the life of the
process, shared by every thread that submits work (the web process's job threads), so a process never
runs more simulations at once than it has workers. One run, or ``workers=1``, stays in this process.

A spawned worker imports the parent's main module first (Python's rule for spawning): a script that
starts batches needs the usual ``if __name__ == "__main__":`` guard. Where that main module is not a
file it can import (code piped in on stdin), the batch runs in this process instead.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np

from trainer.sim.model import run
from trainer.sim.policy import Policy
from trainer.sim.presets import Preset
from trainer.sim.results import Summary

__all__ = ["Replications", "RunSpec", "default_workers", "replicate", "run_summaries", "shared_pool", "shutdown",
           "submit_summaries"]


@dataclass(frozen=True)
class RunSpec:
    """One run of a batch: a policy (``None``: the preset's) on a seed."""

    policy: Policy | None
    seed: int


_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_key: tuple[int, int] = (0, 0)  # (process id, workers): a pool is only good in the process that made it


def default_workers() -> int:
    """All the cores the machine reports (at least one)."""
    return max(1, os.cpu_count() or 1)


def shared_pool(workers: int) -> ProcessPoolExecutor:
    """This process's pool of ``workers`` spawned processes (made on first use, then reused)."""
    global _pool, _pool_key
    with _lock:
        key = (os.getpid(), workers)
        if _pool is None or _pool_key != key:
            if _pool is not None and _pool_key[0] == key[0]:
                _pool.shutdown(wait=False)  # runs other threads submitted still finish
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
            _pool_key = key
        return _pool


def _can_spawn() -> bool:
    """A spawned worker can import this process's main module (it is a module, a file, or none)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return getattr(main, "__spec__", None) is not None or path is None or os.path.isfile(path)


def shutdown() -> None:
    """Stop this process's workers (they are started again on the next parallel batch)."""
    global _pool
    with _lock:
        if _pool is not None and _pool_key[0] == os.getpid():
            _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


def _summary(preset: Preset, spec: RunSpec, customers: int | None, days: int | None) -> Summary:
    """A worker's task: one run, only its summary sent back (the daily series would cost more to send
    than to compute)."""
    return run(preset, spec.policy, seed=spec.seed, customers=customers, days=days).summary


def run_summaries(preset: Preset, specs: Sequence[RunSpec], customers: int | None = None, days: int | None = None,
                  *, workers: int | None = None,
                  on_progress: Callable[[float], None] | None = None) -> list[Summary]:
    """The summary of each run in ``specs``, in the order given, computed on ``workers`` processes
    (default: every core).

    ``on_progress(fraction)`` is called in this process as runs finish; an exception it raises (a job
    that lost its claim or ran out of time) cancels the runs not yet started and propagates.
    """
    n = len(specs)
    count = default_workers() if workers is None else max(1, int(workers))
    if n <= 1 or count == 1 or not _can_spawn():
        out = []
        for i, spec in enumerate(specs):
            out.append(_summary(preset, spec, customers, days))
            if on_progress is not None:
                on_progress((i + 1) / n)
        return out
    pool = shared_pool(count)
    futures: dict[Future[Summary], int] = {}
    try:
        for i, spec in enumerate(specs):
            futures[pool.submit(_summary, preset, spec, customers, days)] = i
        results: list[Summary | None] = [None] * n
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if on_progress is not None:
                on_progress(done / n)
    except BrokenProcessPool:
        shutdown()  # a worker died (killed, out of memory): the next batch starts a fresh pool
        raise
    finally:
        for future in futures:
            future.cancel()
    return [r for r in results if r is not None]


def submit_summaries(preset: Preset, specs: Sequence[RunSpec], customers: int | None = None,
                     days: int | None = None, *, workers: int | None = None) -> Callable[[], list[Summary]]:
    """Start the runs on the workers now and return what collects their summaries (in order), so this
    process can do other work meanwhile; with one worker, the runs happen when collected."""
    count = default_workers() if workers is None else max(1, int(workers))
    if not specs or count == 1 or not _can_spawn():
        return lambda: run_summaries(preset, specs, customers, days, workers=1)
    pool = shared_pool(count)
    futures = [pool.submit(_summary, preset, spec, customers, days) for spec in specs]
    return lambda: [f.result() for f in futures]


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
              on_progress: Callable[[float], None] | None = None, *, workers: int | None = None) -> Replications:
    """Run the same preset and policy once per seed (in parallel) and collect the summaries."""
    seed_list = tuple(seeds)
    specs = [RunSpec(policy, s) for s in seed_list]
    return Replications(seed_list, tuple(run_summaries(preset, specs, customers, days, workers=workers,
                                                       on_progress=on_progress)))
