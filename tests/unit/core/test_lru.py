"""trainer.core.lru: the per-process caches keep at most their limit, dropping the least recently used."""

from __future__ import annotations

import threading

import pytest

from trainer.core.lru import LruCache, app_cache


def test_the_least_recently_used_entry_goes_first():
    cache: LruCache[str, int] = LruCache(3)
    cache["a"], cache["b"], cache["c"] = 1, 2, 3
    assert cache.get("a") == 1  # read: now the most recent
    cache["d"] = 4
    assert list(cache) == ["c", "a", "d"] and "b" not in cache
    assert cache["c"] == 3  # [] counts as a use too
    cache["e"] = 5
    assert list(cache) == ["d", "c", "e"]  # "a" was the least recent


def test_a_missing_key_gives_the_default_and_changes_nothing():
    cache: LruCache[str, int] = LruCache(2)
    cache["a"] = 1
    assert cache.get("zz") is None and cache.get("zz", 7) == 7
    assert list(cache) == ["a"]
    with pytest.raises(KeyError):
        cache["zz"]


def test_storing_again_refreshes_and_never_exceeds_the_limit():
    cache: LruCache[int, int] = LruCache(100)
    for i in range(1000):
        cache[i % 150] = i
        assert len(cache) <= 100
    assert len(cache) == 100 and cache[999 % 150] == 999


@pytest.mark.parametrize("limit", [0, -5])
def test_a_limit_below_one_is_refused(limit):
    with pytest.raises(ValueError, match="at least 1"):
        LruCache(limit)


def test_the_app_cache_is_made_once_and_again_for_another_limit():
    extensions: dict[str, object] = {}
    first = app_cache(extensions, "c", 10)
    first["x"] = 1
    assert app_cache(extensions, "c", 10) is first
    other = app_cache(extensions, "c", 20)
    assert other is not first and other.limit == 20 and "x" not in other


def test_threads_reading_and_storing_at_once_never_break_it():
    """Under `flask run`'s threads a read can meet another thread's eviction of the same key."""
    cache: LruCache[int, int] = LruCache(50)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for i in range(5000):
                cache[(i + offset) % 120] = i
                cache.get((i * 7 + offset) % 120)
        except BaseException as error:  # noqa: BLE001  (any error is the failure)
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(cache) <= 50
