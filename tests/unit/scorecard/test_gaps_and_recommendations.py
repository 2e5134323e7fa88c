"""Gaps at the threshold edges, missing data, the weakest dimensions and what to recommend."""

from __future__ import annotations

import pytest

from trainer.scorecard.rules import MeasuredScore, gaps, recommendations, weakest


def measured(score: float | None, evidence: int = 10, dim: str = "x") -> MeasuredScore:
    fraction = None if score is None else (score - 1) / 4
    return MeasuredScore(dim, score, fraction, evidence, float(evidence), None)


@pytest.mark.parametrize(
    ("own", "other", "kind"),
    [
        (4.0, 3.0, "overconfident"),  # exactly +1.0
        (3.99, 3.0, "aligned"),
        (5.0, 1.0, "overconfident"),
        (2.0, 3.0, "underconfident"),  # exactly -1.0
        (2.01, 3.0, "aligned"),
        (1.0, 5.0, "underconfident"),
        (3.0, 3.0, "aligned"),
        (3.5, 2.75, "aligned"),
    ],
)
def test_gap_kinds_at_the_edges(own: float, other: float, kind: str) -> None:
    gap = gaps({"x": own}, {"x": measured(other)})["x"]
    assert gap.kind == kind
    assert gap.difference == pytest.approx(own - other)


def test_threshold_holds_despite_float_noise() -> None:
    # a self mean of 4.6 (23/5) against 65 % right (1 + 4 * 0.65 = 3.6): 0.9999999999999996 in floats,
    # one full point in fact
    other = 1 + 4 * 0.65
    assert 23 / 5 - other < 1.0
    assert gaps({"x": 23 / 5}, {"x": other})["x"].kind == "overconfident"
    # 1.8 (9/5) against 45 % right (2.8): -0.9999999999999998
    assert gaps({"x": 9 / 5}, {"x": 1 + 4 * 0.45})["x"].kind == "underconfident"


def test_plain_floats_work_as_measured_values() -> None:
    result = gaps({"x": 4.5, "y": 2.0}, {"x": 3.0, "y": None})
    assert result["x"].kind == "overconfident"
    assert result["y"].kind == "no_evidence" and result["y"].low_confidence


def test_missing_sides_are_no_evidence() -> None:
    self_scores = {"a": 3.0, "b": None, "c": 4.0}
    result = gaps(self_scores, {"a": measured(None, 0), "b": measured(2.0), "d": measured(4.0)})
    assert list(result) == ["a", "b", "c", "d"]  # self's order, then measured-only ids
    assert {k: g.kind for k, g in result.items()} == dict.fromkeys("abcd", "no_evidence")
    assert (result["b"].self_score, result["b"].measured_score, result["b"].difference) == (None, 2.0, None)
    assert (result["c"].self_score, result["c"].measured_score) == (4.0, None)


def test_gap_carries_the_confidence_of_the_evidence() -> None:
    result = gaps({"a": 5.0, "b": 5.0}, {"a": measured(2.0, evidence=4), "b": measured(2.0, evidence=5)})
    assert result["a"].kind == result["b"].kind == "overconfident"
    assert result["a"].low_confidence and not result["b"].low_confidence


def test_weakest_prefers_measured_then_self() -> None:
    self_scores = {"a": 4.0, "b": 2.0, "c": 3.0, "d": None, "e": 4.5}
    measured_ = {"a": measured(1.5), "c": measured(None, 0), "e": measured(4.9)}
    # a: measured 1.5; b: self 2.0; c: self 3.0 (no measured score); d: nothing; e: measured 4.9
    assert weakest(self_scores, measured_) == ["a", "b", "c"]
    assert weakest(self_scores, measured_, n=5) == ["a", "b", "c", "e"]  # d has no data at all
    assert weakest(self_scores, measured_, n=1) == ["a"]
    assert weakest(self_scores, measured_, n=0) == []


def test_weakest_ties() -> None:
    # equal basis: the lower self score first, then framework (mapping) order
    self_scores = {"a": 4.0, "b": 3.0, "c": None, "d": 3.0}
    measured_ = {"a": measured(2.0), "b": measured(2.0), "c": measured(2.0), "d": measured(2.0)}
    assert weakest(self_scores, measured_, n=4) == ["b", "d", "a", "c"]


def test_weakest_without_any_measured_data() -> None:
    assert weakest({"a": 3.0, "b": 1.5, "c": 2.0}, {}) == ["b", "c", "a"]
    assert weakest({}, {}) == []


LESSONS = [
    ("m1-credit-basics", ["credit_assessment"]),
    ("m4-aging", ["data_analysis"]),
    ("m2-limits", ["credit_assessment", "data_analysis"]),
    ("m3-law", ["legal_compliance"]),
    ("m4-dso", ("data_analysis",)),
]
SCENARIOS = [("excuse-already-wired", ["collection_communication"]), ("big-customer", ["credit_assessment"])]


def test_recommendations_follow_weakness_then_course_order() -> None:
    result = recommendations(["data_analysis", "credit_assessment"], LESSONS, SCENARIOS)
    assert result.lesson_ids == ("m4-aging", "m2-limits", "m4-dso", "m1-credit-basics")
    assert dict(result.lessons_by_dimension) == {
        "data_analysis": ("m4-aging", "m2-limits", "m4-dso"),
        "credit_assessment": ("m1-credit-basics", "m2-limits"),
    }
    assert result.scenario_ids == ("big-customer",)
    assert dict(result.scenarios_by_dimension) == {
        "data_analysis": (),
        "credit_assessment": ("big-customer",),
    }


def test_recommendations_limit_per_dimension() -> None:
    result = recommendations(
        ["credit_assessment", "data_analysis"], LESSONS, SCENARIOS, limit_per_dimension=1
    )
    assert result.lesson_ids == ("m1-credit-basics", "m4-aging")
    assert dict(result.lessons_by_dimension) == {
        "credit_assessment": ("m1-credit-basics",),
        "data_analysis": ("m4-aging",),
    }


def test_recommendations_for_nothing_weak_or_nothing_tagged() -> None:
    empty = recommendations([], LESSONS, SCENARIOS)
    assert (empty.lesson_ids, empty.scenario_ids) == ((), ())
    untagged = recommendations(["teamwork_escalation"], LESSONS, SCENARIOS)
    assert untagged.lesson_ids == () and untagged.lessons_by_dimension["teamwork_escalation"] == ()


def test_recommendations_accept_generators() -> None:
    result = recommendations(iter(["legal_compliance"]), ((i, t) for i, t in LESSONS), iter(SCENARIOS))  # type: ignore[arg-type]
    assert result.lesson_ids == ("m3-law",)
