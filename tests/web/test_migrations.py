"""Upgrading an empty database to head with ``flask db upgrade`` gives exactly the models' schema.

SQLite always; PostgreSQL too when TEST_DATABASE_URL is set, in a throw-away schema of its own so
the other tests' tables in the same database are never touched.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from trainer import create_app
from trainer.extensions import db

pytestmark = pytest.mark.slow  # runs every migration on a fresh database

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "migrated.sqlite")
        return
    base = os.environ["TEST_DATABASE_URL"]
    schema = f"migration_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_upgrade_to_head_gives_the_models_schema(database_url, content_registry):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CONTENT_REGISTRY": content_registry,
        }
    )
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []  # really empty before
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output + repr(result.exception)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
            tables = set(inspect(conn).get_table_names())
        db.engine.dispose()
    assert differences == [], "migrations and models disagree:\n" + "\n".join(map(repr, differences))
    assert {"user", "lesson_progress", "certificate", "alembic_version"} <= tables
    assert tables - {"alembic_version"} == set(db.metadata.tables)


def test_learning_migration_goes_down_and_up_again(tmp_path, content_registry):
    """0002_learning can be rolled back to 0001_accounts and re-applied."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "updown.sqlite"),
            "CONTENT_REGISTRY": content_registry,
        }
    )
    runner = app.test_cli_runner()
    with app.app_context():
        assert runner.invoke(args=["db", "upgrade", "0002_learning"]).exit_code == 0
        assert {"lesson_progress", "certificate"} <= set(inspect(db.engine).get_table_names())
        assert runner.invoke(args=["db", "downgrade", "0001_accounts"]).exit_code == 0
        names = set(inspect(db.engine).get_table_names())
        assert "lesson_progress" not in names and "certificate" not in names and "user" in names
        assert runner.invoke(args=["db", "upgrade", "0002_learning"]).exit_code == 0
        assert "lesson_progress" in inspect(db.engine).get_table_names()
        db.engine.dispose()
