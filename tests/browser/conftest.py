"""Real Chromium (Debian's package) driven by Playwright against a live server on loopback.

The server runs the real app on a SQLite file loaded with the demo data, in a thread.
Skips loudly when Chromium is not installed (``make test`` installs it when it can)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from trainer import create_app
from trainer.accounts import demo
from trainer.extensions import db

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str | None:
    explicit = os.environ.get("TRAINER_CHROMIUM")
    if explicit and Path(explicit).exists():
        return explicit
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


BROWSER_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder ``browser`` (``-m "not browser"`` leaves them out; `make test`
    runs them in a process of their own: they share one demo site whose state later tests expect),
    and skip them loudly when there is no Chromium. The hook sees the whole session's items, hence
    the check."""
    skip = None if chromium_path() else pytest.mark.skip(
        reason="BROWSER TESTS SKIPPED: Chromium not installed (apt-get install chromium)"
    )
    for item in items:
        if BROWSER_DIR in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if skip:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, content_registry):
    """The demo site on http://127.0.0.1:<free port>, shared by the browser tests of a session."""
    db_path = tmp_path_factory.mktemp("live") / "live.sqlite"
    app = create_app({
        "SECRET_KEY": "browser-test",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "CONTENT_REGISTRY": content_registry,
        "LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS": 1000, "LOGIN_MAX_FAILURES_PER_ACCOUNT": 1000,
    })
    with app.app_context():
        db.create_all()
        demo.seed_demo(app.extensions.get("demo_seeders", []))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app = app  # type: ignore[attr-defined]
    server.url = f"http://127.0.0.1:{server.server_port}"  # type: ignore[attr-defined]
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


def _open_page(browser: Any, **context_options: Any) -> Iterator[Any]:
    """A page in its own browser context (own cookies), closed after the test."""
    context = browser.new_context(locale="zh-CN", **context_options)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def page(browser):
    yield from _open_page(browser, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone(browser):
    yield from _open_page(browser, viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True,
                          has_touch=True)


@pytest.fixture
def screenshots(output_dir):
    folder = output_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str) -> Path:
        target = folder / f"{name}.png"
        page.screenshot(path=str(target), full_page=True)
        return target

    return shoot
