"""The app keeps validated content in its cache folder between starts; `flask content check` always
parses and validates afresh."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trainer import catalog, create_app
from trainer.content import cache


def settings(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {"TESTING": True, "SECRET_KEY": "cache-test-key", "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "CONTENT_CACHE_DIR": str(tmp_path / "cache"), **extra}


def test_the_second_start_reads_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = create_app(settings(tmp_path))
    assert (tmp_path / "cache" / cache.CACHE_FILE).is_file()

    def refuse(_root: Path) -> Any:
        raise AssertionError("parsed content although the cache is valid")

    monkeypatch.setattr(catalog, "load_content", refuse)
    second = create_app(settings(tmp_path))
    assert second.extensions["content"].counts() == first.extensions["content"].counts()


def test_a_start_with_another_secret_key_does_not_trust_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_app(settings(tmp_path))
    calls: list[Path] = []
    original = catalog.load_content
    monkeypatch.setattr(catalog, "load_content", lambda root: calls.append(root) or original(root))
    create_app(settings(tmp_path, SECRET_KEY="another-key"))
    assert len(calls) == 1


def test_the_cache_can_be_turned_off(tmp_path: Path) -> None:
    create_app(settings(tmp_path, CONTENT_CACHE=False))
    assert not (tmp_path / "cache").exists()


def test_content_check_never_uses_the_cache(runner: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refuse(*_args: Any) -> Any:
        raise AssertionError("content check touched the cache")

    for module in (catalog, cache):
        monkeypatch.setattr(module, "read_cache", refuse)
        monkeypatch.setattr(module, "write_cache", refuse)
        monkeypatch.setattr(module, "content_key", refuse)
    result = runner.invoke(args=["content", "check", "--no-lint"])
    assert result.exit_code == 0, result.output
    assert "content ok" in result.output
