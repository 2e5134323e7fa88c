"""The value waterfall adds up, and DSO, Best Possible DSO and ADD share one basis wherever they appear
(the run's headline, every month, the CSV export): BPDSO ≤ DSO and ADD = DSO − BPDSO, as properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.sim import load_preset, run
from trainer.sim.collectability import collectability
from trainer.sim.params import DEFAULT_COLLECTABILITY_CURVE
from trainer.sim.results import DailySeries, average_dso, build_months
from trainer.sim.value import CHURN_HORIZON_MONTHS, churn_lost_sales, open_receivables_loss, value_breakdown

money = st.floats(0, 1e7, allow_nan=False, allow_infinity=False)


@st.composite
def daily_series(draw: st.DrawFn) -> DailySeries:
    """Random end-of-day figures: receivables, a current part that may exceed them (credit balances,
    rounding) and credit sales that may be zero in some months."""
    n = draw(st.integers(1, 120))
    ar = draw(st.lists(st.floats(-50, 1e6, allow_nan=False), min_size=n, max_size=n))
    current = draw(st.lists(st.floats(-50, 1.2e6, allow_nan=False), min_size=n, max_size=n))
    credit = draw(st.lists(st.one_of(st.just(0.0), money), min_size=n, max_size=n))
    zeros = (0.0,) * n
    past = tuple(max(0.0, a - c) for a, c in zip(ar, current, strict=True))
    return DailySeries(day=tuple(range(n)), sales=tuple(credit), credit_sales=tuple(credit), collections=zeros,
                       discounts=zeros, credit_notes=zeros, bad_debt=zeros, lost_sales=zeros, ar=tuple(ar),
                       current=tuple(current), past_due_1_30=past, past_due_31_60=zeros, past_due_61_90=zeros,
                       past_due_over_90=zeros, collectors=(1,) * n, busy_time=zeros, queue=(0,) * n, waits=(0,) * n,
                       wait_time=zeros, churned=(0,) * n)


def _consistent(dso: float | None, best: float | None, add: float | None) -> None:
    if dso is None:
        assert best is None and add is None
        return
    assert best is not None and add is not None
    assert 0.0 <= best <= dso + 1e-9
    assert math.isclose(add, dso - best, rel_tol=1e-9, abs_tol=1e-6)


@settings(max_examples=150, deadline=None)
@given(daily_series())
def test_headline_and_monthly_kpis_share_one_basis(daily: DailySeries) -> None:
    _consistent(*average_dso(daily.ar, daily.current, sum(daily.credit_sales)))
    for m in build_months(daily, (0.0, 0.05, 0.1, 0.2, 0.5), 0.04):
        _consistent(m.dso, m.best_possible_dso, m.average_days_delinquent)


@pytest.mark.parametrize("preset", ["distributor", "projects"])
def test_a_real_run_agrees_with_itself(preset: str) -> None:
    s = run(load_preset(preset), seed=3, customers=120, days=200).summary
    _consistent(s.dso, s.best_possible_dso, s.add)
    assert s.lost_sales == pytest.approx(s.refused_sales + s.churn_lost_sales)
    steps = s.value
    assert s.net_value == pytest.approx(steps["margin"] - steps["bad_debt"] - steps["discounts"]
                                        - steps["credit_notes"] - steps["collection_cost"] - steps["carrying_cost"]
                                        - steps["open_loss"] - steps["churn_margin"] + steps["fx_result"])
    assert steps["bad_debt"] == s.bad_debt and steps["open_loss"] == s.expected_open_loss


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(money, st.floats(-200, 900, allow_nan=False)), max_size=30))
def test_open_receivables_are_valued_at_the_collectability_curve(items: list[tuple[float, float]]) -> None:
    loss = open_receivables_loss(DEFAULT_COLLECTABILITY_CURVE, items)
    assert 0.0 <= loss <= sum(a for a, _ in items) + 1e-6
    expected = sum(a * (1 - collectability(DEFAULT_COLLECTABILITY_CURVE, max(0.0, age))) for a, age in items)
    assert loss == pytest.approx(expected)


def test_older_debts_lose_more_and_churn_counts_a_year_of_orders() -> None:
    curve = DEFAULT_COLLECTABILITY_CURVE
    assert open_receivables_loss(curve, [(100.0, -10)]) == pytest.approx(100 * (1 - 0.982))  # valued as due today
    assert open_receivables_loss(curve, [(100.0, 30)]) < open_receivables_loss(curve, [(100.0, 300)])
    assert churn_lost_sales([1000.0, 500.0]) == 1500.0 * CHURN_HORIZON_MONTHS == 18_000.0


def test_the_waterfall_subtracts_every_cost() -> None:
    v = value_breakdown(sales=1000.0, margin_rate=0.2, bad_debt=10, discounts=5, credit_notes=3, collection_cost=20,
                        carrying_cost=7, open_loss=15, churn_sales=100, fx_result=-4)
    assert v.margin == 200 and v.churn_margin == 20
    assert v.net_value == 200 - 10 - 5 - 3 - 20 - 7 - 15 - 20 - 4
    assert [k for k, _ in v.signed_steps()][0] == "bad_debt"
    assert sum(x for _, x in v.signed_steps()) == pytest.approx(v.net_value - v.margin)
