"""core/charts: the one label wrapper (em widths, English at spaces, Chinese between characters) and
the x/y chart the manager dashboard draws (time line with dots, step line with a marked due date)."""

from __future__ import annotations

import re

import pytest

from trainer.core.charts import Mark, Point, text_width, wrap_label, xy_chart


def test_text_width_counts_chinese_as_one_em_and_latin_narrower():
    assert text_width("应收账款") == 4.0
    assert text_width("mm") > text_width("ab") > text_width("il")
    assert text_width("") == 0.0


def test_english_breaks_at_spaces_and_every_line_fits():
    lines = wrap_label("Negotiation and objection handling", 8, 3)
    assert " ".join(lines) == "Negotiation and objection handling"
    assert all(text_width(line) <= 8 for line in lines)
    assert len(lines) > 1


def test_chinese_breaks_between_characters_keeping_punctuation_and_asides_together():
    assert wrap_label("客户信用评估", 8) == ("客户信用评估",)
    assert wrap_label("数据分析（账龄与指标）", 8) == ("数据分析", "（账龄与指标）")
    lines = wrap_label("您好，我们这个月资金确实比较紧张，能不能再宽限两周", 5, 10)
    assert "".join(lines) == "您好，我们这个月资金确实比较紧张，能不能再宽限两周"
    assert all(text_width(line) <= 5 for line in lines)
    assert not any(line[0] in "，。）" for line in lines)


def test_out_of_lines_ends_with_an_ellipsis_that_fits():
    lines = wrap_label("one two three four five six seven eight nine ten", 6, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(text_width(line) <= 6 for line in lines)
    assert wrap_label("应收账款管理培训课程", 4, 1) == ("应收账…",)


def test_a_word_longer_than_a_line_is_cut():
    lines = wrap_label("Supercalifragilistic", 4, 5)
    assert "".join(lines) == "Supercalifragilistic"
    assert all(text_width(line) <= 4 for line in lines)
    assert wrap_label("", 4) == ()


def test_xy_chart_places_points_by_x_with_dots_ticks_and_a_table():
    chart = xy_chart("s", "Scores <over time>", [
        Point(0, 40, "2026-01-01 Quiz", "Quiz: 40%", "#c62828"),
        Point(30, 90, "2026-01-31 Quiz", "Quiz: 90%", "#2e7d32"),
        Point(10, 60, "2026-01-11 Quiz", "", None),
    ], x_range=(0, 30), x_ticks=[(0, "2026-01-01"), (30, "2026-01-31")], fmt=lambda v: f"{v:.0f}%")
    svg = str(chart.svg)
    xy = [tuple(map(float, p.split(","))) for p in re.search(r'<polyline[^>]* points="([^"]+)"', svg).group(1).split()]
    assert len(xy) == 3
    assert xy[0][0] < xy[2][0] < xy[1][0]  # by x, not by order
    assert xy[1][1] < xy[2][1] < xy[0][1]  # 90 above 60 above 40
    assert svg.count("<circle") == 2  # only points with a colour get a dot
    assert "<title>Quiz: 90%</title>" in svg
    assert re.search(r'text-anchor="start"[^>]*>2026-01-01<', svg) and re.search(r'text-anchor="end"[^>]*>2026-01-31<', svg)
    assert "&lt;over time&gt;" in svg and 'role="img"' in svg and 'aria-labelledby="s-t s-d"' in svg
    assert chart.table.rows[0] == ["2026-01-01 Quiz", "40%"]


def test_step_chart_stays_level_until_the_next_point_and_marks_the_due_date():
    chart = xy_chart("c", "Done", [Point(0, 0, "open"), Point(5, 50, "a"), Point(8, 100, "b"), Point(10, 100)],
                     x_range=(0, 10), y_ticks=(0, 100), step=True, mark=Mark(7, "12-31"), width=200, height=80,
                     css_class="mg-curve", fixed=True)
    svg = str(chart.svg)
    xy = [tuple(map(float, p.split(","))) for p in re.search(r'points="([^"]+)"', svg).group(1).split()]
    assert len(xy) == 7  # each rise is a corner and a vertical
    assert xy[1] == (xy[2][0], xy[0][1]) and xy[3] == (xy[4][0], xy[2][1])
    mark = re.search(r'<line class="mark" x1="([\d.]+)"[^>]*stroke-dasharray', svg)
    assert xy[2][0] < float(mark.group(1)) < xy[4][0]
    assert ">12-31<" in svg and 'width="200" height="80"' in svg and 'class="mg-curve"' in svg
    assert [row[0] for row in chart.table.rows] == ["open", "a", "b"]  # unlabelled points stay out


@pytest.mark.parametrize("value", [-50, 150])
def test_xy_chart_clamps_values_to_the_y_range(value):
    svg = str(xy_chart("k", "t", [Point(0, value)], x_range=(0, 0), y_ticks=(0, 100)).svg)
    x, y = map(float, re.search(r'points="([^"]+)"', svg).group(1).split(","))
    assert 0 < y < 240 and 0 < x < 640
