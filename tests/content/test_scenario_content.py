"""The real role-play scenarios and the observer rubric pass validation and meet the volume the
product promises: at least ten scenarios, each with at least 12 nodes and 3 endings with different
outcomes; every ending and every conditional choice can actually be reached in play."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest
import yaml

from trainer.content.source import Problems
from trainer.roleplay import play as roleplay
from trainer.roleplay.rubric import load_rubric
from trainer.roleplay.scenarios import Scenario, load_scenarios, mermaid

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "scenarios" / "roleplay"
MINE = [
    "quality-dispute-pair",
    "big-customer-longer-terms",
    "large-first-order-new-company",
    "broken-promises-silent",
    "export-currency-crisis",
]
CLASSIC_EXCUSES = [
    "excuse-already-wired",
    "excuse-finance-away",
    "excuse-waiting-for-client",
    "excuse-quality-problem",
    "excuse-no-money",
]
WORKSHOP_CASES = [  # the full-process simulation and the internal sales-vs-credit negotiation
    "full-process-supermarket-chain",
    "limit-increase-negotiation",
]


def competency_ids() -> list[str]:
    data = yaml.safe_load((ROOT / "courses" / "competencies.yaml").read_text(encoding="utf-8"))
    return [d["id"] for d in data["dimensions"]]


@pytest.fixture(scope="module")
def loaded() -> tuple[dict[str, Scenario], Problems]:
    return load_scenarios(FOLDER, competency_ids=competency_ids())


def test_every_scenario_file_is_valid_without_warnings(loaded) -> None:  # type: ignore[no-untyped-def]
    _, problems = loaded
    assert not problems, "\n" + "\n".join(str(p) for p in problems)


@pytest.mark.parametrize("scenario_id", MINE + CLASSIC_EXCUSES + WORKSHOP_CASES)
def test_scenario_exists_with_enough_nodes_and_endings(loaded, scenario_id: str) -> None:  # type: ignore[no-untyped-def]
    scenarios, _ = loaded
    assert scenario_id in sorted(scenarios), f"{scenario_id}.yaml missing or invalid"
    scenario = scenarios[scenario_id]
    assert len(scenario.nodes) >= 12
    assert len({e.outcome for e in scenario.endings.values()}) >= 3
    qualities = {c.quality for n in scenario.nodes.values() for c in n.choices}
    assert qualities == {"good", "ok", "poor"}
    assert any(c.condition is not None for n in scenario.nodes.values() for c in n.choices)


@pytest.mark.parametrize("scenario_id", WORKSHOP_CASES)
def test_workshop_cases_have_the_promised_size(loaded, scenario_id: str) -> None:  # type: ignore[no-untyped-def]
    scenario = loaded[0][scenario_id]
    assert 12 <= len(scenario.nodes) <= 16
    assert 4 <= len(scenario.endings) <= 7
    assert len({e.outcome for e in scenario.endings.values()}) == len(scenario.endings)


def test_at_least_ten_scenarios(loaded) -> None:  # type: ignore[no-untyped-def]
    scenarios, _ = loaded
    assert len(scenarios) >= 10, sorted(scenarios)


def explore(scenario: Scenario, limit: int = 200_000) -> tuple[set[str], set[tuple[str, int]]]:
    """Every play state reachable by actually playing (conditions evaluated): the endings reached
    and the (node, choice) pairs ever offered."""
    # Only variables read by conditions decide what can happen next (effects are per-variable), so
    # two states that agree on them are equivalent for reachability.
    watched = sorted(
        {
            n
            for node in scenario.nodes.values()
            for c in node.choices
            if c.condition
            for n in c.condition.names
        }
    )
    first = roleplay.start(scenario)
    key = lambda s: (s["node"], tuple(s["vars"][n] for n in watched))  # noqa: E731
    seen = {key(first)}
    queue = deque([first])
    endings: set[str] = set()
    offered: set[tuple[str, int]] = set()
    while queue:
        assert len(seen) < limit, "state space too large to explore"
        state = queue.popleft()
        if roleplay.is_finished(state):
            endings.add(state["ending"])
            continue
        for choice in roleplay.available_choices(scenario, state):
            offered.add((state["node"], choice.index))
            after = roleplay.choose(scenario, state, choice.index)
            after["path"] = []  # the path does not matter for reachability
            if key(after) not in seen:
                seen.add(key(after))
                queue.append(after)
    return endings, offered


def test_every_ending_and_every_choice_can_be_reached_in_play(loaded) -> None:  # type: ignore[no-untyped-def]
    scenarios, _ = loaded
    for scenario in scenarios.values():
        endings, offered = explore(scenario)
        assert endings == set(scenario.endings), scenario.id
        every = {(n.id, c.index) for n in scenario.nodes.values() for c in n.choices}
        assert every - offered == set(), scenario.id


def test_every_scenario_draws_as_mermaid(loaded) -> None:  # type: ignore[no-untyped-def]
    scenarios, _ = loaded
    for scenario in scenarios.values():
        for lang in ("zh", "en"):
            chart = mermaid(scenario, lang)
            assert chart.startswith("flowchart TD\n")
            assert chart.count("-->") + chart.count("-.->") == sum(
                len(n.choices) for n in scenario.nodes.values()
            )


def test_observer_rubric_is_valid() -> None:
    problems = Problems()
    rubric = load_rubric(ROOT / "scenarios" / "rubric.yaml", problems)
    assert not problems, "\n".join(str(p) for p in problems)
    assert rubric is not None and len(rubric.items) == 7
