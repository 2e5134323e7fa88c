"""The app refuses to start outside debug and testing without a real secret key; `make run` makes one
once in instance/ (mode 0600, not in git) and reuses it."""

from __future__ import annotations

import gc
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from trainer import create_app, factory
from trainer.config import (
    DEV_SECRET_KEY,
    ConfigError,
    ensure_secret_key_file,
    resolve_secret_key,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production(monkeypatch, tmp_path, content_registry):
    """create_app as gunicorn would call it: no TESTING, no DEBUG, settings from the environment."""
    for name in ("TRAINER_SECRET_KEY", "TRAINER_SECRET_KEY_FILE", "FLASK_DEBUG", "TRAINER_DEBUG", "TRAINER_TESTING"):
        monkeypatch.delenv(name, raising=False)

    def start(**settings: object):
        return create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite'}", "CONTENT_REGISTRY": content_registry}
            | settings
        )

    return start


def test_start_is_refused_without_a_key(production):
    with pytest.raises(ConfigError) as refused:
        production()
    message = str(refused.value)
    assert "TRAINER_SECRET_KEY" in message and "forge" in message and "make run" in message


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, "", "   ", None], ids=["dev-default", "empty", "blank", "none"])
def test_start_is_refused_with_a_known_or_empty_key(production, key):
    with pytest.raises(ConfigError, match="TRAINER_SECRET_KEY"):
        production(SECRET_KEY=key)


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, ""], ids=["dev-default", "empty"])
def test_start_is_refused_with_a_bad_key_in_the_environment(production, monkeypatch, key):
    monkeypatch.setenv("TRAINER_SECRET_KEY", key)
    with pytest.raises(ConfigError, match="TRAINER_SECRET_KEY"):
        production()


def test_start_is_accepted_with_a_key_from_the_environment(production, monkeypatch):
    monkeypatch.setenv("TRAINER_SECRET_KEY", "9f2c6d0e4b1a8c7d5e3f2a1b0c9d8e7f")
    assert production().secret_key == "9f2c6d0e4b1a8c7d5e3f2a1b0c9d8e7f"


def test_start_is_accepted_with_a_key_file(production, monkeypatch, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("a-key-from-a-file-0123456789\n")
    monkeypatch.setenv("TRAINER_SECRET_KEY_FILE", str(key_file))
    assert production().secret_key == "a-key-from-a-file-0123456789"


@pytest.mark.parametrize("content", [None, "", "\n", DEV_SECRET_KEY], ids=["missing", "empty", "newline", "dev-default"])
def test_start_is_refused_with_a_bad_key_file(production, monkeypatch, tmp_path, content):
    key_file = tmp_path / "key"
    if content is not None:
        key_file.write_text(content)
    monkeypatch.setenv("TRAINER_SECRET_KEY_FILE", str(key_file))
    with pytest.raises(ConfigError, match="TRAINER_SECRET_KEY_FILE"):
        production()


def test_testing_and_debug_may_start_without_a_key(tmp_path):
    assert resolve_secret_key({}, str(tmp_path), debug=False, testing=True) == DEV_SECRET_KEY
    key = resolve_secret_key({}, str(tmp_path), debug=True, testing=False)
    assert key == (tmp_path / "secret_key").read_text().strip() and len(key) == 64
    assert resolve_secret_key({}, str(tmp_path), debug=True, testing=False) == key  # made once, reused


def test_ensure_creates_a_private_key_once_and_reuses_it(tmp_path):
    path = tmp_path / "instance" / "secret_key"
    first = ensure_secret_key_file(path)
    assert len(first) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_secret_key_file(path) == first
    path.write_text("")  # an emptied file gets a new key rather than starting without one
    assert ensure_secret_key_file(path) not in ("", first)


def test_make_run_path_creates_the_file_and_the_app_uses_it(production, monkeypatch, tmp_path):
    """What `make run` does: `python -m trainer.config ensure-secret-key FILE`, then every `flask`
    command with TRAINER_SECRET_KEY_FILE=FILE."""
    path = tmp_path / "instance" / "secret_key"
    command = [sys.executable, "-m", "trainer.config", "ensure-secret-key", str(path)]
    subprocess.run(command, check=True, cwd=PROJECT_ROOT, timeout=60)
    key = path.read_text().strip()
    subprocess.run(command, check=True, cwd=PROJECT_ROOT, timeout=60)
    assert path.read_text().strip() == key  # the second `make run` reuses it
    monkeypatch.setenv("TRAINER_SECRET_KEY_FILE", str(path))
    assert production().secret_key == key
    usage = subprocess.run([sys.executable, "-m", "trainer.config"], cwd=PROJECT_ROOT, capture_output=True, timeout=60)
    assert usage.returncode == 2


def test_makefile_run_target_makes_the_key_before_any_flask_command():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    recipe = makefile.split("\nrun: setup translations")[1].split("\n\n")[0]
    assert recipe.index("ensure-secret-key") < recipe.index("db upgrade")
    assert "run: export TRAINER_SECRET_KEY_FILE ?= $(CURDIR)/instance/secret_key" in makefile


def test_the_key_file_is_not_in_git():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "instance/secret_key"], cwd=PROJECT_ROOT, timeout=60, check=False
    )
    assert ignored.returncode == 0


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({}, "Error: Refusing to start: TRAINER_SECRET_KEY is not set"),
        ({"TRAINER_SECRET_KEY": "a-long-enough-test-key-" * 2, "TRAINER_CONTENT_ROOT": "/nonexistent/content"},
         "Error: /nonexistent/content/courses:1: courses folder not found"),
    ],
)
def test_a_flask_command_that_cannot_start_says_why_in_one_message(environment, message):
    """An operator running `flask ...` sees the reason and exit status 1, not a Python traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRAINER_", "FLASK_"))} | environment
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "trainer", "routes"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_the_app_is_built_with_the_collector_paused_and_it_runs_again_after(production, monkeypatch):
    """The start-up pauses Python's cyclic collector while it builds the app (its passes over the
    content were half of the build) and turns it on again, after a refusal to start as well."""
    seen = []
    real = factory.install_content

    def watching(app):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real(app)

    monkeypatch.setattr(factory, "install_content", watching)
    monkeypatch.setenv("TRAINER_SECRET_KEY", "9f2c6d0e4b1a8c7d5e3f2a1b0c9d8e7f")
    assert gc.isenabled()
    production()
    assert seen == [False] and gc.isenabled()
    monkeypatch.delenv("TRAINER_SECRET_KEY")
    with pytest.raises(ConfigError):
        production()
    assert gc.isenabled()


def test_importing_the_factory_through_the_package_pauses_the_collector_and_restores_it():
    """``from trainer import create_app`` imports every feature with the collector off, in a fresh
    interpreter (here the factory is imported already), and the collector is on again afterwards."""
    probe = ("import gc, importlib\n"
             "seen = []\n"
             "real = importlib.import_module\n"
             "import trainer\n"
             "trainer.import_module = lambda name: (seen.append(gc.isenabled()), real(name))[1]\n"
             "from trainer import create_app\n"
             "assert 'trainer.factory' in __import__('sys').modules\n"
             "print(bool(seen) and not any(seen), gc.isenabled())\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert result.stdout.split("\n")[0] == "True True"  # paused at every lookup, on again after
