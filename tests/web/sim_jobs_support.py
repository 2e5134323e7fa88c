"""Shared by the job tests: rows in a chosen state, and a queue that keeps what it is given."""

from __future__ import annotations

from datetime import timedelta

from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.policylab import jobs
from trainer.policylab.models import SimJob
from trainer.policylab.services import presets


def run_params(**changes):
    params = {"preset": "distributor", "policy": presets.default_policy("distributor"), "seed": 1, "customers": 40,
              "days": 60, "name": "job"}
    params.update(changes)
    return params


def job_row(user, status="queued", *, beat_ago: float = 0.0, backend="local", kind="run", attempts=0,
            error_code=None, params=None, workshop_id=None) -> SimJob:
    """A committed job row whose worker last beat ``beat_ago`` seconds ago."""
    when = utcnow() - timedelta(seconds=beat_ago)
    job = SimJob(user_id=user.id, kind=kind, status=status, params=params or run_params(), backend=backend,
                 heartbeat_at=when, created_at=when, attempts=attempts, error_code=error_code,
                 workshop_id=workshop_id, started_at=when if status != "queued" else None)
    db.session.add(job)
    db.session.commit()
    return job


def hold_the_queue(app, monkeypatch) -> list[int]:
    """RQ mode with a queue that only records the job ids (nothing runs): jobs stay queued."""
    app.config.update(JOB_BACKEND="rq", REDIS_URL="redis://held.invalid:6379/0")
    enqueued: list[int] = []
    monkeypatch.setattr(jobs, "enqueue", lambda _app, job_id: enqueued.append(job_id))
    return enqueued
