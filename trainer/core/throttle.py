"""Sliding-window counters of failures per key: enough to slow down guessing (room codes, password
reset requests) without a table.

Two kinds with one interface (``count``, ``add``, ``blocked``):

* :class:`FailureWindow`, in this process's memory. Each app process counts on its own, so with N
  processes a guesser gets at most N times the limit. What a SQLite-only install uses.
* :class:`SharedFailureWindow`, in Redis when ``TRAINER_REDIS_URL`` is set: every process on every host
  adds to the same counter, so the limit holds for the whole site (docs/deploying.md). Each key is a
  sorted set of failure times, trimmed and counted in one Lua script on Redis's own clock, so hosts
  whose clocks differ agree. If Redis cannot be reached the window falls back to counting in this
  process (logged once) rather than fail the page.

:func:`failure_window` picks one. The login throttle, which must be exact, uses the database
(:mod:`trainer.accounts.signin`); server-side sessions are rows in the database too
(:mod:`trainer.accounts.sessions`), so both already hold across processes and hosts.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)

#: KEYS[1] the counter; ARGV: window seconds, "1" to add a failure, the failure's unique member
_SLIDE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if ARGV[2] == '1' then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
end
return redis.call('ZCARD', KEYS[1])
"""


class Window(Protocol):
    """What the views use; both kinds below provide it."""

    def count(self, key: str) -> int: ...

    def add(self, key: str) -> None: ...

    def blocked(self, limits: dict[str, int]) -> bool: ...

    def clear(self) -> None: ...


class FailureWindow:
    """Failures per key within the last ``seconds``, in this process; thread-safe."""

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

    def clear(self) -> None:
        """Forget every failure (tests; an administrator after an incident)."""
        with self._lock:
            self._failures.clear()


class SharedFailureWindow:
    """Failures per key within the last ``seconds``, counted in Redis for every process and host.

    ``client`` is a ``redis.Redis``; ``name`` keeps windows apart (``trainer:throttle:<name>:...``).
    Keys are stored hashed, so Redis holds no addresses or ids. On a Redis error the window counts in
    ``fallback`` (this process) until Redis answers again.
    """

    def __init__(self, client: Any, name: str, seconds: float = 60.0) -> None:
        self.seconds = seconds
        self.name = name
        self._client = client
        self._slide = client.register_script(_SLIDE)
        self.fallback = FailureWindow(seconds)
        self._warned = False

    def _redis_key(self, key: str) -> str:
        return f"trainer:throttle:{self.name}:{hashlib.sha256(key.encode()).hexdigest()}"

    def _call(self, key: str, add: bool) -> int | None:
        try:
            return int(self._slide(keys=[self._redis_key(key)],
                                   args=[self.seconds, "1" if add else "0", secrets.token_hex(8)]))
        except Exception as error:  # any failure of the client (down, timeout, refused): count here
            if not self._warned:
                self._warned = True
                log.warning("throttle %s: Redis unavailable (%s); counting in this process", self.name, error)
            return None

    def count(self, key: str) -> int:
        found = self._call(key, add=False)
        return self.fallback.count(key) if found is None else found

    def add(self, key: str) -> None:
        if self._call(key, add=True) is None:
            self.fallback.add(key)

    def blocked(self, limits: dict[str, int]) -> bool:
        return any(self.count(key) >= limit for key, limit in limits.items())

    def clear(self) -> None:
        """Forget every failure of this window, on every host."""
        self.fallback.clear()
        keys = list(self._client.scan_iter(match=f"trainer:throttle:{self.name}:*", count=1000))
        if keys:
            self._client.delete(*keys)


def failure_window(redis_url: str | None, name: str, seconds: float) -> Window:
    """A window shared through Redis when ``redis_url`` is set (and the ``redis`` package is there),
    else one in this process."""
    if not redis_url:
        return FailureWindow(seconds)
    try:
        from redis import Redis  # optional dependency (extra "queue")
    except ImportError:
        log.warning("throttle %s: TRAINER_REDIS_URL is set but the redis package is missing; "
                    "counting in each process", name)
        return FailureWindow(seconds)
    client = Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1)
    return SharedFailureWindow(client, name, seconds)
