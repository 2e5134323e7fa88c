"""Conditions on role-play state: a tiny, safe expression language.

A condition is text such as ``"facts >= 2 and relationship > 40"``. It is parsed with :mod:`ast`
and only a whitelist of node types is accepted: variable names, numbers, comparisons
(``< <= > >= == !=``, chained too) and ``and`` / ``or`` / ``not``. Nothing is ever passed to
``eval``. A parsed condition is an immutable tree of tuples that can be evaluated against a mapping
of variable values, and checked for satisfiability over variable ranges (to find dead choices).

Pure Python: no Flask, no file access.
"""

from __future__ import annotations

import ast
import itertools
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_LENGTH = 300
"""Longest condition text accepted; conditions are meant to be short."""

_COMPARE: dict[type[ast.cmpop], tuple[str, Callable[[float, float], bool]]] = {
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
}
_OPS: dict[str, Callable[[float, float], bool]] = {sym: fn for sym, fn in _COMPARE.values()}

# Expression tree (immutable tuples):
#   ("num", value) | ("name", id) | ("cmp", (op, ...), (operand, ...))
#   ("and", (expr, ...)) | ("or", (expr, ...)) | ("not", expr)
Expr = tuple[Any, ...]


class ConditionError(ValueError):
    """A condition that cannot be parsed or evaluated; the message says why, for authors."""


@dataclass(frozen=True)
class Condition:
    """A parsed condition. ``names`` are the variables it reads."""

    source: str
    tree: Expr = field(repr=False)
    names: frozenset[str] = field(default=frozenset(), compare=False)

    def evaluate(self, values: Mapping[str, float]) -> bool:
        """True when the condition holds for ``values``; an unknown name is a ConditionError."""
        return bool(_eval(self.tree, values))

    def __str__(self) -> str:
        return self.source


def parse_condition(source: str) -> Condition:
    """Parse condition text into a :class:`Condition`, or raise :class:`ConditionError`."""
    if not isinstance(source, str) or not source.strip():
        raise ConditionError("a condition must be non-empty text")
    text = source.strip()
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"a condition is at most {MAX_LENGTH} characters long")
    try:
        module = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"not a valid expression ({exc.msg})") from None
    except (RecursionError, MemoryError, ValueError):
        raise ConditionError("not a valid expression") from None
    names: set[str] = set()
    tree = _convert(module.body, names)
    return Condition(text, tree, frozenset(names))


def _convert(node: ast.AST, names: set[str]) -> Expr:
    if isinstance(node, ast.BoolOp):
        kind = "and" if isinstance(node.op, ast.And) else "or"
        return (kind, tuple(_convert(v, names) for v in node.values))
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return ("not", _convert(node.operand, names))
        if isinstance(node.op, (ast.USub, ast.UAdd)) and _is_number(node.operand):
            value = node.operand.value  # type: ignore[attr-defined]
            return ("num", -value if isinstance(node.op, ast.USub) else value)
        raise ConditionError("only 'not' and a sign on a number are allowed as unary operators")
    if isinstance(node, ast.Compare):
        ops = []
        for op in node.ops:
            entry = _COMPARE.get(type(op))
            if entry is None:
                raise ConditionError(f"comparison '{type(op).__name__}' is not allowed (use < <= > >= == !=)")
            ops.append(entry[0])
        operands = tuple(_convert(v, names) for v in (node.left, *node.comparators))
        for operand in operands:
            if operand[0] not in ("num", "name"):
                raise ConditionError("compare variables and numbers only, not whole expressions")
        return ("cmp", tuple(ops), operands)
    if isinstance(node, ast.Name):
        names.add(node.id)
        return ("name", node.id)
    if _is_number(node):
        return ("num", node.value)  # type: ignore[attr-defined]
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return ("num", int(node.value))
    raise ConditionError(
        f"'{type(node).__name__}' is not allowed: use variable names, numbers, comparisons and and/or/not"
    )


def _is_number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
        and math.isfinite(node.value)
    )


def _eval(tree: Expr, values: Mapping[str, float]) -> Any:
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "name":
        try:
            return values[tree[1]]
        except KeyError:
            raise ConditionError(f"unknown variable '{tree[1]}'") from None
    if kind == "cmp":
        ops, operands = tree[1], tree[2]
        left = _eval(operands[0], values)
        for op, right_tree in zip(ops, operands[1:], strict=True):
            right = _eval(right_tree, values)
            if not _OPS[op](left, right):
                return False
            left = right
        return True
    if kind == "and":
        return all(_eval(item, values) for item in tree[1])
    if kind == "or":
        return any(_eval(item, values) for item in tree[1])
    if kind == "not":
        return not _eval(tree[1], values)
    raise ConditionError(f"unknown expression node {kind!r}")  # pragma: no cover


def _constants(tree: Expr, found: set[float]) -> None:
    kind = tree[0]
    if kind == "num":
        found.add(float(tree[1]))
    elif kind == "cmp":
        for operand in tree[2]:
            _constants(operand, found)
    elif kind in ("and", "or"):
        for item in tree[1]:
            _constants(item, found)
    elif kind == "not":
        _constants(tree[1], found)


MAX_CANDIDATES = 200_000
"""Beyond this many combinations ``satisfiable`` gives up and answers True (assume alive)."""


def satisfiable(
    condition: Condition,
    ranges: Mapping[str, tuple[float, float]],
    *,
    integer: bool = True,
) -> bool:
    """Can ``condition`` be true for some values inside ``ranges`` (name -> (low, high))?

    Exact for this language: the truth of a comparison only changes at the constants and the range
    ends, so it is enough to try those points and their neighbours (±1 when every value is an
    integer, a hair's breadth otherwise). Names missing from ``ranges`` raise ConditionError.
    """
    points: set[float] = set()
    _constants(condition.tree, points)
    for name in condition.names:
        if name not in ranges:
            raise ConditionError(f"unknown variable '{name}'")
        points.update(ranges[name])
    step = 1.0 if integer else 1e-6
    candidates: dict[str, list[float]] = {}
    total = 1
    for name in sorted(condition.names):
        low, high = ranges[name]
        values: set[float] = {low, high}
        for point in points:
            for near in (point - step, point, point + step):
                if integer:
                    for rounded in (math.floor(near), math.ceil(near)):
                        if low <= rounded <= high:
                            values.add(float(rounded))
                elif low <= near <= high:
                    values.add(near)
        candidates[name] = sorted(values)
        total *= len(values)
    if total > MAX_CANDIDATES:
        return True
    names = list(candidates)
    for combo in itertools.product(*(candidates[n] for n in names)):
        if condition.evaluate(dict(zip(names, combo, strict=True))):
            return True
    return False
