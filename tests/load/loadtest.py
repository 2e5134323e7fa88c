"""`make loadtest`: quiz takers on the production stack while workers die.

Starts gunicorn (several sync workers) on PostgreSQL and, when a Redis is given, an RQ worker for
the simulation; signs in N virtual trainees who take the m1 module quiz the way the browser does
(start, autosave each answer as JSON, submit) and then browse; a few of them also run a policy-lab
simulation. Part-way through it kills one web worker and the RQ worker (SIGKILL, as an out-of-memory
killer would) and starts a fresh RQ worker. At the end it prints the requests, the error rate, p50
and p95, the answers lost (acknowledged by the server but not in the database: must be 0) and the
jobs lost (never finished nor marked failed: must be 0), and exits 1 when anything was lost.

    python tests/load/loadtest.py [--users 50] [--seconds 60] [--web-workers 3] [--short]

Needs TEST_DATABASE_URL (a PostgreSQL server: the test creates and drops its own database
``<TEST_DATABASE_URL's database>_loadtest`` on it); TEST_REDIS_URL is optional (without it
simulations run in the web process and only the web worker is killed). Traffic goes to 127.0.0.1
only, and every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: the repository, for tests.load

from tests.load import launch  # noqa: E402

PASSWORD = "load-test-pass-2026"
QUIZ = "m1-basics-quiz"
LOAD_SUFFIX = "loadtest"  # the scratch database: <TEST_DATABASE_URL's database>_loadtest


# ------------------------------------------------------------------------------------------ set-up


def wait_until_up(base: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"the server at {base} did not come up in {seconds:.0f} s")


# ------------------------------------------------------------------------------- virtual trainees


@dataclass
class Tally:
    """What every virtual trainee saw, added up under a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    acknowledged: set[tuple[int, str]] = field(default_factory=set)
    jobs: set[int] = field(default_factory=set)

    def request(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Browser:
    """One signed-in person: cookies, CSRF tokens, timings."""

    def __init__(self, base: str, tally: Tally):
        self.base, self.tally = base, tally
        jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def call(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None,
             ) -> tuple[int, str, str]:
        """(status, body, Location); a connection error counts as an error and returns status 0."""
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=30) as response:
                status, body, location = response.status, response.read().decode(), response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            status, body, location = error.code, error.read().decode(errors="replace"), error.headers.get("Location", "")
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
            self.tally.request(time.perf_counter() - started, f"{path}: {type(error).__name__}")
            return 0, "", ""
        self.tally.request(time.perf_counter() - started, f"{path}: HTTP {status}" if status >= 500 else None)
        return status, body, location

    def get(self, path: str) -> tuple[int, str, str]:
        return self.call(path)

    def post(self, path: str, fields: dict[str, str] | list[tuple[str, str]]) -> tuple[int, str, str]:
        return self.call(path, urllib.parse.urlencode(fields).encode(),
                         {"Content-Type": "application/x-www-form-urlencoded"})

    def post_json(self, path: str, payload: object, token: str) -> tuple[int, str, str]:
        return self.call(path, json.dumps(payload).encode(),
                         {"Content-Type": "application/json", "X-CSRFToken": token, "Accept": "application/json"})


TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
FIELDSET = re.compile(r'data-question="([^"]+)" data-type="([a-z]+)"')


def token_of(page: str) -> str:
    match = TOKEN.search(page)
    return match.group(1) if match else ""


def answer_for(page: str, question: str, kind: str) -> object | None:
    """A plausible answer for one question, read off the attempt page as the browser would."""
    values = re.findall(rf'name="a-{re.escape(question)}" value="([^"]*)"', page)
    if kind in ("single", "truefalse", "true_false", "tf") and values:
        return html.unescape(random.choice(values))
    if kind == "multi" and values:
        return [html.unescape(values[0])]
    if kind in ("numeric", "calculated"):
        return str(random.randint(1, 100))
    return None


def take_quiz(browser: Browser, think: float) -> bool:
    """One attempt: start, autosave every answerable question, submit. False when no attempt is left."""
    status, intro, _ = browser.get(f"/quiz/{QUIZ}")
    if status != 200:
        return False
    status, _, location = browser.post(f"/quiz/{QUIZ}/start", {"csrf_token": token_of(intro), "assignment": ""})
    match = re.search(r"/quiz/attempts/(\d+)$", location)
    if status != 302 or not match:
        return False
    attempt_id = int(match.group(1))
    status, page, _ = browser.get(f"/quiz/attempts/{attempt_id}")
    if status != 200:
        return True
    token = token_of(page)
    for question, kind in FIELDSET.findall(page):
        answer = answer_for(page, question, kind)
        if answer is None:
            continue
        status, body, _ = browser.post_json(f"/quiz/attempts/{attempt_id}/answer",
                                            {"question": question, "answer": answer}, token)
        if status == 200 and json.loads(body).get("ok"):
            with browser.tally.lock:
                browser.tally.acknowledged.add((attempt_id, question))
        time.sleep(random.uniform(0, think))
    browser.post(f"/quiz/attempts/{attempt_id}", {"csrf_token": token, "action": "submit"})
    return True


def form_fields(form: str) -> list[tuple[str, str]]:
    """What a browser would post for a form as shown: inputs, ticked boxes, each select's chosen option."""
    fields: list[tuple[str, str]] = []
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if not name or re.search(r'type="(checkbox|radio)"', tag) and "checked" not in tag:
            continue
        fields.append((name.group(1), html.unescape(value.group(1)) if value else ""))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        tags = re.findall(r"<option[^>]*>", options)
        chosen = next((tag for tag in tags if re.search(r"\bselected\b", tag)), tags[0] if tags else "")
        value = re.search(r'value="([^"]*)"', chosen)
        fields.append((name, html.unescape(value.group(1)) if value else ""))
    return fields


def run_simulation(browser: Browser) -> None:
    """Start one policy-lab run with the preset's default policy, as the lab's form would."""
    status, page, _ = browser.get("/sim/new")
    form = re.search(r'<form[^>]*data-testid="policy-form".*?</form>', page, re.S)
    if status != 200 or not form:
        return
    status, _, location = browser.post("/sim/new", form_fields(form.group(0)))
    match = re.search(r"/sim/jobs/(\d+)", location)
    if match:
        with browser.tally.lock:
            browser.tally.jobs.add(int(match.group(1)))


def sign_in(base: str, index: int, tally: Tally) -> Browser:
    browser = Browser(base, tally)
    _, login, _ = browser.get("/login")
    browser.post("/login", {"csrf_token": token_of(login), "email": f"load{index}@example.com", "password": PASSWORD})
    return browser


def trainee(base: str, index: int, deadline: float, tally: Tally, simulate: bool) -> None:
    browser = sign_in(base, index, tally)
    if simulate:
        run_simulation(browser)
    pages = ["/", "/learn/", "/quiz/", "/learn/ar-essentials/m1-what-receivables-are"]
    attempts_left = True
    while time.monotonic() < deadline:
        if attempts_left:
            attempts_left = take_quiz(browser, think=0.4)
        else:
            browser.get(random.choice(pages))
            time.sleep(random.uniform(0.1, 0.6))


# --------------------------------------------------------------------------------- faults, checks


def kill_one_web_worker(master: subprocess.Popen[bytes]) -> int | None:
    """SIGKILL one of gunicorn's workers (the master starts a replacement)."""
    children = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True).stdout.split()
    if not children:
        return None
    victim = int(random.choice(children))
    os.kill(victim, signal.SIGKILL)
    return victim


def lost_answers(db_url: str, acknowledged: set[tuple[int, str]]) -> int:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        saved = {(a, q) for a, q in conn.execute(
            text("SELECT attempt_id, question_id FROM attempt_answer WHERE answer IS NOT NULL"))}
    engine.dispose()
    return len(acknowledged - saved)


def job_states(db_url: str, job_ids: set[int]) -> list[tuple[int, str]]:
    if not job_ids:
        return []
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, status FROM sim_job WHERE id = ANY(:ids)"), {"ids": list(job_ids)}).all()
    engine.dispose()
    return [(job_id, status) for job_id, status in rows]


def unfinished_jobs(db_url: str, job_ids: set[int]) -> list[tuple[int, str]]:
    """Jobs neither done nor marked failed: lost, unless they are still on their way."""
    return [(job_id, status) for job_id, status in job_states(db_url, job_ids) if status not in ("done", "failed")]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# ------------------------------------------------------------------------------------------- main


@dataclass
class Stack:
    """The servers under test and what the run found."""

    env: dict[str, str]
    db_url: str
    base: str
    web: subprocess.Popen[bytes]
    redis_url: str | None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    killed: list[str] = field(default_factory=list)

    def start_rq_worker(self) -> None:
        self.workers.append(subprocess.Popen([str(launch.BIN / "rq"), "worker", "trainer-sim", "--url",
                                              self.redis_url or ""], env=self.env, cwd=launch.ROOT,
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def stop(self) -> None:
        launch.stop([self.web, *self.workers], seconds=10)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--job-wait", type=int, default=150, help="seconds to wait for jobs after the run")
    parser.add_argument("--short", action="store_true", help="CI: 12 users for 20 s")
    args = parser.parse_args(argv)
    if args.short:
        args.users, args.seconds = 12, 20
    if not 1 <= args.users <= 200 or not 5 <= args.seconds <= 600 or not 1 <= args.web_workers <= 8:
        parser.error("--users 1..200, --seconds 5..600, --web-workers 1..8")
    if not 0 <= args.job_wait <= 600:
        parser.error("--job-wait 0..600")
    return args


def start_stack(args: argparse.Namespace, server: str) -> Stack:
    """A fresh database with the demo data and the load-test trainees, gunicorn and an RQ worker."""
    redis_url = os.environ.get("TEST_REDIS_URL")
    admin_url, db_url = launch.database_urls(server, LOAD_SUFFIX)
    launch.recreate(admin_url, db_url)
    env = launch.app_env(db_url, **({"TRAINER_REDIS_URL": redis_url, "TRAINER_JOB_BACKEND": "rq"} if redis_url
                                    else {}))
    launch.load_data(env, launch.Trainees(args.users, PASSWORD, prefix="load", team="Load test", language="en"))
    port = launch.free_port()
    web = launch.gunicorn(env, port, "-w", str(args.web_workers))
    stack = Stack(env, db_url, f"http://127.0.0.1:{port}", web, redis_url)
    wait_until_up(stack.base)
    if redis_url:
        stack.start_rq_worker()
    return stack


def run_traffic(stack: Stack, args: argparse.Namespace, tally: Tally) -> float:
    """The virtual trainees, with a web worker killed at a third and the RQ worker at a half."""
    started = time.monotonic()
    deadline = started + args.seconds
    threads = [threading.Thread(target=trainee, args=(stack.base, i, deadline, tally, i % 10 == 0), daemon=True)
               for i in range(args.users)]
    for thread in threads:
        thread.start()
    time.sleep(args.seconds / 3)
    stack.killed.append(f"web worker {kill_one_web_worker(stack.web)}")
    if stack.workers:
        time.sleep(args.seconds / 6)
        wait_for_a_running_job(stack, sign_in(stack.base, 0, tally))
        stack.killed.append(f"RQ worker {stack.workers[0].pid}")
        stack.workers[0].send_signal(signal.SIGKILL)
        stack.start_rq_worker()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic() + 40))
    return time.monotonic() - started


def wait_for_a_running_job(stack: Stack, browser: Browser, seconds: float = 15) -> None:
    """Start a simulation and wait until a worker runs it, so the kill lands mid-job."""
    before = set(browser.tally.jobs)
    run_simulation(browser)
    new = browser.tally.jobs - before
    deadline = time.monotonic() + seconds
    engine = create_engine(stack.db_url)
    with engine.connect() as conn:
        while new and time.monotonic() < deadline:
            status = conn.execute(text("SELECT status FROM sim_job WHERE id = :id"), {"id": min(new)}).scalar()
            if status != "queued":
                break
            time.sleep(0.1)
    engine.dispose()


def settle_jobs(stack: Stack, job_ids: set[int], seconds: int) -> list[tuple[int, str]]:
    """Wait for every job to finish or be found dead (the sweep cron would run), then list the rest."""
    deadline = time.monotonic() + seconds
    while unfinished_jobs(stack.db_url, job_ids) and time.monotonic() < deadline:
        launch.flask(stack.env, "sim", "sweep-jobs")
        time.sleep(5)
    return unfinished_jobs(stack.db_url, job_ids)


def report(args: argparse.Namespace, stack: Stack, tally: Tally, elapsed: float, lost: int,
           stuck: list[tuple[int, str]], states: list[tuple[int, str]]) -> None:
    total = len(tally.latencies)
    print(f"loadtest: {args.users} trainees for {args.seconds} s on gunicorn ({args.web_workers} workers), "
          f"PostgreSQL{', RQ' if stack.redis_url else ''}")
    print(f"  killed:          {', '.join(stack.killed)}")
    print(f"  requests:        {total} in {elapsed:.0f} s ({total / elapsed:.0f}/s)")
    print(f"  errors:          {len(tally.errors)} ({100 * len(tally.errors) / max(total, 1):.2f} %)"
          + (f"  e.g. {tally.errors[0]}" if tally.errors else ""))
    print(f"  latency:         p50 {1000 * statistics.median(tally.latencies or [0]):.0f} ms, "
          f"p95 {1000 * percentile(tally.latencies, 0.95):.0f} ms")
    print(f"  answers saved:   {len(tally.acknowledged)} acknowledged, {lost} lost (must be 0)")
    done = sum(1 for _, status in states if status == "done")
    failed = sum(1 for _, status in states if status == "failed")
    print(f"  simulation jobs: {len(tally.jobs)} started: {done} done, {failed} marked failed (retry offered), "
          f"{len(stuck)} lost (must be 0)" + (f": {stuck}" if stuck else ""))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    server = os.environ.get("TEST_DATABASE_URL")
    if not server or not server.startswith("postgresql"):
        print("loadtest: skipped: set TEST_DATABASE_URL to a PostgreSQL server (it makes its own database)")
        return 0
    stack = start_stack(args, server)
    tally = Tally()
    try:
        elapsed = run_traffic(stack, args, tally)
        stuck = settle_jobs(stack, tally.jobs, args.job_wait)
        lost = lost_answers(stack.db_url, tally.acknowledged)
        states = job_states(stack.db_url, tally.jobs)
    finally:
        stack.stop()
        launch.recreate(*launch.database_urls(server, LOAD_SUFFIX))
    report(args, stack, tally, elapsed, lost, stuck, states)
    return 1 if lost or stuck else 0


if __name__ == "__main__":
    sys.exit(main())
