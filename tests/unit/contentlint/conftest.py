"""Builders for the content lint tests: questions and role-play nodes made in code, so each test
shows exactly the lengths, qualities and kinds it is about."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from types import MappingProxyType

from tests.conftest import COMPETENCIES
from trainer.content.source import Problems
from trainer.quiz.bank.model import Question
from trainer.quiz.bank.questions import build_question
from trainer.roleplay.scenarios import Scenario
from trainer.roleplay.scenarios.model import Choice, Ending, Node, Variable

MODULES = ["m1-basics", "m2-risk", "m3-collection", "m4-data", "m5-practice"]


def single(
    qid: str,
    options: Sequence[tuple[str, str]],
    right: int = 0,
    *,
    kind: str | None = "application",
    module: str = "m1-basics",
    text: tuple[str, str] | None = None,
) -> Question:
    """A single-choice question with options given as (zh, en) texts; ``right`` is the correct one."""
    zh, en = text or (f"问题{qid}", f"Question {qid}")
    raw: dict[str, object] = {
        "id": qid,
        "type": "single",
        "module": module,
        "competencies": ["data_analysis"],
        "difficulty": "easy",
        "text": {"zh": zh, "en": en},
        "explanation": {"zh": "解释", "en": "Explanation"},
        "options": [
            {"id": f"o{i}", "text": {"zh": z, "en": e}, **({"correct": True} if i == right else {})}
            for i, (z, e) in enumerate(options)
        ],
    }
    if kind:
        raw["kind"] = kind
    problems = Problems()
    question = build_question(
        raw, bank_id="t", path="t.yaml", problems=problems, module_ids=MODULES, competency_ids=COMPETENCIES
    )
    assert question is not None, "\n".join(map(str, problems))
    return question


def of_type(question: Question, qtype: str, kind: str | None, retired: bool = False) -> Question:
    """The question relabelled (type counts only look at the labels)."""
    return dataclasses.replace(question, type=qtype, kind=kind, retired=retired)


def node(node_id: str, *replies: tuple[str, str, str]) -> Node:
    """A node with replies given as (quality, zh, en)."""
    choices = tuple(
        Choice(
            index=i,
            text=MappingProxyType({"zh": zh, "en": en}),
            technique="listen",
            quality=quality,
            feedback=MappingProxyType({"zh": "反馈", "en": "Feedback"}),
            next="end",
            effects=MappingProxyType({}),
        )
        for i, (quality, zh, en) in enumerate(replies)
    )
    return Node(node_id, MappingProxyType({"zh": "客户", "en": "Customer"}), choices)


def scenario(scenario_id: str, *nodes: Node) -> Scenario:
    text = MappingProxyType({"zh": "文", "en": "Text"})
    return Scenario(
        id=scenario_id,
        title=text,
        summary=text,
        competencies=("collection_communication",),
        feedback="immediate",
        show_state=True,
        account_file=text,
        role_card=text,
        variables=MappingProxyType({}),
        start=nodes[0].id,
        nodes=MappingProxyType({n.id: n for n in nodes}),
        endings=MappingProxyType({"end": Ending("end", "paid_in_full", text, text)}),
    )


def dilemma_scenario() -> Scenario:
    """One node whose good reply brings money and whose ok reply, longer, keeps the relationship."""
    base = node("n", ("good", "好", "fine"), ("ok", "差一些的长回答", "a worse, longer reply"))
    effects = ({"money": 10}, {"relationship": 10})
    choices = tuple(
        dataclasses.replace(c, effects=MappingProxyType(e)) for c, e in zip(base.choices, effects, strict=True)
    )
    label = MappingProxyType({"zh": "量", "en": "Measure"})
    return dataclasses.replace(
        scenario("s", dataclasses.replace(base, choices=choices)),
        variables=MappingProxyType({
            "money": Variable("money", 0, 0, 100, label),
            "relationship": Variable("relationship", 60, 0, 100, label),
        }),
    )
