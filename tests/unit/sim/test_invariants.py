"""Hypothesis invariants: money is conserved and no balance goes negative, whatever the policy."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainer.sim import Simulation, list_presets, load_preset, policy_from_dict

PRESETS = {name: load_preset(name) for name in list_presets()}


def optional_day(low: int, high: int) -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), st.integers(low, high))


grade = st.fixed_dictionaries({
    "accept": st.booleans(),
    "terms": st.sampled_from(["net", "net", "cod", "cia"]),
    "net_days": st.integers(15, 120),
    "credit_limit_months": st.one_of(st.none(), st.floats(0.5, 6)),
    "deposit": st.sampled_from([0.0, 0.1, 0.3]),
    "discount": st.sampled_from([0.0, 0.01, 0.02]),
    "discount_days": st.integers(0, 10),
})


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    first = draw(st.integers(1, 20))
    gaps = draw(st.lists(st.integers(1, 40), min_size=3, max_size=3))
    steps = [first, first + gaps[0], first + gaps[0] + gaps[1], first + sum(gaps)]
    keep = draw(st.lists(st.booleans(), min_size=4, max_size=4))
    ladder = {name: (day if on else None) for name, day, on in
              zip(("salesperson", "manager", "executive", "legal"), steps, keep, strict=True)}
    agency = draw(optional_day(30, 150))
    return {
        "grades": {g: draw(grade) for g in "ABCD"},
        "reminder_days_before_due": draw(optional_day(0, 15)),
        "ladder": ladder,
        "follow_up_days": draw(optional_day(3, 21)),
        "agency_day": agency,
        "agency_fee": draw(st.sampled_from([0.1, 0.25])),
        "credit_hold_days": draw(optional_day(5, 90)),
        "collectors": draw(st.integers(1, 4)),
        "priority": draw(st.sampled_from(["largest_balance", "oldest_debt", "first_come"])),
        "write_off_day": max([180, (agency or 0) + 1] + [d for d in ladder.values() if d is not None]) + 1,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    preset_name=st.sampled_from(sorted(PRESETS)),
    policy=policies(),
    second=st.one_of(st.none(), policies()),
    seed=st.integers(0, 2**32),
    customers=st.integers(5, 120),
    days=st.integers(20, 300),
)
def test_money_is_conserved_and_nothing_goes_negative(
    preset_name: str, policy: dict[str, Any], second: dict[str, Any] | None, seed: int, customers: int, days: int
) -> None:
    for grade_terms in policy["grades"].values():  # keep discounts inside the net terms
        grade_terms["discount_days"] = min(grade_terms["discount_days"], grade_terms["net_days"] - 1)
    preset = PRESETS[preset_name]
    sim = Simulation(preset, policy_from_dict(policy), seed=seed, customers=customers)
    sim.advance(days)
    if second is not None:
        for grade_terms in second["grades"].values():
            grade_terms["discount_days"] = min(grade_terms["discount_days"], grade_terms["net_days"] - 1)
        sim.advance(min(120, 1825 - days), policy_from_dict(second))
    res = sim.result()
    s = res.summary
    settled = sim.collected + sim.discounts + sim.credit_notes + sim.written_off + sim.outstanding
    assert sim.invoiced == pytest.approx(settled, rel=1e-9, abs=1e-6)
    assert res.daily.ar[-1] == pytest.approx(sim.outstanding, rel=1e-9, abs=1e-6)
    assert sim.min_open_balance() >= 0
    assert all(c.balance >= -1e-6 for c in sim.customers)
    for i in range(len(res.daily)):
        assert min(res.daily.buckets(i)) >= -1e-6
        assert res.daily.ar[i] == pytest.approx(sum(res.daily.buckets(i)), abs=1e-6)
    for field in ("collected", "discounts", "credit_notes", "bad_debt", "lost_sales", "collection_cost",
                  "carrying_cost", "agency_fees"):
        assert getattr(s, field) >= 0, field
    assert s.sales == pytest.approx(s.cash_sales + s.credit_sales)
    assert s.orders >= s.lost_orders
    assert 0 <= s.utilisation <= 1 + 1e-9
