"""Is a job's worker still alive? The heartbeat a worker writes while it holds jobs, and the one rule
(in SQL for sweeps and counts, in Python for pages) that calls a job stalled when the beats stop.

A running job, or a job waiting in an in-process pool, is stalled when its last heartbeat is older
than ``stale_seconds``. A job waiting in Redis has no worker yet, so it is stalled only when it has
waited longer than the job timeout as well (Redis lost it, or no ``rq worker`` is running).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import ColumnElement, and_, func, not_, or_, text, update

from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.policylab.job_settings import JobSettings
from trainer.policylab.models import SimJob

log = logging.getLogger(__name__)

#: pg_advisory_xact_lock classes: submissions and claims are serialised on PostgreSQL (SQLite has
#: a single writer already)
LOCK_SUBMIT, LOCK_CLAIM = 7301, 7302


def _cutoffs(settings: JobSettings, now: datetime) -> tuple[datetime, datetime]:
    stale = timedelta(seconds=settings.stale_seconds)
    return now - stale, now - stale - timedelta(seconds=settings.timeout_seconds)


def stale_clause(settings: JobSettings, now: datetime, job: Any = SimJob) -> ColumnElement[bool]:
    """SQL: the unfinished jobs whose worker is gone (``job`` may be an alias of SimJob)."""
    beat_cutoff, queue_cutoff = _cutoffs(settings, now)
    last = func.coalesce(job.heartbeat_at, job.created_at)
    return or_(
        and_(job.status == "running", last < beat_cutoff),
        and_(job.status == "queued", job.backend != "rq", last < beat_cutoff),
        and_(job.status == "queued", job.backend == "rq", last < queue_cutoff),
    )


def fresh_clause(settings: JobSettings, now: datetime, job: Any = SimJob) -> ColumnElement[bool]:
    """SQL: the unfinished jobs whose worker is alive (what the limits count)."""
    return and_(job.status.in_(("queued", "running")), not_(stale_clause(settings, now, job)))


def is_stale(job: SimJob, settings: JobSettings, now: datetime | None = None) -> bool:
    """Python twin of :func:`stale_clause`, for showing one job without writing anything."""
    if job.status not in ("queued", "running"):
        return False
    beat_cutoff, queue_cutoff = _cutoffs(settings, now or utcnow())
    last = job.heartbeat_at or job.created_at
    if job.status == "queued" and job.backend == "rq":
        return last < queue_cutoff
    return last < beat_cutoff


def serialize(lock_class: int) -> None:
    """Hold a transaction-scoped lock on PostgreSQL so counting and writing cannot interleave."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(CAST(:c AS bigint))"), {"c": lock_class})


class Heartbeat(threading.Thread):
    """Writes ``heartbeat_at`` for one running job (and the jobs waiting in this process's pool) on its
    own connection every ``interval`` seconds; notices when the job was taken away (``lost``) and, now
    and then, sweeps stalled jobs of other workers."""

    def __init__(self, app: Flask, job_id: int, attempt: int, interval: float,
                 waiting: Callable[[], set[int]], sweep: Callable[[], int], sweep_every: float) -> None:
        super().__init__(name=f"sim-heartbeat-{job_id}", daemon=True)
        self.app, self.job_id, self.attempt, self.interval = app, job_id, attempt, interval
        self.waiting, self.sweep, self.sweep_every = waiting, sweep, sweep_every
        self.lost = threading.Event()
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=5)

    def run(self) -> None:
        swept = 0.0
        while not self._stop_event.wait(self.interval):
            with self.app.app_context():
                try:
                    self.beat()
                    swept += self.interval
                    if swept >= self.sweep_every:
                        swept = 0.0
                        self.sweep()
                except Exception:  # a missed beat is survivable; the next one may work
                    log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)
                finally:
                    db.session.remove()

    def beat(self) -> None:
        now = utcnow()
        with db.engine.begin() as conn:
            mine = conn.execute(update(SimJob).where(
                SimJob.id == self.job_id, SimJob.status == "running", SimJob.attempts == self.attempt,
            ).values(heartbeat_at=now))
            waiting = self.waiting()
            if waiting:
                conn.execute(update(SimJob).where(SimJob.id.in_(waiting), SimJob.status == "queued")
                             .values(heartbeat_at=now))
        if mine.rowcount == 0:
            self.lost.set()
