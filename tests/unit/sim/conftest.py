"""Shared builders for the simulation tests: a 'clean room' preset where every effect is off."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from trainer.sim.presets import Preset, preset_from_dict

FLAT_CURVE = [[0, 1.0], [24, 1.0]]


def clean_preset_dict() -> dict[str, Any]:
    """A preset with no defaults, disputes, shocks, churn or collection: effects are switched on one by one."""
    net = {"accept": True, "terms": "net", "net_days": 30, "credit_limit_months": None, "deposit": 0,
           "discount": 0, "discount_days": 0}
    return {
        "name": "clean",
        "title": {"en": "clean", "zh": "clean"},
        "summary": {"en": "test", "zh": "test"},
        "customers": 100,
        "days": 120,
        "portfolio": {
            "default_rate": {"A": 0, "B": 0, "C": 0, "D": 0},
            "behaviour_mix": {"on_time": 1.0, "fixed_delay": 0, "irregular": 0, "chronic": 0},
            "behaviours": {"on_time": {"delay_min": 0, "delay_max": 0, "extra_mean": 0, "responsiveness": 1.0,
                                       "discount_takers": 0}},
            "dispute_rate": 0,
            "strictness_sensitivity": 0,
            "industries": {"all": {"share": 1.0, "shock_rate": 0}},
            "collectability_curve": FLAT_CURVE,
            "size_dispersion": 0,
            "order_size_cv": 0,
            "order_size": 1000,
            "terms_elasticity": 0,
        },
        "policy": {
            "grades": {g: dict(net) for g in "ABCD"},
            "reminder_days_before_due": None,
            "ladder": {"salesperson": None, "manager": None, "executive": None, "legal": None},
            "follow_up_days": None,
            "agency_day": None,
            "credit_hold_days": None,
            "collectors": 1,
            "priority": "first_come",
            "write_off_day": 365,
        },
    }


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@pytest.fixture
def make_preset() -> Callable[..., Preset]:
    """``make_preset({"portfolio": {...}, "policy": {...}})``: the clean preset with overrides."""

    def build(overrides: dict[str, Any] | None = None) -> Preset:
        return preset_from_dict(merge(clean_preset_dict(), overrides or {}))

    return build
