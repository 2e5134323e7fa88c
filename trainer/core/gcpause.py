"""Pausing Python's cyclic garbage collector around a burst of short-lived objects.

A page that builds a few hundred thousand small objects at once (the manager overview at 2,000
members: rows, dicts, tuples, dataclasses) triggers the collector's generation-0 pass every 700
allocations and its full passes over the whole heap (the content catalogue, the caches) several
times per request: at 2,000 members that was about a third of the request. The objects are freed
by reference counting when the request ends; none of them forms a cycle the collector would be
needed for. So the collector is paused while they are built and resumed afterwards (it then runs
as usual). Process-wide: with gunicorn's sync workers one request runs per process at a time.
Pure Python: no Flask, no database.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector for the ``with`` block; restore its earlier state after,
    even on an error. Nested use is safe (only the outermost one that disabled it enables it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
