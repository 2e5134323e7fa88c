"""The policy: what the trainee controls (terms per grade, the collection ladder, collectors,
write-off). Built from plain dicts (YAML, JSON or a web form) and back, validated all at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from trainer.sim.params import (
    GRADES,
    LADDER_STEPS,
    MAX_DAYS,
    PRIORITIES,
    TERMS,
    Checker,
    PolicyError,
    join_field,
    read_source,
)


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


def _read_grade(c: Checker, raw: Mapping[str, Any], base: GradePolicy, prefix: str) -> GradePolicy:
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
            c.add(join_field(prefix, "net_days"), "must_be_positive", "must be greater than zero for net terms",
                  value=0)
        if discount and discount > 0 and discount_days >= net_days:
            c.add(join_field(prefix, "discount_days"), "must_be_before",
                  f"must be fewer than net_days ({net_days}), got {discount_days}",
                  other="net_days", value=discount_days, limit=net_days)
    return GradePolicy(accept, terms, int(net_days), None if limit is None else float(limit), float(deposit),
                       float(discount), int(discount_days))


def check_policy(c: Checker, d: object, base: Policy, prefix: str = "") -> Policy:
    data = c.mapping(d, prefix or "policy")
    if data is None:
        return base
    c.unknown(data, POLICY_KEYS, prefix)
    grades: dict[str, GradePolicy] = dict(base.grades)
    if "grades" in data:
        graw = c.mapping(data["grades"], join_field(prefix, "grades"))
        if graw is not None:
            c.unknown(graw, GRADES, join_field(prefix, "grades"))
            for g in GRADES:
                if g in graw:
                    gp = join_field(prefix, f"grades.{g}")
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
    lp = join_field(prefix, "ladder")
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
            fld = join_field(prefix, "write_off_day")
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
    c = Checker()
    policy = check_policy(c, d, base or Policy())
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



def load_policy(path_or_text: str | Path, base: Policy | None = None) -> Policy:
    """Read a policy from a YAML/JSON file path or from YAML/JSON text.

    A file may hold the policy itself or a preset-like mapping with a ``policy`` key.
    """
    data, source = read_source(path_or_text)
    if data is None:
        data = {}
    if isinstance(data, Mapping) and "policy" in data and isinstance(data["policy"], Mapping):
        data = data["policy"]
    c = Checker()
    policy = check_policy(c, data, base or Policy())
    if c.problems:
        raise PolicyError(c.problems, source)
    return policy

