"""A small sliding-window counter of failures per key, in this process's memory: enough to slow down
guessing (room codes) without a table. Each app process counts on its own, so with N workers a
guesser gets at most N times the limit; the login throttle, which must be exact, uses the database."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class FailureWindow:
    """Failures per key within the last ``seconds``; thread-safe."""

    def __init__(self, seconds: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures.setdefault(key, deque())
        while stamps and stamps[0] <= now - self.seconds:
            stamps.popleft()
        return stamps

    def count(self, key: str) -> int:
        with self._lock:
            return len(self._recent(key, self.clock()))

    def add(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # forget idle keys so memory stays bounded
                for idle in [k for k, v in self._failures.items() if not v or v[-1] <= now - self.seconds]:
                    del self._failures[idle]

    def blocked(self, limits: dict[str, int]) -> bool:
        """True when any key has reached its limit (``{key: limit}``)."""
        return any(self.count(key) >= limit for key, limit in limits.items())
