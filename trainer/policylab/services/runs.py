"""Runs: the job handlers that compute and save them, starting them, finding and listing them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from trainer import sim
from trainer.accounts.access import can_view_user, visible_user_ids_query
from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.policylab import jobs
from trainer.policylab.models import SimJob, SimRun
from trainer.policylab.services import frontier
from trainer.policylab.services.comparisons import replicate_pair
from trainer.policylab.services.presets import default_policy, engine_version, preset
from trainer.policylab.services.run_requests import RunRequest
from trainer.policylab.services.simulation import Progress, simulate


def compute_run(params: dict[str, Any], progress: Progress) -> Any:
    seed, customers, days = int(params["seed"]), int(params["customers"]), int(params["days"])
    placing = frontier.start_position(params["preset"], params["policy"], seed=seed, customers=customers, days=days)
    payload = simulate(params["preset"], params["policy"], seed, customers, days, progress)  # overlaps the placing
    payload["result"]["frontier"] = placing(payload["summary"])
    return payload


def _new_run(job: SimJob, payload: Mapping[str, Any], **extra: Any) -> SimRun:
    p = job.params
    seconds = (utcnow() - job.started_at).total_seconds() if job.started_at else 0.0
    run = SimRun(
        user_id=job.user_id, preset=p["preset"], seed=int(p["seed"]), customers=int(p["customers"]),
        days=int(p["days"]), name=distinct_name(job.user_id, p.get("name") or ""), policy=p["policy"],
        engine_version=engine_version(),
        summary=payload["summary"], result=payload["result"], seconds=seconds, **extra,
    )
    db.session.add(run)
    db.session.flush()
    job.run_id = run.id
    return run


def distinct_name(user_id: int, name: str) -> str:
    """``name``, or ``name (2)``, ``name (3)``... when the user already has a run called that, so
    the run list never shows two runs under one name (an empty name shows as "Run #id")."""
    if not name:
        return name
    taken = set(db.session.scalars(select(SimRun.name).where(SimRun.user_id == user_id, SimRun.name.startswith(name))))
    if name not in taken:
        return name
    number = 2
    while f"{name} ({number})" in taken:
        number += 1
    suffix = f" ({number})"
    return name[: 120 - len(suffix)] + suffix


def delete_run(user: User, run_id: int) -> bool:
    """Delete one of ``user``'s own runs (nobody else's, whatever their role); False when there is
    no such run of theirs. Jobs that made it keep their history without the link."""
    run = db.session.get(SimRun, run_id)
    if run is None or run.user_id != user.id:
        return False
    for job in db.session.scalars(select(SimJob).where(SimJob.run_id == run.id)):
        job.run_id = None
    db.session.delete(run)
    db.session.commit()
    return True


def save_run(job: SimJob, payload: Any) -> None:
    _new_run(job, payload, kind="run")


def _compute_replicate(params: dict[str, Any], progress: Progress) -> Any:
    payload = replicate_pair(params["preset"], params["policy"], params["baseline_policy"], int(params["seed"]),
                             int(params["replications"]), int(params["customers"]), int(params["days"]), progress,
                             workers=jobs.settings().processes)
    payload["result"]["frontier"] = frontier.position(params["preset"], params["policy"])
    return payload


def _save_replicate(job: SimJob, payload: Any) -> None:
    _new_run(job, payload, kind="replicate", replications=int(job.params["replications"]),
             baseline_policy=job.params["baseline_policy"])


jobs.register("run", jobs.JobHandler(compute_run, save_run))
jobs.register("replicate", jobs.JobHandler(_compute_replicate, _save_replicate))


def start_run(user: User, request: RunRequest, *, compare_with: int | None = None) -> SimJob:
    params = {"preset": request.preset, "policy": request.policy, "seed": request.seed,
              "customers": request.customers, "days": request.days, "name": request.name}
    if compare_with is not None:
        params["compare_with"] = compare_with
    return jobs.submit(user.id, "run", params)


def start_replications(user: User, run: SimRun, n: int, baseline: Mapping[str, Any] | None = None) -> SimJob:
    base = dict(baseline) if baseline is not None else sim.policy_to_dict(preset(run.preset).policy)
    params = {"preset": run.preset, "policy": run.policy, "baseline_policy": base, "seed": run.seed,
              "customers": run.customers, "days": run.days, "replications": n, "source_run": run.id,
              "name": run.name}
    return jobs.submit(user.id, "replicate", params)


def visible_run(viewer: User, run_id: int) -> SimRun | None:
    """The run if ``viewer`` may open it (its owner, the owner's managers, admins), else None."""
    run = db.session.get(SimRun, run_id)
    if run is None or not can_view_user(viewer, run.user_id):
        return None
    return run


def visible_job(viewer: User, job_id: int) -> SimJob | None:
    job = db.session.get(SimJob, job_id)
    if job is None or not can_view_user(viewer, job.user_id):
        return None
    return job


def my_runs(user: User, limit: int = 100) -> list[SimRun]:
    return list(db.session.scalars(
        select(SimRun).where(SimRun.user_id == user.id).order_by(SimRun.created_at.desc(), SimRun.id.desc())
        .limit(limit)
    ))


def team_runs(viewer: User, limit: int = 200) -> list[SimRun]:
    """Runs of the people a manager or admin may see (not their own)."""
    if not (viewer.is_manager or viewer.is_admin):
        return []
    return list(db.session.scalars(
        select(SimRun).where(SimRun.user_id.in_(visible_user_ids_query(viewer)), SimRun.user_id != viewer.id)
        .order_by(SimRun.created_at.desc(), SimRun.id.desc()).limit(limit)
    ))


def recent_jobs(user: User, limit: int = 5) -> list[SimJob]:
    return list(db.session.scalars(
        select(SimJob).where(SimJob.user_id == user.id, SimJob.workshop_id.is_(None))
        .order_by(SimJob.id.desc()).limit(limit)
    ))



def same_world(a: SimRun, b: SimRun) -> bool:
    """Two runs faced the same customers and orders (same preset, seed, size and length)."""
    return (a.preset, a.seed, a.customers, a.days) == (b.preset, b.seed, b.customers, b.days)


def find_equivalent_run(user: User, run: SimRun, policy: Mapping[str, Any]) -> SimRun | None:
    """A run of ``user`` in the same world with exactly ``policy`` (the engine is deterministic)."""
    candidates = db.session.scalars(
        select(SimRun).where(SimRun.user_id == user.id, SimRun.kind == "run", SimRun.preset == run.preset,
                             SimRun.seed == run.seed, SimRun.customers == run.customers, SimRun.days == run.days,
                             SimRun.engine_version == engine_version())
        .order_by(SimRun.id)
    )
    for candidate in candidates:
        if candidate.policy == dict(policy):
            return candidate
    return None


def comparison_target(user: User, run: SimRun, other: SimRun | None,
                      default_name: str) -> tuple[SimRun | None, SimJob | None]:
    """What to compare ``run`` with on the same seed: an existing run (returned at once) or a job that
    runs the other policy (the preset default when ``other`` is None) in ``run``'s world."""
    policy = other.policy if other is not None else default_policy(run.preset)
    if other is not None and same_world(run, other):
        return other, None
    existing = find_equivalent_run(user, run, policy)
    if existing is not None and existing.id != run.id:
        return existing, None
    name = (other.name or f"#{other.id}") if other is not None else default_name
    request = RunRequest(run.preset, dict(policy), run.seed, run.customers, run.days, name[:120])
    return None, start_run(user, request, compare_with=run.id)


# ------------------------------------------------------------------------------------------ export
