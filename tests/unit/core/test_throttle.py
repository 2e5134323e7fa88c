"""Failure windows: in this process, and shared through Redis (TEST_REDIS_URL) by every process."""

from __future__ import annotations

import os
import time
import uuid

import pytest

from trainer.core.throttle import FailureWindow, SharedFailureWindow, failure_window

REDIS_URL = os.environ.get("TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="the shared window needs TEST_REDIS_URL (a local Redis)")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_local_window_counts_slides_and_clears() -> None:
    clock = Clock()
    window = FailureWindow(60.0, clock=clock)
    for _ in range(3):
        window.add("user:1")
    window.add("user:2")
    assert window.count("user:1") == 3 and window.count("user:2") == 1 and window.count("user:3") == 0
    assert window.blocked({"user:1": 3}) and not window.blocked({"user:1": 4, "user:2": 2})
    clock.now += 60.0
    assert window.count("user:1") == 0
    window.add("user:1")
    window.clear()
    assert window.count("user:1") == 0


def test_without_redis_the_window_is_per_process() -> None:
    assert isinstance(failure_window(None, "t", 60.0), FailureWindow)
    assert isinstance(failure_window("", "t", 60.0), FailureWindow)


def _shared(name: str, seconds: float = 60.0) -> SharedFailureWindow:
    window = failure_window(REDIS_URL, name, seconds)
    assert isinstance(window, SharedFailureWindow)
    return window


@needs_redis
def test_two_processes_windows_add_up_in_redis() -> None:
    """Two windows with their own connections, as two app processes on two hosts would have."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    first, second = _shared(name), _shared(name)
    try:
        first.add("address:10.0.0.1")
        second.add("address:10.0.0.1")
        second.add("address:10.0.0.2")
        assert first.count("address:10.0.0.1") == 2 and second.count("address:10.0.0.1") == 2
        assert first.blocked({"address:10.0.0.1": 2}) and not first.blocked({"address:10.0.0.2": 2})
        # keys are hashed: Redis holds no addresses
        keys = [k.decode() for k in first._client.scan_iter(match=f"trainer:throttle:{name}:*")]
        assert len(keys) == 2 and not any("10.0.0" in k for k in keys)
        # each counter expires with its window, so idle keys do not pile up
        assert 0 < first._client.pttl(keys[0]) <= 60_000
    finally:
        first.clear()
    assert second.count("address:10.0.0.1") == 0


@needs_redis
def test_shared_window_slides_on_redis_clock() -> None:
    window = _shared(f"test-{uuid.uuid4().hex[:8]}", seconds=0.5)
    try:
        window.add("k")
        window.add("k")
        assert window.count("k") == 2
        time.sleep(0.6)
        assert window.count("k") == 0
    finally:
        window.clear()


def test_unreachable_redis_falls_back_to_counting_here(caplog: pytest.LogCaptureFixture) -> None:
    pytest.importorskip("redis")
    window = failure_window("redis://127.0.0.1:1/0", "down", 60.0)  # nothing listens on port 1
    assert isinstance(window, SharedFailureWindow)
    window.add("k")
    window.add("k")
    assert window.count("k") == 2 and window.blocked({"k": 2})
    assert "Redis unavailable" in caplog.text
