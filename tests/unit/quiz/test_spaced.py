"""The FSRS wrapper: correct = Good, wrong = Again, JSON-able cards, due and retrievability order."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from trainer.quiz.spaced import due_at, least_retained, new_card, pick_due, retrievability, review

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def test_first_review_schedules_days_ahead() -> None:
    card, due = review(None, True, NOW)
    assert due - NOW >= timedelta(days=1)  # no minute-long learning steps: this is a daily review
    assert due == due_at(card)
    assert json.loads(json.dumps(card)) == card  # stored as JSON as is


def test_wrong_comes_back_sooner_than_right() -> None:
    _, due_right = review(None, True, NOW)
    _, due_wrong = review(None, False, NOW)
    assert due_wrong < due_right


def test_intervals_grow_with_repeated_success() -> None:
    card, due = review(None, True, NOW)
    intervals = []
    for _ in range(4):
        card, next_due = review(card, True, due)
        intervals.append(next_due - due)
        due = next_due
    assert intervals == sorted(intervals) and intervals[-1] > intervals[0]
    lapsed, lapse_due = review(card, False, due)
    assert lapse_due - due < intervals[-1]
    assert lapsed["difficulty"] > card["difficulty"]


def test_deterministic_and_naive_datetimes_are_utc() -> None:
    naive = NOW.replace(tzinfo=None)
    assert review(None, True, naive) == review(None, True, NOW)
    shanghai = NOW.astimezone(timezone(timedelta(hours=8)))
    assert review(None, True, shanghai) == review(None, True, NOW)


def test_retrievability_falls_over_time() -> None:
    assert retrievability(None, NOW) == 0.0
    assert retrievability(new_card(NOW), NOW) == 0.0
    card, _ = review(None, True, NOW)
    values = [retrievability(card, NOW + timedelta(days=d)) for d in (0, 1, 5, 30)]
    assert values[0] == 1.0
    assert values == sorted(values, reverse=True) and values[-1] < 0.7


def test_pick_due_orders_by_due_then_lowest_retrievability() -> None:
    early, _ = review(None, False, NOW - timedelta(days=10))  # due long ago
    fresh, _ = review(None, True, NOW)  # not due yet
    same_a, _ = review(None, True, NOW - timedelta(days=4))
    same_b, _ = review(None, False, NOW - timedelta(days=4))
    same_b["due"] = same_a["due"]  # equal due date: the weaker memory (lower retrievability) first
    cards = {"early": early, "fresh": fresh, "a": same_a, "b": same_b, "new": new_card(NOW)}
    assert retrievability(same_b, NOW) < retrievability(same_a, NOW)
    assert pick_due(cards, NOW, 10) == ["early", "b", "a", "new"]
    assert pick_due(cards, NOW, 2) == ["early", "b"]
    assert pick_due(cards, NOW, 0) == []


def test_least_retained_puts_due_first_then_weakest() -> None:
    strong, _ = review(None, True, NOW)
    strong, _ = review(strong, True, NOW + timedelta(days=3))
    weak, _ = review(None, True, NOW)
    due, _ = review(None, False, NOW - timedelta(days=5))
    cards = {"strong": strong, "weak": weak, "due": due}
    assert least_retained(cards, NOW + timedelta(days=1)) == ["due", "weak", "strong"]
    assert least_retained(cards, NOW + timedelta(days=4), limit=1) == ["due"]
