"""Checks one parsed scenario file and builds the Scenario; every problem names its node or ending."""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from trainer.content.source import Problems, check_keys, check_localized, line_of, localized
from trainer.roleplay.conditions import ConditionError, parse_condition, satisfiable
from trainer.roleplay.scenarios.model import (
    FEEDBACK_MODES,
    OUTCOMES,
    QUALITIES,
    TECHNIQUES,
    WARNING_PREFIX,
    Choice,
    Ending,
    Node,
    Scenario,
    Text,
    Variable,
)
from trainer.roleplay.scenarios.reach import format_number, reachable_ranges

_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
_VARIABLE = re.compile(r"^[a-z][a-z0-9_]*$")
_RESERVED = {"and", "or", "not", "true", "false", "none", "in", "is", "if", "else"}

_TOP_REQUIRED = (
    "id",
    "title",
    "summary",
    "competencies",
    "feedback",
    "show_state",
    "account_file",
    "role_card",
    "variables",
    "start",
    "nodes",
    "endings",
)
_VARIABLE_REQUIRED = ("initial", "min", "max", "label")
_VARIABLE_OPTIONAL = ("scored",)
_NODE_REQUIRED = ("customer", "choices")
_NODE_OPTIONAL = ("note", "speaker")
_CHOICE_REQUIRED = ("text", "technique", "quality", "feedback", "next")
_CHOICE_OPTIONAL = ("effects", "condition")
_ENDING_REQUIRED = ("outcome", "text", "debrief")
_TOP_TEXTS = ("title", "summary", "account_file", "role_card")


class ScenarioValidator:
    def __init__(self, path: Path, competency_ids: frozenset[str], problems: Problems) -> None:
        self.path = path
        self.competency_ids = competency_ids
        self.problems = problems
        self.errors = 0

    def error(self, line: int, message: str) -> None:
        self.errors += 1
        self.problems.add(self.path, line, message)

    def warn(self, line: int, message: str) -> None:
        self.problems.add(self.path, line, WARNING_PREFIX + message)

    def text(self, container: Mapping[str, Any], key: str, where: str) -> Text | None:
        before = len(self.problems)
        ok = check_localized(
            container[key],
            path=self.path,
            problems=self.problems,
            where=where,
            line=line_of(container, key),
        )
        self.errors += len(self.problems) - before
        return localized(container[key]) if ok else None

    def keys(self, mapping: Any, required: Iterable[str], optional: Iterable[str], where: str) -> bool:
        before = len(self.problems)
        ok = check_keys(
            mapping, required=required, optional=optional, path=self.path, problems=self.problems, where=where
        )
        self.errors += len(self.problems) - before
        return ok and all(k in mapping for k in required)

    # ----------------------------------------------------------------------- top level

    def run(self, data: Any) -> Scenario | None:
        if not isinstance(data, Mapping):
            self.error(1, "a scenario file must be a mapping of keys to values")
            return None
        self.keys(data, _TOP_REQUIRED, (), "scenario")
        present = set(data)
        scenario_id = data.get("id")
        if "id" in present:
            if not isinstance(scenario_id, str) or scenario_id != self.path.stem:
                self.error(
                    line_of(data, "id"),
                    f"scenario id {scenario_id!r} must equal the file name '{self.path.stem}'",
                )
        texts = {key: self.text(data, key, key) for key in _TOP_TEXTS if key in present}
        competencies = self.competencies(data) if "competencies" in present else []
        self.settings(data, present)
        variables = self.variables(data["variables"]) if "variables" in present else {}
        raw_nodes, raw_endings = self.raw_graph(data, present)

        start = data.get("start")
        if "start" in present and start not in raw_nodes:
            self.error(line_of(data, "start"), f"start {start!r} is not a node id")
        targets = set(raw_nodes) | set(raw_endings)
        nodes = {key: self.node(key, raw_nodes, variables, targets) for key in raw_nodes}
        endings = {key: self.ending(key, raw_endings) for key in raw_endings}
        if start in raw_nodes:
            self.graph(raw_nodes, raw_endings, str(start))
        if self.errors:
            return None
        scenario = Scenario(
            id=str(scenario_id),
            title=texts["title"],  # type: ignore[arg-type]
            summary=texts["summary"],  # type: ignore[arg-type]
            competencies=tuple(competencies),
            feedback=str(data.get("feedback")),
            show_state=bool(data.get("show_state")),
            account_file=texts["account_file"],  # type: ignore[arg-type]
            role_card=texts["role_card"],  # type: ignore[arg-type]
            variables=MappingProxyType(variables),
            start=str(start),
            nodes=MappingProxyType({k: v for k, v in nodes.items() if v is not None}),
            endings=MappingProxyType({k: v for k, v in endings.items() if v is not None}),
            path=str(self.path),
        )
        self.dead_choices(scenario, raw_nodes)
        return scenario

    def settings(self, data: Mapping[str, Any], present: set[str]) -> None:
        """``feedback`` and ``show_state``: how the play is shown."""
        feedback = data.get("feedback")
        if "feedback" in present and feedback not in FEEDBACK_MODES:
            self.error(
                line_of(data, "feedback"),
                f"feedback must be one of {', '.join(FEEDBACK_MODES)} (got {feedback!r})",
            )
        if "show_state" in present and not isinstance(data.get("show_state"), bool):
            self.error(line_of(data, "show_state"), "show_state must be true or false")

    def raw_graph(
        self, data: Mapping[str, Any], present: set[str]
    ) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        """The ``nodes`` and ``endings`` mappings (empty when unusable), with their ids checked."""
        raw_nodes = data.get("nodes")
        raw_endings = data.get("endings")
        if "nodes" in present and (not isinstance(raw_nodes, Mapping) or not raw_nodes):
            self.error(line_of(data, "nodes"), "nodes must be a non-empty mapping of node ids to nodes")
            raw_nodes = None
        if "endings" in present and (not isinstance(raw_endings, Mapping) or not raw_endings):
            self.error(
                line_of(data, "endings"),
                "endings must be a non-empty mapping: a scenario needs at least one ending",
            )
            raw_endings = None
        raw_nodes = raw_nodes or {}
        raw_endings = raw_endings or {}
        for group, raw in (("node", raw_nodes), ("ending", raw_endings)):
            for key in raw:
                if not isinstance(key, str) or not _ID.match(key):
                    self.error(
                        line_of(raw, key), f"{group} id {key!r}: use lower-case letters, digits, '_' and '-'"
                    )
        for key in set(raw_nodes) & set(raw_endings):
            self.error(line_of(raw_endings, key), f"ending '{key}': a node has the same id")
        return raw_nodes, raw_endings

    def competencies(self, data: Mapping[str, Any]) -> list[str]:
        value = data["competencies"]
        line = line_of(data, "competencies")
        if not isinstance(value, list) or not value:
            self.error(line, "competencies must be a non-empty list of competency ids")
            return []
        for item in value:
            if item not in self.competency_ids:
                self.error(line, f"unknown competency {item!r} (see courses/competencies.yaml)")
        return [str(v) for v in value]

    # ----------------------------------------------------------------------- variables

    def variables(self, raw: Any) -> dict[str, Variable]:
        result: dict[str, Variable] = {}
        if not isinstance(raw, Mapping) or not raw:
            self.error(
                line_of(raw), "variables must be a non-empty mapping of names to {initial, min, max, label}"
            )
            return result
        for name, spec in raw.items():
            where = f"variable '{name}'"
            line = line_of(raw, name)
            if not isinstance(name, str) or not _VARIABLE.match(name) or name in _RESERVED:
                self.error(
                    line, f"{where}: use lower-case letters, digits and '_' (a name usable in conditions)"
                )
                continue
            if not self.keys(spec, _VARIABLE_REQUIRED, _VARIABLE_OPTIONAL, where):
                continue
            numbers = {}
            for key in ("initial", "min", "max"):
                value = spec[key]
                if not is_number(value):
                    self.error(line_of(spec, key), f"{where}: {key} must be a number")
                else:
                    numbers[key] = value
            label = self.text(spec, "label", f"{where} label")
            scored = spec.get("scored", True)
            if not isinstance(scored, bool):
                self.error(line_of(spec, "scored"), f"{where}: scored must be true or false")
            if len(numbers) < 3 or label is None:
                continue
            if not numbers["min"] < numbers["max"]:
                self.error(line, f"{where}: min must be less than max")
                continue
            if not numbers["min"] <= numbers["initial"] <= numbers["max"]:
                self.error(line_of(spec, "initial"), f"{where}: initial must lie between min and max")
                continue
            result[name] = Variable(
                name, numbers["initial"], numbers["min"], numbers["max"], label, bool(scored)
            )
        return result

    # ----------------------------------------------------------------------- nodes and endings

    def node(
        self, key: str, raw_nodes: Mapping[str, Any], variables: Mapping[str, Variable], targets: set[str]
    ) -> Node | None:
        spec = raw_nodes[key]
        where = f"node '{key}'"
        if not self.keys(spec, _NODE_REQUIRED, _NODE_OPTIONAL, where):
            return None
        customer = self.text(spec, "customer", f"{where} customer")
        note = self.text(spec, "note", f"{where} note") if "note" in spec else None
        speaker = self.text(spec, "speaker", f"{where} speaker") if "speaker" in spec else None
        raw_choices = spec["choices"]
        if not isinstance(raw_choices, list) or not raw_choices:
            self.error(line_of(spec, "choices"), f"{where}: choices must be a non-empty list")
            return None
        choices = []
        for index, raw in enumerate(raw_choices):
            line = line_of(raw_choices, index)
            choices.append(self.choice(f"{where} choice {index + 1}", index, raw, line, variables, targets))
        if all(isinstance(c, Mapping) and "condition" in c for c in raw_choices):
            self.error(
                line_of(spec, "choices"),
                f"{where}: every choice has a condition; give at least one choice no condition so the player can never be stuck",
            )
        if customer is None or any(c is None for c in choices):
            return None
        return Node(
            key, customer, tuple(c for c in choices if c is not None), note, line_of(raw_nodes, key), speaker
        )

    def choice(
        self,
        where: str,
        index: int,
        raw: Any,
        line: int,
        variables: Mapping[str, Variable],
        targets: set[str],
    ) -> Choice | None:
        if not self.keys(raw, _CHOICE_REQUIRED, _CHOICE_OPTIONAL, where):
            return None
        text = self.text(raw, "text", f"{where} text")
        feedback = self.text(raw, "feedback", f"{where} feedback")
        ok = text is not None and feedback is not None
        technique = raw["technique"]
        if technique not in TECHNIQUES:
            self.error(
                line_of(raw, "technique"),
                f"{where}: unknown technique {technique!r} (allowed: {', '.join(TECHNIQUES)})",
            )
            ok = False
        quality = raw["quality"]
        if quality not in QUALITIES:
            self.error(
                line_of(raw, "quality"),
                f"{where}: quality must be one of {', '.join(QUALITIES)} (got {quality!r})",
            )
            ok = False
        target = raw["next"]
        if target not in targets:
            self.error(line_of(raw, "next"), f"{where}: next {target!r} is neither a node nor an ending")
            ok = False
        effects: dict[str, float] = {}
        raw_effects = raw.get("effects", {})
        if raw_effects is None or not isinstance(raw_effects, Mapping):
            self.error(
                line_of(raw, "effects"), f"{where}: effects must be a mapping of variable names to numbers"
            )
            ok = False
        else:
            for name, amount in raw_effects.items():
                at = line_of(raw_effects, name, line_of(raw, "effects"))
                if name not in variables:
                    self.error(at, f"{where}: effect on undeclared variable {name!r}")
                    ok = False
                elif not is_number(amount):
                    self.error(at, f"{where}: effect on '{name}' must be a number (got {amount!r})")
                    ok = False
                else:
                    effects[name] = amount
        condition = None
        if "condition" in raw:
            at = line_of(raw, "condition")
            try:
                condition = parse_condition(raw["condition"])
            except ConditionError as exc:
                self.error(at, f"{where}: bad condition {raw['condition']!r}: {exc}")
                ok = False
            else:
                for name in sorted(condition.names - set(variables)):
                    self.error(at, f"{where}: condition uses undeclared variable '{name}'")
                    ok = False
        if not ok:
            return None
        return Choice(
            index=index,
            text=text,  # type: ignore[arg-type]
            technique=str(technique),
            quality=str(quality),
            feedback=feedback,  # type: ignore[arg-type]
            next=str(target),
            effects=MappingProxyType(effects),
            condition=condition,
            line=line,
        )

    def ending(self, key: str, raw_endings: Mapping[str, Any]) -> Ending | None:
        spec = raw_endings[key]
        where = f"ending '{key}'"
        if not self.keys(spec, _ENDING_REQUIRED, (), where):
            return None
        outcome = spec["outcome"]
        ok = True
        if outcome not in OUTCOMES:
            self.error(
                line_of(spec, "outcome"),
                f"{where}: outcome must be one of {', '.join(OUTCOMES)} (got {outcome!r})",
            )
            ok = False
        text = self.text(spec, "text", f"{where} text")
        debrief = self.text(spec, "debrief", f"{where} debrief")
        if not ok or text is None or debrief is None:
            return None
        return Ending(key, str(outcome), text, debrief, line_of(raw_endings, key))

    # ----------------------------------------------------------------------- graph checks

    def graph(self, raw_nodes: Mapping[str, Any], raw_endings: Mapping[str, Any], start: str) -> None:
        """Structural checks (conditions ignored): reachability and every path reaching an ending."""
        edges: dict[str, list[str]] = {}
        for key, spec in raw_nodes.items():
            choices = spec.get("choices") if isinstance(spec, Mapping) else None
            edges[key] = [
                c["next"]
                for c in (choices if isinstance(choices, list) else [])
                if isinstance(c, Mapping) and isinstance(c.get("next"), str)
            ]
        reached = {start}
        queue = deque([start])
        while queue:
            for target in edges.get(queue.popleft(), []):
                if target not in reached and (target in raw_nodes or target in raw_endings):
                    reached.add(target)
                    queue.append(target)
        for key in raw_nodes:
            if key not in reached:
                self.error(
                    line_of(raw_nodes, key), f"node '{key}' cannot be reached from the start '{start}'"
                )
        for key in raw_endings:
            if key not in reached:
                self.error(
                    line_of(raw_endings, key), f"ending '{key}' cannot be reached from the start '{start}'"
                )
        # backwards from the endings: which nodes can still finish?
        finishing = set(raw_endings)
        changed = True
        while changed:
            changed = False
            for key, targets in edges.items():
                if key not in finishing and any(t in finishing for t in targets):
                    finishing.add(key)
                    changed = True
        for key in raw_nodes:
            if key in reached and key not in finishing:
                self.error(
                    line_of(raw_nodes, key),
                    f"node '{key}': no ending can be reached from here (the conversation never ends)",
                )

    def dead_choices(self, scenario: Scenario, raw_nodes: Mapping[str, Any]) -> None:
        """Warn about choices whose condition can never be true: first against the declared bounds,
        then against the values any path can actually carry into the node (interval analysis)."""
        integer = scenario.integer
        bounds = {n: (v.minimum, v.maximum) for n, v in scenario.variables.items()}
        reachable = reachable_ranges(scenario)
        for node in scenario.nodes.values():
            for choice in node.choices:
                if choice.condition is None:
                    continue
                where = f"node '{node.id}' choice {choice.index + 1}"
                line = line_of(raw_nodes[node.id]["choices"][choice.index], "condition", choice.line)
                if not satisfiable(choice.condition, bounds, integer=integer):
                    self.warn(
                        line,
                        f"{where}: dead choice, condition '{choice.condition}' can never be true within the variables' bounds",
                    )
                    continue
                ranges = reachable.get(node.id)
                if ranges is not None and not satisfiable(choice.condition, ranges, integer=integer):
                    span = ", ".join(
                        f"{n} {format_number(ranges[n][0])}..{format_number(ranges[n][1])}"
                        for n in sorted(choice.condition.names)
                    )
                    self.warn(
                        line,
                        f"{where}: dead choice, condition '{choice.condition}' is never true on any path to this node ({span})",
                    )


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
