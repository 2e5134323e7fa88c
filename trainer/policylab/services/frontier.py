"""The efficient frontier in the lab: each preset's frontier file (only while its engine stamp is
current), and a policy's place against it, computed in the job that runs the policy.

A stale or missing file means no frontier on the pages (and a warning in the log), never a wrong one:
comparing runs of today's engine with a frontier another engine drew would mislead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app

from trainer import sim
from trainer.policylab import jobs
from trainer.policylab.services.presets import preset, presets_dir
from trainer.sim import frontier as sim_frontier

log = logging.getLogger(__name__)


@lru_cache(maxsize=16)
def _load(preset_file: str, frontier_file: str, versions: tuple[float, float]) -> sim_frontier.Frontier | None:
    """The frontier in ``frontier_file`` if its engine stamp matches (cached per version of both files)."""
    del versions  # part of the cache key: a changed preset or a regenerated frontier is read again
    path = Path(frontier_file)
    try:
        frontier = sim_frontier.load_frontier(path)
    except sim.PolicyError as exc:
        log.warning("ignoring the frontier file %s: %s", path, exc)
        return None
    current = sim_frontier.engine_fingerprint(Path(preset_file))
    if frontier.fingerprint != current:
        log.warning("ignoring the stale frontier %s (made by engine %s, this one is %s): run `make frontier`",
                    path, frontier.fingerprint, current)
        return None
    return frontier


def current_frontier(preset_name: str) -> sim_frontier.Frontier | None:
    """The preset's frontier, or None when there is none, it is stale or ``SIM_FRONTIER`` is off."""
    if not current_app.config.get("SIM_FRONTIER", True):
        return None
    folder = presets_dir()
    preset_file = sim_frontier.preset_path(preset_name, folder)
    frontier_file = sim_frontier.frontier_path(preset_name, folder)
    try:
        versions = (preset_file.stat().st_mtime_ns / 1e9, frontier_file.stat().st_mtime_ns / 1e9)
    except OSError:
        return None
    return _load(str(preset_file), str(frontier_file), versions)


def start_position(preset_name: str, policy: Mapping[str, Any], *, seed: int = -1, customers: int = 0,
                   days: int = 0) -> Callable[[Mapping[str, Any] | None], dict[str, Any] | None]:
    """Start placing ``policy`` against the preset's frontier (see :func:`trainer.sim.frontier.place`);
    the returned function finishes it (None without a current frontier). A run of the same policy on
    ``seed`` with ``customers`` and ``days`` that the caller makes meanwhile counts as that seed's run
    when it matches the frontier's size: pass its summary to the function."""
    frontier = current_frontier(preset_name)
    if frontier is None:
        return lambda _summary: None
    the_preset = preset(preset_name)
    pol = sim.policy_from_dict(dict(policy), the_preset.policy)
    own = (customers, days) == (frontier.customers, frontier.days) and seed in frontier.seeds[:sim_frontier.POSITION_SEEDS]
    finish = sim_frontier.start_evaluation(the_preset, pol, frontier, skip={seed} if own else set(),
                                           workers=jobs.settings().processes)

    def done(summary: Mapping[str, Any] | None) -> dict[str, Any] | None:
        known = {seed: sim.Summary(**summary)} if own and summary is not None else {}
        if own and not known:
            known = {seed: sim.run(the_preset, pol, seed=seed, customers=customers, days=days).summary}
        return sim_frontier.place(frontier, pol, finish(known))

    return done


def position(preset_name: str, policy: Mapping[str, Any]) -> dict[str, Any] | None:
    """Where ``policy`` stands against the preset's frontier, or None without a current frontier."""
    return start_position(preset_name, policy)(None)


def positions(preset_name: str, policies: Sequence[Mapping[str, Any]]) -> list[dict[str, Any] | None]:
    """:func:`position` of each policy; equal policies are placed once."""
    found: dict[str, dict[str, Any] | None] = {}
    out = []
    for policy in policies:
        key = repr(sorted(sim.policy_to_dict(sim.policy_from_dict(dict(policy), preset(preset_name).policy)).items()))
        if key not in found:
            found[key] = position(preset_name, policy)
        out.append(found[key])
    return out
