"""Presets: a named portfolio with its default policy, run length and size, loaded from
``scenarios/presets``; and the limits of a run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from trainer.sim.params import MAX_CUSTOMERS, MAX_DAYS, Checker, PolicyError, Problem, read_source
from trainer.sim.policy import Policy, check_policy
from trainer.sim.portfolio import Portfolio, check_portfolio


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


def _check_run(c: Checker, customers: object, days: object, prefix: str = "") -> None:
    data = {"customers": customers, "days": days}
    c.number(data, "customers", None, prefix, minimum=0, exclusive_min=True, integer=True, maximum=MAX_CUSTOMERS)
    c.number(data, "days", None, prefix, minimum=0, exclusive_min=True, integer=True, maximum=MAX_DAYS)


def validate_run(customers: int, days: int) -> None:
    """Check the size of a run: 1..20,000 customers and 1..1,825 days (five years)."""
    c = Checker()
    _check_run(c, customers, days)
    if c.problems:
        raise PolicyError(c.problems)


def _lang_text(c: Checker, data: Mapping[str, Any], key: str, default: str) -> dict[str, str]:
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
    c = Checker()
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
    portfolio = check_portfolio(c, data.get("portfolio"), Portfolio(), "portfolio")
    policy = check_policy(c, data.get("policy"), Policy(), "policy")
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
    data, source = read_source(path)
    return preset_from_dict(data if data is not None else {}, name=path.stem, source=source)
