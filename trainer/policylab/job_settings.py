"""The simulation job settings, read once from the app config and checked at start-up, so a typo in a
limit stops the app with a clear message instead of letting one trainee fill every worker."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

BACKENDS = ("thread", "rq")


class JobSettingsError(ValueError):
    """A job setting has a value the runner cannot work with (the message names every one)."""


@dataclass(frozen=True)
class JobSettings:
    """Where jobs run and how many of them may run or wait (per user and in total)."""

    backend: str  # thread (the in-process pool) | rq (RQ workers on Redis)
    user_max_running: int
    user_max_queued: int
    max_running: int  # the global concurrency cap, every worker of every process together
    max_waiting: int  # jobs waiting in total before the lab says it is busy
    heartbeat_seconds: float
    stale_seconds: float
    timeout_seconds: int
    processes: int | None = None  # a job's seeds run on this many processes; None: every core

    @property
    def stored_backend(self) -> str:
        """The name kept on the job row (``local`` is the in-process thread pool)."""
        return "rq" if self.backend == "rq" else "local"


_WHOLE = {
    "SIM_USER_MAX_RUNNING": 2, "SIM_USER_MAX_QUEUED": 5, "SIM_MAX_RUNNING": 4, "SIM_MAX_WAITING": 40,
    "SIM_JOB_TIMEOUT": 1800,
}
_SECONDS = {"SIM_HEARTBEAT_SECONDS": 5, "SIM_STALE_SECONDS": 60}


def _positive(config: Mapping[str, Any], key: str, default: float, whole: bool, problems: list[str]) -> float:
    raw = config.get(key, default)
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = int(str(raw).strip()) if whole else float(raw)
    except (TypeError, ValueError):
        problems.append(f"{key} must be a {'whole ' if whole else ''}number, got {raw!r}")
        return default
    if value < 1 and whole or value <= 0:
        problems.append(f"{key} must be at least 1, got {raw!r}" if whole else f"{key} must be above 0, got {raw!r}")
        return default
    return value


def _processes(config: Mapping[str, Any], problems: list[str]) -> int | None:
    """``SIM_PROCESSES``: a whole number of processes, 0 (or unset) for every core."""
    raw = config.get("SIM_PROCESSES", 0)
    try:
        if isinstance(raw, bool) or raw is None:
            raise ValueError
        value = int(str(raw).strip())
    except ValueError:
        problems.append(f"SIM_PROCESSES must be a whole number (0: every core), got {raw!r}")
        return None
    if value < 0:
        problems.append(f"SIM_PROCESSES must be 0 (every core) or more, got {raw!r}")
        return None
    return value or None


def job_settings(config: Mapping[str, Any]) -> JobSettings:
    """The settings from an app config; raises :class:`JobSettingsError` listing every bad value."""
    problems: list[str] = []
    backend = str(config.get("JOB_BACKEND") or "").strip().lower()
    if not backend:
        backend = "rq" if config.get("REDIS_URL") else "thread"
    if backend not in BACKENDS:
        problems.append(f"JOB_BACKEND must be one of {', '.join(BACKENDS)}, got {config.get('JOB_BACKEND')!r}")
    elif backend == "rq" and not config.get("REDIS_URL"):
        problems.append("JOB_BACKEND=rq needs REDIS_URL (TRAINER_REDIS_URL=redis://host:6379/0)")
    whole = {key: int(_positive(config, key, default, True, problems)) for key, default in _WHOLE.items()}
    seconds = {key: _positive(config, key, default, False, problems) for key, default in _SECONDS.items()}
    processes = _processes(config, problems)
    if seconds["SIM_HEARTBEAT_SECONDS"] * 3 > seconds["SIM_STALE_SECONDS"]:
        problems.append("SIM_STALE_SECONDS must be at least three heartbeats (SIM_HEARTBEAT_SECONDS × 3)")
    if problems:
        raise JobSettingsError("invalid simulation job settings: " + "; ".join(problems))
    return JobSettings(
        backend=backend, user_max_running=whole["SIM_USER_MAX_RUNNING"],
        user_max_queued=whole["SIM_USER_MAX_QUEUED"], max_running=whole["SIM_MAX_RUNNING"],
        max_waiting=whole["SIM_MAX_WAITING"], heartbeat_seconds=seconds["SIM_HEARTBEAT_SECONDS"],
        stale_seconds=seconds["SIM_STALE_SECONDS"], timeout_seconds=whole["SIM_JOB_TIMEOUT"],
        processes=processes,
    )
