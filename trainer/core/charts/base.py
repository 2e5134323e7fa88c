"""What every chart shares: the palettes, the data classes (series, bands, tables, the chart itself),
number formatting, ticks, the plot frame, axes, legends, the data table and the screen-reader summary."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from trainer.core.charts.labels import text_width, wrap_label

#: Okabe-Ito: distinguishable with the common colour-vision deficiencies
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
#: aging buckets from current (green) to over 90 days (red)
AGING_PALETTE = ("#2e7d32", "#8bc34a", "#f2c14e", "#ef8a3c", "#c62828")

Formatter = Callable[[float], str]
FONT = 12  # the charts' font-size in px (the <svg> sets it)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    color: str | None = None
    dashed: bool = False


@dataclass(frozen=True)
class Band:
    """One row of a band chart: the 10th percentile, the median and the 90th percentile."""

    label: str
    low: float
    mid: float
    high: float
    color: str | None = None


@dataclass(frozen=True)
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: Markup
    table: Table
    points: int = field(default=0)  # drawn data points (tests and the benchmark read it)


def compact(value: float, lang: str = "en", digits: int = 3) -> str:
    """Short axis labels: 12.3k / 4.5M (en), 1.2万 / 3.4亿 (zh)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    sign = "-" if value < 0 else ""
    v = abs(value)
    steps = ((1e8, "亿"), (1e4, "万")) if lang == "zh" else ((1e9, "B"), (1e6, "M"), (1e3, "k"))
    for size, suffix in steps:
        if v >= size:
            return sign + _trim(f"{v / size:.{max(0, digits - len(str(int(v // size))))}f}") + suffix
    if v >= 100 or v == int(v):
        return sign + f"{v:,.0f}"
    return sign + _trim(f"{v:.2f}")


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5, 5 × 10^k) covering ``low``..``high``."""
    if not math.isfinite(low) or not math.isfinite(high):
        low, high = 0.0, 1.0
    if high < low:
        low, high = high, low
    if high == low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


class Frame:
    """Plot geometry: a value range mapped onto the plot area inside the margins."""

    def __init__(self, width: int, height: int, left: int, right: int, top: int, bottom: int,
                 ticks: list[float]) -> None:
        self.width, self.height = width, height
        self.x0, self.x1 = left, width - right
        self.y0, self.y1 = top, height - bottom
        self.ticks = ticks
        self.lo, self.hi = ticks[0], ticks[-1]

    def y(self, value: float) -> float:
        span = (self.hi - self.lo) or 1.0
        return self.y1 - (value - self.lo) / span * (self.y1 - self.y0)


def open_svg(chart_id: str, title: str, description: str, width: int, height: int, *,
              css_class: str = "chart", font_size: int = FONT, fixed: bool = False) -> list[str]:
    size = f'width="{width}" height="{height}" ' if fixed else ""
    return [
        f'<svg class="{escape(css_class)}" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" {size}role="img" '
        f'aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="inherit" font-size="{font_size}">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(description)}</desc>',
    ]


def scale(lo: float, hi: float, a: float, b: float) -> Callable[[float], float]:
    """Map lo..hi onto a..b (values outside are clamped; an empty range maps to the middle)."""
    if hi <= lo:
        return lambda _value: (a + b) / 2
    return lambda value: a + (min(hi, max(lo, value)) - lo) / (hi - lo) * (b - a)


def y_axis(frame: Frame, fmt: Formatter, y_label: str) -> list[str]:
    out = ['<g class="grid">']
    for tick in frame.ticks:
        y = frame.y(tick)
        stroke = "#8a9aa1" if tick == 0 else "#e1e7e9"
        out.append(f'<line x1="{frame.x0}" x2="{frame.x1}" y1="{y:.1f}" y2="{y:.1f}" stroke="{stroke}"/>')
        out.append(f'<text x="{frame.x0 - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#5b6b73">'
                   f'{escape(fmt(tick))}</text>')
    out.append("</g>")
    if y_label:
        cy = (frame.y0 + frame.y1) / 2
        out.append(f'<text class="axis-label" x="14" y="{cy:.1f}" text-anchor="middle" fill="#5b6b73" '
                   f'transform="rotate(-90 14 {cy:.1f})">{escape(y_label)}</text>')
    out.append(f'<line x1="{frame.x0}" x2="{frame.x0}" y1="{frame.y0}" y2="{frame.y1}" stroke="#8a9aa1"/>')
    return out


def x_labels(frame: Frame, categories: Sequence[str], centers: list[float]) -> list[str]:
    if not categories:
        return []
    every = max(1, math.ceil(len(categories) / max(1, (frame.x1 - frame.x0) // 46)))
    room = every * (frame.x1 - frame.x0) / len(categories) / FONT - 0.5  # em between shown labels
    out = ['<g class="x-labels">']
    for i, (label, x) in enumerate(zip(categories, centers, strict=True)):
        if i % every:
            continue
        text = (wrap_label(label, room, 1) or ("",))[0]
        out.append(f'<text x="{x:.1f}" y="{frame.y1 + 16}" text-anchor="middle" fill="#5b6b73">{escape(text)}</text>')
    out.append("</g>")
    out.append(f'<line x1="{frame.x0}" x2="{frame.x1}" y1="{frame.y1}" y2="{frame.y1}" stroke="#8a9aa1"/>')
    return out


def legend_layout(items: list[tuple[str, str, bool]], x: int, y: int,
                   width: int) -> list[tuple[int, int, str, str, bool]]:
    """Where each legend entry goes in a row that wraps; a label too long for a row is cut with …."""
    placed = []
    cx, cy = x, y
    for label, color, dashed in items:
        text = (wrap_label(label, (width - x - 19) / FONT, 1) or ("",))[0]
        w = 22 + math.ceil(FONT * text_width(text))
        if cx + w > width and cx > x:
            cx, cy = x, cy + 18
        placed.append((cx, cy, text, color, dashed))
        cx += w + 12
    return placed


def legend(items: list[tuple[str, str, bool]], x: int, y: int, width: int) -> list[str]:
    """Legend swatches in a row that wraps: (label, colour, dashed line?)."""
    out = ['<g class="legend">']
    for cx, cy, label, color, dashed in legend_layout(items, x, y, width):
        if dashed:
            out.append(f'<line x1="{cx}" x2="{cx + 14}" y1="{cy - 4}" y2="{cy - 4}" stroke="{color}" '
                       'stroke-width="2.5" stroke-dasharray="4 3"/>')
        else:
            out.append(f'<rect x="{cx}" y="{cy - 10}" width="14" height="10" rx="2" fill="{color}"/>')
        out.append(f'<text x="{cx + 19}" y="{cy}" fill="#1d2a30">{escape(label)}</text>')
    out.append("</g>")
    return out


def legend_rows(items: list[tuple[str, str, bool]], width: int, left: int) -> int:
    return max(1, len({cy for _, cy, *_ in legend_layout(items, left, 0, width)}))


def series_table(caption: str, first: str, categories: Sequence[str], series: Sequence[Series],
           fmt: Formatter) -> Table:
    rows = [[cat] + [("–" if s.values[i] is None else fmt(float(s.values[i] or 0.0))) for s in series]
            for i, cat in enumerate(categories)]
    return Table(caption, [first] + [s.label for s in series], rows)


def describe(title: str, categories: Sequence[str], series: Sequence[Series], fmt: Formatter) -> str:
    """A one-sentence summary for screen readers: each series' first, last, lowest and highest value."""
    parts = []
    for s in series:
        vals = [(c, float(v)) for c, v in zip(categories, s.values, strict=True) if v is not None]
        if not vals:
            continue
        low = min(vals, key=lambda cv: cv[1])
        high = max(vals, key=lambda cv: cv[1])
        parts.append(f"{s.label}: {vals[0][0]} {fmt(vals[0][1])} → {vals[-1][0]} {fmt(vals[-1][1])}, "
                     f"min {fmt(low[1])} ({low[0]}), max {fmt(high[1])} ({high[0]})")
    return f"{title}. " + "; ".join(parts)
