"""A Mermaid flowchart of a scenario, for authors and facilitators."""

from __future__ import annotations

from trainer.content.source import pick
from trainer.roleplay.scenarios.model import OUTCOMES, Scenario

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
