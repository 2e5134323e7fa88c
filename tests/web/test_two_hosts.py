"""Two app hosts and two RQ workers on one PostgreSQL and one Redis (docs/deploying.md), over HTTP.

Starts two gunicorn servers on their own ports (as two hosts behind a proxy would be: the same
secret key and database, no shared memory) and two ``rq worker`` processes (as two worker hosts),
then shows that:

* a simulation submitted on app 1 is run by one of the two workers and its result served by app 2;
* failed sign-ins on app 1 and app 2 add up to the account's limit (the database's counter), and
  wrong room codes on both add up to the per-person limit (Redis's counter);
* a session ended on app 1 (signed out, or every other session after a password change) is refused
  on app 2 at once.

Needs TEST_DATABASE_URL (PostgreSQL: the test makes and drops a database of its own) and
TEST_REDIS_URL; skipped without them. CI sets both.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.load.launch import database_urls, recreate, stop
from tests.load.loadtest import Browser, Tally, form_fields, token_of, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
PASSWORD = "two-hosts-pass-2026"
NEW_PASSWORD = "two-hosts-new-pass-2026"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DATABASE_URL.startswith("postgresql") or not REDIS_URL,
                       reason="two app hosts need TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL (CI sets both)"),
]

SETUP = """
import sys
from flask_migrate import upgrade
from trainer import create_app
from trainer.accounts.models import Role, User
from trainer.extensions import db

app = create_app()
with app.app_context():
    upgrade()
    for email in sys.argv[2:]:
        user = User(email=email, name=email.split("@")[0], role=Role.TRAINEE.value, language="en")
        user.set_password(sys.argv[1])
        user.must_change_password = False
        db.session.add(user)
    db.session.commit()
"""


def _free_port() -> int:
    """A free port in 5600-5699 (the range this suite's servers use), else any free one."""
    for port in random.sample(range(5600, 5700), 100):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Site:
    """The two hosts and two workers under test."""

    env: dict[str, str]
    db_url: str
    queue: str
    apps: list[str] = field(default_factory=list)  # base URLs of app 1 and app 2
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: list[str] = field(default_factory=list)  # the RQ workers' names

    def browser(self, app: int) -> Browser:
        browser = Browser(self.apps[app], Tally())
        browser.opener.addheaders = [("Accept-Language", "en")]  # the messages checked below are English
        return browser

    def on(self, browser: Browser, app: int) -> Browser:
        """The same person (the same cookies) sent to the other host, as a proxy would."""
        browser.base = self.apps[app]
        return browser


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    admin_url, db_url = database_urls(DATABASE_URL, "two_hosts")
    recreate(admin_url, db_url)
    queue = f"two-hosts-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "TRAINER_DATABASE_URL": db_url, "TRAINER_SECRET_KEY": uuid.uuid4().hex,
           "TRAINER_REDIS_URL": REDIS_URL, "TRAINER_JOB_BACKEND": "rq", "TRAINER_SIM_QUEUE": queue,
           "TRAINER_SIM_FRONTIER": "false", "TRAINER_SIM_PROCESSES": "1"}
    subprocess.run([sys.executable, "-c", SETUP, PASSWORD, "runner@example.com", "target@example.com",
                    "revoked@example.com"], env=env, cwd=ROOT, check=True)
    s = Site(env, db_url, queue)
    try:
        for _ in range(2):
            port = _free_port()
            s.apps.append(f"http://127.0.0.1:{port}")
            s.processes.append(subprocess.Popen(
                [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "--timeout", "60", "trainer:create_app()"],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for host in ("worker-host-a", "worker-host-b"):
            name = f"{host}-{uuid.uuid4().hex[:6]}"
            s.workers.append(name)
            s.processes.append(subprocess.Popen(
                [str(BIN / "rq"), "worker", queue, "--url", REDIS_URL, "--name", name],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for base in s.apps:
            wait_until_up(base, seconds=60)
        yield s
    finally:
        stop(s.processes, seconds=10)
        recreate(admin_url, db_url, create=False)


def sign_in(browser: Browser, email: str, password: str = PASSWORD) -> tuple[int, str, str]:
    _, login, _ = browser.get("/login")
    return browser.post("/login", {"csrf_token": token_of(login), "email": email, "password": password})


def signed_in(browser: Browser) -> bool:
    """The home page answers (200) for a live session; a dead one is sent to the sign-in page."""
    status, _, location = browser.get("/")
    return status == 200 and not location


def test_a_job_submitted_on_app_1_runs_on_a_worker_and_is_served_by_app_2(site: Site) -> None:
    from redis import Redis
    from rq.job import Job
    from rq.registry import FinishedJobRegistry

    person = site.browser(0)
    assert sign_in(person, "runner@example.com")[0] == 302
    status, page, _ = person.get("/sim/new")
    form = re.search(r'<form[^>]*data-testid="policy-form".*?</form>', page, re.S)
    assert status == 200 and form
    values = [(k, {"customers": "80", "days": "60", "name": "two hosts"}.get(k, v)) for k, v in form_fields(form[0])]
    status, _, location = person.post("/sim/new", values)
    job = re.search(r"/sim/jobs/(\d+)$", location)
    assert status == 302 and job, (status, location)
    job_id = int(job[1])

    site.on(person, 1)  # from now on the proxy sends this person to app 2
    deadline = time.monotonic() + 40
    state: dict[str, object] = {}
    while time.monotonic() < deadline:
        status, body, _ = person.get(f"/sim/jobs/{job_id}.json")
        assert status == 200
        state = json.loads(body)
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.3)
    assert state.get("status") == "done", state
    status, result, _ = person.get(str(state["url"]))
    assert status == 200 and "two hosts" in result

    # one of the two workers ran it (RQ records which), and the row says it went through RQ
    connection = Redis.from_url(REDIS_URL)
    ran = [Job.fetch(rq_id, connection=connection)
           for rq_id in FinishedJobRegistry(site.queue, connection=connection).get_job_ids()]
    assert [j.worker_name for j in ran if j.args == (job_id,)][0] in site.workers
    engine = create_engine(site.db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT backend FROM sim_job WHERE id = :id"), {"id": job_id}).scalar() == "rq"
    engine.dispose()


def test_failed_sign_ins_on_both_hosts_add_up_to_the_limit(site: Site) -> None:
    """LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS is 5: three wrong passwords on app 1 and two on app 2
    use them up, so even the right password is refused then, on either host."""
    one, two = site.browser(0), site.browser(1)
    for browser, times in ((one, 3), (two, 2)):
        for _ in range(times):
            status, page, _ = sign_in(browser, "target@example.com", "wrong-password")
            assert status == 200 and "Email or password is incorrect" in page
    for browser in (two, one):
        status, page, _ = sign_in(browser, "target@example.com")
        assert status == 200 and "Too many failed sign-in attempts" in page
        assert not signed_in(browser)


def test_wrong_room_codes_on_both_hosts_add_up_in_redis(site: Site) -> None:
    """JOIN_MAX_GUESSES_PER_USER is 10 a minute, counted in Redis: five wrong codes on each host and
    the next guess is refused on either."""
    person = site.browser(0)
    assert sign_in(person, "runner@example.com")[0] == 302
    for app in (0, 1):
        site.on(person, app)
        for _ in range(5):
            _, page, _ = person.get("/join")
            status, _, _ = person.post("/join", {"csrf_token": token_of(page), "code": "ZZZZZZ"})
            assert status == 404
    for app in (1, 0):
        site.on(person, app)
        _, page, _ = person.get("/join")
        status, body, _ = person.post("/join", {"csrf_token": token_of(page), "code": "ZZZZZZ"})
        assert status == 429 and "Too many wrong room codes" in body


def test_sessions_ended_on_app_1_are_refused_on_app_2(site: Site) -> None:
    # signed out on app 1: a copy of the same cookie is refused on app 2
    first = site.browser(0)
    assert sign_in(first, "revoked@example.com")[0] == 302
    copy = site.browser(1)
    copy.opener = first.opener  # the same cookie jar, sent to the other host
    assert signed_in(copy)
    _, home, _ = first.get("/")
    assert first.post("/logout", {"csrf_token": token_of(home)})[0] == 302
    assert not signed_in(copy)

    # a password changed on app 1 ends the person's other sessions, here one signed in on app 2
    laptop, phone = site.browser(0), site.browser(1)
    assert sign_in(laptop, "revoked@example.com")[0] == 302
    assert sign_in(phone, "revoked@example.com")[0] == 302
    assert signed_in(phone)
    _, form, _ = laptop.get("/account/password")
    status, _, _ = laptop.post("/account/password", {"csrf_token": token_of(form), "current_password": PASSWORD,
                                                    "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert status == 302
    assert not signed_in(phone)
    assert signed_in(site.on(laptop, 1))  # the session that changed it stays, on either host
