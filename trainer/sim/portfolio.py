"""The portfolio: the world the trainee faces (customers, payment behaviour, orders, disputes,
shocks, costs of collecting). Built from plain dicts and back, validated all at once."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from dataclasses import field as dc_field
from typing import Any

from trainer.sim.params import (
    BEHAVIOURS,
    BUCKETS,
    DEFAULT_COLLECTABILITY_CURVE,
    GRADES,
    MAX_DAYS,
    STEPS,
    Checker,
    PolicyError,
    join_field,
)


@dataclass(frozen=True)
class Behaviour:
    """A payment-behaviour cluster.

    A customer pays ``delay_min``..``delay_max`` days after the due date (uniform), plus an exponential
    extra with mean ``extra_mean`` for irregular payers. ``fixed`` customers draw their delay once and
    keep it (the "always 10-15 days late" cluster). ``responsiveness`` scales the success of every
    collection action, ``discount_takers`` is the share that takes an offered early-payment discount.
    """

    delay_min: float
    delay_max: float
    extra_mean: float = 0.0
    fixed: bool = False
    responsiveness: float = 0.5
    discount_takers: float = 0.0


_DEFAULT_BEHAVIOURS: dict[str, Behaviour] = {
    "on_time": Behaviour(-3.0, 0.0, 0.0, False, 0.9, 0.5),
    "fixed_delay": Behaviour(10.0, 15.0, 0.0, True, 0.3, 0.2),
    "irregular": Behaviour(-5.0, 10.0, 20.0, False, 0.7, 0.2),
    "chronic": Behaviour(30.0, 120.0, 30.0, False, 0.4, 0.0),
}

_DEFAULT_WORK_DAYS: dict[str, float] = {
    "reminder": 0.02, "salesperson": 0.06, "manager": 0.12, "executive": 0.25, "legal": 0.5, "agency": 0.05,
}
_DEFAULT_STRENGTH: dict[str, float] = {
    "reminder": 0.5, "salesperson": 0.35, "manager": 0.45, "executive": 0.55, "legal": 0.7, "agency": 0.8,
}
_DEFAULT_ACTION_COST: dict[str, float] = {
    "reminder": 2.0, "salesperson": 20.0, "manager": 80.0, "executive": 200.0, "legal": 3000.0, "agency": 50.0,
}
_DEFAULT_HARSHNESS: dict[str, float] = {
    "reminder": 0.0, "salesperson": 0.0, "manager": 0.02, "executive": 0.05, "legal": 0.4, "agency": 0.4,
}


@dataclass(frozen=True)
class Industry:
    """An industry: its share of customers and how often a shock hits it (per year)."""

    share: float
    shock_rate: float = 0.0


@dataclass(frozen=True)
class Portfolio:
    """The customers and the economics a policy is tested against (see docs/simulation.md)."""

    currency: str = "CNY"
    margin: float = 0.2
    annual_rate: float = 0.0431
    grade_mix: Mapping[str, float] = dc_field(default_factory=lambda: {"A": 0.25, "B": 0.4, "C": 0.25, "D": 0.1})
    default_rate: Mapping[str, float] = dc_field(
        default_factory=lambda: {"A": 0.003, "B": 0.01, "C": 0.04, "D": 0.12})
    behaviour_mix: Mapping[str, float] = dc_field(
        default_factory=lambda: {"on_time": 0.45, "fixed_delay": 0.25, "irregular": 0.2, "chronic": 0.1})
    behaviours: Mapping[str, Behaviour] = dc_field(default_factory=lambda: dict(_DEFAULT_BEHAVIOURS))
    orders_per_year: float = 12.0
    order_process: str = "poisson"  # or "regular": evenly spaced orders (exact test cases)
    order_size: float = 10_000.0
    size_dispersion: float = 1.0  # lognormal sigma of customer size
    order_size_cv: float = 0.3  # variation of one order around the customer's mean
    dispute_rate: float = 0.03
    dispute_days: float = 15.0
    credit_note_share: float = 0.1
    strictness_sensitivity: float = 0.5
    churn_threshold: float = 0.4
    hold_harshness: float = 0.2
    goodwill_recovery: float = 0.05  # goodwill regained per invoice paid
    market_net_days: int = 30
    terms_elasticity: float = 0.3
    #: how much a grade's default rate rises per market term of extra credit: 180 days in a 30-day
    #: market (five terms more) multiplies it by 1 + 5 × terms_risk
    terms_risk: float = 0.5
    #: a late invoice nobody asked about (no reminder, no call) is paid this many times as late
    unchased_stretch: float = 2.0
    cod_acceptance: float = 0.7
    cia_acceptance: float = 0.5
    deposit_sensitivity: float = 0.5
    industries: Mapping[str, Industry] = dc_field(default_factory=lambda: {"general": Industry(1.0, 0.0)})
    shock_default_prob: float = 0.03
    shock_delay_days: float = 20.0
    shock_days: float = 90.0
    milestones: tuple[tuple[int, float], ...] = ((0, 1.0),)
    foreign_share: float = 0.0
    fx_volatility: float = 0.0
    fx_drift: float = 0.0
    collectability_curve: tuple[tuple[float, float], ...] = DEFAULT_COLLECTABILITY_CURVE
    allowance_rates: tuple[float, ...] | None = None
    work_days: Mapping[str, float] = dc_field(default_factory=lambda: dict(_DEFAULT_WORK_DAYS))
    work_time: str = "deterministic"  # or "exponential"
    action_strength: Mapping[str, float] = dc_field(default_factory=lambda: dict(_DEFAULT_STRENGTH))
    action_cost: Mapping[str, float] = dc_field(default_factory=lambda: dict(_DEFAULT_ACTION_COST))
    harshness: Mapping[str, float] = dc_field(default_factory=lambda: dict(_DEFAULT_HARSHNESS))
    collector_daily_cost: float = 500.0
    agency_days: float = 45.0
    promise_days: float = 5.0


PORTFOLIO_KEYS = tuple(f.name for f in fields(Portfolio))
BEHAVIOUR_KEYS = tuple(f.name for f in fields(Behaviour))


def _check_curve(c: Checker, raw: object, prefix: str, default: tuple[tuple[float, float], ...]
                 ) -> tuple[tuple[float, float], ...]:
    if not isinstance(raw, list | tuple) or len(raw) < 2:
        c.add(prefix, "bad_curve", "must be a list of at least two [months, probability] points")
        return default
    points: list[tuple[float, float]] = []
    ok = True
    for i, pt in enumerate(raw):
        fp = f"{prefix}[{i}]"
        if (not isinstance(pt, list | tuple) or len(pt) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in pt)):
            c.add(fp, "bad_curve_point", "must be a pair [months, probability]")
            ok = False
            continue
        m, prob = float(pt[0]), float(pt[1])
        if not 0 <= prob <= 1:
            c.add(fp, "must_be_fraction", f"probability must be between 0 and 1, got {prob}", value=prob)
            ok = False
        points.append((m, prob))
    if not ok:
        return default
    if points[0][0] != 0:
        c.add(f"{prefix}[0]", "curve_must_start_at_zero", "the first point must be at 0 months")
        return default
    for i in range(1, len(points)):
        if points[i][0] <= points[i - 1][0]:
            c.add(f"{prefix}[{i}]", "not_increasing", "months must increase from point to point")
            return default
        if points[i][1] > points[i - 1][1]:
            c.add(f"{prefix}[{i}]", "curve_must_not_rise", "collectability must not rise with age")
            return default
    return tuple(points)


def _check_behaviours(c: Checker, data: Mapping[str, Any], base: Portfolio, prefix: str) -> dict[str, Behaviour]:
    """The payment-behaviour clusters, each key checked and defaulted from ``base``."""
    n = c.number
    behaviours = dict(base.behaviours)
    if "behaviours" in data:
        bp = join_field(prefix, "behaviours")
        braw = c.mapping(data["behaviours"], bp)
        if braw is not None:
            c.unknown(braw, BEHAVIOURS, bp)
            for name in BEHAVIOURS:
                if name not in braw:
                    continue
                one_p = f"{bp}.{name}"
                one = c.mapping(braw[name], one_p)
                if one is None:
                    continue
                c.unknown(one, BEHAVIOUR_KEYS, one_p)
                b0 = behaviours[name]
                dmin = n(one, "delay_min", b0.delay_min, one_p, minimum=-365, maximum=MAX_DAYS)
                dmax = n(one, "delay_max", b0.delay_max, one_p, minimum=-365, maximum=MAX_DAYS)
                if dmax < dmin:
                    c.add(f"{one_p}.delay_max", "must_not_be_below", f"must be at least delay_min ({dmin})",
                          other="delay_min", value=dmax)
                behaviours[name] = Behaviour(
                    float(dmin), float(dmax),
                    float(n(one, "extra_mean", b0.extra_mean, one_p, minimum=0, maximum=MAX_DAYS)),
                    c.boolean(one, "fixed", b0.fixed, one_p),
                    c.fraction(one, "responsiveness", b0.responsiveness, one_p),
                    c.fraction(one, "discount_takers", b0.discount_takers, one_p),
                )
    return behaviours


def _check_industries(c: Checker, data: Mapping[str, Any], base: Portfolio, prefix: str) -> dict[str, Industry]:
    """The industries (replacing the base list when given); shares must add up to 1."""
    n = c.number
    industries = dict(base.industries)
    if "industries" in data:
        ip = join_field(prefix, "industries")
        iraw = c.mapping(data["industries"], ip)
        if iraw is not None:
            if not iraw:
                c.add(ip, "required", "must name at least one industry")
            industries = {}
            for name, one in iraw.items():
                one_p = f"{ip}.{name}"
                om = c.mapping(one, one_p)
                if om is None:
                    continue
                c.unknown(om, ("share", "shock_rate"), one_p)
                industries[str(name)] = Industry(
                    float(n(om, "share", 0.0, one_p, minimum=0, maximum=1)),
                    float(n(om, "shock_rate", 0.0, one_p, minimum=0, maximum=50)),
                )
            total = sum(i.share for i in industries.values())
            if industries and abs(total - 1) > 1e-6:
                c.add(ip, "must_sum_to_one", f"industry shares must add up to 1, got {total:.4g}", total=total)
    return industries


def _check_milestones(c: Checker, data: Mapping[str, Any], base: Portfolio, prefix: str) -> tuple[tuple[int, float], ...]:
    """Invoicing milestones: [day offset, share] pairs, days not decreasing, shares adding up to 1."""
    milestones = base.milestones
    if "milestones" in data:
        mp = join_field(prefix, "milestones")
        mraw = data["milestones"]
        if not isinstance(mraw, list | tuple) or not mraw:
            c.add(mp, "bad_milestones", "must be a list of [day offset, share] pairs")
        else:
            ms: list[tuple[int, float]] = []
            good = True
            for i, pt in enumerate(mraw):
                if (not isinstance(pt, list | tuple) or len(pt) != 2
                        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pt)
                        or pt[0] < 0 or pt[1] <= 0 or float(pt[0]) != int(pt[0])):
                    c.add(f"{mp}[{i}]", "bad_milestone", "must be [whole days ≥ 0, share > 0]")
                    good = False
                    continue
                ms.append((int(pt[0]), float(pt[1])))
            if good:
                if any(ms[i][0] < ms[i - 1][0] for i in range(1, len(ms))):
                    c.add(mp, "not_increasing", "milestone days must not decrease")
                elif abs(sum(s for _, s in ms) - 1) > 1e-6:
                    c.add(mp, "must_sum_to_one", "milestone shares must add up to 1")
                else:
                    milestones = tuple(ms)
    return milestones


def _check_allowance_rates(c: Checker, data: Mapping[str, Any], base: Portfolio, prefix: str) -> tuple[float, ...] | None:
    """One allowance fraction per aging bucket; null means derive them from the collectability curve."""
    rates = base.allowance_rates
    if "allowance_rates" in data and data["allowance_rates"] is not None:
        ap = join_field(prefix, "allowance_rates")
        araw = data["allowance_rates"]
        if (not isinstance(araw, list | tuple) or len(araw) != len(BUCKETS)
                or not all(isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1 for v in araw)):
            c.add(ap, "bad_allowance_rates", f"must be {len(BUCKETS)} fractions, one per bucket "
                  f"({', '.join(BUCKETS)})", buckets=list(BUCKETS))
        else:
            rates = tuple(float(v) for v in araw)
    elif "allowance_rates" in data:
        rates = None
    return rates


def check_portfolio(c: Checker, d: object, base: Portfolio, prefix: str = "portfolio") -> Portfolio:
    data = c.mapping(d, prefix)
    if data is None:
        return base
    c.unknown(data, PORTFOLIO_KEYS, prefix)
    n = c.number
    values: dict[str, Any] = {}
    values["currency"] = c.text(data, "currency", base.currency, prefix)
    values["margin"] = c.fraction(data, "margin", base.margin, prefix, below_one=True)
    values["annual_rate"] = n(data, "annual_rate", base.annual_rate, prefix, minimum=0, maximum=1)
    values["grade_mix"] = c.shares(data, "grade_mix", base.grade_mix, prefix, GRADES)
    values["default_rate"] = c.per_key(data, "default_rate", base.default_rate, prefix, GRADES, maximum=5)
    values["behaviour_mix"] = c.shares(data, "behaviour_mix", base.behaviour_mix, prefix, BEHAVIOURS)
    values["behaviours"] = _check_behaviours(c, data, base, prefix)
    values["orders_per_year"] = n(data, "orders_per_year", base.orders_per_year, prefix, minimum=0,
                                  exclusive_min=True, maximum=3650)
    values["order_process"] = c.choice(data, "order_process", base.order_process, prefix, ("poisson", "regular"))
    values["order_size"] = n(data, "order_size", base.order_size, prefix, minimum=0, exclusive_min=True,
                             maximum=1e12)
    values["size_dispersion"] = n(data, "size_dispersion", base.size_dispersion, prefix, minimum=0, maximum=4)
    values["order_size_cv"] = n(data, "order_size_cv", base.order_size_cv, prefix, minimum=0, maximum=3)
    values["dispute_rate"] = c.fraction(data, "dispute_rate", base.dispute_rate, prefix)
    values["dispute_days"] = n(data, "dispute_days", base.dispute_days, prefix, minimum=0, maximum=365)
    values["credit_note_share"] = c.fraction(data, "credit_note_share", base.credit_note_share, prefix)
    values["strictness_sensitivity"] = c.fraction(data, "strictness_sensitivity", base.strictness_sensitivity,
                                                  prefix)
    values["churn_threshold"] = c.fraction(data, "churn_threshold", base.churn_threshold, prefix)
    values["hold_harshness"] = c.fraction(data, "hold_harshness", base.hold_harshness, prefix)
    values["goodwill_recovery"] = c.fraction(data, "goodwill_recovery", base.goodwill_recovery, prefix)
    values["market_net_days"] = n(data, "market_net_days", base.market_net_days, prefix, minimum=0,
                                  exclusive_min=True, integer=True, maximum=365)
    values["terms_elasticity"] = n(data, "terms_elasticity", base.terms_elasticity, prefix, minimum=0, maximum=5)
    values["unchased_stretch"] = n(data, "unchased_stretch", base.unchased_stretch, prefix, minimum=1, maximum=10)
    values["terms_risk"] = n(data, "terms_risk", base.terms_risk, prefix, minimum=0, maximum=5)
    values["cod_acceptance"] = c.fraction(data, "cod_acceptance", base.cod_acceptance, prefix)
    values["cia_acceptance"] = c.fraction(data, "cia_acceptance", base.cia_acceptance, prefix)
    values["deposit_sensitivity"] = c.fraction(data, "deposit_sensitivity", base.deposit_sensitivity, prefix)
    values["industries"] = _check_industries(c, data, base, prefix)
    values["shock_default_prob"] = c.fraction(data, "shock_default_prob", base.shock_default_prob, prefix)
    values["shock_delay_days"] = n(data, "shock_delay_days", base.shock_delay_days, prefix, minimum=0, maximum=365)
    values["shock_days"] = n(data, "shock_days", base.shock_days, prefix, minimum=0, maximum=MAX_DAYS)
    values["milestones"] = _check_milestones(c, data, base, prefix)
    values["foreign_share"] = c.fraction(data, "foreign_share", base.foreign_share, prefix)
    values["fx_volatility"] = n(data, "fx_volatility", base.fx_volatility, prefix, minimum=0, maximum=2)
    values["fx_drift"] = n(data, "fx_drift", base.fx_drift, prefix, minimum=-1, maximum=1)
    curve = base.collectability_curve
    if "collectability_curve" in data:
        curve = _check_curve(c, data["collectability_curve"], join_field(prefix, "collectability_curve"), curve)
    values["collectability_curve"] = curve
    values["allowance_rates"] = _check_allowance_rates(c, data, base, prefix)
    values["work_days"] = c.per_key(data, "work_days", base.work_days, prefix, STEPS, maximum=30)
    values["work_time"] = c.choice(data, "work_time", base.work_time, prefix, ("deterministic", "exponential"))
    values["action_strength"] = c.per_key(data, "action_strength", base.action_strength, prefix, STEPS, maximum=1)
    values["action_cost"] = c.per_key(data, "action_cost", base.action_cost, prefix, STEPS, maximum=1e9)
    values["harshness"] = c.per_key(data, "harshness", base.harshness, prefix, STEPS, maximum=1)
    values["collector_daily_cost"] = n(data, "collector_daily_cost", base.collector_daily_cost, prefix, minimum=0,
                                       maximum=1e9)
    values["agency_days"] = n(data, "agency_days", base.agency_days, prefix, minimum=0, exclusive_min=True,
                              maximum=MAX_DAYS)
    values["promise_days"] = n(data, "promise_days", base.promise_days, prefix, minimum=0, maximum=365)
    for key in ("annual_rate", "orders_per_year", "order_size", "size_dispersion", "order_size_cv",
                "dispute_days", "terms_elasticity", "shock_delay_days", "shock_days", "fx_volatility", "fx_drift",
                "collector_daily_cost", "agency_days", "promise_days"):
        values[key] = float(values[key])
    values["market_net_days"] = int(values["market_net_days"])
    return Portfolio(**values)


def portfolio_from_dict(d: Mapping[str, Any], base: Portfolio | None = None) -> Portfolio:
    """Build a validated :class:`Portfolio`; raises :class:`PolicyError` with every problem."""
    c = Checker()
    p = check_portfolio(c, d, base or Portfolio())
    if c.problems:
        raise PolicyError(c.problems)
    return p


def portfolio_to_dict(p: Portfolio) -> dict[str, Any]:
    """Plain dict of a portfolio (reads back with :func:`portfolio_from_dict`)."""
    out: dict[str, Any] = {}
    for f in fields(Portfolio):
        v = getattr(p, f.name)
        if f.name == "behaviours":
            v = {k: {bf.name: getattr(b, bf.name) for bf in fields(Behaviour)} for k, b in v.items()}
        elif f.name == "industries":
            v = {k: {"share": i.share, "shock_rate": i.shock_rate} for k, i in v.items()}
        elif f.name in ("milestones", "collectability_curve"):
            v = [list(pt) for pt in v]
        elif f.name == "allowance_rates":
            v = None if v is None else list(v)
        elif isinstance(v, Mapping):
            v = dict(v)
        out[f.name] = v
    return out
