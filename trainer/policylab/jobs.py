"""Background jobs for long simulations: a small in-process thread pool by default, RQ on Redis when
``TRAINER_REDIS_URL`` is set (so several app servers share ``rq worker`` processes).

Both paths run the same :func:`execute`: it marks the job running, lets the handler compute (the
handler reports progress, which is written on a separate connection so nothing else is committed
early), then saves the handler's rows and the job's ``done`` status in one transaction. Any exception
rolls that back and records ``failed`` with the message: a run is never half-saved.

Handlers register themselves here with :func:`register` when their service module is imported (this
module never imports them): each is a pair ``compute(params, progress) -> payload`` (no database
writes) and ``save(job, payload)`` (adds rows, does not commit); ``on_failure(job)`` may undo a status
the submitter set (a workshop round). RQ workers run :func:`trainer.worker.rq_execute`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import update

from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.policylab.models import SimJob

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "trainer-sim"
PROGRESS_EVERY_SECONDS = 0.4
WORKER_FUNCTION = "trainer.worker.rq_execute"  # by name: RQ imports it in the worker

Progress = Callable[[float], None]

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_futures: dict[tuple[int, int], Future[None]] = {}


@dataclass(frozen=True)
class JobHandler:
    """What a kind of job does: compute (no database writes), save (adds rows), undo on failure."""

    compute: Callable[[dict[str, Any], Progress], Any]
    save: Callable[[SimJob, Any], None]
    on_failure: Callable[[SimJob], None] | None = None


#: kind -> handler; filled by :func:`register` as the service modules are imported
HANDLERS: dict[str, JobHandler] = {}


def register(kind: str, handler: JobHandler) -> None:
    """Make ``kind`` runnable (a service module calls this once, at import)."""
    HANDLERS[kind] = handler


class JobQueueUnavailable(RuntimeError):
    """Redis could not take the job (the job row is marked failed)."""


def backend(app: Flask) -> str:
    return "rq" if app.config.get("REDIS_URL") else "local"


def submit(user_id: int, kind: str, params: dict[str, Any], *, workshop_id: int | None = None) -> SimJob:
    """Create the job row (committed) and hand it to the pool or the queue."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job = SimJob(user_id=user_id, kind=kind, params=params, workshop_id=workshop_id, backend=backend(app))
    db.session.add(job)
    db.session.commit()
    if job.backend == "rq":
        try:
            _queue(app).enqueue(WORKER_FUNCTION, job.id, job_timeout=int(app.config.get("SIM_JOB_TIMEOUT", 1800)),
                                result_ttl=600, failure_ttl=86400)
        except Exception as exc:  # redis down: say so on the job instead of a 500
            log.exception("could not enqueue simulation job %s", job.id)
            _fail(job.id, f"job queue unavailable: {exc}")
            db.session.refresh(job)
            raise JobQueueUnavailable(str(exc)) from exc
    else:
        future = _local_pool(app).submit(execute, app, job.id)
        key = (id(app), job.id)
        _futures[key] = future
        future.add_done_callback(lambda _f: _futures.pop(key, None))
    return job


def wait(job_id: int, timeout: float = 60.0) -> SimJob | None:
    """Block until a job has finished (tests, the benchmark, the demo seeder; never a view)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    future = _futures.get((id(app), job_id))
    if future is not None:
        future.result(timeout=timeout)
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        job = db.session.get(SimJob, job_id)
        if job is None or job.finished or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def status(job: SimJob) -> SimJob:
    """The job, failing it first if it has been waiting longer than the job timeout (a lost worker)."""
    limit = int(current_app.config.get("SIM_JOB_TIMEOUT", 1800)) + 60
    if not job.finished and job.created_at < utcnow() - timedelta(seconds=limit):
        _fail(job.id, "the job did not finish in time (the worker may have stopped)")
        db.session.refresh(job)
    return job


def execute(app: Flask, job_id: int) -> None:
    """Run one job to completion inside its own app context (thread pool and RQ alike)."""
    with app.app_context():
        try:
            _execute(job_id)
        finally:
            db.session.remove()


def _execute(job_id: int) -> None:
    job = db.session.get(SimJob, job_id)
    if job is None or job.status != "queued":
        return
    job.status = "running"
    job.started_at = utcnow()
    db.session.commit()
    handler = HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise ValueError(f"unknown job kind {job.kind!r}")
        payload = handler.compute(dict(job.params), _progress_writer(job_id))
        handler.save(job, payload)
        job.status = "done"
        job.progress = 1.0
        job.finished_at = utcnow()
        db.session.commit()
    except Exception as exc:
        log.exception("simulation job %s failed", job_id)
        db.session.rollback()
        job = db.session.get(SimJob, job_id)
        if job is not None:
            if handler is not None and handler.on_failure is not None:
                handler.on_failure(job)
            job.status = "failed"
            job.message = _message(exc)
            job.finished_at = utcnow()
            db.session.commit()


def _message(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:2000]


def _progress_writer(job_id: int) -> Callable[[float], None]:
    """A throttled progress callback writing on its own connection (the session stays clean)."""
    last = {"t": 0.0, "value": -1.0}

    def report(fraction: float) -> None:
        now = time.monotonic()
        value = max(0.0, min(0.99, float(fraction)))
        if now - last["t"] < PROGRESS_EVERY_SECONDS or value - last["value"] < 0.01:
            return
        last["t"], last["value"] = now, value
        try:
            with db.engine.begin() as conn:
                conn.execute(update(SimJob).where(SimJob.id == job_id).values(progress=value))
        except Exception:  # progress is a courtesy; never let it break the run
            log.warning("could not record progress of job %s", job_id, exc_info=True)

    return report


def _fail(job_id: int, message: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            update(SimJob)
            .where(SimJob.id == job_id, SimJob.status.in_(("queued", "running")))
            .values(status="failed", message=message, finished_at=utcnow())
        )


def _local_pool(app: Flask) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=int(app.config.get("SIM_WORKERS", 2)),
                                       thread_name_prefix="sim-job")
        return _pool


def _queue(app: Flask) -> Any:
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(app.config["REDIS_URL"])
    return Queue(app.config.get("SIM_QUEUE", DEFAULT_QUEUE), connection=connection)
