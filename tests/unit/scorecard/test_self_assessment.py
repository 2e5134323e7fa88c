"""Self scores, levels and completeness on the fixture framework (credit: 4 statements, data: 5)."""

from __future__ import annotations

import math

import pytest

from trainer.scorecard.framework import Framework
from trainer.scorecard.rules import completeness, level_for, self_scores


def test_self_score_is_the_mean_of_rated_statements(framework: Framework) -> None:
    ratings = {"credit_assessment.s1": 4, "credit_assessment.s2": 2, "credit_assessment.s4": 5}
    assert self_scores(framework, ratings) == {
        "credit_assessment": pytest.approx(11 / 3),
        "data_analysis": None,
    }


def test_self_scores_in_framework_order_and_complete(framework: Framework) -> None:
    ratings = {s.id: 3 for s in framework.statements}
    ratings["data_analysis.s5"] = 1  # data: (3+3+3+3+1)/5
    scores = self_scores(framework, ratings)
    assert list(scores) == ["credit_assessment", "data_analysis"]
    assert scores == {"credit_assessment": 3.0, "data_analysis": pytest.approx(2.6)}


def test_unknown_statement_ids_are_ignored(framework: Framework) -> None:
    ratings = {"credit_assessment.s1": 2, "credit_assessment.retired": 5, "elsewhere.s1": 1}
    assert self_scores(framework, ratings)["credit_assessment"] == 2.0


@pytest.mark.parametrize("bad", [0, 6, -1, 3.5, True, "4", None])
def test_ratings_must_be_whole_numbers_1_to_5(framework: Framework, bad: object) -> None:
    with pytest.raises(ValueError, match="credit_assessment.s2"):
        self_scores(framework, {"credit_assessment.s2": bad})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (1.0, 1),
        (1.49, 1),
        (1.5, 2),
        (2.4999, 2),
        (2.5, 3),
        (11 / 3, 4),
        (4.49, 4),
        (4.5, 5),
        (5.0, 5),
        (0.2, 1),  # clamped to the scale
        (7.0, 5),
    ],
)
def test_level_for_rounds_half_up_within_the_scale(score: float, level: int) -> None:
    assert level_for(score) == level


def test_level_for_a_mean_that_lands_just_below_a_half_by_float_noise() -> None:
    assert level_for(0.1 * 3 + 2.2) == 3  # 2.5000000000000004 or 2.4999999999999996: still 3
    assert level_for(2.45 + 0.05) == 3


def test_level_for_rejects_nan() -> None:
    with pytest.raises(ValueError):
        level_for(math.nan)


def test_completeness_counts_rated_statements(framework: Framework) -> None:
    ratings = {"credit_assessment.s1": 3, "credit_assessment.s3": 1, "data_analysis.s2": 5, "gone.s1": 4}
    result = completeness(framework, ratings)
    assert (result.rated, result.total) == (3, 9)
    assert result.fraction == pytest.approx(1 / 3)
    assert not result.complete
    assert dict(result.by_dimension) == {"credit_assessment": (2, 4), "data_analysis": (1, 5)}
    assert result.missing == (
        "credit_assessment.s2",
        "credit_assessment.s4",
        "data_analysis.s1",
        "data_analysis.s3",
        "data_analysis.s4",
        "data_analysis.s5",
    )


def test_completeness_empty_and_full(framework: Framework) -> None:
    empty = completeness(framework, {})
    assert (empty.rated, empty.fraction, empty.complete) == (0, 0.0, False)
    assert len(empty.missing) == 9
    full = completeness(framework, {s.id: 2 for s in framework.statements})
    assert (full.rated, full.fraction, full.complete, full.missing) == (9, 1.0, True, ())
