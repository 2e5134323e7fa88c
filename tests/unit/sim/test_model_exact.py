"""Cases with an exact answer: steady sales paid on day T, no defaults, the collectability calibration."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from trainer.sim import Simulation, run
from trainer.sim.collectability import DAYS_PER_MONTH, bad_ages, collectability
from trainer.sim.params import DEFAULT_COLLECTABILITY_CURVE
from trainer.sim.presets import Preset


def test_everyone_pays_on_day_t_with_steady_sales_gives_dso_t(make_preset: Callable[..., Preset]) -> None:
    # one order a day per customer, all the same size, everyone pays exactly on the due date (30 days)
    preset = make_preset({"portfolio": {"order_process": "regular", "orders_per_year": 365}})
    res = run(preset, seed=7, customers=50, days=120)
    daily = res.daily
    # after the first 30 days, exactly 30 days of sales are open at every day end
    for d in range(31, 120):
        assert daily.ar[d] == pytest.approx(50 * 1000 * 30)
        assert daily.current[d] == pytest.approx(daily.ar[d])
    for m in res.months[1:]:
        assert m.dso == pytest.approx(30.0)
        assert m.dso_countback == pytest.approx(30.0)
        assert m.best_possible_dso == pytest.approx(m.dso)
        assert m.average_days_delinquent == pytest.approx(0.0)
        assert m.overdue_pct == pytest.approx(0.0)
        assert m.cei == pytest.approx(100.0)
    s = res.summary
    assert s.bad_debt == 0 and s.write_offs == 0 and s.defaults == 0
    assert s.lost_orders == 0
    assert s.collected == pytest.approx(s.credit_sales - s.outstanding)


@pytest.mark.parametrize("net_days", [10, 45, 60])
def test_steady_state_dso_equals_the_terms(make_preset: Callable[..., Preset], net_days: int) -> None:
    grade = {"net_days": net_days}
    preset = make_preset({"portfolio": {"order_process": "regular", "orders_per_year": 365},
                          "policy": {"grades": {g: grade for g in "ABCD"}}})
    res = run(preset, seed=1, customers=20, days=200)
    assert res.months[-1].dso_countback == pytest.approx(net_days)
    assert res.daily.ar[-1] == pytest.approx(20 * 1000 * net_days)


def test_nobody_defaults_nobody_loses_bad_debt_is_zero(make_preset: Callable[..., Preset]) -> None:
    # late and irregular payers, all collectable, no defaults or shocks: everything is paid eventually
    preset = make_preset({
        "portfolio": {"behaviour_mix": {"on_time": 0.25, "fixed_delay": 0.25, "irregular": 0.25, "chronic": 0.25},
                      "order_size_cv": 0.5, "size_dispersion": 1.0},
        "policy": {"ladder": {"salesperson": 1, "manager": 31}, "follow_up_days": 7, "collectors": 3},
    })
    res = run(preset, seed=3, customers=150, days=400)
    assert res.summary.bad_debt == 0
    assert res.summary.write_offs == 0
    assert not [e for e in res.events if e.kind in ("default", "write_off")]
    assert res.summary.past_due_end > 0  # the late payers did make things late


def test_a_debt_first_worked_at_age_t_is_collected_with_the_curve_probability(
    make_preset: Callable[..., Preset],
) -> None:
    # nobody pays of their own accord; one action with certain success at 91 days past due
    age = 91
    preset = make_preset({
        "portfolio": {
            "behaviours": {"on_time": {"delay_min": 1800, "delay_max": 1800}},
            "collectability_curve": [list(p) for p in DEFAULT_COLLECTABILITY_CURVE],
            "action_strength": {"salesperson": 1.0},
            "work_days": {"salesperson": 0.0},
            "promise_days": 0,
        },
        # write-off the day after the action, so failures are counted as soon as successes
        "policy": {"ladder": {"salesperson": age}, "write_off_day": age + 1, "collectors": 5},
    })
    sim = Simulation(preset, seed=11, customers=400)
    sim.advance(400)
    expected = collectability(DEFAULT_COLLECTABILITY_CURVE, age)
    share = sim.collected / (sim.collected + sim.written_off)
    assert sim.written_off > 0 and sim.n_actions > 2000
    assert share == pytest.approx(expected, abs=0.02)
    # 91 days lies between the 2-month (86.2 %) and 3-month (73.6 %) points of the calibration
    two, three = 2 * DAYS_PER_MONTH, 3 * DAYS_PER_MONTH
    assert expected == pytest.approx(0.862 + (0.736 - 0.862) * (age - two) / (three - two), abs=1e-9)


def test_bad_ages_invert_the_curve() -> None:
    curve = DEFAULT_COLLECTABILITY_CURVE
    ages = bad_ages(curve, np.array([0.99, 0.982, 0.8, 0.136, 0.1]))
    assert ages[0] == 0.0
    assert ages[3] == np.inf and ages[4] == np.inf
    assert collectability(curve, float(ages[2])) == pytest.approx(0.8)
    assert collectability(curve, -1) == 1.0
    assert collectability(curve, 10_000) == pytest.approx(0.136)
