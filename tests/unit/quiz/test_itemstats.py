"""Item statistics on a small example computed by hand."""

from __future__ import annotations

import math

import pytest

from trainer.quiz.itemstats import Response, choices_of, item_statistics, pearson

# Four attempts of a three-question quiz, one mark each:
#            q1  q2  q3   total
# attempt A   1   1   1     3
# attempt B   1   0   1     2
# attempt C   0   1   0     1
# attempt D   0   0   0     0
#
# q1: x = [1, 1, 0, 0]; rest = (q2 + q3) / 2 = [1, .5, .5, 0]
#     deviations dx = [.5, .5, -.5, -.5], dy = [.5, 0, 0, -.5]
#     r = Σdxdy / sqrt(Σdx² Σdy²) = .5 / sqrt(1 × .5) = 1/√2 ≈ 0.7071
# q2: x = [1, 0, 1, 0]; rest = (q1 + q3) / 2 = [1, 1, 0, 0]; Σdxdy = .25 - .25 - .25 + .25 = 0 -> r = 0
# q3: same pattern as q1 -> 1/√2
SCORES = {"A": (1, 1, 1), "B": (1, 0, 1), "C": (0, 1, 0), "D": (0, 0, 0)}
CHOICES = {"A": "b", "B": "b", "C": "a", "D": "c"}  # q1 is single choice, b is right


def rows() -> list[Response]:
    result = []
    for attempt, marks in SCORES.items():
        for number, mark in enumerate(marks, start=1):
            choices = (CHOICES[attempt],) if number == 1 else ()
            result.append(Response(attempt, f"q{number}", float(mark), 1.0, choices))
    return result


def test_hand_computed_example() -> None:
    stats = item_statistics(rows(), min_attempts=1)
    assert stats["q1"].attempts == 4
    assert stats["q1"].facility == pytest.approx(0.5)
    assert stats["q1"].discrimination == pytest.approx(1 / math.sqrt(2))
    assert stats["q3"].discrimination == pytest.approx(1 / math.sqrt(2))
    assert stats["q2"].discrimination == pytest.approx(0.0)
    assert stats["q2"].flags == ("non_discriminating",)
    assert stats["q1"].flags == ()
    assert dict(stats["q1"].choice_counts) == {"b": 2, "a": 1, "c": 1}
    assert stats["q1"].choice_rate("b") == 0.5 and stats["q1"].choice_rate("d") == 0.0


def test_partial_marks_and_different_quiz_lengths() -> None:
    # a 2-mark question in a 2-question attempt and in a 3-question attempt: rest is a fraction
    data = [
        Response("A", "q", 2.0, 2.0),
        Response("A", "x", 1.0, 1.0),
        Response("B", "q", 1.0, 2.0),
        Response("B", "x", 1.0, 1.0),
        Response("B", "y", 0.0, 1.0),
        Response("C", "q", 0.0, 2.0),
        Response("C", "x", 0.0, 1.0),
    ]
    stats = item_statistics(data, min_attempts=1)["q"]
    assert stats.facility == pytest.approx(0.5)
    assert stats.discrimination == pytest.approx(pearson([1.0, 0.5, 0.0], [1.0, 0.5, 0.0]))


def test_flags_easy_hard_negative_and_min_attempts() -> None:
    data = []
    for n in range(10):
        strong = n < 5
        data += [
            Response(n, "easy", 1.0, 1.0),
            Response(n, "hard", 1.0 if n == 0 else 0.0, 1.0),
            Response(n, "backwards", 0.0 if strong else 1.0, 1.0),  # the strong get it wrong
            Response(n, "anchor", 1.0 if strong else 0.0, 1.0),
            Response(n, "anchor2", 1.0 if strong else 0.0, 1.0),
        ]
    stats = item_statistics(data)
    assert stats["easy"].flags == ("too_easy",)
    assert stats["easy"].discrimination is None  # no spread: undefined, not "bad"
    assert "too_hard" in stats["hard"].flags
    assert stats["backwards"].discrimination is not None and stats["backwards"].discrimination < 0
    assert "non_discriminating" in stats["backwards"].flags
    assert stats["anchor"].flags == ()
    assert item_statistics(data[:25])["easy"].flags == ()  # 5 attempts: too few to judge


def test_single_question_attempts_have_no_rest() -> None:
    stats = item_statistics([Response(1, "q", 1.0, 1.0), Response(2, "q", 0.0, 1.0)], min_attempts=1)["q"]
    assert stats.discrimination is None and stats.facility == 0.5


def test_choices_of() -> None:
    assert choices_of("single", "b") == ("b",)
    assert choices_of("multi", ["a", "c"]) == ("a", "c")
    assert choices_of("truefalse", False) == ("false",)
    assert choices_of("numeric", "41") == ()
    assert choices_of("single", None) == ()
