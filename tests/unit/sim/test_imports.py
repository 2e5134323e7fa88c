"""trainer.sim stays a pure-Python package: no Flask, no SQLAlchemy, no import-time side effects."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SIM_DIR = Path(__file__).resolve().parents[3] / "trainer" / "sim"
FORBIDDEN = ("flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "flask_babel")


def test_no_module_of_trainer_sim_imports_flask_or_sqlalchemy() -> None:
    files = sorted(SIM_DIR.glob("*.py"))
    assert files
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0].lower() not in FORBIDDEN, f"{path.name} imports {name}"


def test_importing_trainer_sim_alone_loads_no_web_framework() -> None:
    """Import the package without running trainer/__init__.py (which builds the web app)."""
    code = (
        "import sys, types\n"
        f"pkg = types.ModuleType('trainer'); pkg.__path__ = [{str(SIM_DIR.parent)!r}]\n"
        "sys.modules['trainer'] = pkg\n"
        "import trainer.sim, trainer.sim.cli, trainer.sim.bench\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(bad)\n"
        "raise SystemExit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_command_line_run_loads_no_web_framework() -> None:
    """`python -m trainer.sim run --preset distributor --days 30` as a user types it, through the real
    ``trainer`` package (whose __init__ must not build the web app) and the whole run."""
    argv = ["trainer.sim", "run", "--preset", "distributor", "--days", "30"]
    code = (
        "import runpy, sys\n"
        f"sys.argv = {argv!r}\n"
        "try:\n"
        "    runpy.run_module('trainer.sim', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print('web modules loaded:', bad)\n"
        "raise SystemExit(3 if bad else 0)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=SIM_DIR.parents[1]
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "web modules loaded: []" in proc.stdout
    assert "DSO" in proc.stdout  # the run printed its table
