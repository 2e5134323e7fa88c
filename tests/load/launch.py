"""What the load tests (``loadtest.py``, ``users.py``) share to launch the production stack: a
scratch PostgreSQL database named after TEST_DATABASE_URL's, the demo data and N signed-up trainees
loaded through the ``flask`` command, a free port and gunicorn on it, and stopping it all again.

Kept in one place so that both tests start the stack the same way: a fix to the set-up (a new
migration step, a changed seed) lands in both (``tests/web/test_two_hosts.py`` uses the database and
stopping helpers too). The database is named ``<TEST_DATABASE_URL's database>_<suffix>``, so runs
against different databases of one server never drop each other's.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

SETUP = """
import sys
from trainer import create_app
from trainer.accounts.models import Role, Team, User
from trainer.extensions import db
from trainer.learn.services import lookups, recording

n, password, prefix, team_name, language = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
app = create_app()
with app.app_context():
    team = Team(name=team_name)
    db.session.add(team)
    template = User(email=f"{prefix}-template@example.com", name="template", role=Role.TRAINEE.value)
    template.set_password(password)
    people = []
    for i in range(n):
        person = User(email=f"{prefix}{i}@example.com", name=f"{prefix.capitalize()} {i}", role=Role.TRAINEE.value,
                      language=language)
        person.password_hash = template.password_hash  # one hash for all: hashing is not what we measure
        person.must_change_password = False
        person.teams.append(team)
        people.append(person)
    db.session.add_all(people)
    db.session.commit()
    course = lookups.onboarding_course()
    for person in people:
        for lesson in course.module("m1-basics").lessons:
            recording.complete_lesson(person.id, course.id, lesson.id, language.split("_")[0])
"""


@dataclass(frozen=True)
class Trainees:
    """The people a load test signs in as: ``<prefix><i>@example.com`` with one password, all in one
    team, each having read module 1."""

    count: int
    password: str
    prefix: str
    team: str
    language: str  # "en" or "zh_CN"; the lessons are recorded as read in that language


def database_urls(server_url: str, suffix: str) -> tuple[str, str]:
    """(the admin URL on the server's maintenance database, the load test's own database URL)."""
    url = make_url(server_url)
    own = f"{url.database or 'trainer'}_{suffix}"
    return (url.set(database="postgres").render_as_string(hide_password=False),
            url.set(database=own).render_as_string(hide_password=False))


def recreate(admin_url: str, db_url: str, create: bool = True) -> None:
    """Drop the database of ``db_url`` (even with connections left open) and, unless told not to,
    make it again empty."""
    name = make_url(db_url).database
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if create:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def app_env(db_url: str, **extra: str) -> dict[str, str]:
    """The environment of every process of the stack: this one's, the database and a fresh secret."""
    return {**os.environ, "TRAINER_DATABASE_URL": db_url, "TRAINER_SECRET_KEY": os.urandom(24).hex(), **extra}


def flask(env: dict[str, str], *args: str, quiet: bool = False) -> None:
    """Run ``flask --app trainer ARGS``; its output is not shown (nor, when ``quiet``, its errors)."""
    output = {"capture_output": True} if quiet else {"stdout": subprocess.DEVNULL}
    subprocess.run([str(BIN / "flask"), "--app", "trainer", *args], env=env, cwd=ROOT, check=True, **output)


def load_data(env: dict[str, str], trainees: Trainees, quiet: bool = False) -> None:
    """Migrate the empty database, load the demo organisation, then add the trainees."""
    flask(env, "db", "upgrade", quiet=quiet)
    flask(env, "seed-demo", quiet=quiet)
    subprocess.run([sys.executable, "-c", SETUP, str(trainees.count), trainees.password, trainees.prefix,
                    trainees.team, trainees.language], env=env, cwd=ROOT, check=True, capture_output=quiet)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gunicorn(env: dict[str, str], port: int, *options: str) -> subprocess.Popen[bytes]:
    """gunicorn serving the app on 127.0.0.1:``port`` with the test's ``options`` (workers...); it
    is up once it answers, which the caller waits for."""
    return subprocess.Popen([str(BIN / "gunicorn"), *options, "--bind", f"127.0.0.1:{port}", "--timeout", "60",
                             "trainer:create_app()"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(processes: list[subprocess.Popen[bytes]], seconds: float) -> None:
    """Ask every process to end, and kill the ones still running after ``seconds``."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()

