"""Benchmark: the manager's team overview at 250, 500, 1,000 and 2,000 trainees × 20 quiz attempts, on SQLite.

    .venv/bin/python tests/bench/bench_dashboard.py [--sizes 250,500,1000,2000] [--attempts 20] [--runs 9]

For each size, seeds a fresh SQLite file (each attempt 10 graded answers, so 100 000 answers for 500
people, plus lesson progress, an assignment, plays, rubrics and self-assessments), then renders
/manage/ (its first page of 50 rows; the counts cover everyone) through the test client as the
team's manager ``--runs`` times and prints the median, and the same for a manager whose team is
empty (the fixed cost of the page) in the same run, with their ratio. Then the curve: each size's
median, and how much it grows per doubling of the team (2.0 is linear).
The first request is shown apart: it compiles the templates and fills the measured-score cache
(every answer is read once; later requests read a fingerprint per person and reload only people
whose results changed). The issue's targets: under 100 ms for 500 members and under 300 ms for 2,000,
linear or better. The load average is
printed too: on a shared machine the ratio to the empty team is the steadier figure.
Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert, select  # noqa: E402

from trainer import create_app  # noqa: E402
from trainer.accounts.models import Team, User, team_members  # noqa: E402
from trainer.core.time import utcnow
from trainer.extensions import db  # noqa: E402
from trainer.learn.models import LessonProgress  # noqa: E402
from trainer.quiz.models import Assignment, Attempt, AttemptAnswer, assignment_teams  # noqa: E402
from trainer.roleplay.models import Play  # noqa: E402
from trainer.scorecard.models import SelfAssessment  # noqa: E402
from trainer.scorecard.services import quarters  # noqa: E402

PASSWORD = "bench-password-1"
QUIZZES = ["m1-basics-quiz", "m2-risk-quiz", "m3-collection-quiz", "m4-data-quiz", "m5-practice-quiz",
           "refresher-q4", "daily-review"]


def seed(app, members: int, attempts: int, rng: random.Random) -> None:
    content = app.extensions["content"]
    questions = [q.id for q in content.banks]
    course = next(iter(content.courses.values()))
    scenario_ids = list(content.scenarios)
    statements = [s.id for s in content.framework.statements]
    now = utcnow()
    quarter = quarters.this_quarter(now)

    team, empty = Team(name="Bench team"), Team(name="Empty team")
    boss = User(email="boss@bench.local", name="Boss", role="manager", must_change_password=False)
    idle = User(email="idle@bench.local", name="Idle", role="manager", must_change_password=False)
    for manager in (boss, idle):
        manager.set_password(PASSWORD)
    boss.managed_teams = [team]
    idle.managed_teams = [empty]
    db.session.add_all([team, empty, boss, idle])
    db.session.flush()
    assignment = Assignment(title="Quarter refresher", quiz_id="refresher-q4", opens_at=now - timedelta(days=20),
                            due_at=now + timedelta(days=5), created_by_id=boss.id)
    db.session.add(assignment)
    db.session.flush()
    db.session.execute(insert(assignment_teams), [{"assignment_id": assignment.id, "team_id": team.id}])

    db.session.execute(insert(User), [
        {"email": f"t{i:04d}@bench.local", "name": f"学员 {i:04d}", "role": "trainee", "password_hash": "x",
         "must_change_password": False, "language": "zh_CN", "active": True,
         "created_at": now - timedelta(days=200), "last_seen_at": now - timedelta(days=rng.randint(0, 30))}
        for i in range(members)
    ])
    ids = list(db.session.scalars(select(User.id).where(User.email.like("t%@bench.local")).order_by(User.id)))
    db.session.execute(insert(team_members), [{"team_id": team.id, "user_id": uid} for uid in ids])

    progress, attempt_rows, plays, assessments = [], [], [], []
    for uid in ids:
        for lesson in course.lessons[: rng.randint(0, len(course.lessons))]:
            progress.append({"user_id": uid, "course_id": course.id, "lesson_id": lesson.id,
                             "opened_at": now, "visited_at": now, "completed_at": now - timedelta(days=rng.randint(1, 90))})
        for number in range(1, attempts + 1):
            when = now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440))
            quiz = QUIZZES[number % len(QUIZZES)]
            attempt_rows.append({"user_id": uid, "quiz_id": quiz, "number": number, "seed": number, "instances": [],
                                 "started_at": when, "updated_at": when, "submitted_at": when,
                                 "percent": float(rng.randint(30, 100)),
                                 "assignment_id": assignment.id if quiz == "refresher-q4" and number < 7 else None})
        for _ in range(rng.randint(0, 3)):
            plays.append({"user_id": uid, "scenario_id": rng.choice(scenario_ids), "state": {},
                          "started_at": now - timedelta(days=3), "finished_at": now - timedelta(days=2),
                          "outcome": "paid_in_full", "scores": {"relationship": rng.randint(20, 100)}})
        assessments.append({"user_id": uid, "quarter": quarter, "started_at": now, "updated_at": now,
                            "finished_at": now, "ratings": {s: rng.randint(1, 5) for s in statements}})
    db.session.execute(insert(LessonProgress), progress)
    db.session.execute(insert(Attempt), attempt_rows)
    db.session.execute(insert(Play), plays)
    db.session.execute(insert(SelfAssessment), assessments)
    attempt_ids = list(db.session.scalars(select(Attempt.id)))
    answers = []
    for attempt_id in attempt_ids:
        for qid in rng.sample(questions, 10):
            right = rng.random() < 0.65
            answers.append({"attempt_id": attempt_id, "question_id": qid, "answer": "x", "saved_at": now,
                            "score": 1.0 if right else 0.0, "max_score": 1.0, "correct": right})
    for start in range(0, len(answers), 20_000):
        db.session.execute(insert(AttemptAnswer), answers[start:start + 20_000])
    db.session.commit()
    print(f"seeded {len(ids)} trainees, {len(attempt_ids)} attempts, {len(answers)} answers, "
          f"{len(progress)} lesson rows, {len(plays)} plays")


def timed(client, url: str, runs: int, expect: str) -> tuple[float, list[float], list[float]]:
    """(the first request, which compiles templates and fills the measured-score cache; the wall
    times of the rest; their CPU times)."""
    start = time.perf_counter()
    response = client.get(url)
    first = time.perf_counter() - start
    assert response.status_code == 200 and expect in response.get_data(as_text=True), response.status_code
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200
    return first, times, cpu


def measure(members: int, attempts: int, runs: int) -> tuple[float, float, float, float]:
    """(median wall seconds of the overview for ``members`` trainees, the same for the empty team,
    the two median CPU times) on a fresh database."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite", "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS": 1000,
                          "LOGIN_MAX_FAILURES_PER_ACCOUNT": 1000})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            seed(app, members, attempts, random.Random(2026))
            print(f"  seeding took {time.perf_counter() - started:.1f} s", flush=True)
        results, cpu = {}, {}
        for email, label, expect in (("idle@bench.local", "empty team", "data-testid=\"no-members\""),
                                     ("boss@bench.local", f"{members} members", "学员 0000")):
            client = app.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
            response = client.post("/login", data={"email": email, "password": PASSWORD})
            assert response.status_code == 302, response.status_code
            first, times, cpu_times = timed(client, "/manage/", runs, expect)
            results[label], cpu[label] = statistics.median(times), statistics.median(cpu_times)
            print(f"  overview, {label:>13}: median {1000 * results[label]:7.1f} ms, CPU {1000 * cpu[label]:7.1f} ms  "
                  f"(min {1000 * min(times):.1f}, max {1000 * max(times):.1f}, {runs} runs; "
                  f"first request {1000 * first:.0f} ms)", flush=True)
        full = f"{members} members"
        return results[full], results["empty team"], cpu[full], cpu["empty team"]


TARGETS = {500: 0.100, 2000: 0.300}  # the issue's: 500 trainees under 100 ms, 2,000 under 300 ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,500,1000,2000", help="team sizes, comma-separated")
    parser.add_argument("--attempts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    curve = {}
    for members in sizes:
        print(f"{members} trainees × {args.attempts} attempts:", flush=True)
        curve[members] = measure(members, args.attempts, args.runs)
    for column, title in ((0, "wall time"), (2, "CPU time of the process (SQLite runs in it: the request's whole "
                                                    "cost, steadier than wall time on a busy machine)")):
        print(f"the curve, {title} (median of the overview's first page; ratio to the empty team; growth per doubling):")
        previous = None
        for members, figures in curve.items():
            full, empty = figures[column], figures[column + 1]
            growth = f"  × {full / curve[previous][column]:.2f} for × {members / previous:g} members" if previous else ""
            target = TARGETS.get(members)
            verdict = f"  target < {1000 * target:.0f} ms: {'OK' if full < target else 'OVER'}" if target else ""
            print(f"  {members:>5} members {1000 * full:7.1f} ms  ({full / empty:5.1f} × empty team){growth}{verdict}")
            previous = members
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
