"""Waterfall chart: from a starting total, each step's gain or loss, to the resulting total (the policy
lab's margin-to-value bridge). Horizontal rows, so long labels in either language stay readable on a
phone: the label on the left, the step's bar floating between the running totals before and after it."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from trainer.core.charts.base import FONT, Chart, Formatter, Table, compact, nice_ticks, open_svg, scale
from trainer.core.charts.labels import wrap_label

TOTAL_COLOR = "#0072B2"
GAIN_COLOR = "#009E73"
LOSS_COLOR = "#D55E00"


def waterfall_chart(chart_id: str, title: str, start: tuple[str, float], steps: Sequence[tuple[str, float]],
                    end_label: str, *, fmt: Formatter | None = None, columns: tuple[str, str, str] = ("", "", ""),
                    width: int = 640, row_height: int = 30, label_width: int = 190) -> Chart:
    """``start`` (label, total), then (label, change) steps, then the resulting total named ``end_label``."""
    fmt = fmt or (lambda v: compact(v))
    rows: list[tuple[str, float, float, str]] = [(start[0], 0.0, start[1], TOTAL_COLOR)]  # label, from, to, colour
    total = start[1]
    for label, change in steps:
        rows.append((label, total, total + change, GAIN_COLOR if change >= 0 else LOSS_COLOR))
        total += change
    rows.append((end_label, 0.0, total, TOTAL_COLOR if total >= 0 else LOSS_COLOR))
    ends = [v for _, a, b, _ in rows for v in (a, b)]
    ticks = nice_ticks(min([0.0, *ends]), max([0.0, *ends]), 4)
    x = scale(ticks[0], ticks[-1], label_width, width - 64)
    top, bottom = 8, 8 + row_height * len(rows)
    height = bottom + 24
    desc = "; ".join(f"{label}: {fmt(b - a) if i and i < len(rows) - 1 else fmt(b)}"
                     for i, (label, a, b, _) in enumerate(rows))
    out = open_svg(chart_id, title, f"{title}. {desc}", width, height)
    out.append('<g class="grid">')
    for tick in ticks:
        stroke = "#8a9aa1" if tick == 0 else "#e1e7e9"
        out.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{top}" y2="{bottom}" stroke="{stroke}"/>')
        out.append(f'<text x="{x(tick):.1f}" y="{bottom + 16}" text-anchor="middle" fill="#5b6b73">'
                   f'{escape(fmt(tick))}</text>')
    out.append("</g>")
    for i, (label, a, b, color) in enumerate(rows):
        cy = top + row_height * i + row_height / 2
        lines = wrap_label(label, (label_width - 14) / FONT, 2)
        weight = ' font-weight="bold"' if i in (0, len(rows) - 1) else ""
        out.append(f'<text x="{label_width - 10}" y="{cy + 4 - 7 * (len(lines) - 1):.1f}" text-anchor="end" '
                   f'fill="#1d2a30"{weight}>' + "".join(f'<tspan x="{label_width - 10}" dy="{14 if k else 0}">'
                                                        f'{escape(line)}</tspan>' for k, line in enumerate(lines))
                   + "</text>")
        left, right = sorted((x(a), x(b)))
        value = b if i in (0, len(rows) - 1) else b - a
        text = fmt(value) if i in (0, len(rows) - 1) else ("+" if value >= 0 else "−") + fmt(abs(value))
        out.append(f'<rect class="step" x="{left:.1f}" y="{cy - 9:.1f}" width="{max(1.5, right - left):.1f}" '
                   f'height="18" rx="2" fill="{color}"><title>{escape(label)}: {escape(text)}</title></rect>')
        if 0 < i < len(rows) - 1:  # the connector from the previous running total
            out.append(f'<line x1="{x(a):.1f}" x2="{x(a):.1f}" y1="{cy - row_height + 9:.1f}" y2="{cy - 9:.1f}" '
                       'stroke="#8a9aa1" stroke-dasharray="2 2"/>')
        out.append(f'<text x="{right + 4:.1f}" y="{cy + 4:.1f}" fill="#1d2a30">{escape(text)}</text>')
    out.append("</svg>")
    running = [b for _, _, b, _ in rows]
    table_rows = [[rows[0][0], fmt(start[1]), fmt(start[1])]]
    table_rows += [[label, ("+" if ch >= 0 else "−") + fmt(abs(ch)), fmt(running[i + 1])]
                   for i, (label, ch) in enumerate(steps)]
    table_rows.append([end_label, fmt(total), fmt(total)])
    return Chart(chart_id, title, Markup("".join(out)), Table(title, list(columns), table_rows), len(rows))
