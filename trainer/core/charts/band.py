"""Band (interval) chart: the 10-90 % range of each row with its median, as replications give."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from trainer.core.charts.base import (
    FONT,
    PALETTE,
    Band,
    Chart,
    Formatter,
    Table,
    compact,
    nice_ticks,
    open_svg,
    scale,
)
from trainer.core.charts.labels import wrap_label


def band_chart(chart_id: str, title: str, bands: Sequence[Band], *, fmt: Formatter | None = None,
               columns: tuple[str, str, str, str] = ("", "10 %", "50 %", "90 %"), width: int = 640,
               row_height: int = 34) -> Chart:
    """Horizontal 10-90 % intervals with the median marked, one row per band, zero shown."""
    fmt = fmt or (lambda v: compact(v))
    label_w = 170
    height = 30 + row_height * max(1, len(bands)) + 26
    lo = min([0.0] + [b.low for b in bands])
    hi = max([0.0] + [b.high for b in bands])
    ticks = nice_ticks(lo, hi, 5)
    x = scale(ticks[0], ticks[-1], label_w, width - 20)

    desc = "; ".join(f"{b.label}: {fmt(b.low)} – {fmt(b.mid)} – {fmt(b.high)}" for b in bands)
    out = open_svg(chart_id, title, f"{title}. {desc}", width, height)
    bottom = 30 + row_height * max(1, len(bands))
    out.append('<g class="grid">')
    for tick in ticks:
        stroke = "#8a9aa1" if tick == 0 else "#e1e7e9"
        out.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="20" y2="{bottom}" stroke="{stroke}"/>')
        out.append(f'<text x="{x(tick):.1f}" y="{bottom + 16}" text-anchor="middle" fill="#5b6b73">'
                   f'{escape(fmt(tick))}</text>')
    out.append("</g>")
    drawn = 0
    for i, b in enumerate(bands):
        color = b.color or PALETTE[i % len(PALETTE)]
        cy = 30 + row_height * i + row_height / 2
        lines = wrap_label(b.label, (label_w - 14) / FONT, 2)
        out.append(f'<text x="{label_w - 10}" y="{cy + 4 - 7 * (len(lines) - 1):.1f}" text-anchor="end" '
                   f'fill="#1d2a30">' + "".join(f'<tspan x="{label_w - 10}" dy="{14 if k else 0}">{escape(line)}'
                                                '</tspan>' for k, line in enumerate(lines)) + "</text>")
        left, right = x(b.low), x(b.high)
        out.append(f'<rect class="band" x="{left:.1f}" y="{cy - 8:.1f}" width="{max(2.0, right - left):.1f}" '
                   f'height="16" rx="3" fill="{color}" fill-opacity="0.3" stroke="{color}">'
                   f'<title>{escape(b.label)}: {escape(fmt(b.low))} – {escape(fmt(b.high))}</title></rect>')
        out.append(f'<line class="median" x1="{x(b.mid):.1f}" x2="{x(b.mid):.1f}" y1="{cy - 11:.1f}" '
                   f'y2="{cy + 11:.1f}" stroke="{color}" stroke-width="3"/>')
        drawn += 1
    out.append("</svg>")
    table = Table(title, list(columns), [[b.label, fmt(b.low), fmt(b.mid), fmt(b.high)] for b in bands])
    return Chart(chart_id, title, Markup("".join(out)), table, drawn)

