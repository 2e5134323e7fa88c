"""Benchmark: where a sign-in's time goes, against a hello-world Flask route in the same process.

    .venv/bin/python tests/bench/bench_signin.py [--runs 15]

Through the test client on a fresh SQLite file, round-robin so the load of a shared machine falls on
every figure alike, each the median of ``--runs``:
- ``hello world``: a bare Flask route in a bare app (the baseline);
- ``password check``: one ``check_password_hash`` of the stored hash (werkzeug's scrypt, N=2^15, r=8,
  p=1: about 32 MiB and tens of milliseconds per try, which is the point: it is what a stolen hash
  costs an attacker per guess);
- ``sign-in POST``: the form posted, the throttle consulted, the hash checked, the session written;
- ``home after sign-in``: the page the browser is sent to next;
- ``wrong password``: the refused POST (the same hash cost, so a wrong address is not faster).
Each with its ratio to hello world, and the share of the sign-in POST that is the hash.
Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from werkzeug.security import check_password_hash

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TRAINER_SECRET_KEY", "bench-only-secret-key-not-for-use-0123456789")

from trainer import create_app  # noqa: E402
from trainer.accounts.models import User  # noqa: E402
from trainer.extensions import db  # noqa: E402

PASSWORD = "bench-password-1"
EMAIL = "signin@bench.local"


def hello_client():
    app = Flask("hello")
    app.add_url_rule("/", "hello", lambda: "Hello, world!")
    return app.test_client()


def trainer_app(folder: str) -> Flask:
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
        "WTF_CSRF_ENABLED": False,
        "LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS": 10**6, "LOGIN_MAX_FAILURES_PER_ACCOUNT": 10**6,
    })
    with app.app_context():
        db.create_all()
        user = User(email=EMAIL, name="Bench", role="trainee", must_change_password=False)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    if runs < 1:
        parser.error("--runs must be at least 1")
    with tempfile.TemporaryDirectory() as folder:
        app = trainer_app(folder)
        with app.app_context():
            stored = db.session.scalars(db.select(User.password_hash).where(User.email == EMAIL)).one()
        hello = hello_client()

        def sign_in() -> None:
            client = app.test_client()
            response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
            assert response.status_code == 302, response.status_code
            figures_client[0] = client

        figures_client: list = [None]

        def home() -> None:
            response = figures_client[0].get("/")
            assert response.status_code == 200, response.status_code

        def wrong() -> None:
            response = app.test_client().post("/login", data={"email": EMAIL, "password": "not-it"})
            assert response.status_code == 200, response.status_code

        programs: dict[str, Callable[[], object]] = {
            "hello world": lambda: hello.get("/"),
            "password check": lambda: check_password_hash(stored, PASSWORD),
            "sign-in POST": sign_in,
            "home after sign-in": home,
            "wrong password": wrong,
        }
        for program in programs.values():  # warm up: templates compiled, pools opened
            program()
        times: dict[str, list[float]] = {name: [] for name in programs}
        for _ in range(runs):
            for name, program in programs.items():
                start = time.perf_counter()
                program()
                times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["hello world"]
    print(f"sign-in, median of {runs} runs (load average {os.getloadavg()[0]:.1f}):")
    for name, value in medians.items():
        print(f"  {name:<20} {value * 1000:8.1f} ms  {value / base:8.0f} x hello world")
    share = medians["password check"] / medians["sign-in POST"]
    print(f"  the password check is {share:.0%} of the sign-in POST; "
          f"sign-in and the first page together: {(medians['sign-in POST'] + medians['home after sign-in']) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
