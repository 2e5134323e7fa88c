"""Per-user and global job limits (nothing is queued over a limit, and the user is told why in their
language), the running limits a worker respects when it claims, and errors shown as translated codes,
never as exception text."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.conftest import csrf_token
from tests.web.sim_jobs_support import hold_the_queue, job_row, run_params
from tests.web.test_sim import submit_policy
from trainer import create_app
from trainer.extensions import db
from trainer.policylab import jobs
from trainer.policylab.blueprint import job_error_text
from trainer.policylab.job_settings import JobSettingsError
from trainer.policylab.models import SimJob, SimRun, SimWorkshop
from trainer.policylab.services import runs


@pytest.fixture
def held_queue(app, monkeypatch):
    return hold_the_queue(app, monkeypatch)


def _jobs_of(user) -> int:
    return db.session.scalar(select(func.count()).select_from(SimJob).where(SimJob.user_id == user.id))


def test_the_app_refuses_to_start_with_a_bad_limit(content_registry):
    with pytest.raises(JobSettingsError, match="SIM_USER_MAX_QUEUED must be at least 1"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "CONTENT_REGISTRY": content_registry,
                    "SIM_USER_MAX_QUEUED": 0})


def test_five_waiting_runs_are_allowed_and_the_sixth_is_refused_with_nothing_queued(client, signed_in, held_queue):
    trainee = signed_in(email="busy.bee@example.com")
    for _ in range(5):
        assert submit_policy(client, {}).status_code == 302
    response = submit_policy(client, {"name": "one too many"})
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "You already have 5 simulations waiting" in html and 'name="customers"' in html  # the form, kept
    assert _jobs_of(trainee) == 5 and len(held_queue) == 5


def test_a_lower_limit_from_the_settings_and_in_chinese(client, app, signed_in, held_queue):
    app.config["SIM_USER_MAX_QUEUED"] = 1
    trainee = signed_in(email="limit.one@example.com", language="zh_CN")
    assert submit_policy(client, {}).status_code == 302
    response = submit_policy(client, {})
    assert response.status_code == 429 and "已有 1 个模拟在等待" in response.get_data(as_text=True)
    assert _jobs_of(trainee) == 1


def test_running_and_stalled_jobs_do_not_count_as_waiting(client, app, signed_in, held_queue):
    app.config["SIM_USER_MAX_QUEUED"] = 1
    trainee = signed_in(email="stalled.ones@example.com")
    job_row(trainee, "running")
    job_row(trainee, "queued", beat_ago=600)  # its pool process died: stalled, not waiting
    assert submit_policy(client, {}).status_code == 302


def test_the_global_waiting_cap_says_the_lab_is_busy(client, app, signed_in, make_user, held_queue):
    app.config["SIM_MAX_WAITING"] = 2
    others = [make_user(email=f"other{i}@example.com") for i in range(2)]
    for other in others:
        job_row(other, "queued", backend="rq")
    trainee = signed_in(email="late.comer@example.com")
    response = submit_policy(client, {})
    assert response.status_code == 429 and "The policy lab is busy" in response.get_data(as_text=True)
    assert _jobs_of(trainee) == 0


def test_replications_and_comparisons_over_the_limit_flash_the_reason(client, app, signed_in, held_queue):
    trainee = signed_in(email="compare.limit@example.com")
    run = SimRun(user_id=trainee.id, preset="distributor", seed=1, customers=40, days=60, engine_version="x",
                 policy=run_params()["policy"], summary={}, result={})
    db.session.add(run)
    db.session.commit()
    app.config["SIM_USER_MAX_QUEUED"] = 1
    job_row(trainee, "queued", backend="rq")
    page = f"/sim/runs/{run.id}"
    token = csrf_token(client, "/sim/new?preset=distributor")
    response = client.post(f"{page}/replicate", data={"replications": "5", "csrf_token": token},
                           follow_redirects=True)
    assert "You already have 1 simulations waiting" in response.get_data(as_text=True)
    response = client.post(f"{page}/compare", data={"other": "default", "csrf_token": token}, follow_redirects=True)
    assert "You already have 1 simulations waiting" in response.get_data(as_text=True)
    assert _jobs_of(trainee) == 1


def test_a_refused_round_leaves_the_workshop_open(client, app, signed_in, held_queue):
    facilitator = signed_in("manager", email="fac.limit@example.com")
    workshop = SimWorkshop(facilitator_id=facilitator.id, title="W", preset="distributor", seed=1, customers=40,
                           engine_version="x")
    db.session.add(workshop)
    db.session.commit()
    app.config["SIM_USER_MAX_QUEUED"] = 1
    job_row(facilitator, "queued", backend="rq")
    token = csrf_token(client, f"/sim/workshops/{workshop.id}")
    response = client.post(f"/sim/workshops/{workshop.id}/close", data={"csrf_token": token}, follow_redirects=True)
    assert "You already have 1 simulations waiting" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SimWorkshop, workshop.id).status == "open" and _jobs_of(facilitator) == 1


# --------------------------------------------------------------------------- claiming within the limits


def test_a_worker_claims_only_while_the_owner_has_fewer_than_two_running(app, make_user):
    trainee = make_user(email="two.running@example.com")
    job_row(trainee, "running")
    second = job_row(trainee, "queued", backend="rq")
    third = job_row(trainee, "queued", backend="rq")
    assert jobs.execute(app, second.id) == "done"  # one running: the second may start (and finishes)
    db.session.expire_all()
    assert db.session.get(SimJob, second.id).status == "done"
    job_row(trainee, "running")  # now two run
    assert jobs.execute(app, third.id) == "busy"
    db.session.expire_all()
    assert db.session.get(SimJob, third.id).status == "queued" and db.session.get(SimJob, third.id).attempts == 0


def test_stalled_running_jobs_do_not_hold_the_limit(app, make_user):
    trainee = make_user(email="dead.running@example.com")
    job_row(trainee, "running", beat_ago=300)
    job_row(trainee, "running", beat_ago=300)
    waiting = job_row(trainee, "queued", backend="rq")
    assert jobs.execute(app, waiting.id) == "done"


def test_the_global_concurrency_cap_holds_everyone_back(app, make_user):
    app.config["SIM_MAX_RUNNING"] = 1
    job_row(make_user(email="first@example.com"), "running")
    waiting = job_row(make_user(email="second@example.com"), "queued", backend="rq")
    assert jobs.execute(app, waiting.id) == "busy"
    assert jobs.execute(app, 999_999) == "gone"


# ----------------------------------------------------------------------------------- errors as codes


@pytest.fixture
def sql_error(monkeypatch):
    def explode(params, progress):
        raise IntegrityError("INSERT INTO sim_run (name, secret) VALUES (?, ?)", ("x", "hunter2"),
                             Exception("UNIQUE constraint failed: sim_run.name"))

    monkeypatch.setitem(jobs.HANDLERS, "run", jobs.JobHandler(explode, runs.save_run))


def test_an_exception_with_sql_is_logged_but_never_shown(client, signed_in, sql_error, caplog):
    trainee = signed_in(email="sql.error@example.com")
    job = jobs.wait(jobs.submit(trainee.id, "run", run_params()).id)
    assert job.status == "failed" and job.error_code == "internal" and "INSERT INTO" in job.message
    assert "INSERT INTO sim_run" in caplog.text  # the log line keeps the detail
    for url in (f"/sim/jobs/{job.id}", f"/sim/jobs/{job.id}.json", "/sim/"):
        text = client.get(url).get_data(as_text=True)
        assert "INSERT" not in text and "hunter2" not in text and "UNIQUE" not in text, url
        assert "Something went wrong on our side" in text, url
    trainee.language = "zh_CN"
    db.session.commit()
    text = client.get(f"/sim/jobs/{job.id}").get_data(as_text=True)
    assert "INSERT" not in text and "我们这边出了问题" in text


def test_every_error_code_has_a_message_in_both_languages(app):
    with app.test_request_context(), force_locale("en"):
        english = {code: job_error_text(code) for code in jobs.ERROR_CODES}
    with app.test_request_context(), force_locale("zh_CN"):
        chinese = {code: job_error_text(code) for code in jobs.ERROR_CODES}
    assert len(set(english.values())) == len(jobs.ERROR_CODES)
    assert all(chinese[code] != english[code] for code in jobs.ERROR_CODES)
