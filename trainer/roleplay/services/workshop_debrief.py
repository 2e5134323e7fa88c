"""The debrief revealed at the end of a workshop: both briefs, a model conversation, the endings."""

from __future__ import annotations

from typing import Any

from trainer.content.source import pick
from trainer.roleplay import play as rules
from trainer.roleplay.scenarios import OUTCOMES, QUALITIES, Scenario


def best_path(scenario: Scenario, *, max_steps: int = 40, budget: int = 20_000) -> list[int]:
    """The choice indices of a model conversation: the fewest weak replies (good 0, ok 1, poor 2
    summed), then the best outcome, then the shortest. A bounded depth-first search; if the budget
    runs out before any ending is found, the best reply at each turn."""
    rank = {q: i for i, q in enumerate(QUALITIES)}
    outcomes = list(OUTCOMES)
    best: tuple[tuple[int, int, int], list[int]] | None = None
    expansions = 0

    def walk(state: rules.PlayState, chosen: list[int], cost: int) -> None:
        nonlocal best, expansions
        expansions += 1
        if expansions > budget or (best is not None and cost > best[0][0]):
            return
        if rules.is_finished(state):
            key = (cost, outcomes.index(scenario.endings[str(state["ending"])].outcome), len(chosen))
            if best is None or key < best[0]:
                best = (key, list(chosen))
            return
        if len(chosen) >= max_steps:
            return
        for choice in sorted(
            rules.available_choices(scenario, state), key=lambda c: (rank[c.quality], c.index)
        ):
            walk(
                rules.choose(scenario, state, choice.index),
                [*chosen, choice.index],
                cost + rank[choice.quality],
            )

    walk(rules.start(scenario), [], 0)
    if best is not None:
        return best[1]
    state, greedy = rules.start(scenario), list[int]()
    while not rules.is_finished(state) and len(greedy) < max_steps:
        choice = min(rules.available_choices(scenario, state), key=lambda c: (rank[c.quality], c.index))
        greedy.append(choice.index)
        state = rules.choose(scenario, state, choice.index)
    return greedy


def model_path(scenario: Scenario, lang: str) -> list[dict[str, Any]]:
    """The model conversation turn by turn, then its ending."""
    state = rules.start(scenario)
    turns: list[dict[str, Any]] = []
    for index in best_path(scenario):
        node = scenario.nodes[state["node"]]
        turns.append(
            {
                "customer": pick(node.customer, lang),
                "speaker": rules.speaker(node, lang),
                "reply": rules.choice_info(node.choices[index], lang),
            }
        )
        state = rules.choose(scenario, state, index)
    ending = scenario.endings.get(state["ending"] or "")
    if ending is not None:
        turns.append(
            {
                "ending": {
                    "outcome": ending.outcome,
                    "outcome_label": pick(OUTCOMES[ending.outcome], lang),
                    "text": pick(ending.text, lang),
                    "debrief": pick(ending.debrief, lang),
                }
            }
        )
    return turns


def workshop_debrief(scenario: Scenario, lang: str) -> dict[str, Any]:
    """Shown to everyone once the facilitator reveals it: both briefs, a model conversation, and
    what each ending teaches."""
    return {
        "role_card": pick(scenario.role_card, lang),
        "account_file": pick(scenario.account_file, lang),
        "model_path": model_path(scenario, lang),
        "endings": [
            {
                "outcome": ending.outcome,
                "outcome_label": pick(OUTCOMES[ending.outcome], lang),
                "text": pick(ending.text, lang),
                "debrief": pick(ending.debrief, lang),
            }
            for ending in sorted(scenario.endings.values(), key=lambda e: list(OUTCOMES).index(e.outcome))
        ],
    }
