"""The benchmark's bare SimPy run replays exactly the model's events (its ratio's denominator)."""

from __future__ import annotations

from typing import Any

import pytest
import simpy

from trainer.sim import load_preset
from trainer.sim.bench import _record_schedule, _replay_env
from trainer.sim.model import Simulation


def processed(env: Any, until: float) -> list[tuple[float, int, int]]:
    """(time, priority, id) of every event ``env`` processes up to ``until``, in order."""
    seen: list[tuple[float, int, int]] = []
    plain_step = env.step

    def step() -> None:
        if env._queue:
            seen.append(env._queue[0][:3])
        plain_step()

    env.step = step
    env.run(until=until)
    return seen


@pytest.mark.parametrize("name", ["distributor", "projects"])
def test_replay_processes_the_models_events_in_the_same_order(name: str) -> None:
    preset = load_preset(name)
    schedule = _record_schedule(preset, 40, 200)
    sim = Simulation(preset, seed=1, customers=40)
    model = processed(sim.env, schedule.until)
    replay = processed(_replay_env(schedule), schedule.until)
    assert len(model) > 300
    assert replay == model
    plain = Simulation(preset, seed=1, customers=40)
    plain.advance(200)
    assert schedule.events == plain.sim_events() == len(schedule.roots) + len(schedule.ids)
    assert schedule.pending > 1


def test_the_private_simpy_attributes_the_hot_paths_read_are_what_the_properties_return() -> None:
    """The engine reads ``Event._value`` and ``Environment._now`` directly (no property call per event);
    a SimPy release that renamed them must fail here rather than run on stale values."""
    env = simpy.Environment()
    timeout = simpy.Timeout(env, 2.5, ("invoice", 7.0))
    env.run(until=3)
    assert timeout._value is timeout.value and timeout.value == ("invoice", 7.0)
    assert env._now == env.now == 3
