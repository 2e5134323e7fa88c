"""The scatter chart: one marker per point in its group's shape, the frontier joined in x order, the
axes' names, a legend, and the same points in the data table; labels are escaped."""

from __future__ import annotations

import re

from trainer.core.charts import ScatterGroup, ScatterPoint, scatter_chart


def chart():  # type: ignore[no-untyped-def]
    frontier = ScatterGroup("Frontier", [ScatterPoint(40, 9e6, "F2", ("1",)), ScatterPoint(10, 7e6, "F1", ("2",))],
                            "#0072B2", "circle", line=True)
    default = ScatterGroup("Default", [ScatterPoint(35, 8e6, "Default <b>", ("3",))], "#E69F00", "diamond")
    yours = ScatterGroup("Yours", [ScatterPoint(60, 5e6, "Yours", ("4",))], "#D55E00", "star")
    return scatter_chart("c-f", "Value against DSO", [frontier, default, yours], x_label="DSO (days)",
                         y_label="Net value", columns=("Policy", "DSO", "Value", "Loss"))


def test_every_point_has_a_marker_in_its_groups_shape_and_the_frontier_a_line() -> None:
    c = chart()
    svg = str(c.svg)
    assert c.points == 4 and svg.count('class="marker"') == 4
    assert svg.count("<circle class=\"marker\"") == 2 and svg.count("<polygon class=\"marker\"") == 2
    line = re.search(r'<polyline class="series" points="([^"]+)"', svg).group(1).split()
    xs = [float(p.split(",")[0]) for p in line]
    assert len(xs) == 2 and xs == sorted(xs)  # joined from low DSO to high
    assert "DSO (days)" in svg and "Net value" in svg and svg.count('class="legend"') == 1
    assert "Default &lt;b&gt;" in svg and "Default <b>" not in svg


def test_the_table_holds_every_point_with_its_extra_columns() -> None:
    c = chart()
    assert c.table.columns == ["Policy", "DSO", "Value", "Loss"]
    assert [row[0] for row in c.table.rows] == ["F2", "F1", "Default <b>", "Yours"]
    assert c.table.rows[3][1:] == ["60", "5M", "4"]


def test_the_value_axis_zooms_on_the_points_and_spans_negatives() -> None:
    c = chart()
    ticks = re.findall(r'text-anchor="end" fill="#5b6b73">([^<]+)<', str(c.svg))
    assert ticks[0] not in ("0",) and ticks[0].endswith("M")  # differences between policies stay visible
    assert float(ticks[0][:-1]) <= 5 and float(ticks[-1][:-1]) >= 9
    negative = scatter_chart("n", "t", [ScatterGroup("g", [ScatterPoint(1, -2e6, "a"), ScatterPoint(5, 3e6, "b")],
                                                     "#000")], x_label="x", y_label="y")
    labels = re.findall(r'text-anchor="end" fill="#5b6b73">([^<]+)<', str(negative.svg))
    assert labels[0].startswith("-") and labels[-1] not in ("0",)
