"""Same seed, same result; common random numbers across policies; segments; progress; replications."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from trainer.sim import PolicyError, Simulation, load_preset, policy_from_dict, policy_to_dict, replicate, run
from trainer.sim.model import STREAMS


@pytest.fixture(scope="module")
def distributor():  # type: ignore[no-untyped-def]
    return load_preset("distributor")


def test_same_seed_same_inputs_identical_results(distributor) -> None:  # type: ignore[no-untyped-def]
    a = run(distributor, seed=42, customers=120, days=200)
    b = run(distributor, seed=42, customers=120, days=200)
    assert a == b
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())


def test_another_seed_gives_another_run(distributor) -> None:  # type: ignore[no-untyped-def]
    a = run(distributor, seed=1, customers=120, days=120)
    b = run(distributor, seed=2, customers=120, days=120)
    assert a.summary.sales != b.summary.sales


def test_streams_are_independent_and_named() -> None:
    assert len(set(STREAMS)) == len(STREAMS)
    assert {"orders", "payments", "disputes", "defaults", "collection"} <= set(STREAMS)


def test_two_policies_on_one_seed_face_the_same_customers_and_orders(distributor) -> None:  # type: ignore[no-untyped-def]
    strict = policy_from_dict({"collectors": 1, "priority": "largest_balance", "credit_hold_days": 10,
                               "grades": {"C": {"terms": "cia"}}}, base=distributor.policy)
    loose = distributor.policy
    s1 = Simulation(distributor, strict, seed=5, customers=150)
    s2 = Simulation(distributor, loose, seed=5, customers=150)
    attrs = ("grade", "behaviour", "resp", "takes_discount", "fixed_delay", "size", "industry", "foreign",
             "sensitivity")
    assert [[getattr(c, a) for a in attrs] for c in s1.customers] == [[getattr(c, a) for a in attrs]
                                                                       for c in s2.customers]
    s1.advance(200)
    s2.advance(200)
    # the block generators are now past the same point: the next blocks of orders and draws are equal
    b1, b2 = s1._make_block(), s2._make_block()
    assert b1 == b2
    assert len(b1.times) > 0
    # and the policies did make a difference
    assert s1.result().summary != s2.result().summary


def test_same_policy_in_segments_equals_one_run(distributor) -> None:  # type: ignore[no-untyped-def]
    whole = Simulation(distributor, seed=3, customers=100)
    whole.advance(180)
    parts = Simulation(distributor, seed=3, customers=100)
    parts.advance(60)
    parts.result()  # looking at the results half-way must not disturb the run
    parts.advance(120)
    a, b = whole.result(), parts.result()
    assert a.summary == b.summary
    assert a.daily == b.daily
    assert a.segments == b.segments
    assert len(a.segments) == 1 and a.segments[0][:2] == (0, 179)


def test_workshop_rounds_switch_policy_and_continue_from_state(distributor) -> None:  # type: ignore[no-untyped-def]
    tougher = replace(distributor.policy, collectors=distributor.policy.collectors + 3,
                      ladder_manager=15, priority="largest_balance")
    sim = Simulation(distributor, seed=4, customers=150)
    sim.advance(90)
    first = sim.result()
    sim.advance(90, tougher)
    res = sim.result()
    assert res.days == 180
    assert [seg[:2] for seg in res.segments] == [(0, 89), (90, 179)]
    assert res.segments[1][2] == policy_to_dict(tougher)
    assert res.daily.collectors[89] == distributor.policy.collectors
    assert res.daily.collectors[90] == tougher.collectors
    assert any(e.kind == "policy_change" and e.day == 90 for e in res.events)
    # the first 90 days are the history of the same run
    assert res.daily.ar[:90] == first.daily.ar
    # fewer collectors later: the pool shrinks without losing work
    sim.advance(30, replace(tougher, collectors=1))
    assert sim.result().daily.collectors[-1] == 1
    assert sim.invoiced == pytest.approx(sim.collected + sim.discounts + sim.credit_notes + sim.written_off
                                         + sim.outstanding)


def test_horizon_over_five_years_is_refused_even_in_segments(distributor) -> None:  # type: ignore[no-untyped-def]
    sim = Simulation(distributor, seed=1, customers=5)
    sim.advance(1800)
    with pytest.raises(PolicyError) as exc:
        sim.advance(30)
    assert exc.value.problems[0].code == "horizon_too_long"
    for bad in (0, -1, 2.5, True):
        with pytest.raises(PolicyError):
            sim.advance(bad)  # type: ignore[arg-type]
    with pytest.raises(PolicyError):
        Simulation(distributor, seed=-1)
    with pytest.raises(PolicyError):
        Simulation(distributor, customers=20_001)


def test_progress_callback_reports_fractions_up_to_one(distributor) -> None:  # type: ignore[no-untyped-def]
    seen: list[float] = []
    run(distributor, seed=1, customers=30, days=200, on_progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert 50 <= len(seen) <= 101


def test_replicate_gives_bands(distributor) -> None:  # type: ignore[no-untyped-def]
    reps = replicate(distributor, seeds=range(5), customers=60, days=120)
    assert reps.seeds == (0, 1, 2, 3, 4)
    assert len(reps.summaries) == 5
    band = reps.band("dso")
    assert band is not None
    low, mid, high = band
    assert low <= mid <= high
    assert reps.summaries[0] == run(distributor, seed=0, customers=60, days=120).summary
