"""A golden run per preset: an unintended change in the model's behaviour shows up here.

When a change is intended, regenerate the files and review the diff in the commit:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/sim/test_golden.py
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from trainer.sim import list_presets, load_preset, run

GOLDEN_DIR = Path(__file__).parent / "golden"
SEED = 2024
MAX_CUSTOMERS = 120


def golden_run(name: str) -> dict[str, Any]:
    preset = load_preset(name)
    res = run(preset, seed=SEED, customers=min(preset.customers, MAX_CUSTOMERS))
    return {
        "preset": name,
        "seed": SEED,
        "customers": res.customers,
        "days": res.days,
        "summary": res.summary.to_dict(),
        "months": [m.to_dict() for m in res.months],
        "events": dict(sorted(Counter(e.kind for e in res.events).items())),
    }


def assert_close(actual: Any, expected: Any, path: str = "") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), path
        for key in expected:
            assert_close(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_close(a, e, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(actual, bool):
        assert isinstance(actual, int | float) and math.isclose(actual, expected, rel_tol=1e-7, abs_tol=1e-6), (
            f"{path}: {actual!r} != {expected!r}")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


@pytest.mark.parametrize("name", list_presets())
def test_golden_run(name: str) -> None:
    path = GOLDEN_DIR / f"{name}.json"
    actual = json.loads(json.dumps(golden_run(name)))
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.skip(f"rewrote {path.name}")
    assert path.is_file(), f"no golden file {path.name}; run with UPDATE_GOLDEN=1 to create it"
    assert_close(actual, json.loads(path.read_text(encoding="utf-8")))


def test_every_golden_file_has_a_preset() -> None:
    assert sorted(p.stem for p in GOLDEN_DIR.glob("*.json")) == list_presets()
