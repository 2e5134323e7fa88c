"""Replications: the trainee's policy and a baseline on the same seeds (common random numbers), with
10/50/90 % bands of each metric and of the paired difference."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from trainer import sim
from trainer.policylab.services.presets import preset
from trainer.policylab.services.simulation import Progress, cash

# Metrics shown with confidence bands: (key, how to read it from a summary dict, higher is better?)

BAND_METRICS: tuple[tuple[str, Callable[[Mapping[str, Any]], float | None], bool], ...] = (
    ("net_value", lambda s: s.get("net_value"), True),
    ("cash", cash, True),
    ("dso", lambda s: s["dso"], False),
    ("bad_debt_rate", lambda s: s["bad_debt_rate"], False),
    ("lost_sales", lambda s: s["lost_sales"], False),
    ("collection_cost", lambda s: s["collection_cost"], False),
)


def _band(values: Sequence[float]) -> list[float] | None:
    if not values:
        return None
    p10, p50, p90 = np.percentile(np.array(values, dtype=float), [10, 50, 90])
    return [float(p10), float(p50), float(p90)]


def replicate_pair(preset_name: str, policy: Mapping[str, Any], baseline: Mapping[str, Any], seed0: int, n: int,
                   customers: int, days: int, progress: Progress | None = None,
                   workers: int | None = None) -> dict[str, Any]:
    """Both policies on seeds seed0 … seed0+n-1 (common random numbers), with 10/50/90 % bands of each
    metric for each policy and for the paired difference (yours − default). The 2 × n runs are spread
    over ``workers`` processes (default: every core)."""
    the_preset = preset(preset_name)
    mine = sim.policy_from_dict(dict(policy), the_preset.policy)
    base = sim.policy_from_dict(dict(baseline), the_preset.policy)
    seeds = list(range(seed0, seed0 + n))
    specs = [sim.RunSpec(p, seed) for seed in seeds for p in (mine, base)]
    summaries = [s.to_dict() for s in sim.run_summaries(the_preset, specs, customers, days, workers=workers,
                                                          on_progress=progress)]
    yours, theirs = summaries[0::2], summaries[1::2]
    bands: dict[str, Any] = {}
    for key, read, higher_better in BAND_METRICS:
        a = [read(s) for s in yours]
        b = [read(s) for s in theirs]
        pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
        diff = [float(x) - float(y) for x, y in pairs]
        better = sum(1 for d in diff if (d > 0 if higher_better else d < 0))
        bands[key] = {
            "yours": _band([float(x) for x in a if x is not None]),
            "default": _band([float(y) for y in b if y is not None]),
            "difference": _band(diff),
            "better": better,
            "same": sum(1 for (x, y), d in zip(pairs, diff, strict=True)
                        if abs(d) <= 1e-9 * max(abs(float(x)), abs(float(y)), 1.0)),
            "pairs": len(diff),
            "higher_better": higher_better,
        }
    median = {key: (bands[key]["yours"] or [None, None, None])[1] for key, _, _ in BAND_METRICS}
    return {
        "summary": {"medians": median, **_median_summary(yours)},
        "result": {"bands": bands, "seeds": seeds, "currency": the_preset.portfolio.currency},
    }


def _median_summary(summaries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Median of every numeric summary field (so lists of runs can show the usual columns)."""
    out: dict[str, Any] = {}
    for key, value in summaries[0].items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            vals = [float(s[key]) for s in summaries if s.get(key) is not None]
            out[key] = float(np.median(vals)) if vals else None
    return out


# ------------------------------------------------------------------------------------ job handlers
