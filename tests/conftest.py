"""Shared fixtures: the app on a fresh database per test (SQLite always, PostgreSQL too when
TEST_DATABASE_URL is set), a client with CSRF kept ON, and factories for people, teams, whole
organisations and signed-in clients (Indico style: a fixture returns a ``make_*`` callable)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, make_url, text
from werkzeug import security

from trainer import create_app
from trainer.accounts import models as accounts_model
from trainer.accounts.models import Role, Team, User
from trainer.catalog import load_content
from trainer.extensions import db
from trainer.learn import services as learning
from trainer.learn.course import Course

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_DIR = PROJECT_ROOT / "test-output"
TEST_PASSWORD = "correct-horse-42"

COURSE = "ar-essentials"
COMPETENCIES = [
    "credit_assessment",
    "contracts_terms",
    "invoicing_reconciliation",
    "collection_communication",
    "negotiation_objections",
    "data_analysis",
    "legal_compliance",
    "teamwork_escalation",
]

DB_BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def content_registry():
    """Real content, loaded once per test session (the app would load it per test otherwise)."""
    registry, problems = load_content(PROJECT_ROOT)
    assert not problems, "\n".join(map(str, problems))
    return registry


@pytest.fixture(scope="session")
def _postgres_schema_ready() -> dict[str, bool]:
    return {"created": False}


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> str:
    """TEST_DATABASE_URL, or under pytest-xdist a database of the worker's own beside it (made on first
    use), so tests running in parallel never empty each other's tables."""
    base = os.environ["TEST_DATABASE_URL"]
    if worker_id == "master":
        return base
    url = make_url(base)
    name = f"{url.database}_{worker_id}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(state: dict[str, bool]) -> None:
    """First use: rebuild the schema. Later: empty every table, which is much faster."""
    if not state["created"]:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        state["created"] = True
        return
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _fast_sqlite(dbapi_connection, _record) -> None:
    """A throw-away test database needs no durability: skip fsync and the on-disk journal."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.execute("PRAGMA journal_mode=MEMORY")
    cursor.close()


def _test_app(url: str, content_registry: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "CONTENT_REGISTRY": content_registry,
            "SERVER_NAME": None,
            "SIM_FRONTIER": False,  # tests/web/test_sim_frontier.py turns it on with a small preset
        }
    )


@pytest.fixture(scope="session")
def _sqlite_schema(tmp_path_factory, content_registry) -> Path:
    """An empty SQLite database with the models' schema, made once per session (per xdist worker);
    each test copies the file, which is much cheaper than creating every table again."""
    path = tmp_path_factory.mktemp("schema") / "empty.sqlite"
    application = _test_app("sqlite:///" + str(path), content_registry)
    with application.app_context():
        event.listen(db.engine, "connect", _fast_sqlite)
        db.create_all()
        db.engine.dispose()
    return path


@pytest.fixture(params=DB_BACKENDS)
def app(request, tmp_path, content_registry, _postgres_schema_ready):
    backend = request.param
    if backend == "sqlite":
        database = tmp_path / "test.sqlite"
        shutil.copyfile(request.getfixturevalue("_sqlite_schema"), database)
        url = "sqlite:///" + str(database)
    else:
        url = request.getfixturevalue("postgres_url")
    application = _test_app(url, content_registry)
    application.config["DB_BACKEND"] = backend
    with application.app_context():
        if backend == "sqlite":
            event.listen(db.engine, "connect", _fast_sqlite)
        else:
            _reset_postgres(_postgres_schema_ready)
        yield application
        db.session.remove()
        # Close the pool now: one app per test, and PostgreSQL allows only so many clients.
        db.engine.dispose()


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    The ``app`` fixture keeps an app context open for the test body; without this, requests would
    share its ``g`` (Flask-Login's user, Flask-Babel's locale) and its database session.
    Afterwards the test's own session is expired so it sees what the request committed.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    test_client = app.test_client()
    # Assertions read English by default; Chinese tests set the header or the user's language.
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(client, url: str = "/login") -> str:
    """Read a CSRF token from a rendered form, as a browser would."""
    html = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no csrf_token on {url}"
    return match.group(1) or match.group(2)


class Actions:
    """Helper for web tests: sign in and post forms with a real CSRF token."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = TEST_PASSWORD, follow: bool = True):
        token = csrf_token(self.client, "/login")
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=follow
        )

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/logout", data={"csrf_token": token}, follow_redirects=True)

    def post(self, url: str, data: dict | None = None, token_from: str | None = None, **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", csrf_token(self.client, token_from or url))
        return self.client.post(url, data=payload, **kwargs)


@pytest.fixture
def actions(client) -> Actions:
    return Actions(client)


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    counter = {"n": 0}

    def factory(role: str = Role.TRAINEE.value, *, email: str | None = None, name: str | None = None,
                language: str = "en", teams: list[Team] | None = None, manages: list[Team] | None = None,
                must_change_password: bool = False, active: bool = True) -> User:
        counter["n"] += 1
        user = User(
            email=email or f"{role}{counter['n']}@example.com",
            name=name or f"{role.title()} {counter['n']}",
            role=role,
            language=language,
            must_change_password=must_change_password,
            active=active,
        )
        user.set_password(TEST_PASSWORD)
        user.teams = list(teams or [])
        user.managed_teams = list(manages or [])
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_team(app) -> Callable[..., Team]:
    def factory(name: str, parent: Team | None = None) -> Team:
        team = Team(name=name, parent=parent)
        db.session.add(team)
        db.session.commit()
        return team

    return factory


PERSON_RE = re.compile(
    r"^(?P<role>\w+)(?: (?P<link>of|in) (?P<teams>[\w, ]+?))?(?:: (?P<name>[^<\[]+?))?"
    r"(?: <(?P<email>[^>]+)>)?(?: \[(?P<language>\w+)\])?$"
)


@dataclass
class Org:
    """What ``make_org`` built: ``org["amy"]`` is a person, ``org["east"]`` a team."""

    teams: dict[str, Team] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, key: str) -> User | Team:
        return self.people[key] if key in self.people else self.teams[key]


@pytest.fixture
def make_org(make_team: Callable[..., Team], make_user: Callable[..., User]) -> Callable[..., Org]:
    """Build teams and people from one-line descriptions, so a test file states only who it needs.

    ``teams`` maps a key to a team name, ``"Name < parent_key"`` for a sub-team. ``people`` maps a
    key to ``"role[ of|in team_key, ...][: Name][ <email>][ [language]]"``: a manager *of* the teams
    manages them, anyone *in* them is a member. The email defaults to the key with ``_`` as ``.``.
    """

    def factory(teams: dict[str, str], people: dict[str, str]) -> Org:
        org = Org()
        for key, spec in teams.items():
            name, _, parent = (part.strip() for part in spec.partition("<"))
            org.teams[key] = make_team(name, parent=org.teams[parent] if parent else None)
        for key, spec in people.items():
            match = PERSON_RE.match(spec)
            assert match, f"cannot read person {key!r}: {spec!r}"
            linked = [org.teams[t.strip()] for t in (match["teams"] or "").split(",") if t.strip()]
            org.people[key] = make_user(
                match["role"],
                email=match["email"] or f"{key.replace('_', '.')}@example.com",
                name=match["name"],
                language=match["language"] or "en",
                teams=linked if match["link"] == "in" else None,
                manages=linked if match["link"] == "of" else None,
            )
        return org

    return factory


@pytest.fixture
def signed_in(make_user: Callable[..., User], actions: Actions) -> Callable[..., User]:
    """``signed_in(role, **make_user_kwargs)``: a new user, signed in on the test's ``client``."""

    def factory(role: str = Role.TRAINEE.value, **kwargs: Any) -> User:
        user = make_user(role, **kwargs)
        actions.login(user.email)
        return user

    return factory


@pytest.fixture
def as_user(app: Flask) -> Callable[[str], Actions]:
    """A fresh signed-in client per person: ``as_user(email)`` -> Actions (``.client`` to GET)."""

    app.test_client_class = FreshContextClient

    def factory(email: str) -> Actions:
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        actions = Actions(client)
        assert actions.login(email).status_code == 200
        return actions

    return factory


@pytest.fixture
def course(app: Flask) -> Course:
    """The real onboarding course, as the app loaded it."""
    return app.extensions["content"].courses[COURSE]


@pytest.fixture
def no_quiz_gates(app: Flask) -> None:
    """Drop the quiz gates so the learning-path rules are tested on their own (a test that needs a
    gate registers a fake one). Use with ``pytestmark = pytest.mark.usefixtures("no_quiz_gates")``."""
    app.extensions.pop(learning.MODULE_GATE, None)
    app.extensions.pop(learning.FINAL_GATE, None)


@pytest.fixture(scope="session")
def output_dir() -> Iterator[Path]:
    path = OUTPUT_DIR
    path.mkdir(parents=True, exist_ok=True)
    yield path


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Production hashes use scrypt (slow on purpose); tests use a cheap method so that the
    hundreds of test users do not dominate the run. Verification reads the method from the hash."""
    original = accounts_model.generate_password_hash
    accounts_model.generate_password_hash = lambda password: security.generate_password_hash(
        password, method="pbkdf2:sha256:1000"
    )
    yield
    accounts_model.generate_password_hash = original
