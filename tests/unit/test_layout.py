"""The house rules of the layout (docs/developing.md), checked on the code as it is: small modules and
functions, and no import hidden inside a function. import-linter checks the contracts (layers, no
cycles, pure modules without Flask or SQLAlchemy) in `make test`; these are the rules it cannot see."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "trainer"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80

# Imports that may stay inside a function: optional dependencies a user may not have installed.
OPTIONAL_IMPORTS = {"redis", "rq"}


def _modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("root", [PACKAGE, ROOT / "tests"], ids=["trainer", "tests"])
def test_no_module_over_500_lines(root):
    long = [f"{_name(p)}: {n} lines" for p in _modules(root)
            if (n := p.read_text(encoding="utf-8").count("\n")) > MAX_MODULE_LINES]
    assert not long, "split these by responsibility:\n" + "\n".join(long)


@pytest.mark.parametrize("root", [PACKAGE, ROOT / "tests"], ids=["trainer", "tests"])
def test_no_function_over_80_lines(root):
    long = [
        f"{_name(p)}:{f.lineno} {f.name}: {length} lines"
        for p in _modules(root)
        for f in _functions(_tree(p))
        if (length := (f.end_lineno or f.lineno) - f.lineno + 1) > MAX_FUNCTION_LINES
    ]
    assert not long, "split these into smaller functions:\n" + "\n".join(long)


def test_no_import_inside_a_function():
    """An import inside a function hides a cycle or a slow start; only optional dependencies may."""
    hidden = []
    for path in _modules(PACKAGE):
        for function in _functions(_tree(path)):
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or "."]
                else:
                    continue
                hidden += [f"{_name(path)}:{node.lineno} {function.name} imports {name}"
                           for name in names if name.split(".")[0] not in OPTIONAL_IMPORTS]
    assert not hidden, "move these imports to the top of the module:\n" + "\n".join(hidden)


def test_the_rules_see_the_code():
    """The checks above must be reading the real package, not an empty folder."""
    modules = _modules(PACKAGE)
    assert len(modules) > 80
    assert sum(len(_functions(_tree(p))) for p in modules) > 800


def test_a_too_long_function_is_caught(tmp_path):
    source = tmp_path / "long.py"
    source.write_text("def f():\n" + "    x = 1\n" * MAX_FUNCTION_LINES + "    return x\n", encoding="utf-8")
    (function,) = _functions(_tree(source))
    assert (function.end_lineno or 0) - function.lineno + 1 > MAX_FUNCTION_LINES
