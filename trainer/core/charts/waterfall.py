"""Waterfall chart: from a starting total, each step's gain or loss, to the resulting total (the policy
lab's margin-to-value bridge).

One row per step, its label on a line of its own above a bar that floats between the running totals
before and after the step, so the chart can stay narrow (a phone shows it at nearly full size) and
long labels in either language keep the whole width."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from trainer.core.charts.base import FONT, Chart, Formatter, Table, compact, nice_ticks, open_svg, scale
from trainer.core.charts.labels import text_width, wrap_label

TOTAL_COLOR = "#0072B2"
GAIN_COLOR = "#009E73"
LOSS_COLOR = "#D55E00"
_PAD = 8
_BAR = 14
#: a white halo under text, so gridlines never cross a label
_HALO = 'stroke="#ffffff" stroke-width="3" paint-order="stroke"'


def waterfall_chart(chart_id: str, title: str, start: tuple[str, float], steps: Sequence[tuple[str, float]],
                    end_label: str, *, fmt: Formatter | None = None, columns: tuple[str, str, str] = ("", "", ""),
                    width: int = 360) -> Chart:
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
    x = scale(ticks[0], ticks[-1], _PAD + 4, width - _PAD - 4)
    labels = [wrap_label(label, (width - 2 * _PAD) / FONT, 2) for label, *_ in rows]
    tops = [6]
    for lines in labels:
        tops.append(tops[-1] + 14 * len(lines) + _BAR + 10)
    bottom = tops[-1]
    desc = "; ".join(f"{label}: {_signed(b - a, fmt) if 0 < i < len(rows) - 1 else fmt(b)}"
                     for i, (label, a, b, _) in enumerate(rows))
    out = open_svg(chart_id, title, f"{title}. {desc}", width, bottom + 20)
    out.append('<g class="grid">')
    for tick in ticks:
        stroke = "#8a9aa1" if tick == 0 else "#e1e7e9"
        anchor = "start" if tick == ticks[0] else "end" if tick == ticks[-1] else "middle"
        out.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="4" y2="{bottom}" stroke="{stroke}"/>')
        out.append(f'<text x="{x(tick):.1f}" y="{bottom + 14}" text-anchor="{anchor}" fill="#5b6b73">'
                   f'{escape(fmt(tick))}</text>')
    out.append("</g>")
    for i, ((label, a, b, color), lines) in enumerate(zip(rows, labels, strict=True)):
        out += _row(i == 0 or i == len(rows) - 1, label, lines, (x(a), x(b)), b if i in (0, len(rows) - 1)
                    else b - a, color, tops[i], width, fmt, connect=x(a) if 0 < i < len(rows) - 1 else None)
    out.append("</svg>")
    running = [b for _, _, b, _ in rows]
    table_rows = [[rows[0][0], fmt(start[1]), fmt(start[1])]]
    table_rows += [[label, _signed(ch, fmt), fmt(running[i + 1])] for i, (label, ch) in enumerate(steps)]
    table_rows.append([end_label, fmt(total), fmt(total)])
    return Chart(chart_id, title, Markup("".join(out)), Table(title, list(columns), table_rows), len(rows))


def _signed(value: float, fmt: Formatter) -> str:
    return ("+" if value >= 0 else "−") + fmt(abs(value))


def _row(total: bool, label: str, lines: tuple[str, ...], span: tuple[float, float], value: float, color: str,
         top: float, width: int, fmt: Formatter, connect: float | None) -> list[str]:
    """One step: its label, its bar, its amount (beside the bar, or inside it when there is no room)."""
    weight = ' font-weight="bold"' if total else ""
    out = [f'<text x="{_PAD}" y="{top + 12}" fill="#1d2a30" {_HALO}{weight}>'
           + "".join(f'<tspan x="{_PAD}" dy="{14 if k else 0}">{escape(line)}</tspan>' for k, line in enumerate(lines))
           + "</text>"]
    y = top + 14 * len(lines) + 2
    left, right = sorted(span)
    text = fmt(value) if total else _signed(value, fmt)
    out.append(f'<rect class="step" x="{left:.1f}" y="{y:.1f}" width="{max(1.5, right - left):.1f}" height="{_BAR}" '
               f'rx="2" fill="{color}"><title>{escape(label)}: {escape(text)}</title></rect>')
    if connect is not None:  # from the previous running total down to this bar
        out.append(f'<line x1="{connect:.1f}" x2="{connect:.1f}" y1="{top - 8:.1f}" y2="{y:.1f}" stroke="#8a9aa1" '
                   'stroke-dasharray="2 2"/>')
    room = FONT * text_width(text) + 6
    if right + room <= width - _PAD:
        out.append(f'<text x="{right + 4:.1f}" y="{y + 11:.1f}" fill="#1d2a30" {_HALO}>{escape(text)}</text>')
    elif left - room >= _PAD:
        out.append(f'<text x="{left - 4:.1f}" y="{y + 11:.1f}" text-anchor="end" fill="#1d2a30" {_HALO}>'
                   f'{escape(text)}</text>')
    else:
        out.append(f'<text x="{right - 4:.1f}" y="{y + 11:.1f}" text-anchor="end" fill="#ffffff">{escape(text)}</text>')
    return out
