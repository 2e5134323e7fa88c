"""A safe evaluator for the answer formulas of numeric and calculated questions.

Question banks compute their answers from formulas (``"dso(A, S, 365)"``) instead of typing them by
hand, so a formula must be checked when the bank loads and evaluated per attempt. ``eval()`` would
run anything a content author (or a GIFT file) wrote; instead the formula is parsed with :mod:`ast`
and only a whitelist of nodes is interpreted:

- numbers (ints and floats; everything is computed in floats),
- names bound to the question's params,
- ``+ - * / **``, parentheses, unary ``-`` and ``+``,
- tuple/list literals (for ``dso_countback(AR, [(S1, 30), (S2, 31)])`` and ``allowance_by_aging``),
- calls to ``round`` (half-up, not Python's banker's rounding), ``min``, ``max``, ``abs`` and the
  receivables KPIs of :mod:`trainer.sim.kpis` by name, with positional or keyword arguments.

Anything else (attributes, subscripts, comparisons, lambdas, strings...) is a :class:`FormulaError`
with a message a content author can act on.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from trainer.sim import kpis

__all__ = [
    "FUNCTIONS",
    "Formula",
    "FormulaError",
    "compile_formula",
    "evaluate",
    "free_names",
    "round_half_up",
]

MAX_FORMULA_LENGTH = 1000


class FormulaError(ValueError):
    """A formula cannot be parsed or evaluated; the message says why, for the content author."""


def round_half_up(value: float, ndigits: int = 0) -> float:
    """Round the way people and spreadsheets do (2.5 -> 3, 2.675 -> 2.68), not banker's rounding.

    The decimal goes through ``repr`` so 2.675 (stored as 2.67499999...) still rounds up, which is
    what the author of "round to two decimals" means.
    """
    if not isinstance(ndigits, int) or isinstance(ndigits, bool) or not -12 <= ndigits <= 12:
        raise FormulaError(f"round: digits must be a whole number between -12 and 12, got {ndigits!r}")
    if not math.isfinite(value):
        raise FormulaError(f"round: cannot round {value!r}")
    try:
        quantum = Decimal(1).scaleb(-ndigits)
        return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))
    except InvalidOperation as exc:  # pragma: no cover - guarded by the range check above
        raise FormulaError(f"round: cannot round {value!r} to {ndigits} digits") from exc


def _round(value: float, ndigits: float = 0) -> float:
    if not isinstance(ndigits, int | float) or not float(ndigits).is_integer():
        raise FormulaError(f"round: digits must be a whole number, got {ndigits!r}")
    return round_half_up(value, int(ndigits))


def _kpi_functions() -> dict[str, Callable[..., Any]]:
    return {name: getattr(kpis, name) for name in kpis.__all__}


FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "round": _round,
    "min": min,
    "max": max,
    "abs": abs,
    **_kpi_functions(),
}
"""Every function a formula may call. The KPI functions are taken from ``kpis.__all__``, so a KPI
added there is usable in question banks without touching this module."""

_BINARY: Mapping[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_UNARY: Mapping[type[ast.unaryop], Callable[[float], float]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


@dataclass(frozen=True)
class Formula:
    """A parsed, checked formula: evaluate it many times (once per attempt) without re-parsing."""

    source: str
    tree: ast.Expression
    names: frozenset[str]
    """Free variable names: the params the formula needs."""
    functions: frozenset[str]


def _describe(node: ast.AST) -> str:
    names = {
        ast.Attribute: "attribute access (a.b)",
        ast.Subscript: "indexing (a[b])",
        ast.Compare: "comparisons",
        ast.BoolOp: "and/or",
        ast.IfExp: "if/else",
        ast.Lambda: "lambda",
        ast.Dict: "dictionaries",
        ast.Set: "sets",
        ast.ListComp: "comprehensions",
        ast.GeneratorExp: "comprehensions",
        ast.Starred: "*arguments",
        ast.JoinedStr: "strings",
    }
    for kind, label in names.items():
        if isinstance(node, kind):
            return label
    if isinstance(node, ast.Constant):
        return f"the constant {node.value!r} (only numbers are allowed)"
    if isinstance(node, ast.BinOp):
        return f"the operator {type(node.op).__name__} (allowed: + - * / **)"
    if isinstance(node, ast.UnaryOp):
        return f"the operator {type(node.op).__name__} (allowed: unary - and +)"
    return type(node).__name__


def _check(node: ast.AST, names: set[str], functions: set[str]) -> None:
    """Walk the tree and refuse every node outside the whitelist, collecting names and calls."""
    if isinstance(node, ast.Expression):
        _check(node.body, names, functions)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"not allowed in a formula: {_describe(node)}")
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise FormulaError(f"'{node.id}' is a function: call it, e.g. {node.id}(...)")
        names.add(node.id)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left, names, functions)
        _check(node.right, names, functions)
    elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        _check(node.operand, names, functions)
    elif isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            _check(element, names, functions)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise FormulaError("only named functions can be called, e.g. dso(A, S, 365)")
        if node.func.id not in FUNCTIONS:
            raise FormulaError(f"unknown function '{node.func.id}' (allowed: {', '.join(sorted(FUNCTIONS))})")
        functions.add(node.func.id)
        for arg in node.args:
            _check(arg, names, functions)
        for keyword in node.keywords:
            if keyword.arg is None:
                raise FormulaError("**arguments are not allowed in a formula")
            _check(keyword.value, names, functions)
    else:
        raise FormulaError(f"not allowed in a formula: {_describe(node)}")


@lru_cache(maxsize=2048)
def compile_formula(source: str) -> Formula:
    """Parse and check a formula; raises :class:`FormulaError` for syntax or disallowed constructs.

    Cached, because every attempt at a calculated question evaluates the same few formulas.
    """
    if not isinstance(source, str) or not source.strip():
        raise FormulaError("the formula is empty")
    if len(source) > MAX_FORMULA_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_FORMULA_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        where = f" at column {exc.offset}" if exc.offset else ""
        raise FormulaError(f"syntax error{where}: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("the formula is too deeply nested") from None
    names: set[str] = set()
    functions: set[str] = set()
    try:
        _check(tree, names, functions)
    except RecursionError:
        raise FormulaError("the formula is too deeply nested") from None
    return Formula(source.strip(), tree, frozenset(names), frozenset(functions))


def _eval(node: ast.AST, params: Mapping[str, float]) -> Any:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)
        return float(node.value)
    if isinstance(node, ast.Name):
        return params[node.id]
    if isinstance(node, ast.BinOp):
        left = _eval(node.left, params)
        right = _eval(node.right, params)
        if not isinstance(left, float) or not isinstance(right, float):
            raise FormulaError(f"'{_SYMBOLS[type(node.op)]}' needs numbers, not a list")
        result = _BINARY[type(node.op)](left, right)
        if isinstance(result, complex):
            raise FormulaError("the result is not a real number (a negative number to a fractional power)")
        return float(result)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, params)
        if not isinstance(operand, float):
            raise FormulaError("a minus sign needs a number, not a list")
        return _UNARY[type(node.op)](operand)
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(_eval(element, params) for element in node.elts)
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        name = node.func.id
        args = [_eval(arg, params) for arg in node.args]
        kwargs = {kw.arg: _eval(kw.value, params) for kw in node.keywords if kw.arg}
        try:
            result = FUNCTIONS[name](*args, **kwargs)
        except FormulaError as exc:
            raise FormulaError(str(exc)) from None
        except TypeError as exc:
            raise FormulaError(f"{name}: wrong arguments ({exc})") from None
        except ValueError as exc:
            raise FormulaError(f"{name}: {exc}") from None
        return float(result) if isinstance(result, int | float) else result
    raise FormulaError(f"not allowed in a formula: {_describe(node)}")  # pragma: no cover


def evaluate(formula: str | Formula, params: Mapping[str, float] | None = None) -> float:
    """Evaluate a formula with the given params; the result is always a finite float.

    Raises :class:`FormulaError` for unknown names, division by zero, overflow, a KPI function
    refusing its arguments, or a result that is not a finite number.
    """
    compiled = formula if isinstance(formula, Formula) else compile_formula(formula)
    values: dict[str, float] = {}
    for name, value in (params or {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FormulaError(f"param '{name}' must be a number, got {value!r}")
        values[name] = float(value)
    missing = sorted(compiled.names - values.keys())
    if missing:
        raise FormulaError(f"unknown name(s) {', '.join(missing)}: not among the params")
    try:
        result = _eval(compiled.tree.body, values)
    except ZeroDivisionError:
        raise FormulaError("division by zero") from None
    except OverflowError:
        raise FormulaError("the result is too large") from None
    except RecursionError:
        raise FormulaError("the formula is too deeply nested") from None
    if not isinstance(result, float):
        raise FormulaError("the formula must give a number, not a list")
    if not math.isfinite(result):
        raise FormulaError(f"the result is not a finite number ({result!r})")
    return result


def free_names(sources: Iterable[str]) -> frozenset[str]:
    """All param names several formulas need (e.g. a main answer and its alternatives)."""
    names: set[str] = set()
    for source in sources:
        names |= compile_formula(source).names
    return frozenset(names)
