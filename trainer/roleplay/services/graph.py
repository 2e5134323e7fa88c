"""A scenario graph laid out on the server, for admins to check a scenario's shape in the browser
without any JavaScript library: nodes in layers by distance from the start (endings in a last row),
ordered within a layer by their parents' positions, edges as curves coloured by the choice's quality.

Pure Python (no Flask, no database): the template turns the result into inline SVG.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from trainer.content.source import pick
from trainer.core.charts import wrap_label
from trainer.roleplay.scenarios import OUTCOMES, TECHNIQUES, Choice, Node, Scenario

BOX_W = 190
BOX_H = 64
GAP_X = 40
GAP_Y = 80
MARGIN = 30
FONT = 12


@dataclass(frozen=True)
class Box:
    id: str
    kind: str  # start / node / ending
    x: float
    y: float
    lines: tuple[str, ...]
    title: str
    outcome: str = ""
    w: float = BOX_W
    h: float = BOX_H


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    d: str
    quality: str
    conditional: bool
    backward: bool
    title: str
    label_x: float
    label_y: float
    label: str


def _layers(scenario: Scenario) -> dict[str, int]:
    depth = {scenario.start: 0}
    queue = deque([scenario.start])
    while queue:
        key = queue.popleft()
        node = scenario.nodes.get(key)
        if node is None:
            continue
        for choice in node.choices:
            if choice.next not in depth and choice.next in scenario.nodes:
                depth[choice.next] = depth[key] + 1
                queue.append(choice.next)
    last = max(depth.values(), default=0) + 1
    for key in scenario.nodes:
        depth.setdefault(key, last - 1)
    for key in scenario.endings:
        depth[key] = last
    return depth


def _rows(scenario: Scenario) -> dict[int, list[str]]:
    """Box ids by layer, each layer ordered by the mean position of its parents (fewer crossings)."""
    depth = _layers(scenario)
    rows: dict[int, list[str]] = {}
    for key in [*scenario.nodes, *scenario.endings]:
        rows.setdefault(depth[key], []).append(key)
    parents: dict[str, list[str]] = {}
    for node in scenario.nodes.values():
        for choice in node.choices:
            parents.setdefault(choice.next, []).append(node.id)
    position: dict[str, float] = {}

    def centre(key: str) -> float:
        xs = [position[p] for p in parents.get(key, []) if p in position]
        return sum(xs) / len(xs) if xs else float("inf")

    for level in sorted(rows):
        keys = rows[level]
        if level > 0:
            keys.sort(key=centre)
        for index, key in enumerate(keys):
            position[key] = index
    return rows


def _box(scenario: Scenario, key: str, x: float, y: float, lang: str) -> Box:
    """The box of one node (the customer's line) or ending (its outcome and text)."""
    if key in scenario.nodes:
        customer = pick(scenario.nodes[key].customer, lang)
        return Box(
            id=key,
            kind="start" if key == scenario.start else "node",
            x=x,
            y=y,
            lines=(key, *wrap_label(customer, (BOX_W - 16) / FONT, 2)),
            title=f"{key}: {customer}",
        )
    ending = scenario.endings[key]
    label = pick(OUTCOMES[ending.outcome], lang)
    return Box(
        id=key,
        kind="ending",
        x=x,
        y=y,
        lines=(label, *wrap_label(key, (BOX_W - 16) / FONT, 1), *wrap_label(pick(ending.text, lang), (BOX_W - 16) / FONT, 1)),
        title=f"{label} ({key}): {pick(ending.text, lang)}",
        outcome=ending.outcome,
    )


def _edge(node: Node, choice: Choice, source: Box, target: Box, lang: str) -> Edge:
    """A curve from the source's bottom (edges spread along it) to the target; loops go round the right."""
    sx = source.x + source.w * (choice.index + 1) / (len(node.choices) + 1)
    sy = source.y + source.h
    backward = target.y <= source.y
    if backward:
        # loop out to the right of the source and come into the target's right side
        tx, ty = target.x + target.w, target.y + target.h / 2
        bend = max(source.x + source.w, target.x + target.w) + GAP_X * 0.8
        d = f"M{sx:.1f},{sy:.1f} C{sx:.1f},{sy + GAP_Y / 2:.1f} {bend:.1f},{sy + GAP_Y / 2:.1f} {bend:.1f},{(sy + ty) / 2:.1f} S{tx + GAP_X / 2:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"
        lx, ly = bend, (sy + ty) / 2
    else:
        tx, ty = target.x + target.w / 2, target.y
        mid = (sy + ty) / 2
        d = f"M{sx:.1f},{sy:.1f} C{sx:.1f},{mid:.1f} {tx:.1f},{mid:.1f} {tx:.1f},{ty:.1f}"
        lx, ly = sx + (tx - sx) * 0.12, sy + (ty - sy) * 0.18
    text = f"{choice.index + 1}. {pick(choice.text, lang)} [{pick(TECHNIQUES[choice.technique], lang)}, {choice.quality}]"
    if choice.condition is not None:
        text += f" if {choice.condition.source}"
    return Edge(
        source=node.id,
        target=choice.next,
        d=d,
        quality=choice.quality,
        conditional=choice.condition is not None,
        backward=backward,
        title=text,
        label_x=lx,
        label_y=ly,
        label=str(choice.index + 1),
    )


def layout(scenario: Scenario, lang: str) -> dict[str, Any]:
    """Boxes and edges with coordinates, plus the drawing's size."""
    rows = _rows(scenario)
    widest = max(len(keys) for keys in rows.values())
    width = 2 * MARGIN + widest * BOX_W + (widest - 1) * GAP_X
    boxes: dict[str, Box] = {}
    for level, keys in rows.items():
        row_width = len(keys) * BOX_W + (len(keys) - 1) * GAP_X
        left = (width - row_width) / 2
        y = MARGIN + level * (BOX_H + GAP_Y)
        for index, key in enumerate(keys):
            boxes[key] = _box(scenario, key, left + index * (BOX_W + GAP_X), y, lang)
    edges = [
        _edge(node, choice, boxes[node.id], boxes[choice.next], lang)
        for node in scenario.nodes.values()
        for choice in node.choices
    ]
    height = MARGIN * 2 + (max(rows) + 1) * BOX_H + max(rows) * GAP_Y
    return {
        "width": round(width + GAP_X * 2),
        "height": round(height),
        "boxes": list(boxes.values()),
        "edges": edges,
        "font": FONT,
    }


def outline(scenario: Scenario, lang: str) -> list[dict[str, Any]]:
    """Every node with its choices and where they lead, as plain data for a nested list."""
    result = []
    for node in scenario.nodes.values():
        result.append(
            {
                "id": node.id,
                "start": node.id == scenario.start,
                "customer": pick(node.customer, lang),
                "choices": [
                    {
                        "number": c.index + 1,
                        "text": pick(c.text, lang),
                        "technique": pick(TECHNIQUES[c.technique], lang),
                        "quality": c.quality,
                        "condition": c.condition.source if c.condition is not None else None,
                        "effects": dict(c.effects),
                        "next": c.next,
                        "ending": pick(OUTCOMES[scenario.endings[c.next].outcome], lang)
                        if c.next in scenario.endings
                        else None,
                    }
                    for c in node.choices
                ],
            }
        )
    return result
