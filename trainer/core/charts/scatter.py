"""Scatter chart: groups of points on two value axes, a group optionally joined by a line (an
efficient frontier), each group with its own marker so it reads without colour too."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from trainer.core.charts.base import (
    FONT,
    Chart,
    Formatter,
    Frame,
    Table,
    compact,
    legend,
    legend_rows,
    nice_ticks,
    open_svg,
    scale,
    y_axis,
)
from trainer.core.charts.labels import text_width

MARKERS = ("circle", "diamond", "star", "square")


@dataclass(frozen=True)
class ScatterPoint:
    """One point; ``label`` names it in the table, ``extra`` fills the table's further columns."""

    x: float
    y: float
    label: str
    extra: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScatterGroup:
    """Points drawn alike: ``marker`` one of :data:`MARKERS`; ``line`` joins them in x order."""

    label: str
    points: Sequence[ScatterPoint]
    color: str
    marker: str = "circle"
    line: bool = False
    size: float = 5.0
    table: bool = True
    notes: Sequence[str] = field(default_factory=tuple)  # a tooltip per point (default: label, x, y)


def _marker(kind: str, x: float, y: float, r: float, color: str, note: str) -> str:
    title = f"<title>{escape(note)}</title>"
    stroke = f'fill="{color}" stroke="#ffffff" stroke-width="1.5"'
    if kind == "diamond":
        pts = f"{x:.1f},{y - r * 1.3:.1f} {x + r * 1.3:.1f},{y:.1f} {x:.1f},{y + r * 1.3:.1f} {x - r * 1.3:.1f},{y:.1f}"
        return f'<polygon class="marker" points="{pts}" {stroke}>{title}</polygon>'
    if kind == "square":
        return f'<rect class="marker" x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" {stroke}>{title}</rect>'
    if kind == "star":
        corners = []
        for k in range(10):
            radius = r * 1.6 if k % 2 == 0 else r * 0.7
            angle = math.pi / 2 + k * math.pi / 5
            corners.append(f"{x + radius * math.cos(angle):.1f},{y - radius * math.sin(angle):.1f}")
        return f'<polygon class="marker" points="{" ".join(corners)}" {stroke}>{title}</polygon>'
    return f'<circle class="marker" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {stroke}>{title}</circle>'


def scatter_chart(chart_id: str, title: str, groups: Sequence[ScatterGroup], *, x_label: str, y_label: str,
                  x_fmt: Formatter | None = None, y_fmt: Formatter | None = None,
                  columns: Sequence[str] = (), width: int = 440, height: int = 320,
                  font_size: int = FONT) -> Chart:
    """Every group's points on x/y axes with round ticks (zero included when near), a legend below,
    the axis names, and a data table of the points (``columns``: name, x, y and the extras)."""
    x_fmt = x_fmt or (lambda v: compact(v))
    y_fmt = y_fmt or (lambda v: compact(v))
    points = [p for g in groups for p in g.points]
    xs, ys = [p.x for p in points] or [0.0], [p.y for p in points] or [0.0]
    x_ticks = nice_ticks(min(0.0, min(xs)), max(xs), 4)
    y_lo, y_hi = min(ys), max(ys)
    pad = (y_hi - y_lo) * 0.08 or abs(y_hi) * 0.1 or 1.0
    y_ticks = nice_ticks(y_lo - pad if y_lo - pad > 0 or y_lo < 0 else 0.0, y_hi + pad, 4)
    items = [(g.label, g.color, False) for g in groups]
    left = 22 + math.ceil(font_size * max(text_width(y_fmt(t)) for t in y_ticks))
    rows = legend_rows(items, width, left)
    frame = Frame(width, height, left, 12, 10, 2 * font_size + 16 + 18 * rows, y_ticks)
    x_of = scale(x_ticks[0], x_ticks[-1], frame.x0, frame.x1)
    described = "; ".join(f"{p.label}: {x_fmt(p.x)}, {y_fmt(p.y)}" for p in points)
    out = open_svg(chart_id, title, f"{title}. {described}", width, height, font_size=font_size)
    out += y_axis(frame, y_fmt, y_label)
    out.append('<g class="grid">')
    for t in x_ticks:
        out.append(f'<line x1="{x_of(t):.1f}" x2="{x_of(t):.1f}" y1="{frame.y0}" y2="{frame.y1}" stroke="#eef2f3"/>')
        out.append(f'<text x="{x_of(t):.1f}" y="{frame.y1 + font_size + 4}" text-anchor="middle" fill="#5b6b73">'
                   f'{escape(x_fmt(t))}</text>')
    out.append("</g>")
    out.append(f'<line x1="{frame.x0}" x2="{frame.x1}" y1="{frame.y1}" y2="{frame.y1}" stroke="#8a9aa1"/>')
    out.append(f'<text class="axis-label" x="{(frame.x0 + frame.x1) / 2:.1f}" y="{frame.y1 + 2 * font_size + 8}" '
               f'text-anchor="middle" fill="#5b6b73">{escape(x_label)}</text>')
    for g in groups:
        placed = sorted(((x_of(p.x), frame.y(p.y), p) for p in g.points), key=lambda q: q[0]) if g.line else \
            [(x_of(p.x), frame.y(p.y), p) for p in g.points]
        if g.line and len(placed) > 1:
            out.append(f'<polyline class="series" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y, _ in placed)}" '
                       f'fill="none" stroke="{g.color}" stroke-width="2" stroke-opacity="0.6"/>')
    for g in groups:
        notes = list(g.notes) or [f"{p.label}: {x_fmt(p.x)}, {y_fmt(p.y)}" for p in g.points]
        for p, note in zip(g.points, notes, strict=True):
            out.append(_marker(g.marker, x_of(p.x), frame.y(p.y), g.size, g.color, note))
    out += legend(items, frame.x0, height - 8 - 18 * (rows - 1), width)
    out.append("</svg>")
    heads = list(columns) or ["", x_label, y_label]
    table_rows = [[p.label, x_fmt(p.x), y_fmt(p.y), *p.extra] for g in groups if g.table for p in g.points]
    return Chart(chart_id, title, Markup("".join(out)), Table(title, heads, table_rows), len(points))
