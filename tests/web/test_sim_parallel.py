"""Replications in the policy lab spread their seeds over processes and still give the serial figures."""

from __future__ import annotations

from trainer import sim
from trainer.policylab import jobs
from trainer.policylab.services.comparisons import replicate_pair
from trainer.policylab.services.presets import default_policy, preset


def test_replications_on_two_processes_equal_one_process_and_the_engine(app) -> None:  # type: ignore[no-untyped-def]
    mine = dict(default_policy("distributor"), collectors=1)
    base = default_policy("distributor")
    seen: list[float] = []
    together = replicate_pair("distributor", mine, base, 5, 3, 50, 90, seen.append, workers=2)
    alone = replicate_pair("distributor", mine, base, 5, 3, 50, 90, workers=1)
    assert together == alone
    assert seen[-1] == 1.0 and len(seen) == 6
    the_preset = preset("distributor")
    direct = [sim.run(the_preset, sim.policy_from_dict(mine, the_preset.policy), seed=s, customers=50, days=90)
              .summary.dso for s in (5, 6, 7)]
    assert sorted(direct)[1] == together["result"]["bands"]["dso"]["yours"][1]
    assert together["result"]["seeds"] == [5, 6, 7]


def test_the_process_count_comes_from_the_settings(app) -> None:  # type: ignore[no-untyped-def]
    app.config["SIM_PROCESSES"] = 3
    assert jobs.settings(app).processes == 3
    app.config["SIM_PROCESSES"] = 0
    assert jobs.settings(app).processes is None
