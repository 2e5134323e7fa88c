"""A preset's efficient frontier on file, its engine stamp, and a policy's place against it.

``python -m trainer.sim frontier --preset NAME`` writes ``scenarios/presets/frontier/NAME.yaml``
(:mod:`trainer.sim.frontier_search` finds it). The file is stamped with :func:`engine_fingerprint`, a
hash of the engine modules that shape results and of the preset file; a test fails when a stamp no
longer matches, and the web lab ignores a stale file rather than compare runs with a frontier another
engine drew.

A policy is placed by running it at the frontier's size on the frontier's first
:data:`POSITION_SEEDS` seeds, the seeds every frontier policy ran on (common random numbers): the
comparison is like for like, with no noise between the policy and the frontier it is compared with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from trainer.sim.frontier_search import Candidate, Outcome, SearchResult, dominates
from trainer.sim.levers import LEVERS, lever_differences, lever_distance, read_levels
from trainer.sim.parallel import RunSpec, submit_summaries
from trainer.sim.params import PolicyError, Problem
from trainer.sim.policy import Policy, policy_from_dict, policy_to_dict
from trainer.sim.presets import Preset, default_presets_dir
from trainer.sim.results import Summary

__all__ = ["MEASURES", "POSITION_SEEDS", "Frontier", "FrontierPoint", "engine_fingerprint", "evaluate",
           "frontier_path", "load_frontier", "place", "preset_path", "start_evaluation", "to_document",
           "write_frontier"]

POSITION_SEEDS = 3  # seeds a policy runs on to be placed against the frontier
TOLERANCE = {"net_value": 1.0, "dso": 0.001, "credit_loss": 1.0, "bad_debt": 1.0}  # the file's rounding, and less
MEASURES = ("net_value", "dso", "credit_loss", "bad_debt")
#: engine modules that cannot change a result or the search: the terminal, benchmarks, the process
#: pool (tested to give the serial results) and this reader
NOT_SHAPING_RESULTS = frozenset({"__main__.py", "cli.py", "bench.py", "bench_replications.py", "parallel.py",
                                 "frontier.py"})
_ENGINE_DIR = Path(__file__).resolve().parent
_LEVER_INDEX = {lever.key: lever for lever in LEVERS}


def preset_path(name: str, presets_dir: str | Path | None = None) -> Path:
    return Path(presets_dir or default_presets_dir()) / f"{name}.yaml"


def frontier_path(name: str, presets_dir: str | Path | None = None) -> Path:
    return Path(presets_dir or default_presets_dir()) / "frontier" / f"{name}.yaml"


def engine_fingerprint(preset_file: Path) -> str:
    """Hash of the engine modules that shape results (every ``trainer/sim/*.py`` but
    :data:`NOT_SHAPING_RESULTS`) and of the preset file."""
    digest = hashlib.sha256()
    for path in sorted(_ENGINE_DIR.glob("*.py")):
        if path.name not in NOT_SHAPING_RESULTS:
            digest.update(f"{path.name}\0".encode() + path.read_bytes() + b"\0")
    digest.update(b"preset\0" + preset_file.read_bytes())
    return "sha256:" + digest.hexdigest()[:20]


@dataclass(frozen=True)
class FrontierPoint:
    """A replicated policy: its means and its figures seed by seed (in the frontier's seed order)."""

    policy: Mapping[str, Any]
    net_value: float
    dso: float
    credit_loss: float
    bad_debt: float
    per_seed: Mapping[str, tuple[float, ...]]

    def mean_over(self, count: int) -> dict[str, float]:
        """Each measure's mean over the first ``count`` seeds."""
        return {m: sum(self.per_seed[m][:count]) / count for m in MEASURES}


@dataclass(frozen=True)
class Frontier:
    preset: str
    fingerprint: str
    customers: int
    days: int
    seeds: tuple[int, ...]
    points: tuple[FrontierPoint, ...]  # lowest DSO first
    default: FrontierPoint  # the preset's own policy
    document: Mapping[str, Any]


def _point_doc(c: Candidate, home: Mapping[str, int | None]) -> dict[str, Any]:
    o = c.outcome
    changes = {d.key: d.theirs_label for d in lever_differences(home, read_levels(c.policy))}
    return {
        "net_value": round(o.net_value, 2), "dso": round(o.dso, 3), "credit_loss": round(o.credit_loss, 2),
        "bad_debt": round(o.bad_debt, 2), "changes_from_default": changes,
        "per_seed": {m: [round(v, 3 if m == "dso" else 2) for v in o.per_seed[m]] for m in MEASURES},
        "policy": policy_to_dict(c.policy),
    }


def to_document(preset: Preset, result: SearchResult, fingerprint: str, budget: int) -> dict[str, Any]:
    """The frontier file's content (plain data, ready for YAML)."""
    home = read_levels(preset.policy)
    return {
        "preset": preset.name,
        "engine": fingerprint,
        "regenerate": f"python -m trainer.sim frontier --preset {preset.name} --seeds {len(result.seeds)} "
                      f"--budget {budget}  (or: make frontier)",
        "customers": preset.customers,
        "days": preset.days,
        "seeds": list(result.seeds),
        "screening": {"customers": result.screen_customers, "seeds": list(result.screen_seeds),
                      "policies": result.screened, "replicated": result.finalists},
        "measures": {"net_value": "summary.net_value", "dso": "summary.dso",
                     "credit_loss": "summary.bad_debt + summary.expected_open_loss"},
        "default": _point_doc(result.default, home),
        "frontier": [_point_doc(c, home) for c in result.frontier],
    }


def write_frontier(path: Path, document: Mapping[str, Any]) -> None:
    """Write the file (its folder made if needed); an unwritable place raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ("# The efficient frontier of this preset, written by the command in `regenerate`; do not edit.\n"
              "# Means over `seeds` at the preset's size; per_seed in seed order. See docs/simulation.md.\n")
    text = yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True, width=120)
    path.write_text(header + text, encoding="utf-8")


def _bad(path: Path, message: str) -> PolicyError:
    return PolicyError([Problem("", "bad_frontier", message, {"path": str(path)})], str(path))


def _read_point(path: Path, raw: Any, seeds: int) -> FrontierPoint:
    try:
        per_seed = {m: tuple(float(v) for v in raw["per_seed"][m]) for m in MEASURES}
        if any(len(v) != seeds for v in per_seed.values()):
            raise _bad(path, "a point has not one figure per seed")
        policy = policy_to_dict(policy_from_dict(raw["policy"]))
        return FrontierPoint(policy, float(raw["net_value"]), float(raw["dso"]), float(raw["credit_loss"]),
                             float(raw["bad_debt"]), per_seed)
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(path, f"a point is malformed: {exc}") from None


def load_frontier(path: Path) -> Frontier:
    """Read a frontier file; raises :class:`PolicyError` (code ``bad_frontier``) when it is unreadable
    or malformed."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        seeds = tuple(int(s) for s in doc["seeds"])
        points = tuple(_read_point(path, p, len(seeds)) for p in doc["frontier"])
        default = _read_point(path, doc["default"], len(seeds))
        frontier = Frontier(str(doc["preset"]), str(doc["engine"]), int(doc["customers"]), int(doc["days"]), seeds,
                            points, default, doc)
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise _bad(path, f"cannot read the frontier: {exc}") from None
    if not points or not seeds:
        raise _bad(path, "the frontier has no points or no seeds")
    return frontier


def start_evaluation(preset: Preset, policy: Policy, frontier: Frontier, *, skip: Collection[int] = (),
                     workers: int | None = None) -> Callable[[Mapping[int, Summary]], Outcome]:
    """Start running ``policy`` at the frontier's size on its first :data:`POSITION_SEEDS` seeds, but
    ``skip`` (a run the caller makes itself); the returned function takes the skipped seeds' summaries
    and gives the outcome, so the caller's own run overlaps these."""
    seeds = frontier.seeds[:POSITION_SEEDS]
    todo = [s for s in seeds if s not in skip]
    collect = submit_summaries(preset, [RunSpec(policy, s) for s in todo], frontier.customers, frontier.days,
                               workers=workers)

    def finish(known: Mapping[int, Summary]) -> Outcome:
        have = dict(known)
        have.update(zip(todo, collect(), strict=True))
        return Outcome.of([have[s] for s in seeds])

    return finish


def evaluate(preset: Preset, policy: Policy, frontier: Frontier, *, known: Mapping[int, Summary] | None = None,
             workers: int | None = None) -> Outcome:
    """``policy`` at the frontier's size on its first :data:`POSITION_SEEDS` seeds; ``known`` summaries
    (a run already made at that size on one of those seeds) are used instead of running again."""
    have = dict(known or {})
    return start_evaluation(preset, policy, frontier, skip=set(have), workers=workers)(have)


def place(frontier: Frontier, policy: Policy | Mapping[str, Any], outcome: Outcome) -> dict[str, Any]:
    """Where ``policy`` (with ``outcome`` from :func:`evaluate`) stands against the frontier, as plain
    data: every point's means over the same seeds, the share of the best value it reaches, the value it
    leaves at its risk, and the nearest frontier policy that earns more with the levers that differ."""
    k = min(POSITION_SEEDS, len(frontier.seeds))
    yours = {"net_value": outcome.net_value, "dso": outcome.dso, "credit_loss": outcome.credit_loss,
             "bad_debt": outcome.bad_debt}
    points = [p.mean_over(k) for p in frontier.points]
    best = max(range(len(points)), key=lambda i: points[i]["net_value"])
    best_value = points[best]["net_value"]
    no_riskier = [p["net_value"] for p in points if p["dso"] <= yours["dso"] + TOLERANCE["dso"]
                  and p["credit_loss"] <= yours["credit_loss"] + TOLERANCE["credit_loss"]]
    gap = max(no_riskier, default=yours["net_value"]) - yours["net_value"]
    mine = read_levels(policy)
    nearest = _nearest_better(frontier, points, mine, yours)
    levers = []
    if nearest is not None:
        for d in lever_differences(mine, read_levels(frontier.points[nearest].policy))[:3]:
            lever = _LEVER_INDEX[d.key]
            levers.append({"key": d.key, "yours": _plain(lever.levels[d.mine]),
                           "theirs": _plain(lever.levels[d.theirs])})
    return {
        "engine": frontier.fingerprint, "customers": frontier.customers, "days": frontier.days,
        "seeds": list(frontier.seeds[:k]), "yours": yours, "default": frontier.default.mean_over(k),
        "points": points, "best": best,
        "share": yours["net_value"] / best_value if best_value > 0 else None,
        "gap": gap if gap >= TOLERANCE["net_value"] else 0.0,
        "nearest": nearest, "levers": levers,
    }


def _nearest_better(frontier: Frontier, points: Sequence[Mapping[str, float]], mine: Mapping[str, int | None],
                    yours: Mapping[str, float]) -> int | None:
    """The frontier policy closest to ``mine`` among those that beat it on every measure, else among
    those that earn more; None when none earns more."""
    t = TOLERANCE  # within the file's rounding counts as equal, so a frontier policy is not beaten by itself
    you = Outcome(yours["net_value"] + t["net_value"], yours["dso"] - t["dso"], yours["credit_loss"] - t["credit_loss"],
                  yours["bad_debt"], {})
    as_outcomes = [Outcome(p["net_value"], p["dso"], p["credit_loss"], p["bad_debt"], {}) for p in points]
    better = [i for i, o in enumerate(as_outcomes) if dominates(o, you)]
    richer = [i for i, o in enumerate(as_outcomes) if o.net_value > you.net_value]
    pool = better or richer
    if not pool:
        return None
    return min(pool, key=lambda i: (lever_distance(mine, read_levels(frontier.points[i].policy)), i))


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
