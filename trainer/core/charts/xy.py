"""x/y chart: one line through points on a continuous axis (time, steps), with a marked date."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from trainer.core.charts.base import FONT, Chart, Formatter, Frame, Table, compact, open_svg, scale, y_axis
from trainer.core.charts.labels import text_width


@dataclass(frozen=True)
class Point:
    """A point on a continuous x axis (time in seconds, say): ``label`` names it in the table and the
    description, ``note`` is its tooltip, ``color`` gives it a dot."""

    x: float
    y: float
    label: str = ""
    note: str = ""
    color: str | None = None


@dataclass(frozen=True)
class Mark:
    """A dashed vertical line across the plot, labelled above it (a due date)."""

    x: float
    label: str
    color: str = "#c62828"


def xy_chart(chart_id: str, title: str, points: Sequence[Point], *, x_range: tuple[float, float],
             x_ticks: Sequence[tuple[float, str]] = (), y_ticks: Sequence[float] = (0, 25, 50, 75, 100),
             fmt: Formatter | None = None, columns: tuple[str, str] = ("", ""), step: bool = False,
             mark: Mark | None = None, color: str = "#147a80", width: int = 640, height: int = 240,
             font_size: int = FONT, css_class: str = "chart", fixed: bool = False) -> Chart:
    """One line through points on a continuous x axis (``step``: level until the next point, as a
    running count is), with their dots, labelled x values and a marked one; y spans ``y_ticks``."""
    fmt = fmt or (lambda v: compact(v))
    left = 8 + math.ceil(font_size * max((text_width(fmt(t)) for t in y_ticks), default=1.0))
    top = font_size // 2 + 4 + (font_size + 6 if mark else 0)
    bottom = font_size // 2 + 4 + (font_size + 6 if x_ticks else 0)
    frame = Frame(width, height, left, 8, top, bottom, sorted(y_ticks))
    x_of = scale(*x_range, frame.x0, frame.x1)
    labelled = [p for p in points if p.label]
    out = open_svg(chart_id, title, f"{title}. " + "; ".join(f"{p.label}: {fmt(p.y)}" for p in labelled),
                    width, height, css_class=css_class, font_size=font_size, fixed=fixed)
    out += y_axis(frame, fmt, "")
    xy = [(x_of(p.x), frame.y(min(frame.hi, max(frame.lo, p.y)))) for p in points]
    line = [q for i, (x, y) in enumerate(xy) for q in ([(x, xy[i - 1][1])] if step and i else []) + [(x, y)]]
    out.append(f'<polyline class="series" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in line)}" '
               f'fill="none" stroke="{color}" stroke-width="2" stroke-linejoin="round"/>')
    out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{4 if font_size > 10 else 3}" fill="{p.color}">'
            f'<title>{escape(p.note or f"{p.label}: {fmt(p.y)}")}</title></circle>'
            for p, (x, y) in zip(points, xy, strict=True) if p.color]
    for value, text in x_ticks:
        anchor = ("middle" if x_range[1] <= x_range[0] else "start" if value <= x_range[0]
                  else "end" if value >= x_range[1] else "middle")
        out.append(f'<text x="{x_of(value):.1f}" y="{frame.y1 + font_size + 4}" text-anchor="{anchor}" '
                   f'fill="#5b6b73">{escape(text)}</text>')
    if mark is not None:
        mx = x_of(mark.x)
        anchor = "end" if mx > frame.x1 - 2 * font_size else "middle"
        out.append(f'<line class="mark" x1="{mx:.1f}" x2="{mx:.1f}" y1="{frame.y0 - 5}" y2="{frame.y1}" '
                   f'stroke="{mark.color}" stroke-width="1.5" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{mx:.1f}" y="{frame.y0 - 8}" text-anchor="{anchor}" fill="{mark.color}">'
                   f'{escape(mark.label)}</text>')
    out.append("</svg>")
    table = Table(title, list(columns), [[p.label, fmt(p.y)] for p in labelled])
    return Chart(chart_id, title, Markup("".join(out)), table, len(points))

