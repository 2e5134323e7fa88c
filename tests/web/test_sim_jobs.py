"""Simulation jobs in both modes: the in-process pool (default) and RQ on Redis (TRAINER_REDIS_URL),
the latter against TEST_REDIS_URL with an in-process SimpleWorker on a queue of its own. A failing
job records its error and saves nothing; a page never waits for a run."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import func, select

from tests.web.test_sim import SMALL, submit_policy
from trainer import worker
from trainer.extensions import db
from trainer.policylab import jobs
from trainer.policylab.models import SimJob, SimRun
from trainer.policylab.services import presets, runs

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def trainee(signed_in):
    return signed_in(email="jobs.trainee@example.com")


def _params(**changes):
    params = {"preset": "distributor", "policy": presets.default_policy("distributor"), "seed": 1, "customers": 40,
              "days": 60, "name": "job"}
    params.update(changes)
    return params


def test_local_pool_runs_in_the_background_and_reports_progress(client, trainee, app):
    response = submit_policy(client, {"name": "Background"}, run=dict(SMALL, customers="300", days="365"))
    assert response.status_code == 302  # the request returned before the run finished
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    first = client.get(f"/sim/jobs/{job_id}.json").get_json()
    assert first["status"] in ("queued", "running", "done")
    page = client.get(f"/sim/jobs/{job_id}?stay=1").get_data(as_text=True)
    assert "<progress" in page and "data-job-url" in page
    job = jobs.wait(job_id)
    assert job.status == "done" and job.backend == "local" and job.progress == 1.0
    status = client.get(f"/sim/jobs/{job_id}.json").get_json()
    assert status == {"id": job_id, "status": "done", "progress": 1.0, "message": None,
                      "url": f"/sim/runs/{job.run_id}"}
    assert client.get(f"/sim/jobs/{job_id}").headers["Location"] == f"/sim/runs/{job.run_id}"


def test_progress_is_written_on_the_side_while_the_run_goes_on(app, trainee, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 0.0)
    seen = []
    job = SimJob(user_id=trainee.id, kind="run", params=_params(), backend="local")
    db.session.add(job)
    db.session.commit()
    report = jobs._progress_writer(job.id)
    for value in (0.1, 0.5, 0.8):
        report(value)
        db.session.expire_all()
        seen.append(db.session.get(SimJob, job.id).progress)
    assert seen == [0.1, 0.5, 0.8]


def test_a_failing_job_shows_its_error_and_saves_nothing(client, trainee, app):
    job = jobs.submit(trainee.id, "run", _params(customers=0))  # the engine refuses 0 customers
    job = jobs.wait(job.id)
    assert job.status == "failed"
    assert "customers" in job.message and job.run_id is None
    assert db.session.scalar(select(func.count()).select_from(SimRun)) == 0
    html = client.get(f"/sim/jobs/{job.id}").get_data(as_text=True)
    assert 'data-testid="job-error"' in html and "nothing was saved" in html
    assert job.error_code == "invalid" and "refused these settings" in html  # a translated code…
    assert "must be greater than zero" not in html  # …never the exception text
    status = client.get(f"/sim/jobs/{job.id}.json").get_json()
    assert status["status"] == "failed" and "refused these settings" in status["message"]
    lab = client.get("/sim/").get_data(as_text=True)
    assert "failed" in lab and "refused these settings" in lab and "must be greater than zero" not in lab


def test_a_crash_while_saving_rolls_back_the_whole_run(app, trainee, monkeypatch):
    def broken_save(job, payload):
        runs.save_run(job, payload)  # the run row is added…
        raise RuntimeError("disk full")  # …and then something breaks before the commit

    monkeypatch.setitem(jobs.HANDLERS, "run", jobs.JobHandler(runs.compute_run, broken_save))
    job = jobs.wait(jobs.submit(trainee.id, "run", _params()).id)
    assert job.status == "failed" and job.message == "disk full" and job.run_id is None
    assert db.session.scalar(select(func.count()).select_from(SimRun)) == 0


def test_the_lab_registers_its_handlers_and_the_queue_names_the_worker_entry_point(app):
    assert {"run", "replicate", "round"} <= set(jobs.HANDLERS)
    module, _, name = jobs.WORKER_FUNCTION.rpartition(".")
    assert module == worker.__name__ and getattr(worker, name) is worker.rq_execute


def test_the_worker_entry_point_runs_a_queued_job_in_the_surrounding_app(app, trainee):
    job = SimJob(user_id=trainee.id, kind="run", params=_params(name="By the worker"), backend="rq")
    db.session.add(job)
    db.session.commit()
    worker.rq_execute(job.id)
    db.session.expire_all()
    done = db.session.get(SimJob, job.id)
    assert done.status == "done", done.message
    assert db.session.get(SimRun, done.run_id).name == "By the worker"


def test_an_unreachable_queue_says_so(client, trainee, app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = submit_policy(client, {})
    assert response.status_code == 503
    assert "queue is not available" in response.get_data(as_text=True)
    job = db.session.scalar(select(SimJob))
    assert job.status == "failed" and "queue unavailable" in job.message


@pytest.mark.skipif(not REDIS_URL, reason="RQ mode needs TEST_REDIS_URL (a local Redis)")
def test_rq_mode_queues_the_job_for_a_worker(client, trainee, app):
    from redis import Redis
    from rq import Queue, SimpleWorker

    queue_name = f"test-sim-{uuid.uuid4().hex[:10]}"
    app.config.update(REDIS_URL=REDIS_URL, SIM_QUEUE=queue_name)
    connection = Redis.from_url(REDIS_URL)
    try:
        response = submit_policy(client, {"name": "Via RQ"})
        job_id = int(response.headers["Location"].rsplit("/", 1)[1])
        job = db.session.get(SimJob, job_id)
        assert job.backend == "rq" and job.status == "queued"  # nothing ran in the web process
        assert Queue(queue_name, connection=connection).count == 1
        bad = jobs.submit(trainee.id, "run", _params(customers=0))
        SimpleWorker([Queue(queue_name, connection=connection)], connection=connection).work(burst=True)
        db.session.expire_all()
        job = db.session.get(SimJob, job_id)
        assert job.status == "done", job.message
        run = db.session.get(SimRun, job.run_id)
        assert run.name == "Via RQ" and run.summary["dso"] is not None
        failed = db.session.get(SimJob, bad.id)
        assert failed.status == "failed" and "customers" in failed.message
        assert client.get(f"/sim/jobs/{job_id}.json").get_json()["url"] == f"/sim/runs/{run.id}"
    finally:
        Queue(queue_name, connection=connection).delete(delete_jobs=True)
