"""A size-bounded mapping for what the app keeps in memory between requests.

The manager dashboard keeps each member's scorecard work (their evidence tallies, their cells) per
process, so a page only recomputes people whose results changed. Without a bound those entries would
pile up for every person and every quarter ever looked at, for the life of the worker. This mapping
keeps at most ``limit`` entries and drops the least recently used first: a dashboard that is looked
at stays warm, a quarter nobody opens any more falls out. Pure Python: no Flask, no database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import MutableMapping
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LruCache(OrderedDict[K, V]):
    """At most ``limit`` entries; reading one with :meth:`get` or ``[]`` makes it the most recent,
    storing one evicts the least recent beyond the limit. A lock keeps the read-then-reorder and
    store-then-evict steps whole under a threaded server (``flask run``)."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"an LRU cache holds at least 1 entry, not {limit!r}")
        super().__init__()
        self.limit = limit
        self._lock = threading.Lock()

    def __getitem__(self, key: K) -> V:
        with self._lock:
            value = super().__getitem__(key)
            self.move_to_end(key)
            return value

    def get(self, key: K, default: V | None = None) -> V | None:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default

    def __setitem__(self, key: K, value: V) -> None:
        with self._lock:
            super().__setitem__(key, value)
            self.move_to_end(key)
            while len(self) > self.limit:
                self.popitem(last=False)


def app_cache(extensions: MutableMapping[str, Any], name: str, limit: int) -> LruCache[Any, Any]:
    """The app's cache called ``name`` (kept in ``app.extensions``), made on first use with ``limit``
    entries; a changed limit (another app in tests) makes a new one."""
    cache = extensions.get(name)
    if not isinstance(cache, LruCache) or cache.limit != limit:
        cache = extensions[name] = LruCache(limit)
    return cache
