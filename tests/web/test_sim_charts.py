"""The SVG chart helpers: geometry, gaps, stacking, bands, legends, escaping and the data tables."""

from __future__ import annotations

import re

import pytest

from trainer.core.charts import (
    Band,
    Series,
    band_chart,
    compact,
    line_chart,
    nice_ticks,
    stacked_bar_chart,
    waterfall_chart,
)


def _floats(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]


@pytest.mark.parametrize(("low", "high"), [(0, 1), (0, 37.2), (-12, 40), (1234, 98765), (0, 0), (5, 5)])
def test_nice_ticks_cover_the_range_with_round_steps(low, high):
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1
    step = steps.pop()
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 6) in (1, 2, 2.5, 5, 10)
    assert 2 <= len(ticks) <= 12


def test_compact_numbers_in_both_languages():
    assert compact(1_234_567, "en") == "1.23M"
    assert compact(12_000, "en") == "12k"
    assert compact(123_456_789, "zh") == "1.23亿"
    assert compact(45_000, "zh") == "4.5万"
    assert compact(-2_500, "en") == "-2.5k"
    assert compact(42, "en") == "42"


def test_line_chart_draws_each_series_with_a_gap_for_missing_values():
    chart = line_chart("c1", "DSO by month", ["Jan", "Feb", "Mar", "Apr"], [
        Series("DSO", [40.0, None, 50.0, 45.0]),
        Series("Best", [30.0, 31.0, 32.0, 33.0], dashed=True),
    ], y_label="days", category_label="Month")
    svg = str(chart.svg)
    paths = re.findall(r'<path class="series" d="([^"]+)"', svg)
    assert len(paths) == 2
    assert paths[0].count("M") == 2  # the None broke the line in two
    assert paths[1].count("M") == 1 and paths[1].count("L") == 3
    ys = [float(y) for y in re.findall(r"[ML][\d.]+,([\d.]+)", paths[0])]
    assert ys[1] < ys[0]  # 50 is drawn higher than 40
    assert 'stroke-dasharray="6 4"' in svg
    assert "<title" in svg and "DSO by month" in svg and ">days<" in svg
    assert ">DSO<" in svg and ">Best<" in svg  # legend
    assert chart.points == 7
    assert chart.table.columns == ["Month", "DSO", "Best"]
    assert chart.table.rows[1] == ["Feb", "–", "31"]


def test_line_chart_escapes_labels():
    chart = line_chart("c2", "<b>x</b>", ["<script>"], [Series("a&b", [1.0])])
    svg = str(chart.svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a&amp;b" in svg and "&lt;b&gt;" in svg


def test_stacked_bars_stack_to_the_total():
    chart = stacked_bar_chart("c3", "Aging", ["Jan", "Feb"], [
        Series("current", [60.0, 10.0]), Series("late", [40.0, 0.0]),
    ])
    rects = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill', str(chart.svg))
    assert len(rects) == 3  # a zero value draws nothing
    jan = [tuple(map(float, r)) for r in rects[:2]]
    # the second segment sits on top of the first, and the two make 100 (the top tick)
    assert jan[1][1] + jan[1][3] == pytest.approx(jan[0][1], abs=0.11)
    full = jan[0][3] + jan[1][3]
    feb = float(rects[2][3])
    assert feb == pytest.approx(full / 10, rel=0.02)
    assert chart.points == 3


def test_band_chart_marks_median_and_zero():
    chart = band_chart("c4", "Difference", [Band("yours", 10, 20, 30), Band("diff", -5, 2, 8)])
    svg = str(chart.svg)
    bands = re.findall(r'<rect class="band" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    medians = re.findall(r'<line class="median" x1="([\d.]+)"', svg)
    assert len(bands) == 2 and len(medians) == 2
    for (x, w), m in zip(bands, medians, strict=True):
        assert float(x) < float(m) < float(x) + float(w)
    assert 'stroke="#8a9aa1"' in svg  # the zero line is darker
    assert chart.table.rows[1][0] == "diff"


def test_waterfall_chains_each_step_from_the_previous_total():
    chart = waterfall_chart("wf", "Value", ("Margin", 100.0), [("Bad <debt>", -30.0), ("FX", 10.0)], "Net",
                            columns=("Step", "Change", "Total"))
    bars = re.findall(r'<rect class="step" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*fill="(#[0-9A-F]+)"', str(chart.svg))
    assert len(bars) == 4 and chart.points == 4
    (x0, w0, c0), (x1, w1, c1), (x2, w2, c2), (x3, w3, c3) = ((float(x), float(w), c) for x, w, c in bars)
    assert c0 == c3 == "#0072B2" and c1 == "#D55E00" and c2 == "#009E73"  # totals, a loss, a gain
    assert x1 + w1 == pytest.approx(x0 + w0, abs=0.2)  # the loss hangs from the margin's end ...
    assert x2 == pytest.approx(x1, abs=0.2)  # ... and the gain starts where the loss ended
    assert x3 + w3 == pytest.approx(x2 + w2, abs=0.2)  # the net value ends where the last step did
    assert "Bad &lt;debt&gt;" in str(chart.svg) and "<debt>" not in str(chart.svg)
    assert chart.table.columns == ["Step", "Change", "Total"]
    assert [row[0] for row in chart.table.rows] == ["Margin", "Bad <debt>", "FX", "Net"]
    assert chart.table.rows[1][1].startswith("−") and chart.table.rows[2][1].startswith("+")
    assert chart.table.rows[-1][2] == "80"


def test_a_negative_net_value_is_drawn_left_of_zero_in_the_loss_colour():
    chart = waterfall_chart("wf", "Value", ("Margin", 10.0), [("Costs", -25.0)], "Net")
    last = re.findall(r'<rect class="step"[^>]*fill="(#[0-9A-F]+)"', str(chart.svg))[-1]
    assert last == "#D55E00" and chart.table.rows[-1][1] == "-15"
