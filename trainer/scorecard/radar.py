"""The radar chart: geometry at known angles (SVG coordinates: x to the right, y downwards) and the
view the results page draws (rings, axes with wrapped labels, the self and measured polygons).

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from trainer.core.charts import wrap_label
from trainer.scorecard.framework import LEVELS

SCALE_MAX = LEVELS[-1]

Point = tuple[float, float]


def _angle(index: int, count: int) -> float:
    """Axis ``index`` of ``count``: the first points straight up, the rest follow clockwise."""
    return -math.pi / 2 + 2 * math.pi * index / count


def _polar(center: Point, distance: float, angle: float, ndigits: int) -> Point:
    x = center[0] + distance * math.cos(angle)
    y = center[1] + distance * math.sin(angle)
    return round(x, ndigits) + 0.0, round(y, ndigits) + 0.0  # + 0.0 turns -0.0 into 0.0


def _check_axes(count: int) -> None:
    if count < 3:
        raise ValueError("a radar chart needs at least 3 axes")


def radar_points(
    values: Sequence[float | None],
    max_value: float = SCALE_MAX,
    radius: float = 100.0,
    center: Point = (0.0, 0.0),
    *,
    min_value: float = 0.0,
    ndigits: int = 2,
) -> list[Point]:
    """The polygon of ``values``, one vertex per axis.

    A value's distance from the centre is ``radius × (value − min_value) / (max_value − min_value)``,
    clamped to 0..radius; a missing value (None) sits at the centre. With the defaults a 5 reaches
    the outer ring and a 1 sits on the innermost of five equally spaced rings.
    """
    _check_axes(len(values))
    if not max_value > min_value:
        raise ValueError("max_value must be greater than min_value")
    span = max_value - min_value
    points: list[Point] = []
    for index, value in enumerate(values):
        share = 0.0 if value is None else min(1.0, max(0.0, (value - min_value) / span))
        points.append(_polar(center, radius * share, _angle(index, len(values)), ndigits))
    return points


@dataclass(frozen=True)
class RadarAxis:
    index: int
    angle: float  # radians, SVG orientation (0 = pointing right, positive = clockwise)
    end: Point  # the axis line runs from the centre to here
    label: Point  # where to put the label
    anchor: Literal["start", "middle", "end"]  # SVG text-anchor for the label
    baseline: Literal["auto", "middle", "hanging"]  # SVG dominant-baseline for the label


def radar_axes(
    count: int,
    radius: float = 100.0,
    center: Point = (0.0, 0.0),
    *,
    label_gap: float = 12.0,
    ndigits: int = 2,
) -> list[RadarAxis]:
    """Axis lines and label positions; labels sit ``label_gap`` beyond the outer ring, anchored so
    they grow away from the chart (left side ends at the point, right side starts there, top labels
    sit above it, bottom labels hang below)."""
    _check_axes(count)
    axes: list[RadarAxis] = []
    for index in range(count):
        angle = _angle(index, count)
        cos, sin = math.cos(angle), math.sin(angle)
        anchor: Literal["start", "middle", "end"] = (
            "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
        )
        baseline: Literal["auto", "middle", "hanging"] = (
            "auto" if sin < -0.7 else ("hanging" if sin > 0.7 else "middle")
        )
        axes.append(
            RadarAxis(
                index=index,
                angle=angle,
                end=_polar(center, radius, angle, ndigits),
                label=_polar(center, radius + label_gap, angle, ndigits),
                anchor=anchor,
                baseline=baseline,
            )
        )
    return axes


def radar_rings(
    count: int,
    levels: Sequence[float] = LEVELS,
    max_value: float = SCALE_MAX,
    radius: float = 100.0,
    center: Point = (0.0, 0.0),
    *,
    min_value: float = 0.0,
    ndigits: int = 2,
) -> list[list[Point]]:
    """The grid: one polygon per level (1..5 by default), innermost first."""
    return [
        radar_points([level] * count, max_value, radius, center, min_value=min_value, ndigits=ndigits)
        for level in levels
    ]


def points_attr(points: Iterable[Point]) -> str:
    """An SVG ``points`` attribute: ``"x1,y1 x2,y2 ..."`` with no trailing zeros."""
    return " ".join(f"{_number(x)},{_number(y)}" for x, y in points)


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --------------------------------------------------------------------------------------------------
# The drawing
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RadarAxisView:
    x: float
    y: float
    lx: float
    ly: float
    anchor: str
    baseline: str
    lines: tuple[str, ...]
    dy0: float
    note: str | None = None  # shown under the label, e.g. "no evidence yet"


@dataclass(frozen=True)
class Radar:
    """Everything the SVG template draws: rings, axes with labels, the two polygons."""

    size: float
    view_box: str
    center: tuple[float, float]
    rings: list[str]
    ring_labels: list[tuple[int, float, float]]
    axes: list[RadarAxisView]
    self_points: str | None  # the closed polygon, when every axis has a value
    measured_points: str | None
    self_dots: list[tuple[float, float]]
    measured_dots: list[tuple[float, float]]
    self_path: str | None = None  # when some axes have none: the line between neighbours that have one
    measured_path: str | None = None


LABEL_LINE = 17.0
LABEL_FONT = 15.0  # the template's font-size for axis labels
LABEL_EM_MIDDLE = 12.0  # top and bottom labels: about 22 Latin letters or 12 Chinese characters a line


def radar(
    titles: Sequence[str],
    self_values: Sequence[float | None],
    measured_values: Sequence[float | None],
    *,
    radius: float = 120.0,
    margin_x: float = 128.0,
    margin_y: float = 58.0,
    notes: Sequence[str | None] | None = None,
) -> Radar:
    """Geometry for a radar of ``len(titles)`` axes (scale 0-5 from the centre, rings at 1..5).

    The drawing is wider than high: labels left and right need room for a few words, those at the
    top and bottom only for a line or two. A missing value is not drawn as 0 (that would pull the
    line into the centre and read as "weakest"): the line breaks at that axis instead, and
    ``notes`` (one per axis, or None) says why under the axis label.
    """
    width, height = 2 * (radius + margin_x), 2 * (radius + margin_y)
    center = (radius + margin_x, radius + margin_y)
    count = len(titles)
    rings = [points_attr(ring) for ring in radar_rings(count, radius=radius, center=center)]
    # ring numbers sit just right of the top axis, half-way to the next one
    ring_labels = [(level, center[0] + 5, round(center[1] - radius * level / 5 + 9, 2)) for level in LEVELS]
    axes = []
    for axis, title in zip(radar_axes(count, radius=radius, center=center, label_gap=10), titles, strict=True):
        # at most 3 lines; a side label gets the room between its point and the drawing's edge
        room = LABEL_EM_MIDDLE if axis.anchor == "middle" else (center[0] - abs(axis.label[0] - center[0]) - 4) / LABEL_FONT
        note = notes[axis.index] if notes else None
        lines = wrap_label(title, room, 2 if note else 3)  # a note takes the third line
        if axis.baseline == "auto":  # above the point: the last line sits on it
            dy0 = -LABEL_LINE * (len(lines) - 1)
        elif axis.baseline == "hanging":
            dy0 = 0.0
        else:
            dy0 = -LABEL_LINE * (len(lines) - 1) / 2
        if note and axis.baseline == "auto":  # above the point: the note line lifts the label too
            dy0 -= LABEL_LINE
        axes.append(
            RadarAxisView(axis.end[0], axis.end[1], axis.label[0], axis.label[1], axis.anchor, axis.baseline, lines,
                          dy0, note)
        )
    self_points, self_dots, self_path = _trace(self_values, radius, center)
    measured_points, measured_dots, measured_path = _trace(measured_values, radius, center)
    return Radar(
        size=width,
        view_box=f"0 0 {width:g} {height:g}",
        center=center,
        rings=rings,
        ring_labels=ring_labels,
        axes=axes,
        self_points=self_points,
        measured_points=measured_points,
        self_dots=self_dots,
        measured_dots=measured_dots,
        self_path=self_path,
        measured_path=measured_path,
    )


def _trace(
    values: Sequence[float | None], radius: float, center: Point
) -> tuple[str | None, list[Point], str | None]:
    """(closed polygon or None, dots, open path or None) for one series: the polygon when every
    axis has a value; otherwise an SVG path joining only neighbouring axes that both have one."""
    if all(v is None for v in values):
        return None, [], None
    points = radar_points(list(values), radius=radius, center=center)
    dots = [p for p, v in zip(points, values, strict=True) if v is not None]
    if all(v is not None for v in values):
        return points_attr(points), dots, None
    count = len(values)
    segments = [
        f"M{_number(points[i][0])},{_number(points[i][1])} "
        f"L{_number(points[(i + 1) % count][0])},{_number(points[(i + 1) % count][1])}"
        for i in range(count)
        if values[i] is not None and values[(i + 1) % count] is not None
    ]
    return None, dots, " ".join(segments) or None
