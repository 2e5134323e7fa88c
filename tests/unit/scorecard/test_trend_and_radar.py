"""Quarter labels and trends for the quarterly retake; radar-chart geometry at known angles."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from trainer.scorecard.radar import points_attr, radar, radar_axes, radar_points, radar_rings
from trainer.scorecard.rules import parse_quarter, quarter_label, quarter_range, trend


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2026, 1, 1), "2026-Q1"),
        (date(2026, 3, 31), "2026-Q1"),
        (date(2026, 4, 1), "2026-Q2"),
        (date(2026, 9, 30), "2026-Q3"),
        (date(2026, 10, 1), "2026-Q4"),
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "2026-Q4"),
    ],
)
def test_quarter_label(day: date, label: str) -> None:
    assert quarter_label(day) == label


def test_parse_quarter() -> None:
    assert parse_quarter("2026-Q4") == (2026, 4)
    for bad in ("2026-Q5", "2026-Q0", "2026Q1", "26-Q1", "2026-q1", ""):
        with pytest.raises(ValueError):
            parse_quarter(bad)


def test_quarter_range_crosses_years() -> None:
    assert quarter_range("2025-Q3", "2026-Q2") == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    assert quarter_range("2026-Q1", "2026-Q1") == ["2026-Q1"]
    assert quarter_range("2026-Q2", "2026-Q1") == []


def test_trend_sorts_quarters_and_fills_the_holes() -> None:
    by_quarter: dict[str, dict[str, float | None]] = {
        "2026-Q3": {"credit_assessment": 3.5, "data_analysis": None},
        "2025-Q4": {"credit_assessment": 2.0, "data_analysis": 3.0},
        "2026-Q2": {"credit_assessment": 3.0},
    }
    result = trend(by_quarter)
    assert list(result) == ["credit_assessment", "data_analysis"]
    credit = result["credit_assessment"]
    assert credit.points == (("2025-Q4", 2.0), ("2026-Q1", None), ("2026-Q2", 3.0), ("2026-Q3", 3.5))
    assert credit.latest == 3.5
    assert credit.change == pytest.approx(0.5)
    data = result["data_analysis"]
    assert data.points == (("2025-Q4", 3.0), ("2026-Q1", None), ("2026-Q2", None), ("2026-Q3", None))
    assert data.latest == 3.0 and data.change is None


def test_trend_with_fixed_dimensions_and_single_quarter() -> None:
    result = trend({"2026-Q4": {"a": 4.0}}, dimension_ids=["b", "a"])
    assert list(result) == ["b", "a"]
    assert result["b"].points == (("2026-Q4", None),)
    assert result["a"].latest == 4.0 and result["a"].change is None
    assert trend({}) == {}
    with pytest.raises(ValueError):
        trend({"Q4-2026": {"a": 1.0}})


# --------------------------------------------------------------------------------------------------
# Radar geometry (SVG: y grows downwards, the first axis points up, then clockwise)
# --------------------------------------------------------------------------------------------------


def test_four_axes_full_scores_hit_the_compass_points() -> None:
    points = radar_points([5, 5, 5, 5], max_value=5, radius=100, center=(150, 150))
    assert points == [(150, 50), (250, 150), (150, 250), (50, 150)]


def test_values_scale_with_the_radius_and_clamp() -> None:
    points = radar_points([None, 2.5, 0, 10], max_value=5, radius=100, center=(150, 150))
    assert points == [(150, 150), (200, 150), (150, 150), (50, 150)]
    assert radar_points([-3, 1, 1], radius=50) == [(0, 0), pytest.approx((8.66, 5.0)), (-8.66, 5.0)]


def test_eight_axes_diagonal() -> None:
    points = radar_points([5] * 8, radius=100, center=(150, 150))
    half_diagonal = 100 / math.sqrt(2)  # 70.71
    assert points[1] == (
        pytest.approx(150 + half_diagonal, abs=0.01),
        pytest.approx(150 - half_diagonal, abs=0.01),
    )
    assert points[1] == (220.71, 79.29)  # up-right
    assert points[5] == (79.29, 220.71)  # opposite: down-left


def test_six_axes_at_known_angles() -> None:
    # axis 1 at -30 degrees from the x axis (SVG), axis 3 straight down, axis 5 at 210 degrees
    points = radar_points([4] * 6, max_value=4, radius=10)
    assert points[0] == (0, -10)
    assert points[1] == (8.66, -5)
    assert points[3] == (0, 10)
    assert points[5] == (-8.66, -5)


def test_min_value_moves_the_centre() -> None:
    points = radar_points([1, 3, 5, None], min_value=1, max_value=5, radius=100)
    assert points == [(0, 0), (50, 0), (0, 100), (0, 0)]


def test_rings_are_evenly_spaced() -> None:
    rings = radar_rings(4, radius=100)
    assert len(rings) == 5
    assert [ring[0] for ring in rings] == [(0, -20), (0, -40), (0, -60), (0, -80), (0, -100)]
    assert rings[2] == [(0, -60), (60, 0), (0, 60), (-60, 0)]


def test_axes_and_label_placement() -> None:
    axes = radar_axes(4, radius=100, center=(150, 150), label_gap=10)
    assert [a.end for a in axes] == [(150, 50), (250, 150), (150, 250), (50, 150)]
    assert [a.label for a in axes] == [(150, 40), (260, 150), (150, 260), (40, 150)]
    assert [a.anchor for a in axes] == ["middle", "start", "middle", "end"]
    assert [a.baseline for a in axes] == ["auto", "middle", "hanging", "middle"]
    assert axes[0].angle == pytest.approx(-math.pi / 2)
    eight = radar_axes(8)
    assert [a.anchor for a in eight] == ["middle", "start", "start", "start", "middle", "end", "end", "end"]
    assert [a.baseline for a in eight] == [
        "auto",
        "auto",
        "middle",
        "hanging",
        "hanging",
        "hanging",
        "middle",
        "auto",
    ]


def test_points_attribute() -> None:
    assert points_attr([(150.0, 50.0), (170.71, 79.29), (0.5, -0.0)]) == "150,50 170.71,79.29 0.5,0"
    assert points_attr([]) == ""


def test_geometry_rejects_impossible_charts() -> None:
    with pytest.raises(ValueError):
        radar_points([1, 2])
    with pytest.raises(ValueError):
        radar_axes(2)
    with pytest.raises(ValueError):
        radar_points([1, 2, 3], max_value=1, min_value=1)


def test_a_missing_score_breaks_the_line_instead_of_dropping_to_zero() -> None:
    drawn = radar(["a", "b", "c", "d"], [3, 3, 3, 3], [4, None, 4, 4], notes=[None, "no evidence yet", None, None])
    assert drawn.self_points is not None and drawn.self_path is None  # complete: a closed polygon
    assert drawn.measured_points is None  # never a polygon through the centre
    assert drawn.measured_path is not None and drawn.measured_path.count("M") == 2  # c-d and d-a only
    assert len(drawn.measured_dots) == 3
    centre = f"{drawn.center[0]:g},{drawn.center[1]:g}"
    assert centre not in drawn.measured_path
    assert [axis.note for axis in drawn.axes] == [None, "no evidence yet", None, None]
