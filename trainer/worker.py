"""The entry point RQ workers call (``rq worker trainer-sim``): it builds the app once per process.

Like the factory, it sits above every feature: it imports the factory at the top, and the job
queue names it only by string (:data:`trainer.policylab.jobs.WORKER_FUNCTION`), so there is no cycle.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, has_app_context

from trainer.factory import create_app
from trainer.policylab.jobs import WAIT_FOR_SLOT_SECONDS, enqueue, execute

_worker_app: Flask | None = None


def rq_execute(job_id: int) -> str:
    """Run one job. Uses the surrounding app when there is one (tests run a SimpleWorker inside the
    test app), else builds the app from the environment once per process. A job a running limit
    holds back goes to the back of the queue after a short pause (the worker is free meanwhile)."""
    global _worker_app
    if has_app_context():
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    else:
        if _worker_app is None:
            _worker_app = create_app()
        app = _worker_app
    outcome = execute(app, job_id)
    if outcome == "busy":
        time.sleep(WAIT_FOR_SLOT_SECONDS)
        enqueue(app, job_id)
    return outcome
