"""The job settings are checked at start-up: a bad limit stops the app with a message naming it."""

from __future__ import annotations

import pytest

from trainer.policylab.job_settings import JobSettingsError, job_settings


def test_the_defaults_are_two_running_five_queued_and_the_thread_pool():
    s = job_settings({})
    assert (s.backend, s.stored_backend) == ("thread", "local")
    assert (s.user_max_running, s.user_max_queued, s.max_running, s.max_waiting) == (2, 5, 4, 40)
    assert (s.heartbeat_seconds, s.stale_seconds) == (5, 60)


def test_a_redis_url_alone_still_means_rq_and_the_backend_can_be_named():
    assert job_settings({"REDIS_URL": "redis://r:6379/0"}).backend == "rq"
    assert job_settings({"REDIS_URL": "redis://r:6379/0", "JOB_BACKEND": "thread"}).backend == "thread"
    s = job_settings({"REDIS_URL": "redis://r:6379/0", "JOB_BACKEND": " RQ ", "SIM_USER_MAX_QUEUED": "7"})
    assert (s.backend, s.stored_backend, s.user_max_queued) == ("rq", "rq", 7)


def test_limits_of_one_are_the_smallest_accepted():
    s = job_settings({"SIM_USER_MAX_RUNNING": 1, "SIM_USER_MAX_QUEUED": 1, "SIM_MAX_RUNNING": 1, "SIM_MAX_WAITING": 1})
    assert (s.user_max_running, s.user_max_queued, s.max_running, s.max_waiting) == (1, 1, 1, 1)


@pytest.mark.parametrize(("settings", "named"), [
    ({"SIM_USER_MAX_QUEUED": 0}, "SIM_USER_MAX_QUEUED must be at least 1"),
    ({"SIM_USER_MAX_RUNNING": -1}, "SIM_USER_MAX_RUNNING must be at least 1"),
    ({"SIM_MAX_RUNNING": "two"}, "SIM_MAX_RUNNING must be a whole number"),
    ({"SIM_MAX_WAITING": 2.5}, "SIM_MAX_WAITING must be a whole number"),
    ({"SIM_USER_MAX_QUEUED": True}, "SIM_USER_MAX_QUEUED must be a whole number"),
    ({"SIM_USER_MAX_QUEUED": None}, "SIM_USER_MAX_QUEUED must be a whole number"),
    ({"SIM_HEARTBEAT_SECONDS": 0}, "SIM_HEARTBEAT_SECONDS must be above 0"),
    ({"SIM_HEARTBEAT_SECONDS": 30}, "at least three heartbeats"),
    ({"JOB_BACKEND": "celery"}, "JOB_BACKEND must be one of thread, rq"),
    ({"JOB_BACKEND": "rq"}, "JOB_BACKEND=rq needs REDIS_URL"),
])
def test_bad_values_are_refused_by_name(settings, named):
    with pytest.raises(JobSettingsError, match=named):
        job_settings(settings)


def test_every_bad_value_is_listed_at_once():
    with pytest.raises(JobSettingsError) as caught:
        job_settings({"SIM_USER_MAX_QUEUED": 0, "SIM_MAX_RUNNING": "x", "JOB_BACKEND": "celery"})
    assert all(key in str(caught.value) for key in ("SIM_USER_MAX_QUEUED", "SIM_MAX_RUNNING", "JOB_BACKEND"))


@pytest.mark.parametrize(("raw", "processes"), [(0, None), ("0", None), (3, 3), (" 8 ", 8)])
def test_processes_default_to_every_core_and_can_be_set(raw, processes):
    assert job_settings({}).processes is None
    assert job_settings({"SIM_PROCESSES": raw}).processes == processes


@pytest.mark.parametrize("raw", [-1, "-2", "two", 1.5, True, None])
def test_bad_process_counts_are_refused_by_name(raw):
    with pytest.raises(JobSettingsError, match="SIM_PROCESSES must be"):
        job_settings({"SIM_PROCESSES": raw})
