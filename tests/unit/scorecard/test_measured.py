"""Measured scores: recency weighting (hand-computed), the 1-5 mapping, evidence and confidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from trainer.scorecard.rules import (
    MIN_EVIDENCE,
    AnswerEvidence,
    ScenarioEvidence,
    decay_weight,
    fraction_to_score,
    measured_scores,
)

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
CREDIT = ("credit_assessment",)


def answer(fraction: float, days_ago: float, tags: tuple[str, ...] = CREDIT) -> AnswerEvidence:
    return AnswerEvidence(tags, fraction, NOW - timedelta(days=days_ago))


def scenario(fraction: float, days_ago: float, tags: tuple[str, ...]) -> ScenarioEvidence:
    return ScenarioEvidence(tags, fraction, NOW - timedelta(days=days_ago))


@pytest.mark.parametrize(
    ("age", "half_life", "weight"),
    [
        (0, 90, 1.0),
        (90, 90, 0.5),
        (180, 90, 0.25),
        (270, 90, 0.125),
        (45, 90, 2**-0.5),
        (30, 30, 0.5),
        (-5, 90, 1.0),
    ],
)
def test_decay_weight(age: float, half_life: float, weight: float) -> None:
    assert decay_weight(age, half_life) == pytest.approx(weight)


@pytest.mark.parametrize(
    ("fraction", "score"), [(0.0, 1.0), (0.25, 2.0), (0.5, 3.0), (0.75, 4.0), (1.0, 5.0)]
)
def test_fraction_maps_linearly_onto_1_to_5(fraction: float, score: float) -> None:
    assert fraction_to_score(fraction) == score


def test_recent_answers_weigh_more() -> None:
    # right today (weight 1), wrong 90 days ago (weight 0.5): f = 1 / 1.5 = 2/3, score = 1 + 8/3
    result = measured_scores([answer(1.0, 0), answer(0.0, 90)], [], NOW)
    credit = result["credit_assessment"]
    assert credit.fraction == pytest.approx(2 / 3)
    assert credit.score == pytest.approx(1 + 4 * 2 / 3)
    assert credit.weight == pytest.approx(1.5)
    assert credit.evidence == 2
    assert credit.level == 4
    # the same two answers the other way round: f = 0.5 / 1.5 = 1/3
    flipped = measured_scores([answer(0.0, 0), answer(1.0, 90)], [], NOW)["credit_assessment"]
    assert flipped.fraction == pytest.approx(1 / 3)


def test_three_ages_hand_computed() -> None:
    # weights 1, 0.5, 0.25 for ages 0, 90, 180; fractions 1, 0, 0.5
    # f = (1*1 + 0.5*0 + 0.25*0.5) / 1.75 = 1.125 / 1.75
    result = measured_scores([answer(1.0, 0), answer(0.0, 90), answer(0.5, 180)], [], NOW)
    assert result["credit_assessment"].fraction == pytest.approx(1.125 / 1.75)
    assert result["credit_assessment"].score == pytest.approx(1 + 4 * 1.125 / 1.75)


def test_half_life_parameter() -> None:
    # half-life 30: the 90-day-old answer weighs 0.125; f = 1 / 1.125
    result = measured_scores([answer(1.0, 0), answer(0.0, 90)], [], NOW, half_life_days=30)
    assert result["credit_assessment"].fraction == pytest.approx(1 / 1.125)


def test_equal_ages_give_the_plain_mean() -> None:
    answers = [answer(f, 40) for f in (1.0, 0.0, 1.0, 1.0)]
    assert measured_scores(answers, [], NOW)["credit_assessment"].fraction == pytest.approx(0.75)


def test_scenarios_count_for_every_tag_they_carry() -> None:
    tags = ("collection_communication", "negotiation_objections")
    result = measured_scores([], [scenario(0.8, 10, tags)], NOW)
    assert list(result) == sorted(tags)
    for tag in tags:
        assert result[tag].score == pytest.approx(4.2)
        assert result[tag].evidence == 1


def test_answers_and_scenarios_combine_with_a_scenario_weight() -> None:
    answers = [answer(0.0, 0, ("collection_communication",))]
    scenarios = [scenario(1.0, 0, ("collection_communication",))]
    same = measured_scores(answers, scenarios, NOW)["collection_communication"]
    assert same.fraction == pytest.approx(0.5)
    assert same.evidence == 2
    heavier = measured_scores(answers, scenarios, NOW, scenario_weight=3.0)["collection_communication"]
    assert heavier.fraction == pytest.approx(0.75)  # (0*1 + 1*3) / 4
    assert heavier.score == pytest.approx(4.0)


def test_duplicate_tags_on_one_item_count_once() -> None:
    result = measured_scores([answer(1.0, 0, ("data_analysis", "data_analysis"))], [], NOW)
    assert result["data_analysis"].evidence == 1


def test_confidence_flag_below_five_items() -> None:
    assert MIN_EVIDENCE == 5
    four = measured_scores([answer(1.0, d) for d in range(4)], [], NOW)["credit_assessment"]
    five = measured_scores([answer(1.0, d) for d in range(5)], [], NOW)["credit_assessment"]
    assert four.low_confidence and not five.low_confidence
    assert (four.evidence, five.evidence) == (4, 5)


def test_requested_dimensions_without_evidence_are_none() -> None:
    result = measured_scores(
        [answer(0.5, 1), answer(1.0, 1, ("legal_compliance",))],
        [],
        NOW,
        dimension_ids=["data_analysis", "credit_assessment"],
    )
    assert list(result) == ["data_analysis", "credit_assessment"]  # the order asked for; legal ignored
    empty = result["data_analysis"]
    assert (empty.score, empty.fraction, empty.evidence, empty.weight, empty.last_at) == (
        None,
        None,
        0,
        0.0,
        None,
    )
    assert empty.low_confidence and empty.level is None
    assert result["credit_assessment"].score == 3.0


def test_no_evidence_at_all() -> None:
    assert measured_scores([], [], NOW) == {}


def test_last_evidence_and_time_zones() -> None:
    naive = AnswerEvidence(CREDIT, 1.0, datetime(2026, 9, 1, 9, 0))  # taken as UTC
    beijing = timezone(timedelta(hours=8))
    shanghai = AnswerEvidence(CREDIT, 0.0, datetime(2026, 9, 21, 1, 0, tzinfo=beijing))  # 20 Sep 17:00 UTC
    result = measured_scores([naive, shanghai], [], NOW.replace(tzinfo=None))
    assert result["credit_assessment"].last_at == datetime(2026, 9, 20, 17, 0, tzinfo=UTC)


def test_future_evidence_counts_as_new() -> None:
    result = measured_scores([answer(1.0, -3), answer(0.0, 0)], [], NOW)
    assert result["credit_assessment"].fraction == pytest.approx(0.5)


@pytest.mark.parametrize("bad", [-0.1, 1.01, float("nan")])
def test_fraction_outside_0_1_is_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match="score_fraction"):
        measured_scores([answer(bad, 0)], [], NOW)


def test_bad_parameters() -> None:
    with pytest.raises(ValueError):
        measured_scores([], [], NOW, half_life_days=0)
    with pytest.raises(ValueError):
        measured_scores([], [], NOW, scenario_weight=-1)
