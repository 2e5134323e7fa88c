"""KPI library: the reference's worked figures, textbook cases and argument checks."""

from __future__ import annotations

import math

import pytest

from trainer.sim import kpis


@pytest.mark.parametrize(
    ("sales", "ar_start", "ar_end", "expected"),
    [
        (730, 75, 105, 45.0),  # whole company
        (109.5, 15, 21, 60.0),  # one customer
        (259, 23, 35, 40.9),  # one branch (the table rounds average AR to 29)
    ],
)
def test_reference_worked_dso_table(sales: float, ar_start: float, ar_end: float, expected: float) -> None:
    average_ar = round((ar_start + ar_end) / 2)
    assert round(kpis.dso(average_ar, sales, 365), 1) == expected


def test_dso_daily_sales_form_and_turnover_form_agree() -> None:
    # reference: turnover 6.5 a year -> DSO = 365 / 6.5 ~ 56 days
    turnover = kpis.ar_turnover(650, 100)
    assert turnover == pytest.approx(6.5)
    assert kpis.dso(100, 650, 365) == pytest.approx(365 / turnover)
    assert round(kpis.dso(100, 650, 365)) == 56


def test_best_possible_and_average_days_delinquent() -> None:
    assert kpis.best_possible_dso(60, 730, 365) == pytest.approx(30.0)
    add = kpis.average_days_delinquent(90, 60, 730, 365)
    assert add == pytest.approx(15.0)
    assert add == pytest.approx(kpis.dso(90, 730, 365) - kpis.best_possible_dso(60, 730, 365))


def test_countback_exhausts_newest_period_first() -> None:
    # 150 of AR against monthly sales 100 (newest), 80, 120: one full month + 50/80 of the next
    assert kpis.dso_countback(150, [(100, 30), (80, 31), (120, 30)]) == pytest.approx(30 + 31 * 50 / 80)
    assert kpis.dso_countback(60, [(100, 30)]) == pytest.approx(18.0)
    assert kpis.dso_countback(0, [(100, 30)]) == 0.0


def test_countback_beyond_history_extrapolates_at_oldest_rate() -> None:
    assert kpis.dso_countback(250, [(100, 30), (100, 30)]) == pytest.approx(60 + 50 / (100 / 30))


def test_countback_matches_period_method_on_steady_sales() -> None:
    periods = [(300.0, 30.0)] * 12
    assert kpis.dso_countback(450, periods) == pytest.approx(kpis.dso(450, 3600, 360))


def test_cei_crf_definition() -> None:
    # B=1000, monthly sales 500, ending total 900, ending current 600
    assert kpis.cei(1000, 500, 900, 600) == pytest.approx((1000 + 500 - 900) / (1000 + 500 - 600) * 100)
    # a quarter: S is the period total, the formula uses S / months
    assert kpis.cei(1000, 1500, 900, 600, months=3) == pytest.approx(kpis.cei(1000, 500, 900, 600))
    # everything collectable collected -> 100
    assert kpis.cei(1000, 500, 600, 600) == pytest.approx(100.0)


def test_allowance_by_aging_mapping_and_sequence() -> None:
    balances = {"current": 1000.0, "1-30": 500.0, "31-60": 200.0, "61-90": 100.0, "90+": 50.0}
    rates = {"current": 0.01, "1-30": 0.05, "31-60": 0.15, "61-90": 0.3, "90+": 0.6}
    expected = 10 + 25 + 30 + 30 + 30
    assert kpis.allowance_by_aging(balances, rates) == pytest.approx(expected)
    assert kpis.allowance_by_aging(list(balances.values()), list(rates.values())) == pytest.approx(expected)


def test_carrying_cost_reference_example() -> None:
    # reference: 119 M CNY extra receivables at 4.31 % cost 5.129 M CNY a year
    assert round(kpis.carrying_cost(119, 0.0431), 3) == 5.129
    assert kpis.carrying_cost(119, 0.0431, days=30) == pytest.approx(119 * 0.0431 * 30 / 365)
    assert kpis.carrying_cost(100, 0.05, variable_cost_ratio=0.6) == pytest.approx(3.0)


def test_discount_annual_cost_two_ten_net_thirty() -> None:
    cost = kpis.discount_annual_cost(0.02, 10, 30)
    assert cost == pytest.approx(0.02 / 0.98 * 365 / 20)
    assert round(cost * 100, 1) == 37.2
    assert kpis.discount_annual_cost(0.0, 10, 30) == 0.0


def test_overdue_and_bad_debt_rates_in_percent() -> None:
    assert kpis.overdue_rate(15, 100) == pytest.approx(15.0)
    assert kpis.bad_debt_rate(2.5, 100) == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: kpis.dso(-1, 730, 365), "ar"),
        (lambda: kpis.dso(90, 0, 365), "credit_sales"),
        (lambda: kpis.dso(90, 730, 0), "days"),
        (lambda: kpis.dso(math.nan, 730, 365), "ar"),
        (lambda: kpis.dso("90", 730, 365), "ar"),  # type: ignore[arg-type]
        (lambda: kpis.best_possible_dso(-5, 730, 365), "current_ar"),
        (lambda: kpis.best_possible_dso(5, -730, 365), "credit_sales"),
        (lambda: kpis.average_days_delinquent(50, 60, 730, 365), "current_ar"),
        (lambda: kpis.average_days_delinquent(50, 10, 730, -1), "days"),
        (lambda: kpis.dso_countback(-1, [(100, 30)]), "ar"),
        (lambda: kpis.dso_countback(10, []), "periods"),
        (lambda: kpis.dso_countback(10, [(100, 0)]), "periods[0].days"),
        (lambda: kpis.dso_countback(200, [(100, 30), (-1, 30)]), "periods[1].sales"),
        (lambda: kpis.dso_countback(10, [(100,)]), "periods[0]"),  # type: ignore[list-item]
        (lambda: kpis.cei(-1, 500, 900, 600), "beginning_ar"),
        (lambda: kpis.cei(1000, 500, 900, 600, months=0), "months"),
        (lambda: kpis.cei(1000, 500, 500, 600), "ending_current_ar"),
        (lambda: kpis.cei(0, 0, 0, 0), "beginning_ar + credit_sales"),
        (lambda: kpis.ar_turnover(650, 0), "average_ar"),
        (lambda: kpis.ar_turnover(-650, 10), "credit_sales"),
        (lambda: kpis.allowance_by_aging({"a": 1.0}, {"b": 0.1}), "rates"),
        (lambda: kpis.allowance_by_aging([1.0, 2.0], [0.1]), "rates"),
        (lambda: kpis.allowance_by_aging([-1.0], [0.1]), "balances[0]"),
        (lambda: kpis.allowance_by_aging([1.0], [1.5]), "rates[0]"),
        (lambda: kpis.carrying_cost(-1, 0.04), "average_ar"),
        (lambda: kpis.carrying_cost(100, -0.04), "annual_rate"),
        (lambda: kpis.carrying_cost(100, 0.04, variable_cost_ratio=2), "variable_cost_ratio"),
        (lambda: kpis.carrying_cost(100, 0.04, year_days=0), "year_days"),
        (lambda: kpis.discount_annual_cost(2, 10, 30), "discount"),
        (lambda: kpis.discount_annual_cost(0.02, 30, 30), "net_days"),
        (lambda: kpis.discount_annual_cost(0.02, -1, 30), "discount_days"),
        (lambda: kpis.overdue_rate(10, 0), "total_ar"),
        (lambda: kpis.overdue_rate(110, 100), "past_due_ar"),
        (lambda: kpis.bad_debt_rate(1, 0), "sales"),
        (lambda: kpis.bad_debt_rate(-1, 10), "bad_debt"),
    ],
)
def test_bad_arguments_name_the_argument(call, argument: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError) as excinfo:
        call()
    assert str(excinfo.value).startswith(argument)
