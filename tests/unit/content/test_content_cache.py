"""The disk cache of validated content: a second load skips parsing; any change of a content file or
of the code invalidates it; a corrupt, unreadable or unsigned cache is ignored; invalid content is
never written; `flask content check` never reads it."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest

from trainer import catalog
from trainer.catalog import ContentRegistry, load_validated
from trainer.content import cache
from trainer.content.cache import CACHE_FILE, content_key, read_cache, write_cache
from trainer.content.source import ContentError

ROOT = Path(__file__).resolve().parents[3]
SECRET = b"test-secret"


@pytest.fixture(scope="module")
def content_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the real content, so tests may change it."""
    root = tmp_path_factory.mktemp("content")
    for folder in cache.CONTENT_FOLDERS:
        shutil.copytree(ROOT / folder, root / folder)
    return root


@pytest.fixture
def root(content_root: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(content_root, copy)
    return copy


def no_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_root: Path) -> Any:
        raise AssertionError("content was parsed although the cache is valid")

    monkeypatch.setattr(catalog, "load_content", refuse)


def test_second_load_comes_from_the_cache_and_equals_the_first(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_validated(root, tmp_path / "cache", SECRET)
    assert (tmp_path / "cache" / CACHE_FILE).is_file()
    no_loading(monkeypatch)
    second = load_validated(root, tmp_path / "cache", SECRET)
    assert second is not first and second.counts() == first.counts()
    assert second.lessons.keys() == first.lessons.keys()
    lesson = next(iter(first.lessons))
    assert second.lessons[lesson] == first.lessons[lesson]
    assert second.banks == first.banks and second.quizzes == first.quizzes
    assert second.scenarios == first.scenarios and second.rubric == first.rubric
    assert second.framework == first.framework and second.warnings == first.warnings


@pytest.mark.parametrize("change", ["edit", "add", "remove", "rename"])
def test_a_changed_added_or_removed_content_file_changes_the_key(root: Path, change: str) -> None:
    before = content_key(root)
    lesson = next((root / "courses").rglob("*.md"))
    if change == "edit":
        lesson.write_text(lesson.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    elif change == "add":
        (root / "scenarios" / "notes.txt").write_text("new", encoding="utf-8")
    elif change == "remove":
        lesson.unlink()
    else:
        lesson.rename(lesson.with_name("renamed-" + lesson.name))
    assert content_key(root) != before


def test_a_change_of_the_code_changes_the_key(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = content_key(root)
    monkeypatch.setattr(cache, "code_version", lambda: "another version of the loaders")
    assert content_key(root) != before


def test_the_code_version_covers_the_content_loaders() -> None:
    modules = {path.relative_to(cache.PACKAGE_DIR).as_posix() for path in cache.PACKAGE_DIR.rglob("*.py")}
    assert {"content/source.py", "content/cache.py", "catalog.py", "learn/course/lessons.py"} <= modules


def test_a_stale_cache_is_reloaded(root: Path, tmp_path: Path) -> None:
    load_validated(root, tmp_path, SECRET)
    lesson = next((root / "courses").rglob("*.zh.md"))
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n独一无二的新段落。\n", encoding="utf-8")
    fresh = load_validated(root, tmp_path, SECRET)
    assert any("独一无二的新段落" in str(vars(item)) for item in fresh.lessons.values())


@pytest.mark.parametrize(
    "damage",
    ["garbage", "truncated", "empty", "other secret", "signed garbage", "not a registry", "folder"],
)
def test_a_corrupt_unreadable_or_foreign_cache_is_ignored(
    root: Path, tmp_path: Path, damage: str
) -> None:
    key = content_key(root)
    registry = load_validated(root, None, SECRET)
    assert write_cache(tmp_path, key, SECRET, registry)
    path = tmp_path / CACHE_FILE
    blob = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"\x80\x04not a pickle at all")
    elif damage == "truncated":
        path.write_bytes(blob[: len(blob) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other secret":
        write_cache(tmp_path, key, b"someone else's key", registry)
    elif damage == "signed garbage":
        payload = b"\x80\x04\x95 broken"
        path.write_bytes(cache.MAGIC + key.encode() + cache._signature(SECRET, key, payload) + payload)
    elif damage == "not a registry":
        write_cache(tmp_path, key, SECRET, {"courses": {}})
    else:
        path.unlink()
        path.mkdir()
    if damage != "not a registry":
        assert read_cache(tmp_path, key, SECRET) is None
    loaded = load_validated(root, tmp_path, SECRET)
    assert isinstance(loaded, ContentRegistry) and loaded.counts() == registry.counts()


def test_a_tampered_registry_is_not_smuggled_in(root: Path, tmp_path: Path) -> None:
    """Someone without the secret key cannot make the app serve content that skipped validation."""
    key = content_key(root)
    forged = load_validated(root, None, SECRET)
    forged.courses.clear()
    assert write_cache(tmp_path, key, b"the attacker's guess", forged)
    assert load_validated(root, tmp_path, SECRET).courses
    blob = (tmp_path / CACHE_FILE).read_bytes()
    header = len(cache.MAGIC) + len(key) + cache.DIGEST_SIZE
    forged_payload = pickle.dumps({"courses": {}})
    (tmp_path / CACHE_FILE).write_bytes(blob[:header] + forged_payload)  # a valid signature, other bytes
    assert read_cache(tmp_path, key, SECRET) is None


def test_invalid_content_is_never_cached(root: Path, tmp_path: Path) -> None:
    (root / "courses" / "competencies.yaml").write_text("dimensions: [\n", encoding="utf-8")
    with pytest.raises(ContentError):
        load_validated(root, tmp_path / "cache", SECRET)
    assert not (tmp_path / "cache").exists()


def test_an_unwritable_cache_folder_is_not_an_error(root: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert load_validated(root, blocker / "cache", SECRET).courses
    assert not write_cache(blocker / "cache", "k", SECRET, {})


def test_a_value_that_cannot_be_pickled_is_not_an_error(tmp_path: Path) -> None:
    assert not write_cache(tmp_path, "k", SECRET, {"f": lambda: None})
    assert not (tmp_path / CACHE_FILE).exists()


def test_the_glossary_is_part_of_the_key_and_of_the_cached_lessons(root: Path, tmp_path: Path) -> None:
    """Lessons are cached with their glossary marks; adding or changing the glossary reloads them."""
    glossary = root / "courses" / "glossary.yaml"
    glossary.unlink(missing_ok=True)
    before = content_key(root)
    plain = load_validated(root, tmp_path / "cache", SECRET)
    assert 'class="gloss"' not in plain.lessons["m4-dso-and-turnover"].text("en").html
    fixture = ROOT / "tests" / "unit" / "glossary" / "fixtures" / "glossary.yaml"
    glossary.write_text(fixture.read_text(encoding="utf-8"), encoding="utf-8")
    assert content_key(root) != before
    marked = load_validated(root, tmp_path / "cache", SECRET)
    assert len(marked.glossary) == 3
    assert 'data-term="dso"' in marked.lessons["m4-dso-and-turnover"].text("en").html
    changed_key = content_key(root)
    glossary.write_text(glossary.read_text(encoding="utf-8").replace("id: dso\n", "id: dso-renamed\n"), encoding="utf-8")
    assert content_key(root) != changed_key
    again = load_validated(root, tmp_path / "cache", SECRET)
    assert 'data-term="dso-renamed"' in again.lessons["m4-dso-and-turnover"].text("en").html
