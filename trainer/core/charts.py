"""Server-rendered SVG charts, the one chart module of the app: line, stacked bar, band (interval)
and x/y (time or step) charts, plus the label wrapper every SVG drawing uses (the radar, the
scenario graph).

Pure functions of already-translated labels and numbers (no Flask): each returns a :class:`Chart`
holding the ``<svg>`` (axes, gridlines, legend, labels) and the same numbers as a data table, which
the template puts right after the chart for screen readers and for anyone who wants the figures.
Colours are presentation attributes, not inline styles, so the strict CSP allows them.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

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


# Labels: widths in em and wrapping (English at spaces, Chinese between characters) -------------

#: no line starts with these (they stay with the character before) ...
_CLOSING = set("，。、；：！？）》」』】”’,.;:!?)")
#: ... and no line ends with these (they go with the character after)
_OPENING = set("（《「『【“‘(")
_NARROW = set("fijlrtI!'()*,-./:;[]|` ")
_BROAD = set("mwMW@%")


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def text_width(text: str) -> float:
    """Approximate width in em of a proportional sans-serif: CJK and other wide characters 1,
    narrow Latin letters and punctuation 0.3, m and w 0.85, capitals 0.65, the rest 0.55."""
    return sum(1.0 if _wide(ch) else 0.3 if ch in _NARROW else 0.85 if ch in _BROAD
               else 0.65 if ch.isupper() else 0.55 for ch in text)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Unbreakable pieces with "a space before?": English words, single Chinese characters (with
    their punctuation attached) and bracketed asides such as ``（账龄与指标）`` or ``(aging and KPIs)``."""
    tokens: list[tuple[str, bool]] = []
    space, i, text = False, 0, " ".join(text.split())
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            space, i = True, i + 1
            continue
        end = i + 1
        if ch in "（(" and (close := text.find("）" if ch == "（" else ")", i)) > 0:
            end = close + 1  # an aside stays together on a line of its own if it fits (see _fit)
        elif not _wide(ch):
            while end < len(text) and not text[end].isspace() and not _wide(text[end]):
                end += 1
        piece = text[i:end]
        if tokens and not space and (piece[0] in _CLOSING or tokens[-1][0][-1] in _OPENING):
            tokens[-1] = (tokens[-1][0] + piece, tokens[-1][1])
        else:
            tokens.append((piece, space))
        space, i = False, end
    return tokens


def _fit(tokens: list[tuple[str, bool]], width_em: float) -> list[tuple[str, bool]]:
    """Tokens wider than a line, cut into pieces that fit (a long word, a long aside)."""
    out: list[tuple[str, bool]] = []
    for token, space in tokens:
        if " " in token and text_width(token) > width_em:  # an aside too wide: its words, then
            out += _fit([(word, space or k > 0) for k, word in enumerate(token.split())], width_em)
            continue
        piece = ""
        for ch in token:
            if piece and text_width(piece + ch) > width_em:
                out.append((piece, space))
                piece, space = "", False
            piece += ch
        out.append((piece, space))
    return out


def wrap_label(text: str, width_em: float, lines: int = 3) -> tuple[str, ...]:
    """Break ``text`` into at most ``lines`` lines of ``width_em`` em: English at spaces, Chinese
    between characters (punctuation never starts a line); the last line ends with … if cut."""
    rows: list[list[tuple[str, bool]]] = []
    for token, space in _fit(_tokens(text), width_em):
        row = rows[-1] if rows else None
        if row is not None and text_width(_join([*row, (token, space)])) <= width_em:
            row.append((token, space))
        else:
            rows.append([(token, space)])
    if len(rows) <= lines:
        return tuple(_join(row) for row in rows)
    last = _join([t for row in rows[lines - 1:] for t in row])
    while last and text_width(last + "…") > width_em:
        last = last[:-1]
    return (*(_join(row) for row in rows[: lines - 1]), last.rstrip() + "…")


def _join(row: list[tuple[str, bool]]) -> str:
    return "".join((" " if space and i else "") + token for i, (token, space) in enumerate(row))


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


class _Frame:
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


def _open_svg(chart_id: str, title: str, description: str, width: int, height: int, *,
              css_class: str = "chart", font_size: int = FONT, fixed: bool = False) -> list[str]:
    size = f'width="{width}" height="{height}" ' if fixed else ""
    return [
        f'<svg class="{escape(css_class)}" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" {size}role="img" '
        f'aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="inherit" font-size="{font_size}">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(description)}</desc>',
    ]


def _scale(lo: float, hi: float, a: float, b: float) -> Callable[[float], float]:
    """Map lo..hi onto a..b (values outside are clamped; an empty range maps to the middle)."""
    if hi <= lo:
        return lambda _value: (a + b) / 2
    return lambda value: a + (min(hi, max(lo, value)) - lo) / (hi - lo) * (b - a)


def _y_axis(frame: _Frame, fmt: Formatter, y_label: str) -> list[str]:
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


def _x_labels(frame: _Frame, categories: Sequence[str], centers: list[float]) -> list[str]:
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


def _legend_layout(items: list[tuple[str, str, bool]], x: int, y: int,
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


def _legend(items: list[tuple[str, str, bool]], x: int, y: int, width: int) -> list[str]:
    """Legend swatches in a row that wraps: (label, colour, dashed line?)."""
    out = ['<g class="legend">']
    for cx, cy, label, color, dashed in _legend_layout(items, x, y, width):
        if dashed:
            out.append(f'<line x1="{cx}" x2="{cx + 14}" y1="{cy - 4}" y2="{cy - 4}" stroke="{color}" '
                       'stroke-width="2.5" stroke-dasharray="4 3"/>')
        else:
            out.append(f'<rect x="{cx}" y="{cy - 10}" width="14" height="10" rx="2" fill="{color}"/>')
        out.append(f'<text x="{cx + 19}" y="{cy}" fill="#1d2a30">{escape(label)}</text>')
    out.append("</g>")
    return out


def _legend_rows(items: list[tuple[str, str, bool]], width: int, left: int) -> int:
    return max(1, len({cy for _, cy, *_ in _legend_layout(items, left, 0, width)}))


def _table(caption: str, first: str, categories: Sequence[str], series: Sequence[Series],
           fmt: Formatter) -> Table:
    rows = [[cat] + [("–" if s.values[i] is None else fmt(float(s.values[i] or 0.0))) for s in series]
            for i, cat in enumerate(categories)]
    return Table(caption, [first] + [s.label for s in series], rows)


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
    legend = [(s.label, s.color or PALETTE[i % len(PALETTE)], s.dashed) for i, s in enumerate(series)]
    top = 12 + 18 * _legend_rows(legend, width, 64)
    frame = _Frame(width, height, 64, 16, top + 6, 30, nice_ticks(lo, hi))
    n = len(categories)
    step = (frame.x1 - frame.x0) / max(1, n)
    centers = [frame.x0 + step * (i + 0.5) for i in range(n)]
    out = _open_svg(chart_id, title, _describe(title, categories, series, fmt), width, height)
    out += _y_axis(frame, fmt, y_label)
    out += _x_labels(frame, categories, centers)
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
    out += _legend(legend, 64, 16, width)
    out.append("</svg>")
    return Chart(chart_id, title, Markup("".join(out)),
                 _table(title, category_label, categories, series, table_fmt or fmt), drawn)


def stacked_bar_chart(chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series], *,
                      y_label: str = "", category_label: str = "", fmt: Formatter | None = None,
                      table_fmt: Formatter | None = None, width: int = 640, height: int = 300,
                      palette: Sequence[str] = PALETTE) -> Chart:
    """Bars per category, the series stacked from the bottom up (negative values count as zero)."""
    fmt = fmt or (lambda v: compact(v))
    n = len(categories)
    totals = [sum(max(0.0, float(s.values[i] or 0.0)) for s in series) for i in range(n)]
    legend = [(s.label, s.color or palette[i % len(palette)], False) for i, s in enumerate(series)]
    top = 12 + 18 * _legend_rows(legend, width, 64)
    frame = _Frame(width, height, 64, 16, top + 6, 30, nice_ticks(0.0, max(totals, default=1.0) or 1.0))
    step = (frame.x1 - frame.x0) / max(1, n)
    bar = max(2.0, step * 0.7)
    centers = [frame.x0 + step * (i + 0.5) for i in range(n)]
    out = _open_svg(chart_id, title, _describe(title, categories, series, fmt), width, height)
    out += _y_axis(frame, fmt, y_label)
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
    out += _x_labels(frame, categories, centers)
    out += _legend(legend, 64, 16, width)
    out.append("</svg>")
    return Chart(chart_id, title, Markup("".join(out)),
                 _table(title, category_label, categories, series, table_fmt or fmt), drawn)


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
    x = _scale(ticks[0], ticks[-1], label_w, width - 20)

    desc = "; ".join(f"{b.label}: {fmt(b.low)} – {fmt(b.mid)} – {fmt(b.high)}" for b in bands)
    out = _open_svg(chart_id, title, f"{title}. {desc}", width, height)
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
    frame = _Frame(width, height, left, 8, top, bottom, sorted(y_ticks))
    x_of = _scale(*x_range, frame.x0, frame.x1)
    labelled = [p for p in points if p.label]
    out = _open_svg(chart_id, title, f"{title}. " + "; ".join(f"{p.label}: {fmt(p.y)}" for p in labelled),
                    width, height, css_class=css_class, font_size=font_size, fixed=fixed)
    out += _y_axis(frame, fmt, "")
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


def _describe(title: str, categories: Sequence[str], series: Sequence[Series], fmt: Formatter) -> str:
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
