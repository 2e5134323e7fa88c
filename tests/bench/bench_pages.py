"""Benchmark: the everyday pages under gunicorn against a hello-world Flask route on the same server.

    .venv/bin/python tests/bench/bench_pages.py [--database postgresql://127.0.0.1:5432/test]
        [--seconds 3] [--rounds 3] [--clients 4] [--workers 2] [--before /path/to/another/checkout]

Starts gunicorn (``--workers`` sync workers, ``--preload``) on free local ports with the same
settings for each: a hello-world Flask app (one route returning a string: the baseline), this
checkout's app and, with ``--before``, the app of another checkout (an older commit exported with
``git archive``, its compiled translations copied in) on the same database, so a change is measured
before and after in one run. The database is a scratch one, created and dropped here:
``<database>_bench`` (the name of ``--database``, default TEST_DATABASE_URL, plus ``_bench``, so runs
against different databases of one server do not collide) on the same PostgreSQL server, or a
temporary SQLite file with ``--database sqlite``; it holds the demo organisation (``flask
seed-demo``). A demo trainee signs in for the lesson, course, quiz intro, home and daily review
pages, a demo manager for the team dashboard.

Each page is loaded by ``--clients`` client processes for ``--seconds`` seconds (one request at a
time per client, a fresh connection per request, as gunicorn's sync workers close it), round-robin
over hello-world and every page of every server, ``--rounds`` times, so that a shared machine's load
falls on all of them alike. Printed: the medians of requests per second and p50, and each page's
throughput as a share of hello-world's (the issue's target: at least 10 % for the everyday pages).
The clients run on the same two cores as the server, which caps hello-world more than the pages:
the shares are conservative. Each line also gives the server's CPU per request (its workers'
user + system time from /proc over the requests served; PostgreSQL's own processes are not in it)
and the share of hello-world that this CPU cost allows: a figure the machine's other load moves far
less than requests per second, for comparing runs on a busy machine. The load average is printed before and after.
The ``floor`` line is this app with one extra page that renders only the site's frame (``base.html``)
for the signed-in trainee: the session check against the database, the CSRF token, the menu, and no
feature's work. It is what any signed-in page costs at least, so it bounds what the pages can reach.
Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "demo-pass-2026"
TRAINEE, MANAGER = "trainee@demo.local", "chen.manager@demo.local"
TARGET = 0.10
HELLO = '''from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"
'''
FLOOR = '''from flask import render_template
from flask_login import login_required

from trainer import create_app

app = create_app()
app.add_url_rule("/bench-floor", "bench_floor", login_required(lambda: render_template("base.html")))
'''
FLOOR_PATH = "/bench-floor"
PAGES = [  # (label, who, path, text the page must contain)
    ("lesson", TRAINEE, "/learn/ar-essentials/m1-what-receivables-are", 'id="check"'),
    ("course", TRAINEE, "/learn/ar-essentials", "m1-what-receivables-are"),
    ("quiz intro", TRAINEE, "/quiz/m1-basics-quiz", "<dt>"),
    ("home", TRAINEE, "/", "/learn/ar-essentials"),
    ("daily review", TRAINEE, "/quiz/review", "<h1"),
    ("dashboard", MANAGER, "/manage/", "/manage/members/"),
]
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Server:
    label: str
    process: subprocess.Popen[bytes]
    port: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scratch_database(url: str | None, folder: Path) -> tuple[str, str | None]:
    """(the app's database URL, the admin URL to drop it with afterwards, None for SQLite)."""
    if not url or url == "sqlite":
        return f"sqlite:///{folder}/bench.sqlite", None
    server = make_url(url)
    scratch = f"{server.database or 'trainer'}_bench"
    admin = server.set(database="postgres").render_as_string(hide_password=False)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    engine.dispose()
    return server.set(database=scratch).render_as_string(hide_password=False), admin


def drop_database(database: str, admin: str | None) -> None:
    if admin is None:
        return
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(database).database}" WITH (FORCE)'))
    engine.dispose()


def start(label: str, root: Path, app: str, env: dict[str, str], workers: int, path: Path | None = None) -> Server:
    port = free_port()
    extra = ["--pythonpath", str(path)] if path is not None else []
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--preload", "--workers", str(workers), "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--chdir", str(root), "--log-level", "warning", *extra, app],
        env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return Server(label, process, port)
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn for {label} exited with {process.returncode}") from None
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"gunicorn for {label} did not come up")


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def request(port: int, path: str, cookie: str = "", body: bytes | None = None) -> tuple[int, str, list[str]]:
    """(status, body, Set-Cookie headers) of one request on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept-Language": "zh-CN", "Cookie": cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request("POST" if body is not None else "GET", path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read().decode(errors="replace")
    cookies = response.headers.get_all("Set-Cookie") or []
    conn.close()
    return response.status, data, cookies


def sign_in(port: int, email: str) -> str:
    """The Cookie header of a signed-in session."""
    status, page, cookies = request(port, "/login")
    jar = dict(c.split(";", 1)[0].split("=", 1) for c in cookies)
    match = TOKEN.search(page)
    fields = {"email": email, "password": DEMO_PASSWORD, "csrf_token": match.group(1) if match else ""}
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, _, cookies = request(port, "/login", cookie, urllib.parse.urlencode(fields).encode())
    if status != 302:
        raise SystemExit(f"signing in as {email} answered {status}")
    jar.update(c.split(";", 1)[0].split("=", 1) for c in cookies)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def client(port: int, path: str, cookie: str, seconds: float, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    latencies, errors = [], 0
    deadline = time.perf_counter() + seconds
    while (started := time.perf_counter()) < deadline:
        status, _, _ = request(port, path, cookie)
        latencies.append(time.perf_counter() - started)
        errors += status != 200
    queue.put((latencies, errors))


def server_cpu(server: Server) -> float:
    """CPU seconds used so far by the server's worker processes (user + system, from /proc), or NaN
    where /proc is missing. Divided by the requests served it is the server's cost per request,
    which the machine's other load changes much less than the requests per second."""
    children = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True).stdout.split()
    total = 0.0
    try:
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")
    return total


def load(server: Server, path: str, cookie: str, seconds: float, clients: int) -> tuple[float, float, int, float]:
    """(requests per second, p50 in ms, errors, server CPU ms per request) with ``clients`` processes
    for ``seconds``."""
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    workers = [multiprocessing.Process(target=client, args=(server.port, path, cookie, seconds, queue))
               for _ in range(clients)]
    cpu_before = server_cpu(server)
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=seconds + 120) for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    latencies = [t for lat, _ in results for t in lat]
    cpu = 1000 * (server_cpu(server) - cpu_before) / max(1, len(latencies))
    return len(latencies) / elapsed, 1000 * statistics.median(latencies), sum(e for _, e in results), cpu


def check_pages(server: Server, cookies: dict[str, str]) -> None:
    for label, who, path, expect in PAGES:
        status, body, _ = request(server.port, path, cookies[who])
        if status != 200 or expect not in body:
            raise SystemExit(f"{server.label} {label} {path}: HTTP {status}, {expect!r} not on the page")


def report(label: str, rates: list[float], p50s: list[float], cpus: list[float],
           hello: tuple[float, float] | None) -> tuple[float, float]:
    """Print one line (medians over the rounds) and return (the median rate, the median server CPU
    ms per request)."""
    rate, p50, cpu = statistics.median(rates), statistics.median(p50s), statistics.median(cpus)
    share = cpu_share = ""
    if hello is not None:
        share = f"  {100 * rate / hello[0]:5.1f} % of hello-world"
        cpu_share = f" ({100 * hello[1] / cpu:5.1f} % of hello-world's rate by CPU)"
    verdict = "" if hello is None or label.endswith("dashboard") or label == "floor" else (
        "  OK" if rate / hello[0] >= TARGET else "  UNDER 10 %")
    print(f"  {label:20} {rate:7.0f} req/s  p50 {p50:6.1f} ms{share}{verdict}  server CPU {cpu:5.2f} ms/req{cpu_share}",
          flush=True)
    return rate, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("TEST_DATABASE_URL", "sqlite"),
                        help="a PostgreSQL server URL (a scratch database is made on it) or 'sqlite'")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="round-robin repetitions; medians are printed")
    parser.add_argument("--before", type=Path, help="another checkout to measure in the same run")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    database, admin = scratch_database(args.database, folder)
    env = dict(os.environ, TRAINER_DATABASE_URL=database, TRAINER_SECRET_KEY="bench-pages-key",
               TRAINER_CONTENT_CACHE_DIR=str(folder / "cache"), TRAINER_JOB_BACKEND="thread",
               PYTHONPATH="")
    (folder / "hello.py").write_text(HELLO)
    (folder / "floor.py").write_text(FLOOR)
    servers: list[Server] = []
    try:
        subprocess.run([str(BIN / "flask"), "--app", "trainer", "db", "upgrade"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        subprocess.run([str(BIN / "flask"), "--app", "trainer", "seed-demo"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        print(f"database {make_url(database).get_backend_name()}, {args.workers} sync workers, "
              f"{args.clients} clients, {args.seconds:g} s per page; load average before "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs", flush=True)
        servers.append(start("hello", folder, "hello:app", env, args.workers))
        for label, root in (("before", args.before), ("after", ROOT)):
            if root is not None:
                servers.append(start(label, root.resolve(), "trainer:create_app()", env, args.workers))
        floor = start("floor", ROOT, "floor:app", env, args.workers, folder)
        servers.append(floor)
        apps = [server for server in servers[1:] if server is not floor]
        cookies = {app.label: {who: sign_in(app.port, who) for who in (TRAINEE, MANAGER)} for app in apps}
        cookies["floor"] = {TRAINEE: sign_in(floor.port, TRAINEE)}
        for app in apps:
            check_pages(app, cookies[app.label])
        samples: dict[str, tuple[list[float], list[float], list[float]]] = {}
        for _ in range(args.rounds):  # round-robin, so that the machine's load falls on all alike
            rows = [("hello-world", "", "/"), ("floor", TRAINEE, FLOOR_PATH), *[(p[0], p[1], p[2]) for p in PAGES]]
            for label, who, path in rows:
                for server in servers[:1] if who == "" else [floor] if label == "floor" else apps:
                    rate, p50, errors, cpu = load(server, path, cookies.get(server.label, {}).get(who, ""),
                                                  args.seconds, args.clients)
                    if errors:
                        raise SystemExit(f"{server.label} {label}: {errors} requests failed")
                    key = label if server in (servers[0], floor) else f"{server.label} {label}"
                    rates, p50s, cpus = samples.setdefault(key, ([], [], []))
                    rates.append(rate)
                    p50s.append(p50)
                    cpus.append(cpu)
        hello = report("hello-world", *samples["hello-world"], None)
        figures = {key: report(key, *value, hello) for key, value in samples.items() if key != "hello-world"}
        print("  as a share of the floor's rate: " + ", ".join(
            f"{label} {100 * figures[f'after {label}'][0] / figures['floor'][0]:.0f} %" for label, *_ in PAGES))
        if args.before is not None:
            for label, *_ in PAGES:
                after, before = figures[f"after {label}"], figures[f"before {label}"]
                print(f"  {label:13} after / before {after[0] / before[0]:5.2f} x the rate, "
                      f"{after[1] / before[1]:5.2f} x the server CPU per request")
        print(f"load average after {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        for server in servers:
            stop(server)
        drop_database(database, admin)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
