"""Runs spread over processes give exactly the serial results, in order, without loading the web app."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from trainer.sim import RunSpec, load_preset, replicate, run, run_summaries
from trainer.sim.parallel import default_workers, shared_pool, submit_summaries


@pytest.fixture(scope="module")
def distributor():  # type: ignore[no-untyped-def]
    return load_preset("distributor")


def test_parallel_summaries_equal_the_serial_ones_seed_for_seed(distributor) -> None:  # type: ignore[no-untyped-def]
    stricter = replace(distributor.policy, collectors=1, credit_hold_days=None)
    specs = [RunSpec(policy, seed) for seed in (3, 1, 2) for policy in (distributor.policy, stricter)]
    serial = run_summaries(distributor, specs, 80, 150, workers=1)
    parallel = run_summaries(distributor, specs, 80, 150, workers=2)
    assert parallel == serial
    assert parallel[0] == run(distributor, distributor.policy, seed=3, customers=80, days=150).summary
    assert parallel[1] == run(distributor, stricter, seed=3, customers=80, days=150).summary
    assert parallel[0] != parallel[1]  # the two policies differ, so an order mix-up would show


def test_replicate_in_parallel_equals_replicate_in_this_process(distributor) -> None:  # type: ignore[no-untyped-def]
    seen: list[float] = []
    together = replicate(distributor, seeds=range(4), customers=60, days=120, workers=2, on_progress=seen.append)
    alone = replicate(distributor, seeds=range(4), customers=60, days=120, workers=1)
    assert together == alone
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == 4


def test_a_failing_progress_callback_stops_the_batch(distributor) -> None:  # type: ignore[no-untyped-def]
    class Stop(Exception):
        pass

    def stop(_fraction: float) -> None:
        raise Stop

    specs = [RunSpec(None, seed) for seed in range(6)]
    with pytest.raises(Stop):
        run_summaries(distributor, specs, 40, 60, workers=2, on_progress=stop)
    assert len(run_summaries(distributor, specs[:2], 40, 60, workers=2)) == 2  # the pool still works


def test_workers_import_the_engine_but_no_web_framework(distributor) -> None:  # type: ignore[no-untyped-def]
    run_summaries(distributor, [RunSpec(None, 1), RunSpec(None, 2)], 30, 30, workers=2)
    probe = "sorted(m for m in __import__('sys').modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'werkzeug'))"
    engine = "'trainer.sim.model' in __import__('sys').modules"
    pool = shared_pool(2)
    assert pool.submit(eval, probe).result(timeout=60) == []
    assert pool.submit(eval, engine).result(timeout=60) is True
    assert pool.submit(os.getpid).result(timeout=60) != os.getpid()


def test_every_core_is_the_default() -> None:
    assert default_workers() == max(1, os.cpu_count() or 1)


def test_submitted_runs_collect_the_serial_summaries_in_order(distributor) -> None:  # type: ignore[no-untyped-def]
    specs = [RunSpec(None, seed) for seed in (4, 2)]
    serial = run_summaries(distributor, specs, 40, 60, workers=1)
    assert submit_summaries(distributor, specs, 40, 60, workers=2)() == serial
    assert submit_summaries(distributor, specs, 40, 60, workers=1)() == serial
    assert submit_summaries(distributor, [], 40, 60, workers=2)() == []
