"""The formula evaluator: arithmetic, KPI calls, and refusal of everything outside the whitelist."""

from __future__ import annotations

import pytest

from trainer.quiz.bank.formula import FormulaError, compile_formula, evaluate, round_half_up
from trainer.sim import kpis


def test_arithmetic_and_precedence() -> None:
    assert evaluate("1 + 2 * 3 - 4 / 2") == 5.0
    assert evaluate("(1 + 2) * 3") == 9.0
    assert evaluate("-2 ** 2") == -4.0
    assert evaluate("2 ** -1") == 0.5
    assert evaluate("+x - -x", {"x": 3}) == 6.0


def test_kpi_functions_match_the_library() -> None:
    params = {"A": 90, "S": 730}
    assert evaluate("dso(A, S, 365)", params) == kpis.dso(90, 730, 365)
    assert evaluate("carrying_cost(A, 0.05, days=90)", params) == kpis.carrying_cost(90, 0.05, days=90)
    assert evaluate("dso_countback(150, [(100, 30), (100, 31)])") == pytest.approx(45.5)
    assert evaluate("allowance_by_aging([100, 50], [0.01, 0.1])") == pytest.approx(6.0)
    assert evaluate("discount_annual_cost(0.02, 10, 30)") == pytest.approx(0.3724, abs=1e-4)


def test_round_is_half_up_not_bankers() -> None:
    assert evaluate("round(2.5)") == 3.0
    assert evaluate("round(2.675, 2)") == 2.68
    assert round_half_up(-2.5) == -3.0
    assert evaluate("min(3, 1, 2) + max(1, 4) + abs(-2)") == 7.0


def test_compile_reports_the_names_a_formula_needs() -> None:
    compiled = compile_formula("dso(A, S, 365) + x")
    assert compiled.names == {"A", "S", "x"}
    assert compiled.functions == {"dso"}


@pytest.mark.parametrize(
    ("source", "params", "message"),
    [
        ("", {}, "empty"),
        ("1 +", {}, "syntax error"),
        ("x + 1", {}, "unknown name(s) x"),
        ("foo(1)", {}, "unknown function 'foo'"),
        ("__import__('os')", {}, "unknown function '__import__'"),
        ("(1).real", {}, "attribute access"),
        ("[1, 2][0]", {}, "indexing"),
        ("1 < 2", {}, "comparisons"),
        ("'a'", {}, "only numbers"),
        ("True", {}, "only numbers"),
        ("lambda: 1", {}, "lambda"),
        ("1 // 2", {}, "FloorDiv"),
        ("dso", {}, "is a function"),
        ("1 / 0", {}, "division by zero"),
        ("10.0 ** 400", {}, "too large"),
        ("(-8) ** 0.5", {}, "not a real number"),
        ("dso(1, 0, 365)", {}, "dso: credit_sales must be greater than zero"),
        ("dso(1)", {}, "dso: wrong arguments"),
        ("[1, 2]", {}, "not a list"),
        ("round(1.5, 0.5)", {}, "whole number"),
        ("x", {"x": True}, "must be a number"),
    ],
)
def test_errors_are_clear(source: str, params: dict[str, object], message: str) -> None:
    with pytest.raises(FormulaError, match=None) as info:
        evaluate(source, params)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_no_eval_side_effects() -> None:
    with pytest.raises(FormulaError):
        evaluate("open('/etc/passwd')")
    with pytest.raises(FormulaError):
        evaluate("().__class__")
