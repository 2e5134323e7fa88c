"""The search for a preset's efficient frontier: the policies no other policy found beats on value
without taking more risk (a higher DSO or more credit loss).

Coarse, then fine, then replicated (docs/simulation.md, "The efficient frontier"):

1. **Screening, coarse.** Every lever of the preset's policy is set to each of its other levels, one
   lever at a time, on a smaller screening portfolio and a few screening seeds (common random
   numbers: every candidate faces the same customers and orders).
2. **Combining.** For a few attitudes to risk (a score that trades value against risk at a fixed
   rate, from "value only" to "risk-averse"), the single changes that raised the score are combined
   one by one, best first, and the best combination kept.
3. **Screening, fine.** From each combination, a hill climb: every lever one level up and one level
   down, move to the best neighbour, repeat while the budget lasts.
4. **Replications.** The screened policies no other screened policy dominates (a handful, spread over
   the range of risk) and the preset's own policy run at the preset's full size on ``seeds`` seeds;
   the frontier is the ones no other replicated policy dominates on the means.

Every run goes through :func:`trainer.sim.parallel.run_summaries` in batches, so the search uses every
core and gives the same frontier on any number of them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from trainer.sim.levers import LEVERS, apply_levels, lever_distance, read_levels
from trainer.sim.parallel import RunSpec, run_summaries
from trainer.sim.params import PolicyError
from trainer.sim.policy import Policy, policy_to_dict
from trainer.sim.presets import Preset
from trainer.sim.results import Summary

__all__ = ["DEFAULT_BUDGET", "DEFAULT_SEEDS", "Candidate", "Outcome", "SearchResult", "dominates", "search"]

DEFAULT_SEEDS = 10  # replications of each frontier candidate
DEFAULT_BUDGET = 300  # policies screened
FIRST_SEED = 1  # the frontier's seeds are 1 … seeds (the lab's default seed is 1)
SCREEN_FIRST_SEED = 101  # screening seeds differ from the replications' (a lucky screen is not rewarded twice)
SCREEN_CUSTOMERS = 250  # the screening portfolio: at most this many customers …
SCREEN_CUSTOMER_YEARS = 750  # … and about this many customer-years per screened policy (seeds × size × years)
SCREEN_MAX_SEEDS = 6
FINALISTS = 14  # screened policies replicated, besides the preset's own
#: one search per attitude to risk: value given up per unit of relative risk; None: the most value with
#: no more DSO and no more credit loss than the preset's own policy (the policy that beats it outright)
RISK_RATES: tuple[float | None, ...] = (0.0, 0.05, 0.15, 0.4, None)
OVER_PENALTY = 10.0  # score lost per unit of relative risk above the cap, for the None search …
RISK_CAP = 0.95  # … whose cap keeps 5 % below the preset's policy: the screen is small, the full size may add a little
COMBINE_MAX = 8  # single changes combined at most

Levels = tuple[int, ...]  # one level index per lever, in LEVERS order


@dataclass(frozen=True)
class Outcome:
    """Means over the seeds, and each seed's figures in seed order."""

    net_value: float
    dso: float
    credit_loss: float  # bad debt written off plus the expected loss on receivables still open
    bad_debt: float
    per_seed: dict[str, tuple[float, ...]]

    @staticmethod
    def of(summaries: Sequence[Summary]) -> Outcome:
        per_seed = {
            "net_value": tuple(s.net_value for s in summaries),
            "dso": tuple(s.dso or 0.0 for s in summaries),  # no credit sales: nothing outstanding
            "credit_loss": tuple(s.bad_debt + s.expected_open_loss for s in summaries),
            "bad_debt": tuple(s.bad_debt for s in summaries),
        }
        mean = {k: sum(v) / len(v) for k, v in per_seed.items()}
        return Outcome(mean["net_value"], mean["dso"], mean["credit_loss"], mean["bad_debt"], per_seed)


def dominates(a: Outcome, b: Outcome) -> bool:
    """``a`` is at least as good as ``b`` on value, DSO and credit loss, and better on one."""
    at_least = a.net_value >= b.net_value and a.dso <= b.dso and a.credit_loss <= b.credit_loss
    return at_least and (a.net_value > b.net_value or a.dso < b.dso or a.credit_loss < b.credit_loss)


@dataclass(frozen=True)
class Candidate:
    policy: Policy
    outcome: Outcome


@dataclass(frozen=True)
class SearchResult:
    """The frontier (low DSO first), the preset's own policy, and how the search went."""

    frontier: tuple[Candidate, ...]
    default: Candidate
    finalists: int
    screened: int
    screen_customers: int
    screen_seeds: tuple[int, ...]
    seeds: tuple[int, ...]


def _policy_key(policy: Policy) -> str:
    return json.dumps(policy_to_dict(policy), sort_keys=True)


class _Screen:
    """Screened policies by their levels, evaluated in parallel batches on the screening portfolio."""

    def __init__(self, preset: Preset, customers: int, seeds: tuple[int, ...], budget: int,
                 workers: int | None, progress: Callable[[float], None] | None) -> None:
        self.preset, self.customers, self.seeds, self.budget = preset, customers, seeds, budget
        self.workers, self.progress = workers, progress
        self.base = read_levels(preset.policy, all_levers=True)
        self.by_levels: dict[Levels, Candidate | None] = {}  # None: not a valid policy
        self.by_policy: dict[str, Candidate] = {}

    def levels_of(self, policy_levels: dict[str, int]) -> Levels:
        return tuple(policy_levels[lever.key] for lever in LEVERS)

    @property
    def left(self) -> int:
        return self.budget - len(self.by_policy)

    def policy(self, levels: Levels) -> Policy | None:
        changed = {lv.key: i for lv, i in zip(LEVERS, levels, strict=True) if i != self.base[lv.key]}
        try:
            return apply_levels(self.preset.policy, changed)
        except PolicyError:
            return None

    def evaluate(self, batch: Sequence[Levels]) -> None:
        """Screen the new policies of ``batch`` (in order, while the budget lasts)."""
        todo: dict[str, tuple[Policy, list[Levels]]] = {}
        for levels in batch:
            if levels in self.by_levels:
                continue
            policy = self.policy(levels)
            key = _policy_key(policy) if policy is not None else ""
            if policy is None or key in self.by_policy:
                self.by_levels[levels] = self.by_policy.get(key)
            elif key in todo:
                todo[key][1].append(levels)
            elif len(todo) < self.left:
                todo[key] = (policy, [levels])
        specs = [RunSpec(policy, seed) for policy, _ in todo.values() for seed in self.seeds]
        done_before, budget = len(self.by_policy), max(1, self.budget)

        def running(fraction: float) -> None:
            if self.progress is not None:
                self.progress(min(1.0, (done_before + fraction * len(todo)) / budget))

        summaries = run_summaries(self.preset, specs, self.customers, self.preset.days, workers=self.workers,
                                  on_progress=running)
        n = len(self.seeds)
        for i, (key, (policy, all_levels)) in enumerate(todo.items()):
            found = Candidate(policy, Outcome.of(summaries[i * n:(i + 1) * n]))
            self.by_policy[key] = found
            for levels in all_levels:
                self.by_levels[levels] = found

    def get(self, levels: Levels) -> Candidate | None:
        return self.by_levels.get(levels)


def _score(o: Outcome, base: Outcome, rate: float | None) -> float:
    """Value relative to the preset's policy, less ``rate`` × risk relative to it (DSO and credit loss
    weigh alike); with ``rate`` None, less a steep penalty for risk above :data:`RISK_CAP` × the preset's."""
    dso, loss = o.dso / max(base.dso, 1.0), o.credit_loss / max(base.credit_loss, 1.0)
    value = o.net_value / max(abs(base.net_value), 1.0)
    if rate is None:
        return value - OVER_PENALTY * (max(0.0, dso - RISK_CAP) + max(0.0, loss - RISK_CAP))
    return value - rate * 0.5 * (dso + loss)


def _applicable(screen: _Screen, levels: Levels) -> list[int]:
    """Indexes (in LEVERS) of the levers that can matter for the policy ``levels`` describes."""
    policy = screen.policy(levels)
    if policy is None:
        return []
    reading = read_levels(policy)
    return [j for j, lever in enumerate(LEVERS) if reading[lever.key] is not None]


def _with(levels: Levels, j: int, i: int) -> Levels:
    return levels[:j] + (i,) + levels[j + 1:]


def _sweep(screen: _Screen, start: Levels) -> None:
    """Coarse: each applicable lever at each of its other levels, one lever at a time."""
    batch = [start]
    for j in _applicable(screen, start):
        batch += [_with(start, j, i) for i in range(len(LEVERS[j].levels)) if i != start[j]]
    screen.evaluate(batch)


def _combine(screen: _Screen, start: Levels, rate: float | None) -> Levels:
    """The single changes that raised the score, added one by one (best first); the best combination."""
    base = screen.get(start)
    if base is None:
        return start
    gains: list[tuple[float, int, int]] = []
    for j in range(len(LEVERS)):
        scored = [(_score(c.outcome, base.outcome, rate), i) for i in range(len(LEVERS[j].levels))
                  if (c := screen.get(_with(start, j, i))) is not None and i != start[j]]
        if scored:
            best, i = max(scored)
            if best > _score(base.outcome, base.outcome, rate):
                gains.append((best, j, i))
    gains.sort(reverse=True)
    combos, levels = [], start
    for _, j, i in gains[:COMBINE_MAX]:
        levels = _with(levels, j, i)
        combos.append(levels)
    screen.evaluate(combos)
    return _best(screen, [start, *combos], base.outcome, rate)


def _best(screen: _Screen, options: Sequence[Levels], base: Outcome, rate: float | None) -> Levels:
    scored = [(_score(c.outcome, base, rate), -k, levels) for k, levels in enumerate(options)
              if (c := screen.get(levels)) is not None]
    return max(scored)[2]


def _neighbours(screen: _Screen, levels: Levels) -> list[Levels]:
    out = []
    for j in _applicable(screen, levels):
        out += [_with(levels, j, i) for i in (levels[j] - 1, levels[j] + 1) if 0 <= i < len(LEVERS[j].levels)]
    return out


def _climb(screen: _Screen, starts: dict[float | None, Levels], base: Outcome) -> dict[float | None, Levels]:
    """Fine: one hill climb per risk rate, a step each in turn, until none improves or the budget ends."""
    current, moving = dict(starts), set(starts)
    while moving and screen.left > 0:
        for rate in [r for r in RISK_RATES if r in moving]:
            options = [current[rate], *_neighbours(screen, current[rate])]
            screen.evaluate(options)
            best = _best(screen, options, base, rate)
            if best == current[rate]:
                moving.discard(rate)
            current[rate] = best
    return current


def non_dominated(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates no other one dominates, in the order given."""
    return [c for c in candidates if not any(dominates(o.outcome, c.outcome) for o in candidates if o is not c)]


def _distinct(candidates: Sequence[Candidate], default: Policy) -> list[Candidate]:
    """One policy per outcome: policies that differ only where it cannot show (every seed's figures
    equal) are one point; the one closest to the preset's policy stands for it."""
    home = read_levels(default)
    by_outcome: dict[str, Candidate] = {}
    for c in sorted(candidates, key=lambda c: lever_distance(home, read_levels(c.policy))):
        by_outcome.setdefault(json.dumps(c.outcome.per_seed, sort_keys=True), c)
    return list(by_outcome.values())


def _finalists(screen: _Screen, champions: Sequence[Levels], count: int) -> list[Policy]:
    """The screened policies worth replicating: each risk rate's best, then the rest of the screened
    frontier spread evenly over its range of DSO."""
    front = sorted(non_dominated(list(screen.by_policy.values())), key=lambda c: (c.outcome.dso, -c.outcome.net_value))
    chosen: dict[str, Policy] = {}
    for levels in champions:
        found = screen.get(levels)
        if found is not None:
            chosen.setdefault(_policy_key(found.policy), found.policy)
    spare = max(0, count - len(chosen))
    if front and spare:
        step = max(1.0, (len(front) - 1) / max(1, spare - 1)) if spare > 1 else float(len(front))
        picks = sorted({min(len(front) - 1, round(k * step)) for k in range(spare)})
        for k in picks:
            chosen.setdefault(_policy_key(front[k].policy), front[k].policy)
    return list(chosen.values())[:count]


def _replicate(preset: Preset, policies: Sequence[Policy], seeds: tuple[int, ...],
               workers: int | None) -> list[Candidate]:
    specs = [RunSpec(p, seed) for p in policies for seed in seeds]
    summaries = run_summaries(preset, specs, preset.customers, preset.days, workers=workers)
    n = len(seeds)
    return [Candidate(p, Outcome.of(summaries[i * n:(i + 1) * n])) for i, p in enumerate(policies)]


def screening_plan(preset: Preset) -> tuple[int, tuple[int, ...]]:
    """The screening portfolio's size and seeds: at most :data:`SCREEN_CUSTOMERS` customers, and
    enough seeds for about :data:`SCREEN_CUSTOMER_YEARS` customer-years per policy (two to six)."""
    customers = min(preset.customers, SCREEN_CUSTOMERS)
    count = min(SCREEN_MAX_SEEDS, max(2, math.ceil(SCREEN_CUSTOMER_YEARS / (customers * preset.days / 365.0))))
    return customers, tuple(range(SCREEN_FIRST_SEED, SCREEN_FIRST_SEED + count))


def search(preset: Preset, seeds: int = DEFAULT_SEEDS, budget: int = DEFAULT_BUDGET, workers: int | None = None,
           progress: Callable[[str, float], None] | None = None) -> SearchResult:
    """The frontier of ``preset`` (see the module's docstring); ``progress(stage, fraction)`` as it goes."""
    customers, screen_seeds = screening_plan(preset)

    def screening(fraction: float) -> None:
        if progress is not None:
            progress("screening", fraction)

    screen = _Screen(preset, customers, screen_seeds, budget, workers, screening)
    start = screen.levels_of({k: v for k, v in screen.base.items() if v is not None})
    _sweep(screen, start)
    base = screen.get(start)
    if base is None:  # pragma: no cover - the preset's own policy is valid
        raise PolicyError([])
    combined = {rate: _combine(screen, start, rate) for rate in RISK_RATES}
    champions = _climb(screen, combined, base.outcome)
    finalists = _finalists(screen, list(champions.values()), FINALISTS)
    if progress is not None:
        progress("replications", 0.0)
    final_seeds = tuple(range(FIRST_SEED, FIRST_SEED + seeds))
    replicated = _replicate(preset, [preset.policy, *finalists], final_seeds, workers)
    default, rest = replicated[0], [c for c in replicated[1:] if c.policy != preset.policy]
    frontier = sorted(_distinct(non_dominated([default, *rest]), preset.policy),
                      key=lambda c: (c.outcome.dso, -c.outcome.net_value))
    if progress is not None:
        progress("replications", 1.0)
    return SearchResult(tuple(frontier), default, len(finalists), len(screen.by_policy), customers, screen_seeds,
                        final_seeds)
