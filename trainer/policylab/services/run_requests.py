"""Validating what a run needs (preset, policy, seed, size, length) into one request, every problem at once."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app

from trainer import sim
from trainer.policylab.services.presets import preset

DEFAULT_MAX_CUSTOMERS = 5000
MAX_REPLICATIONS = 50
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class RunRequest:
    preset: str
    policy: dict[str, Any]
    seed: int
    customers: int
    days: int
    name: str = ""


def max_customers() -> int:
    return int(current_app.config.get("SIM_MAX_CUSTOMERS", DEFAULT_MAX_CUSTOMERS))


def _whole(raw: object, fld: str, problems: list[sim.Problem], minimum: int, maximum: int) -> int | None:
    """Parse a whole number from a form value, adding engine-style problems (code + params)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        problems.append(sim.Problem(fld, "required", "must have a value"))
        return None
    try:
        value = float(str(raw)) if not isinstance(raw, int | float) else raw
    except (TypeError, ValueError):
        problems.append(sim.Problem(fld, "must_be_number", f"must be a number, got {raw!r}", {"value": str(raw)}))
        return None
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        problems.append(sim.Problem(fld, "must_be_integer", f"must be a whole number, got {raw!r}", {"value": raw}))
        return None
    number = int(value)
    if number < minimum:
        problems.append(sim.Problem(fld, "too_small", f"must be at least {minimum}", {"minimum": minimum, "value": number}))
        return None
    if number > maximum:
        problems.append(sim.Problem(fld, "too_large", f"must be at most {maximum}", {"maximum": maximum, "value": number}))
        return None
    return number


def parse_run_request(preset_name: str, policy: Mapping[str, Any], seed: object, customers: object,
                      days: object, name: str = "") -> RunRequest:
    """Validate everything a run needs at once; raises PolicyError listing every problem."""
    problems: list[sim.Problem] = []
    try:
        the_preset = preset(preset_name)
    except sim.PolicyError as exc:
        raise sim.PolicyError([sim.Problem("preset", p.code, p.message, p.params) for p in exc.problems]) from None
    try:
        validated = sim.policy_from_dict(dict(policy), the_preset.policy)
    except sim.PolicyError as exc:
        problems.extend(exc.problems)
        validated = None
    seed_value = _whole(seed, "seed", problems, 0, MAX_SEED)
    n_customers = _whole(customers, "customers", problems, 1, min(sim.MAX_CUSTOMERS, max_customers()))
    n_days = _whole(days, "days", problems, 1, sim.MAX_DAYS)
    if len(name) > 120:
        problems.append(sim.Problem("name", "too_long", "must be at most 120 characters", {"maximum": 120}))
    if problems or validated is None or seed_value is None or n_customers is None or n_days is None:
        raise sim.PolicyError(problems)
    return RunRequest(preset_name, sim.policy_to_dict(validated), seed_value, n_customers, n_days, name.strip())


def parse_replications(raw: object) -> int:
    problems: list[sim.Problem] = []
    n = _whole(raw, "replications", problems, 2, MAX_REPLICATIONS)
    if n is None:
        raise sim.PolicyError(problems)
    return n

