"""A job's worker beats while it works; a job whose beats stopped shows as stalled at once (a GET
writes nothing), is marked failed by the sweeps (``flask sim sweep-jobs``, the pool, a retry) and
can be retried by its owner with one POST. A worker that lost its job cannot save over the retry."""

from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.web.sim_jobs_support import hold_the_queue, job_row, run_params
from trainer import worker
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.policylab import jobs
from trainer.policylab.job_health import is_stale, stale_clause
from trainer.policylab.models import SimJob, SimRoundResult, SimWorkshop
from trainer.policylab.services import rounds, runs

REDIS_URL = os.environ.get("TEST_REDIS_URL")
STALLED = "The worker running this simulation stopped"


def _reload(job_id: int) -> SimJob:
    db.session.expire_all()
    return db.session.get(SimJob, job_id)


def test_the_worker_beats_while_the_run_goes_on(app, make_user, monkeypatch):
    app.config.update(SIM_HEARTBEAT_SECONDS=0.05, SIM_STALE_SECONDS=1)
    beats = []

    def slow(params, progress):
        for i in range(8):
            time.sleep(0.05)
            progress(i / 8)
            with db.engine.connect() as conn:  # what another process would read meanwhile
                beats.append(conn.scalar(select(SimJob.heartbeat_at).where(SimJob.status == "running")))
        return runs.compute_run(params, progress)

    monkeypatch.setitem(jobs.HANDLERS, "run", jobs.JobHandler(slow, runs.save_run))
    job = jobs.wait(jobs.submit(make_user(email="beating@example.com").id, "run", run_params()).id)
    assert job.status == "done" and job.attempts == 1
    assert len({b for b in beats if b is not None}) >= 3  # the heartbeat moved while the run computed


def test_a_stalled_job_shows_as_failed_without_a_write_and_offers_a_retry(client, signed_in):
    trainee = signed_in(email="stalled.view@example.com")
    job = job_row(trainee, "running", beat_ago=120, attempts=1)
    html = client.get(f"/sim/jobs/{job.id}").get_data(as_text=True)
    assert STALLED in html and 'data-testid="retry-job"' in html and 'data-status="failed"' in html
    status = client.get(f"/sim/jobs/{job.id}.json").get_json()
    assert status["status"] == "failed" and STALLED in status["message"]
    assert STALLED in client.get("/sim/").get_data(as_text=True)
    assert _reload(job.id).status == "running"  # computed on read: the GETs wrote nothing


def test_a_fresh_job_is_not_stalled(client, signed_in):
    trainee = signed_in(email="fresh.view@example.com")
    job = job_row(trainee, "running", beat_ago=30, attempts=1)
    html = client.get(f"/sim/jobs/{job.id}").get_data(as_text=True)
    assert STALLED not in html and 'data-status="running"' in html


def test_sweep_jobs_marks_only_the_dead_ones_failed(app, runner, make_user):
    owner = make_user(email="sweep@example.com")
    dead = job_row(owner, "running", beat_ago=61, attempts=1)
    dead_in_pool = job_row(owner, "queued", beat_ago=90)
    alive = job_row(owner, "running", beat_ago=20, attempts=1)
    waiting_in_redis = job_row(owner, "queued", beat_ago=600, backend="rq")  # no worker yet: may wait
    lost_by_redis = job_row(owner, "queued", beat_ago=1800 + 61, backend="rq")
    result = runner.invoke(args=["sim", "sweep-jobs"])
    assert result.exit_code == 0 and "3 stalled job(s) marked failed" in result.output
    for job in (dead, dead_in_pool, lost_by_redis):
        row = _reload(job.id)
        assert (row.status, row.error_code) == ("failed", "stalled") and "no heartbeat" in row.message
    assert _reload(alive.id).status == "running" and _reload(waiting_in_redis.id).status == "queued"
    assert "0 stalled job(s)" in runner.invoke(args=["sim", "sweep-jobs"]).output


def test_the_owner_retries_a_stalled_run_with_one_click(client, signed_in):
    trainee = signed_in(email="retry.owner@example.com")
    job = job_row(trainee, "running", beat_ago=300, attempts=1)
    page = f"/sim/jobs/{job.id}?stay=1"
    assert client.post(f"/sim/jobs/{job.id}/retry").status_code == 400  # no CSRF token, nothing happens
    assert _reload(job.id).attempts == 1
    response = client.post(f"/sim/jobs/{job.id}/retry", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 302 and response.headers["Location"] == f"/sim/jobs/{job.id}?stay=1"
    done = jobs.wait(job.id)
    assert done.status == "done" and done.attempts == 2 and done.error_code is None and done.run_id is not None


def test_only_the_owner_may_retry(app, as_user, make_user, make_team):
    team = make_team("lab team")
    trainee = make_user(email="their.job@example.com", teams=[team])
    make_user("manager", email="their.manager@example.com", manages=[team])
    job = job_row(trainee, "failed", error_code="internal", attempts=1)
    manager = as_user("their.manager@example.com")
    assert manager.client.get(f"/sim/jobs/{job.id}?stay=1").status_code == 200  # may look
    token = csrf_token(manager.client, "/")
    assert manager.client.post(f"/sim/jobs/{job.id}/retry", data={"csrf_token": token}).status_code == 403
    stranger = as_user(make_user(email="stranger@example.com").email)
    assert stranger.post(f"/sim/jobs/{job.id}/retry", token_from="/").status_code == 404
    assert _reload(job.id).status == "failed"


def test_settings_the_engine_refused_are_not_retried(client, signed_in):
    trainee = signed_in(email="retry.invalid@example.com")
    job = job_row(trainee, "failed", error_code="invalid", attempts=1)
    html = client.get(f"/sim/jobs/{job.id}?stay=1").get_data(as_text=True)
    assert 'data-testid="retry-job"' not in html and "refused these settings" in html
    response = client.post(f"/sim/jobs/{job.id}/retry", data={"csrf_token": csrf_token(client, "/")},
                           follow_redirects=True)
    assert "cannot be run again" in response.get_data(as_text=True) and _reload(job.id).status == "failed"


def test_a_retry_counts_against_the_waiting_limit(client, app, signed_in, monkeypatch):
    enqueued = hold_the_queue(app, monkeypatch)
    app.config["SIM_USER_MAX_QUEUED"] = 1
    trainee = signed_in(email="retry.limit@example.com")
    job_row(trainee, "queued", backend="rq")
    failed = job_row(trainee, "failed", error_code="internal", attempts=1)
    response = client.post(f"/sim/jobs/{failed.id}/retry", data={"csrf_token": csrf_token(client, "/")},
                           follow_redirects=True)
    assert "You already have 1 simulations waiting" in response.get_data(as_text=True)
    assert _reload(failed.id).status == "failed" and enqueued == []


def test_a_worker_that_lost_its_job_saves_nothing(app, make_user):
    owner = make_user(email="lost.worker@example.com")
    job = job_row(owner, "running", attempts=2)  # retried: attempt 2 belongs to another worker
    jobs._run_claimed(app, job.id, attempt=1)  # the old worker comes back and finishes
    row = _reload(job.id)
    assert (row.status, row.attempts, row.run_id) == ("running", 2, None)


def test_a_run_past_its_time_limit_stops_with_the_timeout_code(app, make_user, monkeypatch):
    app.config["SIM_JOB_TIMEOUT"] = 1

    def endless(params, progress):
        while True:
            time.sleep(0.05)
            progress(0.5)

    monkeypatch.setitem(jobs.HANDLERS, "run", jobs.JobHandler(endless, runs.save_run))
    job = jobs.wait(jobs.submit(make_user(email="too.long@example.com").id, "run", run_params()).id, timeout=10)
    assert (job.status, job.error_code) == ("failed", "timeout")


def test_a_stalled_round_is_retried_and_the_workshop_advances(client, signed_in):
    facilitator = signed_in("manager", email="round.retry@example.com")
    workshop = SimWorkshop(facilitator_id=facilitator.id, title="W", preset="distributor", seed=1, customers=30,
                           round_days=30, engine_version="x", status="advancing")
    db.session.add(workshop)
    db.session.commit()
    params = {"workshop_id": workshop.id, "round": 1, "round_days": 30, "preset": "distributor", "seed": 1,
              "customers": 30, "teams": []}
    job = job_row(facilitator, "running", beat_ago=90, kind="round", params=params, workshop_id=workshop.id,
                  attempts=1)
    page = client.get(f"/sim/workshops/{workshop.id}").get_data(as_text=True)
    assert 'data-testid="round-job-error"' in page and STALLED in page
    client.post(f"/sim/jobs/{job.id}/retry", data={"csrf_token": csrf_token(client, "/")})
    assert jobs.wait(job.id).status == "done"
    db.session.expire_all()
    assert db.session.get(SimWorkshop, workshop.id).current_round == 2


def test_a_stalled_round_swept_by_cron_reopens_the_round(app, runner, make_user):
    facilitator = make_user("manager", email="round.sweep@example.com")
    workshop = SimWorkshop(facilitator_id=facilitator.id, title="W", preset="distributor", seed=1, customers=30,
                           engine_version="x", status="advancing")
    db.session.add(workshop)
    db.session.commit()
    job_row(facilitator, "running", beat_ago=90, kind="round", params={"workshop_id": workshop.id, "round": 1},
            workshop_id=workshop.id, attempts=1)
    runner.invoke(args=["sim", "sweep-jobs"])
    db.session.expire_all()
    assert db.session.get(SimWorkshop, workshop.id).status == "open"
    assert rounds.round_failed is jobs.HANDLERS["round"].on_failure
    assert db.session.scalar(select(SimRoundResult)) is None


def test_an_unreachable_redis_with_the_rq_backend_says_so_and_reopens_the_round(client, app, signed_in):
    app.config.update(JOB_BACKEND="rq", REDIS_URL="redis://127.0.0.1:1/0")
    facilitator = signed_in("manager", email="redis.down@example.com")
    workshop = SimWorkshop(facilitator_id=facilitator.id, title="W", preset="distributor", seed=1, customers=30,
                           engine_version="x")
    db.session.add(workshop)
    db.session.commit()
    response = client.post(f"/sim/workshops/{workshop.id}/close",
                           data={"csrf_token": csrf_token(client, f"/sim/workshops/{workshop.id}")},
                           follow_redirects=True)
    assert response.status_code == 200 and "queue is not available" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SimWorkshop, workshop.id).status == "open"
    job = db.session.scalar(select(SimJob))
    assert (job.status, job.error_code) == ("failed", "queue_unavailable")


@pytest.mark.skipif(not REDIS_URL, reason="RQ mode needs TEST_REDIS_URL (a local Redis)")
def test_rq_worker_retries_a_stalled_job_and_defers_one_over_the_limit(client, app, signed_in):
    from redis import Redis
    from rq import Queue, SimpleWorker

    queue_name = f"test-sim-{uuid.uuid4().hex[:10]}"
    app.config.update(JOB_BACKEND="rq", REDIS_URL=REDIS_URL, SIM_QUEUE=queue_name, SIM_USER_MAX_RUNNING=1)
    connection = Redis.from_url(REDIS_URL)
    queue = Queue(queue_name, connection=connection)
    trainee = signed_in(email="rq.retry@example.com")
    try:
        stalled = job_row(trainee, "running", beat_ago=300, backend="rq", attempts=1)
        client.post(f"/sim/jobs/{stalled.id}/retry", data={"csrf_token": csrf_token(client, "/")})
        assert _reload(stalled.id).status == "queued" and queue.count == 1  # the web process ran nothing
        blocker = job_row(trainee, "running", backend="rq", attempts=1)
        assert worker.rq_execute(stalled.id) == "busy" and queue.count == 2  # back in the queue
        db.session.get(SimJob, blocker.id).status = "done"
        db.session.commit()
        SimpleWorker([queue], connection=connection).work(burst=True)
        row = _reload(stalled.id)
        assert (row.status, row.attempts) == ("done", 2), row.message
    finally:
        queue.delete(delete_jobs=True)


def test_the_lazy_rule_is_a_clause_and_a_predicate_that_agree(app, make_user):
    owner = make_user(email="agree@example.com")
    rows = [job_row(owner, status, beat_ago=ago, backend=backend)
            for status in ("queued", "running", "done") for ago in (0, 50, 70, 1900) for backend in ("local", "rq")]
    settings = jobs.settings(app)
    now = utcnow() + timedelta(seconds=1)
    in_sql = set(db.session.scalars(select(SimJob.id).where(stale_clause(settings, now))))
    assert in_sql == {j.id for j in rows if is_stale(j, settings, now)} and in_sql
