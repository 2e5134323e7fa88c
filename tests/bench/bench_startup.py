"""Benchmark: how long the app takes to start with all content validated, against `import flask`.

    .venv/bin/python tests/bench/bench_startup.py [--runs 7]

Each figure is the median wall time of ``--runs`` fresh Python processes, measured round-robin in the
same run so that the load of a shared machine falls on all of them alike:
- ``import flask``: the baseline;
- ``import libraries``: the third-party packages the app cannot start without (Flask's extensions,
  SQLAlchemy, Alembic through Flask-Migrate, NumPy and SimPy for the engine, Markdown, YAML): the floor
  that no content work can go below;
- ``import app``: importing the factory and every feature (no content loaded);
- ``before``: ``create_app()`` as it was, pure-Python YAML loader and no content cache;
- ``cold``: ``create_app()`` with libyaml and an empty content cache (it loads, validates, writes);
- ``warm``: ``create_app()`` with the cache present (the second start, every gunicorn worker).
Each is printed with its ratio to ``import flask``; the issue's target is warm <= 3 x import flask.
Every program runs once untimed first, writing its bytecode to a temporary PYTHONPYCACHEPREFIX, so all
are measured as an installed deployment runs them (from .pyc files) even where the environment sets
PYTHONDONTWRITEBYTECODE: compiling the app's 200 modules on every start would cost a quarter second.
Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET_RATIO = 3.0
CREATE = "from trainer import create_app; create_app()"
PURE_PYTHON = "import trainer.content.source as s; s._FastLineLoader = None; "
LIBRARIES = (
    "import flask, flask_sqlalchemy, sqlalchemy.orm, flask_migrate, flask_babel, flask_wtf, flask_login, "
    "numpy, simpy, markdown, nh3, yaml"
)
PROGRAMS = {
    "import flask": "import flask",
    "import libraries": LIBRARIES,
    "import app": "import trainer.factory",
    "before": PURE_PYTHON + "from trainer import create_app; create_app({'CONTENT_CACHE': False})",
    "cold": CREATE,
    "warm": CREATE,
}


def seconds(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    cache = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    bytecode = Path(tempfile.mkdtemp(prefix="bench-startup-pyc-"))
    env = dict(os.environ, TRAINER_SECRET_KEY="bench-startup-key", TRAINER_CONTENT_CACHE_DIR=str(cache),
               PYTHONPYCACHEPREFIX=str(bytecode))
    env.pop("TRAINER_CONTENT_CACHE", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    times: dict[str, list[float]] = {name: [] for name in PROGRAMS}
    try:
        for code in PROGRAMS.values():
            seconds(code, env)  # untimed: writes the bytecode
        for _ in range(runs):
            for name, code in PROGRAMS.items():
                if name == "cold":
                    shutil.rmtree(cache, ignore_errors=True)
                times[name].append(seconds(code, env))
        assert (cache / "content-cache.pickle").is_file(), "the cold start wrote no content cache"
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(bytecode, ignore_errors=True)
    medians = {name: statistics.median(values) for name, values in times.items()}
    baseline = medians["import flask"]
    print(f"start-up, median of {runs} processes each (load average {os.getloadavg()[0]:.2f})")
    for name, value in medians.items():
        print(f"  {name:<16} {value * 1000:7.0f} ms  {value / baseline:5.1f} x import flask")
    warm = medians["warm"] / baseline
    verdict = "met" if warm <= TARGET_RATIO else "NOT met"
    print(f"  target: warm start <= {TARGET_RATIO:.0f} x import flask: {warm:.1f} x, {verdict}")
    print(f"  cold/import flask {medians['cold'] / baseline:.1f} x, warm/import flask {warm:.1f} x")


if __name__ == "__main__":
    main()
