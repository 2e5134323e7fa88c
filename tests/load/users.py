"""`make loadtest-users`: 200 simulated people on the everyday pages, gunicorn with 4 workers, on
PostgreSQL and Redis; prints p50/p95/p99 per page and overall against the issue's target (p95 under
500 ms).

    python tests/load/users.py [--users 200] [--seconds 60] [--web-workers 4] [--think 1-3]
        [--processes 4] [--short]

Set-up (not timed): a fresh database ``<TEST_DATABASE_URL's database>_users`` on the same server,
the demo organisation, ``--users`` trainees (each has read module 1), gunicorn (sync workers,
``--preload``, as the README deploys it) with TEST_REDIS_URL as the app's Redis (session
revocation list and throttling; without it they stay in the database), and every person signed in
(sign-in hashes a password: it is not an everyday page, so it is kept out of the figures).

The timed part: every person, in ``--processes`` client processes (threads inside each, so the
client does not become the bottleneck of one interpreter), loops until the time is up: picks one of
the everyday pages (lesson, course, quiz intro, home, daily review; the lesson of a random module-1
lesson), loads it on a fresh connection, checks the status and that the page is the one asked for,
then waits a random "think time" from ``--think`` seconds (what a person spends reading before the
next click; default 1-3 s, short for a reader: a demanding load). Printed: requests, errors, the
offered and served rate, and p50/p95/p99 per page and overall, with the load average before and
after (the figures depend on what else the machine runs; the clients share its cores).
Exit 1 when a request failed (5xx, a wrong page, a connection error); the p95 target is reported,
not enforced, as it depends on the machine. ``--short``: 40 people for 15 s (under a minute in all).
Without TEST_DATABASE_URL pointing at PostgreSQL it is skipped.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: the repository, for tests.load

from tests.load import launch  # noqa: E402

PASSWORD = "load-users-pass-2026"
TARGET_P95 = 0.500
LESSONS = ["m1-what-receivables-are", "m1-why-receivables-matter", "m1-salesperson-roles", "m1-lifecycle"]
PAGES = {  # label: (paths, text the page must contain)
    "lesson": ([f"/learn/ar-essentials/{lesson}" for lesson in LESSONS], 'id="check"'),
    "course": (["/learn/ar-essentials"], "m1-what-receivables-are"),
    "quiz intro": (["/quiz/m1-basics-quiz"], "<dt>"),
    "home": (["/"], 'data-testid="next-steps'),
    "daily review": (["/quiz/review"], "<h1"),
}
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# ------------------------------------------------------------------------------------------ set-up


def start_gunicorn(env: dict[str, str], workers: int, port: int) -> subprocess.Popen[bytes]:
    process = launch.gunicorn(env, port, "--preload", "--workers", str(workers), "--worker-class", "sync",
                              "--backlog", "2048", "--log-level", "warning")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {process.returncode}") from None
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not come up in 120 s")


# ------------------------------------------------------------------------------------ the people


def request(port: int, path: str, cookie: str = "", body: bytes | None = None) -> tuple[int, str, list[str]]:
    """(status, body, Set-Cookie headers) of one request on a fresh connection (sync workers close it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Accept-Language": "zh-CN", "Cookie": cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read().decode(errors="replace")
        return response.status, data, response.headers.get_all("Set-Cookie") or []
    finally:
        conn.close()


def sign_in(port: int, index: int) -> str:
    """The Cookie header of person ``index``'s signed-in session."""
    _, page, cookies = request(port, "/login")
    jar = dict(c.split(";", 1)[0].split("=", 1) for c in cookies)
    match = TOKEN.search(page)
    fields = {"email": f"user{index}@example.com", "password": PASSWORD, "csrf_token": match.group(1) if match else ""}
    status, _, cookies = request(port, "/login", "; ".join(f"{k}={v}" for k, v in jar.items()),
                                 urllib.parse.urlencode(fields).encode())
    if status != 302:
        raise SystemExit(f"signing in user{index} answered {status}")
    jar.update(c.split(";", 1)[0].split("=", 1) for c in cookies)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def person(port: int, cookie: str, start_at: float, deadline: float, think: tuple[float, float],
           seed: int, out: list[tuple[str, float, str | None]]) -> None:
    """One person clicking through the everyday pages until ``deadline``."""
    rng = random.Random(seed)
    time.sleep(max(0.0, start_at - time.monotonic()) + rng.uniform(0, think[1]))  # spread the first clicks
    while time.monotonic() < deadline:
        label = rng.choice(list(PAGES))
        paths, expect = PAGES[label]
        started = time.perf_counter()
        try:
            status, body, _ = request(port, rng.choice(paths), cookie)
            error = None if status == 200 and expect in body else f"{label}: HTTP {status}"
        except OSError as failure:
            error = f"{label}: {type(failure).__name__}"
        out.append((label, time.perf_counter() - started, error))
        time.sleep(rng.uniform(*think))


def client_process(port: int, cookies: list[str], start_at: float, seconds: float, think: tuple[float, float],
                   seed: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    out: list[tuple[str, float, str | None]] = []
    deadline = start_at + seconds
    threads = [threading.Thread(target=person, args=(port, cookie, start_at, deadline, think, seed * 10_000 + i, out),
                                daemon=True) for i, cookie in enumerate(cookies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    queue.put(out)


# ------------------------------------------------------------------------------------------ report


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def line(label: str, latencies: list[float]) -> str:
    p95 = percentile(latencies, 0.95)
    verdict = "OK" if p95 < TARGET_P95 else "OVER"
    return (f"  {label:13} {len(latencies):6d} req  p50 {1000 * statistics.median(latencies or [0]):6.0f} ms  "
            f"p95 {1000 * p95:6.0f} ms  p99 {1000 * percentile(latencies, 0.99):6.0f} ms  "
            f"(p95 target < {1000 * TARGET_P95:.0f} ms: {verdict})")


def report(args: argparse.Namespace, results: list[tuple[str, float, str | None]], elapsed: float,
           load_before: tuple[float, ...], redis: bool) -> int:
    errors = [error for _, _, error in results if error]
    mean_think = sum(args.think) / 2
    print(f"loadtest-users: {args.users} people for {args.seconds:g} s, think {args.think[0]:g}-{args.think[1]:g} s, "
          f"gunicorn {args.web_workers} sync workers (--preload), PostgreSQL{', Redis' if redis else ''}; "
          f"load average before {' '.join(f'{x:.1f}' for x in load_before)} on {os.cpu_count()} CPUs")
    print(f"  requests: {len(results)} in {elapsed:.0f} s ({len(results) / elapsed:.0f}/s served; "
          f"about {args.users / mean_think:.0f}/s offered); errors {len(errors)}"
          + (f", e.g. {errors[0]}" if errors else ""))
    for label in PAGES:
        print(line(label, [seconds for page, seconds, _ in results if page == label]))
    print(line("all pages", [seconds for _, seconds, _ in results]))
    print(f"  load average after {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 1 if errors or not results else 0


# -------------------------------------------------------------------------------------------- main


def think_range(raw: str) -> tuple[float, float]:
    try:
        low, high = (float(part) for part in raw.split("-", 1))
    except ValueError:
        raise argparse.ArgumentTypeError("--think takes two numbers of seconds, e.g. 1-3") from None
    if not 0 <= low <= high <= 60:
        raise argparse.ArgumentTypeError("--think: 0 <= low <= high <= 60")
    return low, high


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--processes", type=int, default=4, help="client processes the people are spread over")
    parser.add_argument("--think", type=think_range, default=(1.0, 3.0), help="seconds between clicks, low-high")
    parser.add_argument("--short", action="store_true", help="40 people for 15 s (a quick check, under a minute)")
    args = parser.parse_args(argv)
    if args.short:
        args.users, args.seconds = 40, 15
    if not 1 <= args.users <= 1000 or not 5 <= args.seconds <= 600 or not 1 <= args.web_workers <= 16:
        parser.error("--users 1..1000, --seconds 5..600, --web-workers 1..16")
    if not 1 <= args.processes <= 16:
        parser.error("--processes 1..16")
    return args


def run(args: argparse.Namespace, port: int) -> tuple[list[tuple[str, float, str | None]], float]:
    cookies = [sign_in(port, i) for i in range(args.users)]
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    start_at = time.monotonic() + 2
    clients = [multiprocessing.Process(target=client_process,
                                       args=(port, cookies[n::args.processes], start_at, args.seconds, args.think, n, queue))
               for n in range(args.processes)]
    for process in clients:
        process.start()
    results = [item for _ in clients for item in queue.get(timeout=args.seconds + 240)]
    for process in clients:
        process.join()
    return results, time.monotonic() - start_at


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    server = os.environ.get("TEST_DATABASE_URL", "")
    if not server.startswith("postgresql"):
        print("loadtest-users: SKIPPED: set TEST_DATABASE_URL to a PostgreSQL server (it makes its own database)")
        return 0
    admin, db_url = launch.database_urls(server, "users")
    launch.recreate(admin, db_url)
    redis = os.environ.get("TEST_REDIS_URL")
    env = launch.app_env(db_url, TRAINER_JOB_BACKEND="thread",
                         TRAINER_CONTENT_CACHE_DIR=str(launch.ROOT / "instance" / "load-users-cache"),
                         **({"TRAINER_REDIS_URL": redis} if redis else {}))
    web = None
    try:
        people = launch.Trainees(args.users, PASSWORD, prefix="user", team="Load users", language="zh_CN")
        launch.load_data(env, people, quiet=True)
        port = launch.free_port()
        web = start_gunicorn(env, args.web_workers, port)
        load_before = os.getloadavg()
        results, elapsed = run(args, port)
    finally:
        if web is not None:
            launch.stop([web], seconds=20)
        launch.recreate(admin, db_url, create=False)
    return report(args, results, elapsed, load_before, bool(redis))


if __name__ == "__main__":
    sys.exit(main())
