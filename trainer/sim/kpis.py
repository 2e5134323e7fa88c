"""Receivables KPIs as pure functions.

Lessons, calculated quiz questions and the simulation all call these, so a figure quoted in a lesson
is the figure the simulation reports. Every function checks its arguments and raises ``ValueError``
naming the argument, because a silent ``inf`` or a negative DSO would teach the wrong thing.

Sources cited below:
- [REF] ``reference/ar-domain.md`` §1 and §7 (the seeds' formulas and worked figures).
- [CRF] Credit Research Foundation, "Standard definitions of credit and A/R metrics"
  (DSO, Best Possible DSO, Average Days Delinquent, Collection Effectiveness Index).
- [KIESO] Kieso, Weygandt & Warfield, *Intermediate Accounting*, ch. 7 (percentage-of-receivables
  aging method for the allowance for doubtful accounts).
- [BM] Brealey, Myers & Allen, *Principles of Corporate Finance*, short-term financial planning
  (the implicit interest rate of trade credit, e.g. 2/10 net 30).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "allowance_by_aging",
    "ar_turnover",
    "average_days_delinquent",
    "bad_debt_rate",
    "best_possible_dso",
    "carrying_cost",
    "cei",
    "discount_annual_cost",
    "dso",
    "dso_countback",
    "overdue_rate",
]


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return v


def _non_negative(name: str, value: object) -> float:
    v = _number(name, value)
    if v < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return v


def _positive(name: str, value: object) -> float:
    v = _number(name, value)
    if v <= 0:
        raise ValueError(f"{name} must be greater than zero, got {value!r}")
    return v


def dso(ar: float, credit_sales: float, days: float) -> float:
    """Days Sales Outstanding, period method.

    ``DSO = ar / credit_sales × days`` where ``ar`` is the (average or ending) receivables balance and
    ``credit_sales`` the credit sales of the ``days``-long period. Equivalently ``ar / daily sales``
    and ``days / turnover``. Source: [REF] §7 (worked table: average AR 90 on sales 730 over 365
    days gives 45), [CRF].
    """
    a = _non_negative("ar", ar)
    s = _positive("credit_sales", credit_sales)
    d = _positive("days", days)
    return a / s * d


def best_possible_dso(current_ar: float, credit_sales: float, days: float) -> float:
    """Best Possible DSO: the period-method DSO counting only current (not yet due) receivables.

    ``BPDSO = current_ar / credit_sales × days``. It is the DSO the terms alone would give if every
    customer paid on the due date. Source: [CRF].
    """
    a = _non_negative("current_ar", current_ar)
    s = _positive("credit_sales", credit_sales)
    d = _positive("days", days)
    return a / s * d


def average_days_delinquent(ar: float, current_ar: float, credit_sales: float, days: float) -> float:
    """Average Days Delinquent: how many DSO days are due to late payment rather than terms.

    ``ADD = DSO − Best Possible DSO = (ar − current_ar) / credit_sales × days``. Source: [CRF].
    """
    a = _non_negative("ar", ar)
    c = _non_negative("current_ar", current_ar)
    if c > a:
        raise ValueError(f"current_ar must not exceed ar, got current_ar={current_ar!r} > ar={ar!r}")
    return dso(a, credit_sales, days) - best_possible_dso(c, credit_sales, days)


def dso_countback(ar: float, periods: Iterable[tuple[float, float]]) -> float:
    """DSO by the countback (exhaustion) method.

    ``periods`` are ``(sales, days)`` pairs from the newest period backwards. The receivables balance
    is "used up" against each period's sales in turn; every fully absorbed period adds its days, the
    period where the balance runs out adds ``days × remaining / sales``. If the balance outlasts all
    the periods given, the remainder is converted at the oldest period's daily sales rate (the
    usual convention, so the result is still a number of days). Unlike the period method it does
    not swing when sales are seasonal. Source: [CRF] ("countback" DSO).
    """
    remaining = _non_negative("ar", ar)
    pairs = list(periods)
    if not pairs:
        raise ValueError("periods must contain at least one (sales, days) pair")
    total = 0.0
    last_rate = 0.0
    for i, pair in enumerate(pairs):
        try:
            sales_raw, days_raw = pair
        except (TypeError, ValueError):
            raise ValueError(f"periods[{i}] must be a (sales, days) pair, got {pair!r}") from None
        sales = _non_negative(f"periods[{i}].sales", sales_raw)
        days = _positive(f"periods[{i}].days", days_raw)
        if remaining <= 0:
            return total
        if sales > 0:
            last_rate = sales / days
        if remaining > sales:
            total += days
            remaining -= sales
        else:
            return total + days * remaining / sales
    if remaining > 0:
        if last_rate <= 0:
            raise ValueError("periods must include some sales when ar is greater than zero")
        total += remaining / last_rate
    return total


def cei(
    beginning_ar: float,
    credit_sales: float,
    ending_total_ar: float,
    ending_current_ar: float,
    months: float = 1,
) -> float:
    """Collection Effectiveness Index in percent, as the Credit Research Foundation defines it.

    ``CEI = (B + S/m − E_total) / (B + S/m − E_current) × 100`` with ``B`` the receivables at the
    start, ``S`` the period's total credit sales, ``m`` the number of months in the period and
    ``E_total`` / ``E_current`` the total and current (not yet due) receivables at the end. 100 means
    everything collectable was collected. Source: [CRF].
    """
    b = _non_negative("beginning_ar", beginning_ar)
    s = _non_negative("credit_sales", credit_sales)
    et = _non_negative("ending_total_ar", ending_total_ar)
    ec = _non_negative("ending_current_ar", ending_current_ar)
    m = _positive("months", months)
    if ec > et:
        raise ValueError(
            f"ending_current_ar must not exceed ending_total_ar, got {ending_current_ar!r} > {ending_total_ar!r}"
        )
    monthly = s / m
    denominator = b + monthly - ec
    if denominator <= 0:
        raise ValueError(
            "beginning_ar + credit_sales / months - ending_current_ar must be greater than zero "
            "(nothing was collectable in the period)"
        )
    return (b + monthly - et) / denominator * 100.0


def ar_turnover(credit_sales: float, average_ar: float) -> float:
    """Receivables turnover: ``credit_sales / average_ar`` (times per period).

    Source: [REF] §7 (example 6.5 times a year, DSO = 365 / turnover ≈ 56 days).
    """
    s = _non_negative("credit_sales", credit_sales)
    a = _positive("average_ar", average_ar)
    return s / a


def allowance_by_aging(
    balances: Mapping[str, float] | Sequence[float],
    rates: Mapping[str, float] | Sequence[float],
) -> float:
    """Allowance for doubtful accounts by the percentage-of-receivables (aging) method.

    ``allowance = Σ balance_bucket × loss_rate_bucket``; ``rates`` are fractions (0.05 = 5 %). Pass two
    mappings keyed by bucket name (every balance bucket needs a rate) or two sequences of the same
    length. Source: [KIESO]; [REF] §7 ("historical loss rate × current balance, by aging bucket").
    """
    pairs: list[tuple[str, object, object]]
    if isinstance(balances, Mapping):
        if not isinstance(rates, Mapping):
            raise ValueError("rates must be a mapping when balances is a mapping")
        missing = [k for k in balances if k not in rates]
        if missing:
            raise ValueError(f"rates has no rate for bucket(s) {', '.join(map(str, missing))}")
        pairs = [(str(k), balances[k], rates[k]) for k in balances]
    else:
        if isinstance(rates, Mapping):
            raise ValueError("rates must be a sequence when balances is a sequence")
        if len(balances) != len(rates):
            raise ValueError(
                f"rates must have as many entries as balances ({len(rates)} != {len(balances)})"
            )
        pairs = [(str(i), b, r) for i, (b, r) in enumerate(zip(balances, rates, strict=True))]
    total = 0.0
    for key, bal, rate in pairs:
        b = _non_negative(f"balances[{key}]", bal)
        r = _non_negative(f"rates[{key}]", rate)
        if r > 1:
            raise ValueError(f"rates[{key}] must be a fraction between 0 and 1, got {rate!r}")
        total += b * r
    return total


def carrying_cost(
    average_ar: float,
    annual_rate: float,
    variable_cost_ratio: float = 1.0,
    days: float = 365,
    year_days: float = 365,
) -> float:
    """Cost of financing receivables: ``average_ar × variable_cost_ratio × annual_rate × days / year_days``.

    ``annual_rate`` is a fraction (0.0431 = 4.31 %). ``variable_cost_ratio`` < 1 counts only the
    money actually tied up (the cost of the goods, not the margin), as textbooks on credit policy
    do. Source: [REF] §1 (119 M CNY at 4.31 % costs 5.129 M CNY a year), [BM].
    """
    a = _non_negative("average_ar", average_ar)
    r = _non_negative("annual_rate", annual_rate)
    v = _non_negative("variable_cost_ratio", variable_cost_ratio)
    if v > 1:
        raise ValueError(f"variable_cost_ratio must be between 0 and 1, got {variable_cost_ratio!r}")
    d = _non_negative("days", days)
    y = _positive("year_days", year_days)
    return a * v * r * d / y


def discount_annual_cost(discount: float, discount_days: float, net_days: float, year_days: float = 365) -> float:
    """Annualised cost (a fraction) of *not* taking an early-payment discount.

    ``cost = discount / (1 − discount) × year_days / (net_days − discount_days)``; ``discount`` is a
    fraction (0.02 for "2/10 net 30", which costs about 0.372 = 37.2 % a year). It is also what a
    supplier pays, annualised, to get its money ``net_days − discount_days`` earlier. Source: [BM].
    """
    d = _non_negative("discount", discount)
    if d >= 1:
        raise ValueError(f"discount must be a fraction below 1 (0.02 for 2 %), got {discount!r}")
    dd = _non_negative("discount_days", discount_days)
    nd = _positive("net_days", net_days)
    if nd <= dd:
        raise ValueError(f"net_days must be greater than discount_days, got {net_days!r} <= {discount_days!r}")
    y = _positive("year_days", year_days)
    return d / (1 - d) * y / (nd - dd)


def overdue_rate(past_due_ar: float, total_ar: float) -> float:
    """Overdue rate in percent: ``past_due_ar / total_ar × 100``.

    Source: [REF] §7 (example 15 %; good firms below 10 %, typical 20-30 %).
    """
    p = _non_negative("past_due_ar", past_due_ar)
    t = _positive("total_ar", total_ar)
    if p > t:
        raise ValueError(f"past_due_ar must not exceed total_ar, got {past_due_ar!r} > {total_ar!r}")
    return p / t * 100.0


def bad_debt_rate(bad_debt: float, sales: float) -> float:
    """Bad-debt rate in percent: ``bad_debt / sales × 100``.

    Source: [REF] §7 (example 2.5 %; one target keeps the provision within 0.5 % of revenue).
    """
    b = _non_negative("bad_debt", bad_debt)
    s = _positive("sales", sales)
    return b / s * 100.0
