"""Category charts: a line per series, or bars with the series stacked."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from trainer.core.charts.base import (
    PALETTE,
    Chart,
    Formatter,
    Frame,
    Series,
    compact,
    describe,
    legend,
    legend_rows,
    nice_ticks,
    open_svg,
    series_table,
    x_labels,
    y_axis,
)


def line_chart(chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series], *,
               y_label: str = "", category_label: str = "", fmt: Formatter | None = None,
               table_fmt: Formatter | None = None, width: int = 640, height: int = 300,
               zero_based: bool = True) -> Chart:
    """One line per series over the categories (None leaves a gap)."""
    fmt = fmt or (lambda v: compact(v))
    values = [float(v) for s in series for v in s.values if v is not None]
    lo = min(values, default=0.0)
    hi = max(values, default=1.0)
    if zero_based:
        lo = min(0.0, lo)
    keys = [(s.label, s.color or PALETTE[i % len(PALETTE)], s.dashed) for i, s in enumerate(series)]
    top = 12 + 18 * legend_rows(keys, width, 64)
    frame = Frame(width, height, 64, 16, top + 6, 30, nice_ticks(lo, hi))
    n = len(categories)
    step = (frame.x1 - frame.x0) / max(1, n)
    centers = [frame.x0 + step * (i + 0.5) for i in range(n)]
    out = open_svg(chart_id, title, describe(title, categories, series, fmt), width, height)
    out += y_axis(frame, fmt, y_label)
    out += x_labels(frame, categories, centers)
    drawn = 0
    for i, s in enumerate(series):
        color = s.color or PALETTE[i % len(PALETTE)]
        parts: list[str] = []
        pen_down = False
        for x, v in zip(centers, s.values, strict=True):
            if v is None:
                pen_down = False
                continue
            parts.append(f'{"L" if pen_down else "M"}{x:.1f},{frame.y(float(v)):.1f}')
            pen_down = True
            drawn += 1
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(f'<path class="series" d="{" ".join(parts)}" fill="none" stroke="{color}" '
                   f'stroke-width="2.5" stroke-linejoin="round"{dash}/>')
        if n <= 40:
            for x, v, cat in zip(centers, s.values, categories, strict=True):
                if v is not None:
                    out.append(f'<circle cx="{x:.1f}" cy="{frame.y(float(v)):.1f}" r="3" fill="{color}">'
                               f'<title>{escape(s.label)} · {escape(cat)}: {escape(fmt(float(v)))}</title></circle>')
    out += legend(keys, 64, 16, width)
    out.append("</svg>")
    return Chart(chart_id, title, Markup("".join(out)),
                 series_table(title, category_label, categories, series, table_fmt or fmt), drawn)


def stacked_bar_chart(chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series], *,
                      y_label: str = "", category_label: str = "", fmt: Formatter | None = None,
                      table_fmt: Formatter | None = None, width: int = 640, height: int = 300,
                      palette: Sequence[str] = PALETTE) -> Chart:
    """Bars per category, the series stacked from the bottom up (negative values count as zero)."""
    fmt = fmt or (lambda v: compact(v))
    n = len(categories)
    totals = [sum(max(0.0, float(s.values[i] or 0.0)) for s in series) for i in range(n)]
    keys = [(s.label, s.color or palette[i % len(palette)], False) for i, s in enumerate(series)]
    top = 12 + 18 * legend_rows(keys, width, 64)
    frame = Frame(width, height, 64, 16, top + 6, 30, nice_ticks(0.0, max(totals, default=1.0) or 1.0))
    step = (frame.x1 - frame.x0) / max(1, n)
    bar = max(2.0, step * 0.7)
    centers = [frame.x0 + step * (i + 0.5) for i in range(n)]
    out = open_svg(chart_id, title, describe(title, categories, series, fmt), width, height)
    out += y_axis(frame, fmt, y_label)
    drawn = 0
    for i, cat in enumerate(categories):
        base = 0.0
        for j, s in enumerate(series):
            v = max(0.0, float(s.values[i] or 0.0))
            if v <= 0:
                continue
            y_top, y_bottom = frame.y(base + v), frame.y(base)
            color = s.color or palette[j % len(palette)]
            out.append(f'<rect x="{centers[i] - bar / 2:.1f}" y="{y_top:.1f}" width="{bar:.1f}" '
                       f'height="{max(0.5, y_bottom - y_top):.1f}" fill="{color}">'
                       f'<title>{escape(cat)} · {escape(s.label)}: {escape(fmt(v))}</title></rect>')
            base += v
            drawn += 1
    out += x_labels(frame, categories, centers)
    out += legend(keys, 64, 16, width)
    out.append("</svg>")
    return Chart(chart_id, title, Markup("".join(out)),
                 series_table(title, category_label, categories, series, table_fmt or fmt), drawn)

