"""Durable background jobs for long simulations. Every job is a row (owner, state, heartbeat, result
or error code); the work runs in a small in-process thread pool (``JOB_BACKEND=thread``, the
``make run`` default) or on RQ workers (``JOB_BACKEND=rq``, production: ``rq worker trainer-sim``),
never both, and the row, not the process, is the truth.

- Limits: a submission is refused (nothing queued, :class:`JobRefused`) when its owner already has
  ``SIM_USER_MAX_QUEUED`` jobs waiting or ``SIM_MAX_WAITING`` wait in total; a worker claims a job
  only while its owner has fewer than ``SIM_USER_MAX_RUNNING`` running and fewer than
  ``SIM_MAX_RUNNING`` run in total (the global concurrency cap), else the job waits its turn.
- Liveness: the worker beats (:class:`trainer.policylab.job_health.Heartbeat`); a job without a beat
  for ``SIM_STALE_SECONDS`` is shown as stalled at once (computed on read, a GET writes nothing) and
  marked failed by :func:`sweep` (the pool sweeps while it works; ``flask sim sweep-jobs`` from cron;
  a retry sweeps first). Its owner can :func:`retry` it.
- Errors: a failure stores an ``error_code`` the pages translate and a ``message`` for the log; the
  exception text is never shown. Compute and save run in one transaction: a run is never half-saved.

Handlers register themselves with :func:`register` when their service module is imported: each is
``compute(params, progress) -> payload`` (no database writes) and ``save(job, payload)`` (adds rows,
no commit); ``on_failure(job)`` may undo a status the submitter set, ``on_retry(job)`` may refuse a
retry or set it again. RQ workers run :func:`trainer.worker.rq_execute`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

from flask import Flask, current_app
from sqlalchemy import ColumnElement, CursorResult, Update, func, select, update
from sqlalchemy.orm import aliased

from trainer import sim
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.policylab.job_health import (
    LOCK_CLAIM,
    LOCK_SUBMIT,
    Heartbeat,
    fresh_clause,
    is_stale,
    serialize,
    stale_clause,
)
from trainer.policylab.job_settings import JobSettings, job_settings
from trainer.policylab.models import SimJob

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "trainer-sim"
PROGRESS_EVERY_SECONDS = 0.4
SWEEP_EVERY_SECONDS = 30.0
WAIT_FOR_SLOT_SECONDS = 1.0
WORKER_FUNCTION = "trainer.worker.rq_execute"  # by name: RQ imports it in the worker

#: what a failed job can say; the pages translate each (never the exception text)
ERROR_CODES = ("invalid", "internal", "stalled", "timeout", "queue_unavailable")
RETRYABLE = frozenset({"internal", "stalled", "timeout", "queue_unavailable"})

Progress = Callable[[float], None]

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_futures: dict[tuple[int, int], Future[None]] = {}
_waiting: dict[int, set[int]] = {}  # id(app) -> jobs in this process's pool not yet claimed


@dataclass(frozen=True)
class JobHandler:
    """What a kind of job does: compute (no database writes), save (adds rows), undo on failure,
    check or redo the submitter's state on retry."""

    compute: Callable[[dict[str, Any], Progress], Any]
    save: Callable[[SimJob, Any], None]
    on_failure: Callable[[SimJob], None] | None = None
    on_retry: Callable[[SimJob], None] | None = None


#: kind -> handler; filled by :func:`register` as the service modules are imported
HANDLERS: dict[str, JobHandler] = {}


def register(kind: str, handler: JobHandler) -> None:
    """Make ``kind`` runnable (a service module calls this once, at import)."""
    HANDLERS[kind] = handler


class JobQueueUnavailable(RuntimeError):
    """Redis could not take the job (the job row is marked failed with ``queue_unavailable``)."""


class JobRefused(Exception):
    """Nothing was queued: ``code`` is ``user_queued`` or ``busy`` (with the ``limit``), or
    ``not_retryable``."""

    def __init__(self, code: str, limit: int = 0) -> None:
        super().__init__(code)
        self.code, self.limit = code, limit


class JobLost(RuntimeError):
    """The job was taken from this worker (marked stalled, then retried elsewhere)."""


class JobTimedOut(RuntimeError):
    """The job ran longer than ``SIM_JOB_TIMEOUT``."""


@dataclass(frozen=True)
class JobState:
    """What a page shows: the status (a stalled job shows as failed), the error code, retry or not."""

    status: str
    error_code: str | None
    retryable: bool


def settings(app: Flask | None = None) -> JobSettings:
    return job_settings((app or current_app).config)


def init_app(app: Flask) -> None:
    """Check the job settings when the app starts (raises JobSettingsError naming every bad one)."""
    if job_settings(app.config).backend == "thread" and not (app.debug or app.testing):
        log.warning("simulations run inside the web process (JOB_BACKEND=thread); in production set "
                    "TRAINER_JOB_BACKEND=rq and TRAINER_REDIS_URL and run `rq worker trainer-sim`")


def state_of(job: SimJob) -> JobState:
    """The job as its owner should see it, computed on read (nothing is written)."""
    if is_stale(job, settings()):
        return JobState("failed", "stalled", True)
    if job.status != "failed":
        return JobState(job.status, None, False)
    code = job.error_code if job.error_code in ERROR_CODES else "internal"
    return JobState("failed", code, code in RETRYABLE)


# -------------------------------------------------------------------------------- submit and retry


def _changed(statement: Update) -> int:
    """Run an UPDATE in the session; how many rows it changed."""
    result = cast(CursorResult[Any], db.session.execute(statement.execution_options(synchronize_session=False)))
    return int(result.rowcount)


def _count(*where: ColumnElement[bool]) -> int:
    return int(db.session.scalar(select(func.count()).select_from(SimJob).where(*where)) or 0)


def _admission(user_id: int, cfg: JobSettings) -> JobRefused | None:
    """After the new job is flushed: refuse it when it is one too many (its own row counts)."""
    now = utcnow()
    waiting = (SimJob.status == "queued", fresh_clause(cfg, now))
    if _count(SimJob.user_id == user_id, *waiting) > cfg.user_max_queued:
        return JobRefused("user_queued", cfg.user_max_queued)
    if _count(*waiting) > cfg.max_waiting:
        return JobRefused("busy", cfg.max_waiting)
    return None


def submit(user_id: int, kind: str, params: dict[str, Any], *, workshop_id: int | None = None) -> SimJob:
    """Create the job row and hand it to the pool or the queue. The caller's pending changes are
    committed with the row, or rolled back with it when a limit refuses the job (:class:`JobRefused`)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    cfg = settings(app)
    serialize(LOCK_SUBMIT)
    job = SimJob(user_id=user_id, kind=kind, params=params, workshop_id=workshop_id,
                 backend=cfg.stored_backend, heartbeat_at=utcnow())
    db.session.add(job)
    db.session.flush()
    refusal = _admission(user_id, cfg)
    if refusal is not None:
        db.session.rollback()
        raise refusal
    db.session.commit()
    _dispatch(app, job)
    return job


def retry(job: SimJob) -> SimJob:
    """Queue a failed (or stalled) job again, within the same limits as a new one."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    cfg = settings(app)
    if is_stale(job, cfg):
        _fail(job.id, "stalled", _stalled_message(cfg), stale_clause(cfg, utcnow()))
        db.session.refresh(job)
    if not state_of(job).retryable:
        raise JobRefused("not_retryable")
    serialize(LOCK_SUBMIT)
    handler = HANDLERS.get(job.kind)
    if handler is not None and handler.on_retry is not None:
        handler.on_retry(job)  # may raise JobRefused
    requeued = _changed(
        update(SimJob).where(SimJob.id == job.id, SimJob.status == "failed")
        .values(status="queued", error_code=None, message=None, progress=0.0, started_at=None, finished_at=None,
                heartbeat_at=utcnow(), backend=cfg.stored_backend))
    refusal = _admission(job.user_id, cfg) if requeued == 1 else JobRefused("not_retryable")
    if refusal is not None:
        db.session.rollback()
        raise refusal
    db.session.commit()
    db.session.refresh(job)
    _dispatch(app, job)
    return job


def _dispatch(app: Flask, job: SimJob) -> None:
    if job.backend == "rq":
        try:
            enqueue(app, job.id)
        except Exception as exc:  # redis down: say so on the job instead of a 500
            log.exception("could not enqueue simulation job %s", job.id)
            _fail(job.id, "queue_unavailable", f"job queue unavailable: {exc}", SimJob.status == "queued")
            db.session.refresh(job)
            raise JobQueueUnavailable(str(exc)) from exc
        return
    key = (id(app), job.id)
    with _pool_lock:
        _waiting.setdefault(id(app), set()).add(job.id)
    future = _local_pool(app).submit(run_local, app, job.id)
    _futures[key] = future
    future.add_done_callback(lambda _f: _futures.pop(key, None))


def enqueue(app: Flask, job_id: int) -> None:
    """Put the job on the RQ queue (the row is already committed)."""
    cfg = settings(app)
    _queue(app).enqueue(WORKER_FUNCTION, job_id, job_timeout=cfg.timeout_seconds, result_ttl=600,
                        failure_ttl=86400)


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


# ------------------------------------------------------------------------------------------ running


def run_local(app: Flask, job_id: int) -> None:
    """The pool's task: run the job, waiting (and beating) while a limit holds it back."""
    while execute(app, job_id) == "busy":
        with app.app_context():
            try:
                with db.engine.begin() as conn:
                    conn.execute(update(SimJob).where(SimJob.id == job_id, SimJob.status == "queued")
                                 .values(heartbeat_at=utcnow()))
            finally:
                db.session.remove()
        time.sleep(WAIT_FOR_SLOT_SECONDS)


def execute(app: Flask, job_id: int) -> str:
    """Claim and run one job inside its own app context (pool and RQ alike). Returns ``done`` (it
    ran, successfully or not), ``busy`` (a running limit holds it back) or ``gone`` (not queued)."""
    with app.app_context():
        try:
            outcome, attempt = _claim(job_id, settings(app))
            if outcome != "busy":
                with _pool_lock:
                    _waiting.get(id(app), set()).discard(job_id)
            if outcome == "claimed":
                _run_claimed(app, job_id, attempt)
                return "done"
            return outcome
        finally:
            db.session.remove()


def _claim(job_id: int, cfg: JobSettings) -> tuple[str, int]:
    """Queued → running in one statement, only within the running limits."""
    serialize(LOCK_CLAIM)
    now = utcnow()
    other = aliased(SimJob)

    def running(*where: ColumnElement[bool]) -> Any:
        return (select(func.count()).select_from(other)
                .where(other.status == "running", fresh_clause(cfg, now, other), *where).scalar_subquery())

    claimed = _changed(
        update(SimJob).where(SimJob.id == job_id, SimJob.status == "queued",
                             running(other.user_id == SimJob.user_id) < cfg.user_max_running,
                             running() < cfg.max_running)
        .values(status="running", attempts=SimJob.attempts + 1, started_at=now, heartbeat_at=now, progress=0.0))
    if claimed == 1:
        attempt = int(db.session.scalar(select(SimJob.attempts).where(SimJob.id == job_id)) or 0)
        db.session.commit()
        return "claimed", attempt
    db.session.rollback()
    status = db.session.scalar(select(SimJob.status).where(SimJob.id == job_id))
    return ("busy" if status == "queued" else "gone"), 0


def _run_claimed(app: Flask, job_id: int, attempt: int) -> None:
    cfg = settings(app)
    job = db.session.get(SimJob, job_id)
    if job is None:
        return
    handler = HANDLERS.get(job.kind)
    beat = Heartbeat(app, job_id, attempt, cfg.heartbeat_seconds, lambda: set(_waiting.get(id(app), ())),
                     lambda: sweep(), SWEEP_EVERY_SECONDS)
    beat.start()
    try:
        if handler is None:
            raise LookupError(f"unknown job kind {job.kind!r}")
        deadline = time.monotonic() + cfg.timeout_seconds
        payload = handler.compute(dict(job.params), _progress_writer(job_id, beat, deadline))
        handler.save(job, payload)
        done = _changed(
            update(SimJob).where(SimJob.id == job_id, SimJob.status == "running", SimJob.attempts == attempt)
            .values(status="done", progress=1.0, finished_at=utcnow()))
        if done != 1:
            raise JobLost(f"job {job_id} attempt {attempt} was taken over")
        db.session.commit()
    except JobLost:
        db.session.rollback()
        log.warning("simulation job %s attempt %s lost its claim; nothing saved", job_id, attempt)
    except Exception as exc:
        db.session.rollback()
        code = _error_code(exc)
        log.exception("simulation job %s failed (%s)", job_id, code)
        _fail(job_id, code, _message(exc), SimJob.status == "running", SimJob.attempts == attempt)
    finally:
        beat.stop()


def _error_code(exc: BaseException) -> str:
    if isinstance(exc, JobTimedOut) or type(exc).__name__ == "JobTimeoutException":  # ours or RQ's
        return "timeout"
    if isinstance(exc, sim.PolicyError):
        return "invalid"
    return "internal"


def _message(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:2000]


def _progress_writer(job_id: int, beat: Heartbeat | None = None,
                     deadline: float | None = None) -> Callable[[float], None]:
    """A throttled progress callback writing on its own connection (the session stays clean); it
    stops the run when the job was taken away or its time is up."""
    last = {"t": 0.0, "value": -1.0}

    def report(fraction: float) -> None:
        now = time.monotonic()
        if beat is not None and beat.lost.is_set():
            raise JobLost(f"job {job_id} was taken over")
        if deadline is not None and now > deadline:
            raise JobTimedOut(f"job {job_id} ran past its time limit")
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


# ------------------------------------------------------------------------------------ failing, sweeps


def _fail(job_id: int, code: str, message: str, *only_if: ColumnElement[bool]) -> bool:
    """Mark the job failed if it still matches ``only_if``, undo its submitter's state, commit."""
    failed = _changed(
        update(SimJob).where(SimJob.id == job_id, *only_if)
        .values(status="failed", error_code=code, message=message[:2000], finished_at=utcnow()))
    if failed != 1:
        db.session.rollback()
        return False
    job = db.session.get(SimJob, job_id, populate_existing=True)
    handler = HANDLERS.get(job.kind) if job is not None else None
    if job is not None and handler is not None and handler.on_failure is not None:
        handler.on_failure(job)
    db.session.commit()
    return True


def _stalled_message(cfg: JobSettings) -> str:
    return f"no heartbeat from the worker for over {cfg.stale_seconds:g} s (the worker stopped)"


def sweep() -> int:
    """Mark every stalled job failed (code ``stalled``); returns how many. For POSTs, the pool's
    heartbeat threads and ``flask sim sweep-jobs`` (cron), never a GET."""
    cfg = settings()
    now = utcnow()
    ids = list(db.session.scalars(select(SimJob.id).where(stale_clause(cfg, now))))
    return sum(_fail(job_id, "stalled", _stalled_message(cfg), stale_clause(cfg, now)) for job_id in ids)


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

    if not app.config.get("REDIS_URL"):
        raise JobQueueUnavailable("REDIS_URL is not set")
    connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=3, socket_timeout=10)
    return Queue(app.config.get("SIM_QUEUE", DEFAULT_QUEUE), connection=connection)
