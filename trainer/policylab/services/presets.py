"""Portfolio presets, their default policies and the engine version a saved run records."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from flask import current_app

from trainer import sim


@lru_cache(maxsize=32)
def _preset_cached(name: str, directory: str | None) -> sim.Preset:
    return sim.load_preset(name, directory)


def presets_dir() -> str | None:
    return current_app.config.get("SIM_PRESETS_DIR") if current_app else None


def preset(name: str) -> sim.Preset:
    """A preset by name (cached); raises PolicyError ``unknown_preset`` for a bad name."""
    return _preset_cached(name, presets_dir())


def preset_names() -> list[str]:
    return sim.list_presets(presets_dir())


def presets() -> list[sim.Preset]:
    return [preset(name) for name in preset_names()]


@lru_cache(maxsize=1)
def engine_version() -> str:
    """Package version plus a digest of the engine's source: a saved run says which engine made it."""
    try:
        base = version("receivables-trainer")
    except PackageNotFoundError:
        base = "0"
    digest = hashlib.sha256()
    root = Path(sim.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{base}+{digest.hexdigest()[:10]}"

def default_policy(preset_name: str) -> dict[str, Any]:
    return sim.policy_to_dict(preset(preset_name).policy)


def policy_differences(a: Mapping[str, Any], b: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted keys where two policy dicts differ (grades.B.net_days, ladder.manager, collectors …)."""
    out: list[str] = []
    for key in sorted(set(a) | set(b), key=str):
        x, y = a.get(key), b.get(key)
        path = f"{prefix}{key}"
        if isinstance(x, Mapping) and isinstance(y, Mapping):
            out.extend(policy_differences(x, y, path + "."))
        elif x != y:
            out.append(path)
    return out
