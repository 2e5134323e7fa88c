"""Server-rendered SVG charts, the one chart module of the app: line, stacked bar, band (interval),
x/y (time or step) and scatter charts, plus the label wrapper every SVG drawing uses (the radar, the
scenario graph).

Pure functions of already-translated labels and numbers (no Flask): each returns a :class:`Chart`
holding the ``<svg>`` (axes, gridlines, legend, labels) and the same numbers as a data table, which
the template puts right after the chart for screen readers and for anyone who wants the figures.
Colours are presentation attributes, not inline styles, so the strict CSP allows them.
"""

from trainer.core.charts.band import band_chart
from trainer.core.charts.base import (
    AGING_PALETTE,
    FONT,
    PALETTE,
    Band,
    Chart,
    Formatter,
    Series,
    Table,
    compact,
    nice_ticks,
)
from trainer.core.charts.labels import text_width, wrap_label
from trainer.core.charts.lines import line_chart, stacked_bar_chart
from trainer.core.charts.scatter import ScatterGroup, ScatterPoint, scatter_chart
from trainer.core.charts.waterfall import waterfall_chart
from trainer.core.charts.xy import Mark, Point, xy_chart

__all__ = [
    "AGING_PALETTE",
    "FONT",
    "PALETTE",
    "Band",
    "Chart",
    "Formatter",
    "Mark",
    "Point",
    "ScatterGroup",
    "ScatterPoint",
    "Series",
    "Table",
    "band_chart",
    "compact",
    "line_chart",
    "nice_ticks",
    "scatter_chart",
    "stacked_bar_chart",
    "text_width",
    "waterfall_chart",
    "wrap_label",
    "xy_chart",
]
