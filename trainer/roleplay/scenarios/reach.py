"""Interval analysis: the range of values each variable can carry into each node."""

from __future__ import annotations

from collections import deque

from trainer.roleplay.conditions import satisfiable
from trainer.roleplay.scenarios.model import Scenario


def reachable_ranges(
    scenario: Scenario, *, max_steps: int = 200_000
) -> dict[str, dict[str, tuple[float, float]]]:
    """For each node, a range per variable that contains every value a play can arrive with.

    An over-approximation (interval analysis): a choice is followed when its condition can be true
    somewhere in the node's ranges; effects shift the ranges and are clamped to the bounds.
    """
    integer = scenario.integer
    variables = scenario.variables
    ranges: dict[str, dict[str, tuple[float, float]]] = {
        scenario.start: {n: (v.initial, v.initial) for n, v in variables.items()}
    }
    queue = deque([scenario.start])
    steps = 0
    while queue:
        steps += 1
        key = queue.popleft()
        here = ranges[key]
        if steps > max_steps:  # pragma: no cover - give every node the full bounds
            return {k: {n: (v.minimum, v.maximum) for n, v in variables.items()} for k in scenario.nodes}
        for choice in scenario.nodes[key].choices:
            if choice.next not in scenario.nodes:
                continue
            if choice.condition is not None and not satisfiable(choice.condition, here, integer=integer):
                continue
            after = {}
            for name, (low, high) in here.items():
                delta = choice.effects.get(name, 0)
                var = variables[name]
                after[name] = (var.clamp(low + delta), var.clamp(high + delta))
            known = ranges.get(choice.next)
            if known is None:
                ranges[choice.next] = after
                queue.append(choice.next)
                continue
            joined = {n: (min(known[n][0], after[n][0]), max(known[n][1], after[n][1])) for n in known}
            if joined != known:
                ranges[choice.next] = joined
                if choice.next not in queue:
                    queue.append(choice.next)
    return ranges


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
