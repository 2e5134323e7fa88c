"""The condition language: whitelist parsing, evaluation, satisfiability over ranges."""

from __future__ import annotations

import pytest

from trainer.roleplay.conditions import ConditionError, parse_condition, satisfiable


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("money >= 50", {"money": 50}, True),
        ("money >= 50", {"money": 49}, False),
        ("facts > 1 and relationship < 40", {"facts": 2, "relationship": 39}, True),
        ("facts > 1 and relationship < 40", {"facts": 2, "relationship": 40}, False),
        ("facts > 1 or relationship < 40", {"facts": 0, "relationship": 10}, True),
        ("not (facts > 1)", {"facts": 0}, True),
        ("0 < money <= 10", {"money": 10}, True),
        ("0 < money <= 10", {"money": 0}, False),
        ("money != relationship", {"money": 3, "relationship": 3}, False),
        ("deposit", {"deposit": 1}, True),
        ("deposit == 0", {"deposit": 0}, True),
        ("money > -5", {"money": 0}, True),
        ("money == 1.5", {"money": 1.5}, True),
    ],
)
def test_evaluates(text: str, values: dict[str, float], expected: bool) -> None:
    assert parse_condition(text).evaluate(values) is expected


def test_names_are_collected() -> None:
    assert parse_condition("facts > 1 and (money < 3 or not deposit)").names == {"facts", "money", "deposit"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "non-empty"),
        ("money >=", "not a valid expression"),
        ("__import__('os').system('echo hi')", "'Call' is not allowed"),
        ("money + 1 > 2", "'BinOp' is not allowed"),
        ("money.real > 2", "'Attribute' is not allowed"),
        ("'a' < 'b'", "'Constant' is not allowed"),
        ("money in [1, 2]", "'In' is not allowed"),
        ("x if y else z", "'IfExp' is not allowed"),
        ("-money > 2", "unary"),
        ("(a < b) < c", "compare variables and numbers only"),
        ("a < b" + " and a < b" * 60, "at most"),
    ],
)
def test_rejects_everything_outside_the_whitelist(text: str, reason: str) -> None:
    with pytest.raises(ConditionError, match=reason):
        parse_condition(text)


def test_unknown_name_at_evaluation_is_a_condition_error() -> None:
    with pytest.raises(ConditionError, match="unknown variable 'ghost'"):
        parse_condition("ghost > 1").evaluate({"money": 1})


@pytest.mark.parametrize(
    ("text", "ranges", "expected"),
    [
        ("money > 100", {"money": (0, 100)}, False),
        ("money >= 100", {"money": (0, 100)}, True),
        ("money > 99.5", {"money": (0, 100)}, True),
        ("facts >= 2 and facts < 2", {"facts": (0, 5)}, False),
        ("facts == 3", {"facts": (1, 1)}, False),
        ("money > relationship", {"money": (0, 10), "relationship": (10, 20)}, False),
        ("money >= relationship", {"money": (0, 10), "relationship": (10, 20)}, True),
        ("not (money >= 0)", {"money": (0, 100)}, False),
        ("money != 5", {"money": (5, 5)}, False),
        ("money != 5", {"money": (5, 6)}, True),
        ("money > 2 and money < 3", {"money": (0, 10)}, False),
    ],
)
def test_satisfiable_on_integer_ranges(
    text: str, ranges: dict[str, tuple[float, float]], expected: bool
) -> None:
    assert satisfiable(parse_condition(text), ranges) is expected


def test_satisfiable_on_real_ranges_finds_the_gap_between_integers() -> None:
    assert satisfiable(parse_condition("money > 2 and money < 3"), {"money": (0, 10)}, integer=False)
    assert not satisfiable(parse_condition("money > 3 and money < 3"), {"money": (0, 10)}, integer=False)
