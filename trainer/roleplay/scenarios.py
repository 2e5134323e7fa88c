"""Role-play scenarios: read ``scenarios/roleplay/*.yaml`` into immutable :class:`Scenario` objects.

Validation collects every problem as ``path:line: message`` and names the node or ending concerned:
unknown or missing keys, texts missing a language, undeclared variables, conditions that do not
parse, effects that are not numbers, unknown techniques and outcomes, nodes that cannot be reached
from the start, nodes from which no ending can be reached, choices that point nowhere. Choices whose
condition can never be true are reported as warnings (message starting with ``warning:``); a file
with warnings only still loads, a file with any error does not.

The format is documented in ``docs/content-formats.md``. Pure Python: no Flask, no database.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from trainer.content.source import (
    Problem,
    Problems,
    check_keys,
    check_localized,
    line_of,
    load_yaml_file,
    localized,
    pick,
)
from trainer.roleplay.conditions import Condition, ConditionError, parse_condition, satisfiable

Text = Mapping[str, str]

TECHNIQUES: Mapping[str, Text] = MappingProxyType(
    {
        # three-step objection handling
        "listen": {"zh": "倾听", "en": "Listen"},
        "confirm": {"zh": "确认对方顾虑", "en": "Confirm the concern"},
        "resolve": {"zh": "给出解决方案", "en": "Resolve with options"},
        # the ten styles of collection talk
        "principled": {"zh": "讲原则", "en": "Principled"},
        "empathetic": {"zh": "共情", "en": "Empathetic"},
        "win_win": {"zh": "双赢", "en": "Win-win"},
        "ask_help": {"zh": "请求帮忙", "en": "Asking for help"},
        "deadline": {"zh": "时间节点", "en": "Deadline / milestone"},
        "ask_advice": {"zh": "请教建议", "en": "Asking for advice"},
        "concession": {"zh": "有条件让步", "en": "Concession for payment"},
        "precedent": {"zh": "援引先例", "en": "Precedent"},
        "long_term": {"zh": "着眼长期合作", "en": "Long-term view"},
        "serious": {"zh": "严肃表态", "en": "Serious"},
        # escalation steps
        "escalate_contact": {"zh": "升级联系层级", "en": "Escalate the contact level"},
        "escalate_formal": {"zh": "书面正式催告", "en": "Escalate to a formal demand"},
        "escalate_legal": {"zh": "走法律途径", "en": "Escalate to the legal route"},
        # preparation and process
        "prepare": {"zh": "事前准备", "en": "Prepare"},
        "document": {"zh": "书面留痕", "en": "Put it in writing"},
        "verify": {"zh": "核实信息", "en": "Verify"},
        # habits to unlearn
        "concede_too_much": {"zh": "让步过度", "en": "Conceding too much"},
        "threaten": {"zh": "威胁施压", "en": "Threatening"},
        "give_in": {"zh": "直接妥协", "en": "Giving in"},
        "argue": {"zh": "争辩", "en": "Arguing"},
    }
)
"""Allowed ``technique`` tags, with their labels."""

OUTCOMES: Mapping[str, Text] = MappingProxyType(
    {
        "paid_in_full": {"zh": "全额回款", "en": "Paid in full"},
        "payment_plan": {"zh": "达成付款计划", "en": "Payment plan agreed"},
        "escalated_legal": {"zh": "转入法律程序", "en": "Escalated to legal"},
        "relationship_damaged": {"zh": "客户关系受损", "en": "Relationship damaged"},
        "written_off": {"zh": "坏账核销", "en": "Written off"},
    }
)
"""Allowed ending ``outcome`` values, with their labels."""

QUALITIES: tuple[str, ...] = ("good", "ok", "poor")
"""Choice quality, best first."""

FEEDBACK_MODES: tuple[str, ...] = ("immediate", "end")

WARNING_PREFIX = "warning: "

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
_NODE_OPTIONAL = ("note",)
_CHOICE_REQUIRED = ("text", "technique", "quality", "feedback", "next")
_CHOICE_OPTIONAL = ("effects", "condition")
_ENDING_REQUIRED = ("outcome", "text", "debrief")


# --------------------------------------------------------------------------- the objects


@dataclass(frozen=True)
class Variable:
    """A state variable; a scored variable is one dimension of the debrief's scores."""

    name: str
    initial: float
    minimum: float
    maximum: float
    label: Text
    scored: bool = True

    def clamp(self, value: float) -> float:
        return min(self.maximum, max(self.minimum, value))

    def normalise(self, value: float) -> int:
        """``value`` on a 0-100 scale between this variable's bounds."""
        span = self.maximum - self.minimum
        return round(100 * (self.clamp(value) - self.minimum) / span) if span else 0


@dataclass(frozen=True)
class Choice:
    """One reply the salesperson can pick. ``index`` is its stable position within the node."""

    index: int
    text: Text
    technique: str
    quality: str
    feedback: Text
    next: str
    effects: Mapping[str, float]
    condition: Condition | None = None
    line: int = 1


@dataclass(frozen=True)
class Node:
    id: str
    customer: Text
    choices: tuple[Choice, ...]
    note: Text | None = None
    line: int = 1


@dataclass(frozen=True)
class Ending:
    id: str
    outcome: str
    text: Text
    debrief: Text
    line: int = 1


@dataclass(frozen=True)
class Scenario:
    id: str
    title: Text
    summary: Text
    competencies: tuple[str, ...]
    feedback: str
    show_state: bool
    account_file: Text
    role_card: Text
    variables: Mapping[str, Variable]
    start: str
    nodes: Mapping[str, Node]
    endings: Mapping[str, Ending]
    path: str = ""

    @property
    def integer(self) -> bool:
        """True when every bound, initial value and effect is a whole number."""
        numbers = [v for var in self.variables.values() for v in (var.initial, var.minimum, var.maximum)]
        numbers += [e for node in self.nodes.values() for c in node.choices for e in c.effects.values()]
        return all(float(n).is_integer() for n in numbers)

    def target(self, choice: Choice) -> Node | Ending:
        return self.nodes.get(choice.next) or self.endings[choice.next]


def is_warning(problem: Problem) -> bool:
    """Warnings (dead choices) are reported but do not stop a scenario from loading."""
    return problem.message.startswith(WARNING_PREFIX)


# --------------------------------------------------------------------------- loading


def load_scenarios(
    directory: str | Path, *, competency_ids: Iterable[str]
) -> tuple[dict[str, Scenario], Problems]:
    """Read every ``*.yaml`` in ``directory``. Returns the valid scenarios by id and all problems.

    A scenario with an error is left out; one with warnings only is included.
    """
    problems = Problems()
    scenarios: dict[str, Scenario] = {}
    folder = Path(directory)
    if not folder.is_dir():
        problems.add(folder, 1, "scenario folder not found")
        return scenarios, problems
    competencies = frozenset(competency_ids)
    for path in sorted(folder.glob("*.yaml")):
        scenario = load_scenario(path, competency_ids=competencies, problems=problems)
        if scenario is not None:
            scenarios[scenario.id] = scenario
    return scenarios, problems


def load_scenario(path: Path, *, competency_ids: Iterable[str], problems: Problems) -> Scenario | None:
    """Read and validate one scenario file, adding its problems to ``problems``."""
    own = Problems()
    data = load_yaml_file(path, own)
    scenario = None
    if data is not None:
        scenario = _Validator(path, frozenset(competency_ids), own).run(data)
    problems.extend(own.items)
    if any(not is_warning(p) for p in own.items):
        return None
    return scenario


class _Validator:
    def __init__(self, path: Path, competency_ids: frozenset[str], problems: Problems):
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
        texts = {}
        for key in ("title", "summary", "account_file", "role_card"):
            if key in present:
                texts[key] = self.text(data, key, key)

        competencies = self.competencies(data) if "competencies" in present else ()
        feedback = data.get("feedback")
        if "feedback" in present and feedback not in FEEDBACK_MODES:
            self.error(
                line_of(data, "feedback"),
                f"feedback must be one of {', '.join(FEEDBACK_MODES)} (got {feedback!r})",
            )
        show_state = data.get("show_state")
        if "show_state" in present and not isinstance(show_state, bool):
            self.error(line_of(data, "show_state"), "show_state must be true or false")

        variables = self.variables(data["variables"]) if "variables" in present else {}
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
        built_nodes = {k: v for k, v in nodes.items() if v is not None}
        built_endings = {k: v for k, v in endings.items() if v is not None}
        scenario = Scenario(
            id=str(scenario_id),
            title=texts["title"],  # type: ignore[arg-type]
            summary=texts["summary"],  # type: ignore[arg-type]
            competencies=tuple(competencies),
            feedback=str(feedback),
            show_state=bool(show_state),
            account_file=texts["account_file"],  # type: ignore[arg-type]
            role_card=texts["role_card"],  # type: ignore[arg-type]
            variables=MappingProxyType(variables),
            start=str(start),
            nodes=MappingProxyType(built_nodes),
            endings=MappingProxyType(built_endings),
            path=str(self.path),
        )
        self.dead_choices(scenario, raw_nodes)
        return scenario

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
                if not _is_number(value):
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
        return Node(key, customer, tuple(c for c in choices if c is not None), note, line_of(raw_nodes, key))

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
                elif not _is_number(amount):
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
                        f"{n} {_fmt(ranges[n][0])}..{_fmt(ranges[n][1])}"
                        for n in sorted(choice.condition.names)
                    )
                    self.warn(
                        line,
                        f"{where}: dead choice, condition '{choice.condition}' is never true on any path to this node ({span})",
                    )


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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --------------------------------------------------------------------------- Mermaid

_OUTCOME_STYLE = {
    "paid_in_full": "fill:#d8f3dc,stroke:#2d6a4f,color:#1b4332",
    "payment_plan": "fill:#dbeafe,stroke:#1d4ed8,color:#1e3a8a",
    "escalated_legal": "fill:#ede9fe,stroke:#6d28d9,color:#4c1d95",
    "relationship_damaged": "fill:#ffedd5,stroke:#c2410c,color:#7c2d12",
    "written_off": "fill:#fee2e2,stroke:#b91c1c,color:#7f1d1d",
}


def _label(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    for char, code in (("#", "#35;"), ('"', "#34;"), ("<", "#60;"), (">", "#62;"), ("|", "#124;")):
        text = text.replace(char, code)
    return text


def mermaid(scenario: Scenario, lang: str = "zh") -> str:
    """A Mermaid flowchart of the scenario: nodes with the customer's line, edges labelled with the
    choice (number, text, quality, condition), endings as rounded boxes styled by outcome."""
    ids: dict[str, str] = {}
    for i, key in enumerate(scenario.nodes):
        ids[key] = f"n{i}"
    for i, key in enumerate(scenario.endings):
        ids[key] = f"e{i}"
    lines = ["flowchart TD"]
    for key, node in scenario.nodes.items():
        lines.append(f'    {ids[key]}["{_label(key)}: {_label(pick(node.customer, lang))}"]')
    for key, ending in scenario.endings.items():
        outcome = pick(OUTCOMES[ending.outcome], lang)
        lines.append(f'    {ids[key]}(["{_label(outcome)}: {_label(key)}"]):::{ending.outcome}')
    for key, node in scenario.nodes.items():
        for choice in node.choices:
            label = f"{choice.index + 1}. {pick(choice.text, lang)}"
            text = _label(label, 32) + f" ({choice.quality})"
            if choice.condition is not None:
                text += f" [{_label(choice.condition.source, 60)}]"
            arrow = "-.->" if choice.condition is not None else "-->"
            lines.append(f'    {ids[key]} {arrow}|"{text}"| {ids[choice.next]}')
    lines.append("    classDef start stroke-width:3px,stroke:#111")
    lines.append(f"    class {ids[scenario.start]} start")
    for outcome, style in _OUTCOME_STYLE.items():
        lines.append(f"    classDef {outcome} {style}")
    return "\n".join(lines) + "\n"
