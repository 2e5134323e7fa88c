"""Economic invariants every credit manager knows, checked in every preset over ten seeds with common
random numbers (each policy meets the same customers, orders and payment intentions).

Portfolios are capped at 300 customers and runs last 365 days, so the whole file stays within about a
minute on one core; docs/simulation.md ("Economic invariants") names the figures that drive each one.
Means over the seeds are compared, as a credit manager compares policies, not single lucky runs.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from trainer.sim import Simulation, Summary, list_presets, load_preset, policy_from_dict, policy_to_dict

SEEDS = tuple(range(1, 11))
DAYS = 365
MAX_CUSTOMERS = 300
PRESETS = tuple(list_presets())

pytestmark = pytest.mark.slow

NO_COLLECTION: dict[str, Any] = {
    "reminder_days_before_due": None,
    "ladder": {"salesperson": None, "manager": None, "executive": None, "legal": None},
    "agency_day": None,
    "credit_hold_days": None,
}
LOOSE_GRADE = {"accept": True, "terms": "net", "net_days": 180, "credit_limit_months": None, "deposit": 0,
               "discount": 0, "discount_days": 0}
CIA_GRADE = {"accept": True, "terms": "cia", "net_days": 0, "credit_limit_months": None, "deposit": 0,
             "discount": 0, "discount_days": 0}


def _default(preset: str) -> dict[str, Any]:
    return policy_to_dict(load_preset(preset).policy)


def _variant(preset: str, name: str) -> dict[str, Any]:
    """The policies the invariants compare, as changes to the preset's default."""
    base = _default(preset)
    grades = dict.fromkeys(("A", "B", "C", "D"))
    if name == "default":
        return {}
    if name == "no_collection":
        return NO_COLLECTION
    if name == "no_collection_keep_holds":  # the wording: no reminder, no ladder, no agency
        return {k: v for k, v in NO_COLLECTION.items() if k != "credit_hold_days"}
    if name == "loose":
        return {**NO_COLLECTION, "grades": {g: LOOSE_GRADE for g in grades}}
    if name == "cia":
        return {"grades": {g: CIA_GRADE for g in grades}}
    if name == "more_collectors":
        return {"collectors": base["collectors"] + 1}
    if name == "later_ladder":  # every call and letter a month later, legal action as before
        ladder = {step: day if day is None or step == "legal" else day + 30 for step, day in base["ladder"].items()}
        if ladder["legal"] is not None and ladder["executive"] is not None:
            ladder["legal"] = max(ladder["legal"], ladder["executive"] + 1)
        return {"ladder": ladder}
    raise KeyError(name)


@cache
def _runs(preset: str, name: str, refuse_from: tuple[str, int] | None = None) -> tuple[Summary, ...]:
    """Summaries over the seeds; ``refuse_from=(grade, day)`` refuses the grade from that day on."""
    pr = load_preset(preset)
    policy = policy_from_dict(_variant(preset, name), base=pr.policy)
    out = []
    for seed in SEEDS:
        sim = Simulation(pr, policy, seed=seed, customers=min(pr.customers, MAX_CUSTOMERS))
        if refuse_from is None:
            sim.advance(DAYS)
        else:
            grade, day = refuse_from
            refused = policy_from_dict({"grades": {grade: {"accept": False}}}, base=policy)
            sim.advance(day)
            sim.advance(DAYS - day, refused)
        out.append(sim.result().summary)
    return tuple(out)


def mean(preset: str, name: str, metric: Callable[[Summary], float], **kw: Any) -> float:
    return statistics.fmean(metric(s) for s in _runs(preset, name, **kw))


def net_value(s: Summary) -> float:
    return s.net_value


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("variant", ["no_collection", "no_collection_keep_holds"])
def test_no_collection_effort_loses_value(preset: str, variant: str) -> None:
    assert mean(preset, variant, net_value) < mean(preset, "default", net_value)


@pytest.mark.parametrize("preset", PRESETS)
def test_long_terms_without_checks_or_collection_lose_value(preset: str) -> None:
    assert mean(preset, "loose", net_value) < mean(preset, "default", net_value)


@pytest.mark.parametrize("preset", PRESETS)
def test_cash_in_advance_for_everyone_loses_most_sales(preset: str) -> None:
    runs = _runs(preset, "cia")
    for s in runs:  # more than half of what customers wanted to buy is refused, on every seed
        assert s.refused_sales > s.sales
    assert mean(preset, "cia", net_value) < mean(preset, "default", net_value)


@pytest.mark.parametrize("preset", PRESETS)
def test_more_collectors_never_raise_the_mean_wait(preset: str) -> None:
    def wait(s: Summary) -> float:
        return s.mean_wait or 0.0

    assert mean(preset, "more_collectors", wait) <= mean(preset, "default", wait) + 1e-9


@pytest.mark.parametrize("preset", PRESETS)
def test_an_earlier_ladder_never_raises_dso(preset: str) -> None:
    """The preset's ladder against the same ladder a month later (the earlier one is the default)."""

    def dso(s: Summary) -> float:
        assert s.dso is not None
        return s.dso

    assert mean(preset, "default", dso) <= mean(preset, "later_ladder", dso)


def _lowest_accepted(preset: str, k: int) -> str:
    """The ``k``-th lowest grade the preset's default accepts (0: the lowest)."""
    accepted = [g for g, gp in _default(preset)["grades"].items() if gp["accept"]]
    return sorted(accepted)[-1 - k]


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("rank", [0, 1])
def test_refusing_a_grade_never_raises_its_bad_debt(preset: str, rank: int) -> None:
    grade = _lowest_accepted(preset, rank)
    refused = _runs(preset, "default", refuse_from=(grade, 120))

    def grade_bad_debt(s: Summary) -> float:
        return s.bad_debt_by_grade[grade]

    assert mean(preset, "default", grade_bad_debt, refuse_from=(grade, 120)) <= mean(preset, "default", grade_bad_debt)
    assert sum(r.sales for r in refused) < sum(k.sales for k in _runs(preset, "default"))  # the refusal did bite
