"""The collector pool against Erlang C, and Little's law on the receivables ledger."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from trainer.sim import Simulation
from trainer.sim.presets import Preset
from trainer.sim.theory import erlang_c, mmc_mean_wait, mmc_utilisation

COLLECTORS = 3
ARRIVALS_PER_DAY = 42.0  # 400 customers ordering 38.3 times a year: every invoice gets one reminder
SERVICE_RATE = 20.0  # a reminder takes 1/20 of a collector-day on average (exponential); utilisation 0.7
WARMUP, DAYS = 60, 420


def test_erlang_c_formula_known_values() -> None:
    # M/M/1: P(wait) = rho, Wq = rho / (mu - lambda)
    assert erlang_c(1, 0.5, 1.0) == pytest.approx(0.5)
    assert mmc_mean_wait(1, 0.5, 1.0) == pytest.approx(1.0)
    # M/M/2 with a = 1.6: C = 6.4 / 9
    assert erlang_c(2, 40, 25) == pytest.approx(6.4 / 9)
    assert mmc_utilisation(2, 40, 25) == pytest.approx(0.8)
    for bad in [(0, 1, 1), (2, 0, 1), (2, 1, 0), (1, 2, 1)]:
        with pytest.raises(ValueError):
            erlang_c(*bad)


@pytest.mark.slow
def test_collector_queue_matches_erlang_c_over_seeded_replications(make_preset: Callable[..., Preset]) -> None:
    """Poisson orders -> reminders arrive as a Poisson stream; exponential work; FIFO; nothing else."""
    preset = make_preset({
        "portfolio": {"orders_per_year": ARRIVALS_PER_DAY / 400 * 365, "work_time": "exponential",
                      "work_days": {"reminder": 1 / SERVICE_RATE}},
        "policy": {"grades": {g: {"net_days": 60} for g in "ABCD"}, "reminder_days_before_due": 20,
                   "collectors": COLLECTORS},
    })
    waits = served = busy = capacity = 0.0
    for seed in range(20):  # per-seed spread ~9 %: 20 seeds give a standard error of ~2 %
        sim = Simulation(preset, seed=seed, customers=400)
        sim.advance(DAYS)
        d = sim.result().daily
        window = slice(WARMUP, DAYS)
        waits += sum(d.wait_time[window])
        served += sum(d.waits[window])
        busy += sum(d.busy_time[window])
        capacity += sum(d.collectors[window])
    expected = mmc_mean_wait(COLLECTORS, ARRIVALS_PER_DAY, SERVICE_RATE)
    assert served > 250_000
    assert waits / served == pytest.approx(expected, rel=0.05)
    assert busy / capacity == pytest.approx(mmc_utilisation(COLLECTORS, ARRIVALS_PER_DAY, SERVICE_RATE), rel=0.02)


def test_littles_law_holds_exactly_on_the_daily_ledger(make_preset: Callable[..., Preset]) -> None:
    """Sum of end-of-day AR = sum over money of the day-ends it stayed open (L·T = Σ amount × days)."""
    preset = make_preset({
        "portfolio": {"behaviour_mix": {"on_time": 0.3, "fixed_delay": 0.3, "irregular": 0.2, "chronic": 0.2},
                      "dispute_rate": 0.1, "order_size_cv": 0.6, "size_dispersion": 1.0,
                      "default_rate": {"A": 0.05, "B": 0.05, "C": 0.2, "D": 0.5},
                      "collectability_curve": [[0, 0.98], [3, 0.7], [12, 0.3]]},
        "policy": {"ladder": {"salesperson": 1, "manager": 31}, "follow_up_days": 7, "write_off_day": 120,
                   "credit_hold_days": 30, "collectors": 2},
    })
    sim = Simulation(preset, seed=5, customers=200, trace=True)
    sim.advance(365)
    days = sim.day
    assert sim.trace is not None
    settled = sum(x * (settle_day - issue_day) for _, _, x, issue_day, settle_day in sim.trace)
    still_open = sum(rem * (days - issue_day) for issue_day, rem in sim.open_invoices())
    assert sum(sim.result().daily.ar) == pytest.approx(settled + still_open, rel=1e-9)


def test_littles_law_in_steady_state(make_preset: Callable[..., Preset]) -> None:
    """Average AR = credit sales per day × amount-weighted days to settle, over a long steady run."""
    preset = make_preset({
        "portfolio": {"behaviour_mix": {"on_time": 0.4, "fixed_delay": 0.3, "irregular": 0.3, "chronic": 0},
                      "order_size_cv": 0.5},
        "policy": {"ladder": {"salesperson": 1}, "follow_up_days": 7, "collectors": 3},
    })
    sim = Simulation(preset, seed=9, customers=300, trace=True)
    sim.advance(900)
    daily = sim.result().daily
    lo, hi = 200, 800  # well after the start, well before the end
    L = sum(daily.ar[lo:hi]) / (hi - lo)
    assert sim.trace is not None
    pieces = [(x, t_out - t_in) for t_in, t_out, x, _, _ in sim.trace if lo <= t_in < hi]
    arrivals = sum(x for x, _ in pieces) / (hi - lo)  # money per day entering the ledger
    W = sum(x * w for x, w in pieces) / sum(x for x, _ in pieces)
    assert L == pytest.approx(arrivals * W, rel=0.03)
