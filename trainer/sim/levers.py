"""The policy's levers: the decisions a credit manager can turn, each with a short list of levels.

One vocabulary serves the frontier search (a candidate policy is the preset's policy with some levers
set to other levels) and its explanation (which levers a frontier policy sets differently from the
trainee's). A lever's levels are ordered (terms from refusing to 120 days, limits from half a month to
none, ...), so two policies can be compared lever by lever: reading a policy snaps each lever to its
nearest level, and the difference between two policies on a lever is how many levels apart they are,
as a share of the lever's range.

Levers that cannot matter are left out of a comparison and of the search: the limit, deposit and
discount of a grade that is refused or pays cash, and the discount of terms too short to offer one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from trainer.sim.params import GRADES, PRIORITIES, PolicyError, Problem
from trainer.sim.policy import Policy, policy_from_dict, policy_to_dict

__all__ = ["LEVERS", "Lever", "LeverDifference", "apply_levels", "lever_differences", "lever_distance",
           "read_levels"]

PolicyDict = dict[str, Any]

TERMS_LEVELS: tuple[str, ...] = ("refuse", "cia", "cod", "net15", "net30", "net45", "net60", "net90", "net120")
LIMIT_LEVELS: tuple[float | None, ...] = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 9.0, 12.0, 18.0, 24.0, None)
DEPOSIT_LEVELS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.5)
DISCOUNT_LEVELS: tuple[tuple[float, int], ...] = ((0.0, 0), (0.01, 10), (0.02, 10))
REMINDER_LEVELS: tuple[int | None, ...] = (None, 3, 5, 7, 10, 14)
#: (salesperson, manager, executive) days past due; the last level escalates to nobody
LADDER_LEVELS: tuple[tuple[int | None, int | None, int | None], ...] = (
    (1, 15, 30), (1, 21, 45), (1, 31, 61), (7, 45, 90), (15, 60, 120), (None, None, None))
LEGAL_LEVELS: tuple[int | None, ...] = (61, 91, 121, 181, 271, None)
AGENCY_LEVELS: tuple[int | None, ...] = (61, 91, 121, 181, 271, None)
FOLLOW_UP_LEVELS: tuple[int | None, ...] = (3, 7, 10, 14, 30, None)
HOLD_LEVELS: tuple[int | None, ...] = (15, 30, 45, 60, 90, 120, None)
COLLECTOR_LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20)

_NONE_DAYS = 10_000.0  # "never" sorts after every day when snapping a reading to a level


def _nearest(levels: tuple[Any, ...], value: Any, scale: Callable[[Any], float]) -> int:
    """Index of the level closest to ``value`` on ``scale`` (first on ties)."""
    x = scale(value)
    return min(range(len(levels)), key=lambda i: (abs(scale(levels[i]) - x), i))


def _days(v: Any) -> float:
    return _NONE_DAYS if v is None else float(v)


def _log_months(v: Any) -> float:
    return math.log(1000.0 if v is None else max(float(v), 0.01))


@dataclass(frozen=True)
class Lever:
    """One lever: ``levels`` in order, ``read(policy dict)`` → the nearest level's index,
    ``write(policy dict, index)`` sets it in place, ``applies(policy dict)``: it can matter there."""

    key: str
    levels: tuple[Any, ...]
    read: Callable[[PolicyDict], int]
    write: Callable[[PolicyDict, int], None]
    ordered: bool = True
    applies: Callable[[PolicyDict], bool] = lambda _d: True

    def label(self, index: int) -> str:
        """The level as a short, language-neutral text (``net30``, ``2``, ``none``)."""
        value = self.levels[index]
        if isinstance(value, tuple):
            return "none" if value[0] is None else "/".join(str(v) for v in value)
        return "none" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _grade(d: PolicyDict, g: str) -> dict[str, Any]:
    grade: dict[str, Any] = d["grades"][g]
    return grade


def _on_credit(d: PolicyDict, g: str) -> bool:
    grade = _grade(d, g)
    return bool(grade["accept"]) and grade["terms"] == "net"


def _terms_lever(g: str) -> Lever:
    def read(d: PolicyDict) -> int:
        grade = _grade(d, g)
        if not grade["accept"]:  # the terms of a refused grade do not matter: it is refused
            return 0
        if grade["terms"] != "net":
            return TERMS_LEVELS.index(grade["terms"])
        return 3 + _nearest((15, 30, 45, 60, 90, 120), grade["net_days"], float)

    def write(d: PolicyDict, i: int) -> None:
        grade = _grade(d, g)
        level = TERMS_LEVELS[i]
        grade["accept"] = level != "refuse"
        if level in ("cia", "cod"):
            grade.update(terms=level, net_days=0, discount=0.0, discount_days=0)
        elif level.startswith("net"):
            grade.update(terms="net", net_days=int(level[3:]))
            if grade["discount"] and grade["discount_days"] >= grade["net_days"]:
                grade.update(discount=0.0, discount_days=0)

    return Lever(f"terms.{g}", TERMS_LEVELS, read, write)



def _grade_lever(g: str, name: str, levels: tuple[Any, ...], field: str, scale: Callable[[Any], float]) -> Lever:
    def read(d: PolicyDict) -> int:
        return _nearest(levels, _grade(d, g)[field], scale)

    def write(d: PolicyDict, i: int) -> None:
        _grade(d, g)[field] = levels[i]

    return Lever(f"{name}.{g}", levels, read, write, applies=lambda d: _on_credit(d, g))


def _discount_lever(g: str) -> Lever:
    def read(d: PolicyDict) -> int:
        return _nearest(DISCOUNT_LEVELS, (_grade(d, g)["discount"], 0), lambda v: float(v[0]))

    def write(d: PolicyDict, i: int) -> None:
        rate, days = DISCOUNT_LEVELS[i]
        _grade(d, g).update(discount=rate, discount_days=days)

    def applies(d: PolicyDict) -> bool:
        return _on_credit(d, g) and _grade(d, g)["net_days"] > DISCOUNT_LEVELS[-1][1]

    return Lever(f"discount.{g}", DISCOUNT_LEVELS, read, write, applies=applies)


def _sells_on_credit(d: PolicyDict) -> bool:
    """Some grade buys on credit, so there are invoices to collect."""
    return any(_on_credit(d, g) for g in GRADES)


def _top_lever(key: str, levels: tuple[Any, ...], field: str, scale: Callable[[Any], float] = _days) -> Lever:
    def read(d: PolicyDict) -> int:
        return _nearest(levels, d[field], scale)

    def write(d: PolicyDict, i: int) -> None:
        d[field] = levels[i]

    return Lever(key, levels, read, write, applies=_sells_on_credit)


def _ladder_read(d: PolicyDict) -> int:
    ladder = d["ladder"]
    if ladder["salesperson"] is None and ladder["manager"] is None and ladder["executive"] is None:
        return len(LADDER_LEVELS) - 1
    first = next(v for v in (ladder["manager"], ladder["executive"], ladder["salesperson"]) if v is not None)
    return _nearest(LADDER_LEVELS[:-1], (None, first, None), lambda v: _days(v[1]))


def _ladder_write(d: PolicyDict, i: int) -> None:
    sales, manager, executive = LADDER_LEVELS[i]
    d["ladder"].update(salesperson=sales, manager=manager, executive=executive)


def _legal_read(d: PolicyDict) -> int:
    return _nearest(LEGAL_LEVELS, d["ladder"]["legal"], _days)


def _legal_write(d: PolicyDict, i: int) -> None:
    d["ladder"]["legal"] = LEGAL_LEVELS[i]


def _priority_lever() -> Lever:
    def read(d: PolicyDict) -> int:
        return PRIORITIES.index(d["priority"])

    def write(d: PolicyDict, i: int) -> None:
        d["priority"] = PRIORITIES[i]

    return Lever("priority", PRIORITIES, read, write, ordered=False, applies=_sells_on_credit)


def _levers() -> tuple[Lever, ...]:
    per_grade: list[Lever] = []
    for g in GRADES:
        per_grade += [
            _terms_lever(g),
            _grade_lever(g, "limit", LIMIT_LEVELS, "credit_limit_months", _log_months),
            _grade_lever(g, "deposit", DEPOSIT_LEVELS, "deposit", float),
            _discount_lever(g),
        ]
    return (*per_grade,
            _top_lever("reminder", REMINDER_LEVELS, "reminder_days_before_due", lambda v: -1.0 if v is None else v),
            Lever("ladder", LADDER_LEVELS, _ladder_read, _ladder_write, applies=_sells_on_credit),
            Lever("legal", LEGAL_LEVELS, _legal_read, _legal_write, applies=_sells_on_credit),
            _top_lever("follow_up", FOLLOW_UP_LEVELS, "follow_up_days"),
            _top_lever("agency", AGENCY_LEVELS, "agency_day"),
            _top_lever("hold", HOLD_LEVELS, "credit_hold_days"),
            Lever("collectors", COLLECTOR_LEVELS, lambda d: _nearest(COLLECTOR_LEVELS, d["collectors"], float),
                  lambda d, i: d.update(collectors=COLLECTOR_LEVELS[i])),
            _priority_lever())


#: every lever, grades first (terms, limit, deposit, discount per grade), then collection
LEVERS: tuple[Lever, ...] = _levers()
_BY_KEY: dict[str, Lever] = {lever.key: lever for lever in LEVERS}


def read_levels(policy: Policy | Mapping[str, Any], *, all_levers: bool = False) -> dict[str, int | None]:
    """Each lever's level index in ``policy``: None where the lever cannot matter, unless ``all_levers``
    (the search keeps every lever's level, as a policy that switches terms will need them)."""
    d = policy_to_dict(policy) if isinstance(policy, Policy) else policy_to_dict(policy_from_dict(policy))
    return {lever.key: lever.read(d) if all_levers or lever.applies(d) else None for lever in LEVERS}


def apply_levels(base: Policy, levels: Mapping[str, int]) -> Policy:
    """``base`` with each lever in ``levels`` set to that level index; raises :class:`PolicyError` when
    the result is not a valid policy (a legal step before the executive's, say)."""
    d = policy_to_dict(base)
    for key, index in levels.items():
        lever = _BY_KEY[key]
        if not 0 <= index < len(lever.levels):
            raise PolicyError([Problem(key, "too_large", f"no level {index} (0 to {len(lever.levels) - 1})",
                                       {"maximum": len(lever.levels) - 1, "value": index})])
        lever.write(d, index)
    return policy_from_dict(d, base)


@dataclass(frozen=True)
class LeverDifference:
    """A lever two policies set differently: level indexes and labels, and the gap as a share of the
    lever's range (1 for any change of an unordered lever)."""

    key: str
    mine: int
    theirs: int
    mine_label: str
    theirs_label: str
    gap: float


def lever_differences(mine: Mapping[str, int | None], theirs: Mapping[str, int | None]) -> list[LeverDifference]:
    """The levers where two readings differ (both applicable), largest gap first, then lever order."""
    out = []
    for lever in LEVERS:
        a, b = mine.get(lever.key), theirs.get(lever.key)
        if a is None or b is None or a == b:
            continue
        gap = abs(a - b) / (len(lever.levels) - 1) if lever.ordered else 1.0
        out.append(LeverDifference(lever.key, a, b, lever.label(a), lever.label(b), gap))
    order = {lever.key: i for i, lever in enumerate(LEVERS)}
    return sorted(out, key=lambda x: (-x.gap, order[x.key]))


def lever_distance(mine: Mapping[str, int | None], theirs: Mapping[str, int | None]) -> float:
    """How far apart two policies are: the sum of their levers' gaps (0: the same on every lever)."""
    return sum(d.gap for d in lever_differences(mine, theirs))
