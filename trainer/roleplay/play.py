"""The role-play state machine and its debrief.

The play state is plain JSON-able data, so the web layer can keep it in a session or a database
column and hand it back::

    {
        "scenario": "quality-dispute-pair",     # scenario id
        "node": "open",                         # current node id, or the ending id once finished
        "vars": {"money": 0, "relationship": 60, ...},
        "path": [{"node": "open", "choice": 1}, ...],   # every choice made, by stable index
        "ending": None,                         # the ending id once finished
    }

Functions never mutate the state they are given; :func:`choose` returns a new one. A state that does
not fit the scenario (tampered, or stale after the content changed) raises :class:`RoleplayError`.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from trainer.content.source import pick
from trainer.roleplay.scenarios import OUTCOMES, QUALITIES, TECHNIQUES, Choice, Node, Scenario


class Step(TypedDict):
    node: str
    choice: int


class PlayState(TypedDict):
    scenario: str
    node: str
    vars: dict[str, float]
    path: list[Step]
    ending: str | None


class RoleplayError(ValueError):
    """A move or a state that does not fit the scenario."""


def start(scenario: Scenario) -> PlayState:
    """A fresh play at the scenario's start node with every variable at its initial value."""
    return {
        "scenario": scenario.id,
        "node": scenario.start,
        "vars": {name: var.initial for name, var in scenario.variables.items()},
        "path": [],
        "ending": None,
    }


def is_finished(state: Mapping[str, Any]) -> bool:
    return state.get("ending") is not None


def available_choices(scenario: Scenario, state: Mapping[str, Any]) -> list[Choice]:
    """The choices the player may pick now (conditions evaluated on the state); empty once finished."""
    _check(scenario, state)
    if is_finished(state):
        return []
    node = scenario.nodes[state["node"]]
    return [c for c in node.choices if c.condition is None or c.condition.evaluate(state["vars"])]


def choose(scenario: Scenario, state: Mapping[str, Any], choice_index: int) -> PlayState:
    """Pick the choice with stable index ``choice_index`` at the current node; returns the new state.

    Effects are added and clamped to each variable's bounds; the step is appended to the path.
    """
    _check(scenario, state)
    if is_finished(state):
        raise RoleplayError("the scenario is already finished")
    node = scenario.nodes[state["node"]]
    if isinstance(choice_index, bool) or not isinstance(choice_index, int):
        raise RoleplayError("a choice index must be an integer")
    if not 0 <= choice_index < len(node.choices):
        raise RoleplayError(f"node '{node.id}' has no choice {choice_index}")
    choice = node.choices[choice_index]
    if choice.condition is not None and not choice.condition.evaluate(state["vars"]):
        raise RoleplayError(f"choice {choice_index} of node '{node.id}' is not available now")
    values = dict(state["vars"])
    for name, delta in choice.effects.items():
        values[name] = scenario.variables[name].clamp(values[name] + delta)
    path: list[Step] = [{"node": s["node"], "choice": s["choice"]} for s in state["path"]]
    path.append({"node": node.id, "choice": choice_index})
    return {
        "scenario": scenario.id,
        "node": choice.next,
        "vars": values,
        "path": path,
        "ending": choice.next if choice.next in scenario.endings else None,
    }


def replay(scenario: Scenario, path: Sequence[Mapping[str, Any]]) -> PlayState:
    """The state reached by playing ``path`` from the start; raises RoleplayError if it does not fit."""
    state = start(scenario)
    for number, step in enumerate(path, 1):
        if not isinstance(step, Mapping) or step.get("node") != state["node"]:
            raise RoleplayError(f"step {number} of the path does not match the scenario")
        state = choose(scenario, state, step.get("choice"))  # type: ignore[arg-type]
    return state


def _check(scenario: Scenario, state: Mapping[str, Any]) -> None:
    if not isinstance(state, Mapping) or state.get("scenario") != scenario.id:
        raise RoleplayError("the play state belongs to another scenario")
    node, ending = state.get("node"), state.get("ending")
    if ending is not None:
        if ending not in scenario.endings or node != ending:
            raise RoleplayError("the play state names an unknown ending")
    elif node not in scenario.nodes:
        raise RoleplayError("the play state names an unknown node")
    values = state.get("vars")
    if not isinstance(values, Mapping) or set(values) != set(scenario.variables):
        raise RoleplayError("the play state's variables do not match the scenario")
    path = state.get("path")
    if not isinstance(path, list):
        raise RoleplayError("the play state has no path")
    for step in path:
        if (
            not isinstance(step, Mapping)
            or step.get("node") not in scenario.nodes
            or not isinstance(step.get("choice"), int)
            or not 0 <= step["choice"] < len(scenario.nodes[step["node"]].choices)
        ):
            raise RoleplayError("the play state's path does not match the scenario")


# --------------------------------------------------------------------------- presenting


def _label(table: Mapping[str, Mapping[str, str]], key: str, lang: str) -> dict[str, str]:
    return {"id": key, "label": pick(table[key], lang)}


def speaker(node: Node, lang: str) -> str | None:
    """Who says the node's line, when the scenario names someone other than the customer."""
    return pick(node.speaker, lang) if node.speaker else None


def choice_info(choice: Choice, lang: str) -> dict[str, Any]:
    """A choice as plain data in one language."""
    return {
        "index": choice.index,
        "text": pick(choice.text, lang),
        "technique": choice.technique,
        "technique_label": pick(TECHNIQUES[choice.technique], lang),
        "quality": choice.quality,
        "feedback": pick(choice.feedback, lang),
    }


def meters(scenario: Scenario, values: Mapping[str, float], lang: str) -> list[dict[str, Any]]:
    """Every variable with its label, raw value, bounds and 0-100 score."""
    return [
        {
            "variable": name,
            "label": pick(var.label, lang),
            "value": values[name],
            "min": var.minimum,
            "max": var.maximum,
            "score": var.normalise(values[name]),
            "scored": var.scored,
        }
        for name, var in scenario.variables.items()
    ]


def view(scenario: Scenario, state: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """What the conversation screen shows now, in one language.

    ``last`` is the choice just made with its feedback when the scenario gives immediate feedback
    (otherwise the feedback waits for the debrief); ``meters`` is empty unless ``show_state``.
    """
    _check(scenario, state)
    last = None
    if state["path"] and scenario.feedback == "immediate":
        step = state["path"][-1]
        last = choice_info(scenario.nodes[step["node"]].choices[step["choice"]], lang)
    result: dict[str, Any] = {
        "scenario": scenario.id,
        "title": pick(scenario.title, lang),
        "finished": is_finished(state),
        "step": len(state["path"]) + (0 if is_finished(state) else 1),
        "last": last,
        "meters": meters(scenario, state["vars"], lang) if scenario.show_state else [],
    }
    if is_finished(state):
        ending = scenario.endings[state["ending"]]
        result["ending"] = {
            "id": ending.id,
            "outcome": _label(OUTCOMES, ending.outcome, lang),
            "text": pick(ending.text, lang),
        }
    else:
        node = scenario.nodes[state["node"]]
        result["node"] = node.id
        result["customer"] = pick(node.customer, lang)
        result["speaker"] = speaker(node, lang)
        result["note"] = pick(node.note, lang) if node.note else None
        result["choices"] = [
            {"index": c.index, "text": pick(c.text, lang)} for c in available_choices(scenario, state)
        ]
    return result


# --------------------------------------------------------------------------- debrief

_RANK = {quality: rank for rank, quality in enumerate(QUALITIES)}  # good=0 best


def debrief(scenario: Scenario, path: Sequence[Mapping[str, Any]], lang: str) -> dict[str, Any]:
    """The debrief of a play (finished or not) given its path, in one language::

        {
          "scenario", "title", "finished": bool,
          "outcome": {"id", "label"} | None,
          "ending": {"id", "text", "debrief"} | None,
          "scores": [{"variable", "label", "value", "min", "max", "score" (0-100)}],  # scored vars
          "techniques": {"used", "recommended", "matched", "missed", "to_avoid"},    # [{"id","label"}]
          "quality": {"good": n, "ok": n, "poor": n},
          "turns": [{"step", "node", "customer", "speaker", "chosen": choice, "better": choice | None}],
        }

    ``recommended`` are the techniques of the best (quality good) choices open at the turns the
    trainee played; ``to_avoid`` are techniques of poor choices the trainee made. ``better`` is the
    best-quality choice that was open at that turn when the trainee picked a worse one.
    """
    state = start(scenario)
    turns: list[dict[str, Any]] = []
    used: list[str] = []
    recommended: list[str] = []
    to_avoid: list[str] = []
    quality = dict.fromkeys(QUALITIES, 0)
    for number, step in enumerate(path, 1):
        if not isinstance(step, Mapping) or step.get("node") != state["node"]:
            raise RoleplayError(f"step {number} of the path does not match the scenario")
        node = scenario.nodes[state["node"]]
        open_choices = available_choices(scenario, state)
        state = choose(scenario, state, step.get("choice"))  # type: ignore[arg-type]
        chosen = node.choices[step["choice"]]
        best = min(open_choices, key=lambda c: _RANK[c.quality])
        quality[chosen.quality] += 1
        _add(used, chosen.technique)
        for choice in open_choices:
            if choice.quality == "good":
                _add(recommended, choice.technique)
        if chosen.quality == "poor":
            _add(to_avoid, chosen.technique)
        better = best if _RANK[best.quality] < _RANK[chosen.quality] else None
        turns.append(
            {
                "step": number,
                "node": node.id,
                "customer": pick(node.customer, lang),
                "speaker": speaker(node, lang),
                "chosen": choice_info(chosen, lang),
                "better": choice_info(better, lang) if better is not None else None,
            }
        )
    ending = scenario.endings[state["ending"]] if state["ending"] is not None else None

    def labels(ids: list[str]) -> list[dict[str, str]]:
        return [_label(TECHNIQUES, t, lang) for t in ids]

    return {
        "scenario": scenario.id,
        "title": pick(scenario.title, lang),
        "finished": ending is not None,
        "outcome": _label(OUTCOMES, ending.outcome, lang) if ending else None,
        "ending": (
            {"id": ending.id, "text": pick(ending.text, lang), "debrief": pick(ending.debrief, lang)}
            if ending
            else None
        ),
        "scores": [m for m in meters(scenario, state["vars"], lang) if m.pop("scored")],
        "techniques": {
            "used": labels(used),
            "recommended": labels(recommended),
            "matched": labels([t for t in used if t in recommended]),
            "missed": labels([t for t in recommended if t not in used]),
            "to_avoid": labels(to_avoid),
        },
        "quality": quality,
        "turns": turns,
    }


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def result_fraction(scores: Mapping[str, Any] | None) -> float | None:
    """A finished play's result, 0..1: the mean of its scored variables (each 0-100); None without any."""
    values = [float(v) for v in (scores or {}).values() if isinstance(v, int | float) and not isinstance(v, bool)]
    if not values:
        return None
    return min(1.0, max(0.0, sum(values) / len(values) / 100.0))
