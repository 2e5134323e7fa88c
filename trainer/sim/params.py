"""Policy and portfolio parameters: plain data, validated all at once.

A policy is what the trainee controls (terms per grade, the collection ladder, collectors, write-off);
a portfolio is the world they face (customers, behaviour, costs). Both come from plain dicts (YAML,
JSON or a web form) and go back to dicts, so the web layer never needs to know the dataclasses.

Validation never stops at the first problem: it returns every problem as a :class:`Problem` with a
stable ``code`` and ``params`` so the web layer can translate the message; ``message`` is the English
default.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "BUCKETS",
    "BEHAVIOURS",
    "DEFAULT_COLLECTABILITY_CURVE",
    "GRADES",
    "MAX_CUSTOMERS",
    "MAX_DAYS",
    "PRIORITIES",
    "STEPS",
    "TERMS",
    "Behaviour",
    "GradePolicy",
    "Policy",
    "PolicyError",
    "Portfolio",
    "Preset",
    "Problem",
    "default_presets_dir",
    "list_presets",
    "load_policy",
    "load_preset",
    "policy_from_dict",
    "policy_to_dict",
    "portfolio_from_dict",
    "portfolio_to_dict",
    "preset_from_dict",
    "validate_run",
]

GRADES: tuple[str, ...] = ("A", "B", "C", "D")
BEHAVIOURS: tuple[str, ...] = ("on_time", "fixed_delay", "irregular", "chronic")
TERMS: tuple[str, ...] = ("net", "cod", "cia")
PRIORITIES: tuple[str, ...] = ("largest_balance", "oldest_debt", "first_come")
#: collection actions in ladder order; "reminder" happens before the due date
STEPS: tuple[str, ...] = ("reminder", "salesperson", "manager", "executive", "legal", "agency")
LADDER_STEPS: tuple[str, ...] = ("salesperson", "manager", "executive", "legal")
BUCKETS: tuple[str, ...] = ("current", "1-30", "31-60", "61-90", "90+")
MAX_DAYS = 1825  # five years
MAX_CUSTOMERS = 20_000

#: Probability that a debt of the given age (months past due) is still collected when worked.
#: The eight rates quoted in the reference (98.2 … 13.6 %) mapped to 0, 1, 2, 3, 6, 9, 12, 24 months;
#: see docs/simulation.md for the mapping and its justification.
DEFAULT_COLLECTABILITY_CURVE: tuple[tuple[float, float], ...] = (
    (0.0, 0.982),
    (1.0, 0.938),
    (2.0, 0.862),
    (3.0, 0.736),
    (6.0, 0.578),
    (9.0, 0.428),
    (12.0, 0.266),
    (24.0, 0.136),
)


@dataclass(frozen=True)
class Problem:
    """One validation problem; ``code`` and ``params`` are stable, ``message`` is English."""

    field: str
    code: str
    message: str
    params: Mapping[str, Any] = dc_field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "message": self.message, "params": dict(self.params)}


class PolicyError(ValueError):
    """Every problem found in a policy, preset or run request, raised together."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.source}: " if self.source else ""
        lines = [f"{p.field}: {p.message}" if p.field else p.message for p in self.problems]
        return head + f"{len(lines)} problem(s): " + "; ".join(lines)


# --------------------------------------------------------------------------------------------------
# The checker: a tiny reader of untrusted mappings that collects problems instead of raising.


class _Checker:
    """Reads values out of untrusted mappings, recording every problem with its dotted field path."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, fld: str, code: str, message: str, **params: Any) -> None:
        self.problems.append(Problem(fld, code, message, params))

    def mapping(self, value: object, fld: str) -> Mapping[str, Any] | None:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.add(fld, "must_be_mapping", "must be a mapping of keys to values")
            return None
        return value

    def unknown(self, data: Mapping[str, Any], allowed: set[str] | tuple[str, ...], prefix: str) -> None:
        for key in data:
            if key not in allowed:
                self.add(_join(prefix, str(key)), "unknown_key", f"unknown key {key!r}", key=str(key))

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        default: float | None,
        prefix: str,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        exclusive_min: bool = False,
        integer: bool = False,
        nullable: bool = False,
    ) -> Any:
        fld = _join(prefix, key)
        if key not in data:
            return default
        value = data[key]
        if value is None:
            if nullable:
                return None
            self.add(fld, "required", "must have a value")
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            if isinstance(value, str):
                try:
                    value = float(value) if not integer else _parse_int(value)
                except ValueError:
                    self.add(fld, "must_be_number", f"must be a number, got {value!r}", value=value)
                    return default
            else:
                self.add(fld, "must_be_number", f"must be a number, got {value!r}", value=repr(value))
                return default
        if isinstance(value, float) and not math.isfinite(value):
            self.add(fld, "must_be_number", f"must be a finite number, got {value!r}", value=repr(value))
            return default
        if integer:
            if isinstance(value, float):
                if not value.is_integer():
                    self.add(fld, "must_be_integer", f"must be a whole number, got {value!r}", value=value)
                    return default
                value = int(value)
        if minimum is not None:
            if exclusive_min and value <= minimum:
                code = "must_be_positive" if minimum == 0 else "too_small"
                msg = "must be greater than zero" if minimum == 0 else f"must be greater than {minimum}"
                self.add(fld, code, f"{msg}, got {value!r}", minimum=minimum, value=value)
                return default
            if not exclusive_min and value < minimum:
                code = "must_not_be_negative" if minimum == 0 else "too_small"
                msg = "must not be negative" if minimum == 0 else f"must be at least {minimum}"
                self.add(fld, code, f"{msg}, got {value!r}", minimum=minimum, value=value)
                return default
        if maximum is not None and value > maximum:
            self.add(fld, "too_large", f"must be at most {maximum}, got {value!r}", maximum=maximum, value=value)
            return default
        return value

    def fraction(self, data: Mapping[str, Any], key: str, default: float, prefix: str, *, below_one: bool = False) -> float:
        fld = _join(prefix, key)
        value = self.number(data, key, None, prefix)
        if value is None:
            return default
        if value < 0 or value > 1 or (below_one and value >= 1):
            bound = "below 1" if below_one else "at most 1"
            self.add(fld, "must_be_fraction", f"must be a fraction from 0 to {bound} (0.05 = 5 %), got {value!r}",
                     value=value, below_one=below_one)
            return default
        return float(value)

    def boolean(self, data: Mapping[str, Any], key: str, default: bool, prefix: str) -> bool:
        if key not in data:
            return default
        value = data[key]
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "yes", "on", "1", "false", "no", "off", "0"}:
            return value.lower() in {"true", "yes", "on", "1"}
        self.add(_join(prefix, key), "must_be_bool", f"must be true or false, got {value!r}", value=repr(value))
        return default

    def choice(self, data: Mapping[str, Any], key: str, default: str, prefix: str, choices: tuple[str, ...]) -> str:
        if key not in data:
            return default
        value = data[key]
        if not isinstance(value, str) or value not in choices:
            self.add(_join(prefix, key), "must_be_one_of", f"must be one of {', '.join(choices)}, got {value!r}",
                     choices=list(choices), value=repr(value))
            return default
        return value

    def text(self, data: Mapping[str, Any], key: str, default: str, prefix: str) -> str:
        if key not in data:
            return default
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.add(_join(prefix, key), "must_be_text", "must be a non-empty text")
            return default
        return value

    def shares(self, data: Mapping[str, Any], key: str, default: Mapping[str, float], prefix: str,
               keys: tuple[str, ...]) -> dict[str, float]:
        """A mix over fixed categories: non-negative shares that sum to one."""
        fld = _join(prefix, key)
        raw = self.mapping(data.get(key), fld) if key in data else None
        if raw is None:
            return dict(default)
        self.unknown(raw, keys, fld)
        out = {k: float(self.number(raw, k, 0.0, fld, minimum=0)) for k in keys}
        total = sum(out.values())
        if abs(total - 1.0) > 1e-6:
            self.add(fld, "must_sum_to_one", f"shares must add up to 1, got {total:.4g}", total=total)
            return dict(default)
        return out

    def per_key(self, data: Mapping[str, Any], key: str, default: Mapping[str, float], prefix: str,
                keys: tuple[str, ...], *, minimum: float = 0.0, maximum: float | None = None) -> dict[str, float]:
        """One number per fixed category (missing categories keep their default)."""
        fld = _join(prefix, key)
        raw = self.mapping(data.get(key), fld) if key in data else None
        if raw is None:
            return dict(default)
        self.unknown(raw, keys, fld)
        return {k: float(self.number(raw, k, default[k], fld, minimum=minimum, maximum=maximum)) for k in keys}


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _parse_int(text: str) -> int:
    value = float(text)
    if not value.is_integer():
        raise ValueError(text)
    return int(value)


# --------------------------------------------------------------------------------------------------
# Policy


@dataclass(frozen=True)
class GradePolicy:
    """Terms for one credit grade.

    ``terms`` is ``net`` (invoice due after ``net_days``), ``cod`` (cash on delivery) or ``cia`` (cash in
    advance); with ``net`` a ``deposit`` share is paid at order and ``discount`` is offered for payment
    within ``discount_days`` (e.g. 2/10 net 30). ``credit_limit_months`` caps the customer's open
    balance at that many months of its usual purchases (``None``: no limit).
    """

    accept: bool = True
    terms: str = "net"
    net_days: int = 30
    credit_limit_months: float | None = 2.0
    deposit: float = 0.0
    discount: float = 0.0
    discount_days: int = 0


_DEFAULT_GRADES: dict[str, GradePolicy] = {
    "A": GradePolicy(net_days=60, credit_limit_months=3.0),
    "B": GradePolicy(net_days=45, credit_limit_months=2.0),
    "C": GradePolicy(net_days=30, credit_limit_months=1.5, deposit=0.2),
    "D": GradePolicy(terms="cia", net_days=0, credit_limit_months=None),
}


@dataclass(frozen=True)
class Policy:
    """A credit and collection policy: what the trainee decides.

    Ladder days and ``agency_day`` / ``write_off_day`` / ``credit_hold_days`` count days past due;
    ``None`` switches a step off. ``follow_up_days`` repeats the current step while it fails.
    """

    grades: Mapping[str, GradePolicy] = dc_field(default_factory=lambda: dict(_DEFAULT_GRADES))
    reminder_days_before_due: int | None = 5
    ladder_salesperson: int | None = 1
    ladder_manager: int | None = 31
    ladder_executive: int | None = 61
    ladder_legal: int | None = 91
    follow_up_days: int | None = 7
    agency_day: int | None = None
    agency_fee: float = 0.2
    credit_hold_days: int | None = 30
    collectors: int = 2
    priority: str = "oldest_debt"
    write_off_day: int = 365

    def ladder(self) -> list[tuple[str, int]]:
        """Enabled past-due steps as (step, day) in order, agency included."""
        steps = [
            (name, day)
            for name, day in (
                ("salesperson", self.ladder_salesperson),
                ("manager", self.ladder_manager),
                ("executive", self.ladder_executive),
                ("legal", self.ladder_legal),
            )
            if day is not None
        ]
        if self.agency_day is not None:
            steps.append(("agency", self.agency_day))
        steps.sort(key=lambda s: s[1])
        return steps


POLICY_KEYS = (
    "grades",
    "reminder_days_before_due",
    "ladder",
    "follow_up_days",
    "agency_day",
    "agency_fee",
    "credit_hold_days",
    "collectors",
    "priority",
    "write_off_day",
)
GRADE_KEYS = tuple(f.name for f in fields(GradePolicy))


def _read_grade(c: _Checker, raw: Mapping[str, Any], base: GradePolicy, prefix: str) -> GradePolicy:
    c.unknown(raw, GRADE_KEYS, prefix)
    accept = c.boolean(raw, "accept", base.accept, prefix)
    terms = c.choice(raw, "terms", base.terms, prefix, TERMS)
    net_days = c.number(raw, "net_days", base.net_days, prefix, minimum=0, maximum=365, integer=True)
    limit = c.number(raw, "credit_limit_months", base.credit_limit_months, prefix, minimum=0,
                     exclusive_min=True, maximum=120, nullable=True)
    deposit = c.fraction(raw, "deposit", base.deposit, prefix, below_one=True)
    discount = c.number(raw, "discount", base.discount, prefix, minimum=0, maximum=0.2)
    discount_days = c.number(raw, "discount_days", base.discount_days, prefix, minimum=0, maximum=365, integer=True)
    if terms == "net":
        if net_days == 0 and "net_days" in raw:
            c.add(_join(prefix, "net_days"), "must_be_positive", "must be greater than zero for net terms",
                  value=0)
        if discount and discount > 0 and discount_days >= net_days:
            c.add(_join(prefix, "discount_days"), "must_be_before",
                  f"must be fewer than net_days ({net_days}), got {discount_days}",
                  other="net_days", value=discount_days, limit=net_days)
    return GradePolicy(accept, terms, int(net_days), None if limit is None else float(limit), float(deposit),
                       float(discount), int(discount_days))


def _check_policy(c: _Checker, d: object, base: Policy, prefix: str = "") -> Policy:
    data = c.mapping(d, prefix or "policy")
    if data is None:
        return base
    c.unknown(data, POLICY_KEYS, prefix)
    grades: dict[str, GradePolicy] = dict(base.grades)
    if "grades" in data:
        graw = c.mapping(data["grades"], _join(prefix, "grades"))
        if graw is not None:
            c.unknown(graw, GRADES, _join(prefix, "grades"))
            for g in GRADES:
                if g in graw:
                    gp = _join(prefix, f"grades.{g}")
                    one = c.mapping(graw[g], gp)
                    if one is not None:
                        grades[g] = _read_grade(c, one, grades.get(g, GradePolicy()), gp)
    reminder = c.number(data, "reminder_days_before_due", base.reminder_days_before_due, prefix, minimum=0,
                        maximum=365, integer=True, nullable=True)
    ladder: dict[str, int | None] = {
        "salesperson": base.ladder_salesperson,
        "manager": base.ladder_manager,
        "executive": base.ladder_executive,
        "legal": base.ladder_legal,
    }
    lp = _join(prefix, "ladder")
    if "ladder" in data:
        lraw = c.mapping(data["ladder"], lp)
        if lraw is not None:
            c.unknown(lraw, LADDER_STEPS, lp)
            for step in LADDER_STEPS:
                ladder[step] = c.number(lraw, step, ladder[step], lp, minimum=1, integer=True, maximum=MAX_DAYS,
                                        nullable=True)
    follow = c.number(data, "follow_up_days", base.follow_up_days, prefix, minimum=1, integer=True,
                      maximum=365, nullable=True)
    agency_day = c.number(data, "agency_day", base.agency_day, prefix, minimum=1, integer=True, maximum=MAX_DAYS,
                          nullable=True)
    agency_fee = c.fraction(data, "agency_fee", base.agency_fee, prefix, below_one=True)
    hold = c.number(data, "credit_hold_days", base.credit_hold_days, prefix, minimum=1, integer=True,
                    maximum=MAX_DAYS, nullable=True)
    collectors = c.number(data, "collectors", base.collectors, prefix, minimum=0, exclusive_min=True, integer=True,
                          maximum=1000)
    priority = c.choice(data, "priority", base.priority, prefix, PRIORITIES)
    write_off = c.number(data, "write_off_day", base.write_off_day, prefix, minimum=1, integer=True,
                         maximum=MAX_DAYS)

    # order of the ladder: each enabled step strictly later than the one before
    previous: tuple[str, int] | None = None
    for step in LADDER_STEPS:
        day = ladder[step]
        if day is None:
            continue
        if previous is not None and day <= previous[1]:
            c.add(f"{lp}.{step}", "ladder_out_of_order",
                  f"must come after {previous[0]} (day {previous[1]}), got day {day}",
                  step=step, day=day, previous=previous[0], previous_day=previous[1])
        previous = (step, day)
    enabled = [(s, dd) for s, dd in ladder.items() if dd is not None]
    if agency_day is not None:
        enabled.append(("agency_day", agency_day))
    for step, day in enabled:
        if day >= write_off:
            fld = _join(prefix, "write_off_day")
            c.add(fld, "must_be_after", f"must come after {step} (day {day}), got day {write_off}",
                  other=step, other_day=day, value=write_off)
    return Policy(
        grades=grades,
        reminder_days_before_due=reminder,
        ladder_salesperson=ladder["salesperson"],
        ladder_manager=ladder["manager"],
        ladder_executive=ladder["executive"],
        ladder_legal=ladder["legal"],
        follow_up_days=follow,
        agency_day=agency_day,
        agency_fee=float(agency_fee),
        credit_hold_days=hold,
        collectors=int(collectors),
        priority=priority,
        write_off_day=int(write_off),
    )


def policy_from_dict(d: Mapping[str, Any], base: Policy | None = None) -> Policy:
    """Build a validated :class:`Policy`; keys left out keep ``base`` (default: :class:`Policy()`).

    Raises :class:`PolicyError` listing every problem.
    """
    c = _Checker()
    policy = _check_policy(c, d, base or Policy())
    if c.problems:
        raise PolicyError(c.problems)
    return policy


def policy_to_dict(p: Policy) -> dict[str, Any]:
    """The plain, JSON-ready dict that :func:`policy_from_dict` reads back to an equal policy."""
    return {
        "grades": {g: {f.name: getattr(p.grades[g], f.name) for f in fields(GradePolicy)} for g in GRADES},
        "reminder_days_before_due": p.reminder_days_before_due,
        "ladder": {
            "salesperson": p.ladder_salesperson,
            "manager": p.ladder_manager,
            "executive": p.ladder_executive,
            "legal": p.ladder_legal,
        },
        "follow_up_days": p.follow_up_days,
        "agency_day": p.agency_day,
        "agency_fee": p.agency_fee,
        "credit_hold_days": p.credit_hold_days,
        "collectors": p.collectors,
        "priority": p.priority,
        "write_off_day": p.write_off_day,
    }


def _parse_text(text: str, source: str) -> Any:
    try:
        return yaml.safe_load(text)  # JSON is a subset of YAML 1.2 for our purposes
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise PolicyError(
            [Problem("", "unparsable", f"cannot parse the file{where}: {getattr(exc, 'problem', exc)}",
                     {"detail": str(exc)})],
            source,
        ) from None


def _read_source(path_or_text: str | Path) -> tuple[Any, str]:
    """Parse a path or a YAML/JSON text; a str that names an existing file is read as that file."""
    if isinstance(path_or_text, Path) or (
        isinstance(path_or_text, str) and "\n" not in path_or_text and len(path_or_text) < 1024
        and path_or_text.strip().endswith((".yaml", ".yml", ".json"))
    ):
        path = Path(path_or_text)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError([Problem("", "unreadable", f"cannot read {path}: {exc}", {"path": str(path)})],
                              str(path)) from None
        if path.suffix == ".json":
            try:
                return json.loads(text), str(path)
            except json.JSONDecodeError as exc:
                raise PolicyError([Problem("", "unparsable", f"cannot parse the file (line {exc.lineno}, "
                                           f"column {exc.colno}): {exc.msg}", {"detail": str(exc)})],
                                  str(path)) from None
        return _parse_text(text, str(path)), str(path)
    return _parse_text(str(path_or_text), "<text>"), "<text>"


def load_policy(path_or_text: str | Path, base: Policy | None = None) -> Policy:
    """Read a policy from a YAML/JSON file path or from YAML/JSON text.

    A file may hold the policy itself or a preset-like mapping with a ``policy`` key.
    """
    data, source = _read_source(path_or_text)
    if data is None:
        data = {}
    if isinstance(data, Mapping) and "policy" in data and isinstance(data["policy"], Mapping):
        data = data["policy"]
    c = _Checker()
    policy = _check_policy(c, data, base or Policy())
    if c.problems:
        raise PolicyError(c.problems, source)
    return policy


# --------------------------------------------------------------------------------------------------
# Portfolio (the world) and presets


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


def _check_curve(c: _Checker, raw: object, prefix: str, default: tuple[tuple[float, float], ...]
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


def _check_portfolio(c: _Checker, d: object, base: Portfolio, prefix: str = "portfolio") -> Portfolio:
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
    behaviours = dict(base.behaviours)
    if "behaviours" in data:
        bp = _join(prefix, "behaviours")
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
    values["behaviours"] = behaviours
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
    values["cod_acceptance"] = c.fraction(data, "cod_acceptance", base.cod_acceptance, prefix)
    values["cia_acceptance"] = c.fraction(data, "cia_acceptance", base.cia_acceptance, prefix)
    values["deposit_sensitivity"] = c.fraction(data, "deposit_sensitivity", base.deposit_sensitivity, prefix)
    industries = dict(base.industries)
    if "industries" in data:
        ip = _join(prefix, "industries")
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
    values["industries"] = industries
    values["shock_default_prob"] = c.fraction(data, "shock_default_prob", base.shock_default_prob, prefix)
    values["shock_delay_days"] = n(data, "shock_delay_days", base.shock_delay_days, prefix, minimum=0, maximum=365)
    values["shock_days"] = n(data, "shock_days", base.shock_days, prefix, minimum=0, maximum=MAX_DAYS)
    milestones = base.milestones
    if "milestones" in data:
        mp = _join(prefix, "milestones")
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
    values["milestones"] = milestones
    values["foreign_share"] = c.fraction(data, "foreign_share", base.foreign_share, prefix)
    values["fx_volatility"] = n(data, "fx_volatility", base.fx_volatility, prefix, minimum=0, maximum=2)
    values["fx_drift"] = n(data, "fx_drift", base.fx_drift, prefix, minimum=-1, maximum=1)
    curve = base.collectability_curve
    if "collectability_curve" in data:
        curve = _check_curve(c, data["collectability_curve"], _join(prefix, "collectability_curve"), curve)
    values["collectability_curve"] = curve
    rates = base.allowance_rates
    if "allowance_rates" in data and data["allowance_rates"] is not None:
        ap = _join(prefix, "allowance_rates")
        araw = data["allowance_rates"]
        if (not isinstance(araw, list | tuple) or len(araw) != len(BUCKETS)
                or not all(isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1 for v in araw)):
            c.add(ap, "bad_allowance_rates", f"must be {len(BUCKETS)} fractions, one per bucket "
                  f"({', '.join(BUCKETS)})", buckets=list(BUCKETS))
        else:
            rates = tuple(float(v) for v in araw)
    elif "allowance_rates" in data:
        rates = None
    values["allowance_rates"] = rates
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
    c = _Checker()
    p = _check_portfolio(c, d, base or Portfolio())
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


@dataclass(frozen=True)
class Preset:
    """A named portfolio with its default policy, run length and customer count."""

    name: str
    title: Mapping[str, str]
    summary: Mapping[str, str]
    customers: int
    days: int
    portfolio: Portfolio
    policy: Policy

    def with_policy(self, policy: Policy) -> Preset:
        return replace(self, policy=policy)


PRESET_KEYS = ("name", "title", "summary", "customers", "days", "portfolio", "policy")


def _check_run(c: _Checker, customers: object, days: object, prefix: str = "") -> None:
    data = {"customers": customers, "days": days}
    c.number(data, "customers", None, prefix, minimum=0, exclusive_min=True, integer=True, maximum=MAX_CUSTOMERS)
    c.number(data, "days", None, prefix, minimum=0, exclusive_min=True, integer=True, maximum=MAX_DAYS)


def validate_run(customers: int, days: int) -> None:
    """Check the size of a run: 1..20,000 customers and 1..1,825 days (five years)."""
    c = _Checker()
    _check_run(c, customers, days)
    if c.problems:
        raise PolicyError(c.problems)


def _lang_text(c: _Checker, data: Mapping[str, Any], key: str, default: str) -> dict[str, str]:
    raw = data.get(key)
    if raw is None:
        return {"en": default, "zh": default}
    if isinstance(raw, str):
        return {"en": raw, "zh": raw}
    if not isinstance(raw, Mapping) or not all(isinstance(v, str) for v in raw.values()):
        c.add(key, "bad_text", "must be a text or a mapping of language to text")
        return {"en": default, "zh": default}
    missing = [lang for lang in ("en", "zh") if lang not in raw]
    if missing:
        c.add(key, "missing_language", f"must have a text in {', '.join(missing)}", languages=missing)
    return {str(k): str(v) for k, v in raw.items()}


def preset_from_dict(d: Mapping[str, Any], name: str | None = None, source: str | None = None) -> Preset:
    """Build a validated :class:`Preset` from its plain dict; every problem in one :class:`PolicyError`."""
    c = _Checker()
    data = c.mapping(d, "")
    if data is None:
        raise PolicyError(c.problems, source)
    c.unknown(data, PRESET_KEYS, "")
    pname = c.text(data, "name", name or "preset", "")
    title = _lang_text(c, data, "title", pname)
    summary = _lang_text(c, data, "summary", "")
    customers = c.number(data, "customers", 500, "", minimum=0, exclusive_min=True, integer=True,
                         maximum=MAX_CUSTOMERS)
    days = c.number(data, "days", 365, "", minimum=0, exclusive_min=True, integer=True, maximum=MAX_DAYS)
    portfolio = _check_portfolio(c, data.get("portfolio"), Portfolio(), "portfolio")
    policy = _check_policy(c, data.get("policy"), Policy(), "policy")
    if c.problems:
        raise PolicyError(c.problems, source)
    return Preset(pname, title, summary, int(customers), int(days), portfolio, policy)


def default_presets_dir() -> Path:
    """The repository's ``scenarios/presets`` folder, found from this package's location."""
    return Path(__file__).resolve().parents[2] / "scenarios" / "presets"


def list_presets(presets_dir: str | Path | None = None) -> list[str]:
    """Names of the presets (file stems) in ``presets_dir``, sorted."""
    folder = Path(presets_dir) if presets_dir is not None else default_presets_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("_"))


def load_preset(name: str, presets_dir: str | Path | None = None) -> Preset:
    """Load and validate preset ``name`` (a file stem in ``presets_dir`` or a path to a YAML file)."""
    folder = Path(presets_dir) if presets_dir is not None else default_presets_dir()
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        path = candidate
    else:
        path = folder / f"{name}.yaml"
        if not path.is_file():
            known = list_presets(folder)
            raise PolicyError([Problem("preset", "unknown_preset",
                                       f"no preset named {name!r}; known: {', '.join(known) or 'none'}",
                                       {"name": name, "known": known})])
    data, source = _read_source(path)
    return preset_from_dict(data if data is not None else {}, name=path.stem, source=source)
