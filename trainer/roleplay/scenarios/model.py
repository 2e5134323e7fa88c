"""The scenario objects and the fixed vocabularies (techniques, outcomes, qualities) they use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from trainer.content.source import Problem
from trainer.roleplay.conditions import Condition

Text = Mapping[str, str]

TECHNIQUES: Mapping[str, Text] = MappingProxyType(
    {
        # three-step objection handling
        "listen": {"zh": "倾听", "en": "Listen"},
        "confirm": {"zh": "确认对方顾虑", "en": "Confirm the concern"},
        "resolve": {"zh": "给出解决方案", "en": "Resolve with options"},
        # the ten styles of collection talk, named as the lesson m3-collection-styles names them
        "principled": {"zh": "原则型", "en": "Principled"},
        "empathetic": {"zh": "同理型", "en": "Empathetic"},
        "win_win": {"zh": "双赢型", "en": "Win-win"},
        "ask_help": {"zh": "求助型", "en": "Asking for help"},
        "deadline": {"zh": "期限型", "en": "Deadline"},
        "ask_advice": {"zh": "请教型", "en": "Asking for advice"},
        "concession": {"zh": "让步型", "en": "Concession"},
        "precedent": {"zh": "先例型", "en": "Precedent"},
        "long_term": {"zh": "长远型", "en": "Long-term"},
        "serious": {"zh": "严肃型", "en": "Serious"},
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
    speaker: Text | None = None
    """Who says the node's line when it is not the customer (finance, risk, a manager)."""


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
