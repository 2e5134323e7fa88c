"""The public observer interface: observers see every refused order and every event, change nothing,
and the customer read-outs agree with the engine's own aggregates."""

from __future__ import annotations

import pytest

from trainer.sim import Event, Observer, Simulation, load_preset, policy_from_dict


class Recorder(Observer):
    def __init__(self) -> None:
        self.refused: list[tuple[int, float, str]] = []
        self.events: list[Event] = []

    def on_order_refused(self, customer: int, value: float, reason: str) -> None:
        self.refused.append((customer, value, reason))

    def on_event(self, event: Event) -> None:
        self.events.append(event)


def test_observers_see_everything_and_change_nothing() -> None:
    preset = load_preset("distributor")
    strict = policy_from_dict({"grades": {"C": {"deposit": 0.4}, "D": {"accept": False}}, "collectors": 2},
                              preset.policy)
    recorder = Recorder()
    watched = Simulation(preset, strict, seed=3, customers=80, observers=[recorder])
    plain = Simulation(preset, strict, seed=3, customers=80)
    for sim in (watched, plain):
        sim.advance(200)
    assert watched.result() == plain.result()
    summary = watched.result().summary
    assert len(recorder.refused) == summary.lost_orders > 0
    assert sum(v for _, v, _ in recorder.refused) == pytest.approx(summary.refused_sales)
    for reason, count in summary.lost_by_reason.items():
        assert sum(1 for _, _, r in recorder.refused if r == reason) == count
    assert tuple(recorder.events) == watched.result().events


def test_customer_read_outs_match_the_engine() -> None:
    sim = Simulation(load_preset("distributor"), seed=5, customers=60)
    sim.advance(150)
    result = sim.result()
    aging = sim.aging_by_customer()
    assert [a.customer.id for a in aging] == list(range(60))
    last = len(result.daily) - 1
    for b in range(5):
        assert sum(a.buckets[b] for a in aging) == pytest.approx(result.daily.buckets(last)[b], abs=1.0)
    for event in result.events:
        if event.kind == "default":
            assert sim.customer(event.customer).status == "defaulted"
