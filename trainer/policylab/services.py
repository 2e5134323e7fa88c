"""The policy lab's use cases: validate a run request, run it as a job, save it, list, compare,
replicate, export, and play team rounds in workshops.

The engine (:mod:`trainer.sim`) stays pure; this module adds what a web page needs from a run: the
value of the orders refused per reason, the end-of-run aging report customer by customer and the
facts the written debrief is made of. Everything a job computes is a plain JSON-ready dict, saved in
one transaction by :mod:`trainer.policylab.jobs` when the job succeeds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from flask import current_app
from sqlalchemy import select

from trainer import sim
from trainer.accounts.access import can_view_user, visible_user_ids_query
from trainer.accounts.models import Role, User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.policylab import jobs
from trainer.policylab.models import (
    SimDecision,
    SimJob,
    SimRoundResult,
    SimRun,
    SimWorkshop,
    SimWorkshopTeam,
    sim_workshop_member,
)

DEFAULT_MAX_CUSTOMERS = 5000
MAX_REPLICATIONS = 50
MAX_SEED = 2**31 - 1
MAX_TEAMS = 8
MAX_ROUNDS = 12
LOST_REASONS = ("grade", "terms", "hold", "limit")
BUCKET_KEYS = ("current", "1-30", "31-60", "61-90", "90+")

Progress = Callable[[float], None]


# ---------------------------------------------------------------------------------------- presets


@lru_cache(maxsize=32)
def _preset_cached(name: str, directory: str | None) -> sim.Preset:
    return sim.load_preset(name, directory)


def presets_dir() -> str | None:
    return current_app.config.get("SIM_PRESETS_DIR") if current_app else None


def preset(name: str) -> sim.Preset:
    """A preset by name (cached); raises PolicyError ``unknown_preset`` for a bad name."""
    return _preset_cached(name, presets_dir())


def preset_names() -> list[str]:
    return sim.list_presets(presets_dir())


def presets() -> list[sim.Preset]:
    return [preset(name) for name in preset_names()]


@lru_cache(maxsize=1)
def engine_version() -> str:
    """Package version plus a digest of the engine's source: a saved run says which engine made it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        base = version("receivables-trainer")
    except PackageNotFoundError:
        base = "0"
    digest = hashlib.sha256()
    for path in sorted(Path(sim.__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{base}+{digest.hexdigest()[:10]}"


# ------------------------------------------------------------------------------- run requests


@dataclass(frozen=True)
class RunRequest:
    preset: str
    policy: dict[str, Any]
    seed: int
    customers: int
    days: int
    name: str = ""


def max_customers() -> int:
    return int(current_app.config.get("SIM_MAX_CUSTOMERS", DEFAULT_MAX_CUSTOMERS))


def _whole(raw: object, fld: str, problems: list[sim.Problem], minimum: int, maximum: int) -> int | None:
    """Parse a whole number from a form value, adding engine-style problems (code + params)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        problems.append(sim.Problem(fld, "required", "must have a value"))
        return None
    try:
        value = float(raw) if not isinstance(raw, int | float) else raw
    except (TypeError, ValueError):
        problems.append(sim.Problem(fld, "must_be_number", f"must be a number, got {raw!r}", {"value": str(raw)}))
        return None
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        problems.append(sim.Problem(fld, "must_be_integer", f"must be a whole number, got {raw!r}", {"value": raw}))
        return None
    number = int(value)
    if number < minimum:
        problems.append(sim.Problem(fld, "too_small", f"must be at least {minimum}", {"minimum": minimum, "value": number}))
        return None
    if number > maximum:
        problems.append(sim.Problem(fld, "too_large", f"must be at most {maximum}", {"maximum": maximum, "value": number}))
        return None
    return number


def parse_run_request(preset_name: str, policy: Mapping[str, Any], seed: object, customers: object,
                      days: object, name: str = "") -> RunRequest:
    """Validate everything a run needs at once; raises PolicyError listing every problem."""
    problems: list[sim.Problem] = []
    try:
        the_preset = preset(preset_name)
    except sim.PolicyError as exc:
        raise sim.PolicyError([sim.Problem("preset", p.code, p.message, p.params) for p in exc.problems]) from None
    try:
        validated = sim.policy_from_dict(dict(policy), the_preset.policy)
    except sim.PolicyError as exc:
        problems.extend(exc.problems)
        validated = None
    seed_value = _whole(seed, "seed", problems, 0, MAX_SEED)
    n_customers = _whole(customers, "customers", problems, 1, min(sim.MAX_CUSTOMERS, max_customers()))
    n_days = _whole(days, "days", problems, 1, sim.MAX_DAYS)
    if len(name) > 120:
        problems.append(sim.Problem("name", "too_long", "must be at most 120 characters", {"maximum": 120}))
    if problems or validated is None or seed_value is None or n_customers is None or n_days is None:
        raise sim.PolicyError(problems)
    return RunRequest(preset_name, sim.policy_to_dict(validated), seed_value, n_customers, n_days, name.strip())


def parse_replications(raw: object) -> int:
    problems: list[sim.Problem] = []
    n = _whole(raw, "replications", problems, 2, MAX_REPLICATIONS)
    if n is None:
        raise sim.PolicyError(problems)
    return n


# --------------------------------------------------------------------------- the instrumented run


class LabSimulation(sim.Simulation):
    """The engine plus two read-outs the policy lab shows and the engine does not record: the value
    of the orders refused per reason, and the open invoices customer by customer at the end."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lost_value_by_reason: dict[str, float] = dict.fromkeys(LOST_REASONS, 0.0)

    def _lose(self, c: Any, value: float, reason: str) -> None:  # engine hook, called per refused order
        self.lost_value_by_reason[reason] = self.lost_value_by_reason.get(reason, 0.0) + value
        super()._lose(c, value, reason)

    def aging_by_customer(self) -> list[dict[str, Any]]:
        """Each customer with an open balance: buckets as the engine's last snapshot counts them."""
        last_day = self.day - 1
        rows = []
        for c in self.customers:
            buckets = [0.0] * 5
            oldest = 0
            for inv in c.open:
                late = last_day - inv.due_day
                if late <= 0:
                    b = 0
                elif late <= 30:
                    b = 1
                elif late <= 60:
                    b = 2
                elif late <= 90:
                    b = 3
                else:
                    b = 4
                buckets[b] += inv.remaining
                oldest = max(oldest, late)
            total = sum(buckets)
            if total <= 0.005:
                continue
            rows.append({
                "customer": c.id,
                "grade": c.grade,
                "behaviour": c.behaviour,
                "status": _customer_status(c),
                "buckets": [round(x, 2) for x in buckets],
                "total": round(total, 2),
                "oldest": max(0, oldest),
            })
        return rows


def _customer_status(c: Any) -> str:
    if c.defaulted:
        return "defaulted"
    if c.churned:
        return "churned"
    if c.hold_count > 0:
        return "hold"
    return "active"


def _months(result: sim.SimResult) -> list[dict[str, Any]]:
    return [m.to_dict() for m in result.months]


def _debrief_facts(lab: LabSimulation, result: sim.SimResult, policy: sim.Policy) -> dict[str, Any]:
    """The numbers the written debrief is made of (the words are added per language when shown)."""
    s = result.summary
    customers = lab.customers
    defaults = []
    write_offs = {"default": 0.0, "age": 0.0}
    escalations = {"manager": 0, "executive": 0, "legal": 0}
    for e in result.events:
        if e.kind == "default":
            c = customers[e.customer]
            gp = policy.grades[c.grade]
            defaults.append({
                "customer": e.customer, "day": int(e.day), "amount": round(e.amount, 2), "grade": c.grade,
                "behaviour": c.behaviour, "terms": gp.terms, "net_days": gp.net_days,
                "limit": gp.credit_limit_months,
            })
        elif e.kind == "write_off":
            write_offs["default" if e.detail == "default" else "age"] += e.amount
        elif e.kind == "escalation" and e.detail in escalations:
            escalations[e.detail] += 1
    defaults.sort(key=lambda d: (-d["amount"], d["customer"]))
    busiest = None
    waits = [m for m in result.months if m.mean_wait is not None]
    if waits:
        worst = max(waits, key=lambda m: (m.mean_wait or 0.0, m.max_queue))
        busiest = {"month": worst.month, "year": worst.year, "mean_wait": worst.mean_wait,
                   "max_queue": worst.max_queue, "utilisation": worst.utilisation}
    peak_util = max((m.utilisation for m in result.months), default=0.0)
    return {
        "defaults": defaults[:5],
        "default_count": s.defaults,
        "default_total": round(sum(d["amount"] for d in defaults), 2),
        "write_offs": {k: round(v, 2) for k, v in write_offs.items()},
        "lost_count": dict(s.lost_by_reason),
        "lost_value": {k: round(v, 2) for k, v in lab.lost_value_by_reason.items()},
        "holds": s.holds,
        "escalations": escalations,
        "agency": s.agency_placements,
        "churned": s.churned,
        "busiest": busiest,
        "peak_utilisation": peak_util,
        "utilisation": s.utilisation,
        "mean_wait": s.mean_wait,
        "max_queue": s.max_queue,
        "collectors": policy.collectors,
        "margin": lab.portfolio.margin,
    }


def simulate(preset_name: str, policy: Mapping[str, Any], seed: int, customers: int, days: int,
             progress: Progress | None = None) -> dict[str, Any]:
    """One run, everything the results page needs, as a JSON-ready dict."""
    the_preset = preset(preset_name)
    pol = sim.policy_from_dict(dict(policy), the_preset.policy)
    lab = LabSimulation(the_preset, pol, seed=seed, customers=customers)
    lab.advance(days, on_progress=progress)
    result = lab.result()
    return {
        "summary": result.summary.to_dict(),
        "result": {
            "months": _months(result),
            "debrief": _debrief_facts(lab, result, pol),
            "aging": lab.aging_by_customer(),
            "currency": the_preset.portfolio.currency,
            "margin": the_preset.portfolio.margin,
        },
    }


# Metrics shown with confidence bands: (key, how to read it from a summary dict, higher is better?)
def _cash(s: Mapping[str, Any]) -> float:
    return float(s["collected"]) + float(s["cash_sales"])


BAND_METRICS: tuple[tuple[str, Callable[[Mapping[str, Any]], float | None], bool], ...] = (
    ("contribution", lambda s: s["contribution"], True),
    ("cash", _cash, True),
    ("dso", lambda s: s["dso"], False),
    ("bad_debt_rate", lambda s: s["bad_debt_rate"], False),
    ("lost_sales", lambda s: s["lost_sales"], False),
    ("collection_cost", lambda s: s["collection_cost"], False),
)


def _band(values: Sequence[float]) -> list[float] | None:
    if not values:
        return None
    p10, p50, p90 = np.percentile(np.array(values, dtype=float), [10, 50, 90])
    return [float(p10), float(p50), float(p90)]


def replicate_pair(preset_name: str, policy: Mapping[str, Any], baseline: Mapping[str, Any], seed0: int, n: int,
                   customers: int, days: int, progress: Progress | None = None) -> dict[str, Any]:
    """Both policies on seeds seed0 … seed0+n-1 (common random numbers), with 10/50/90 % bands of each
    metric for each policy and for the paired difference (yours − default)."""
    the_preset = preset(preset_name)
    mine = sim.policy_from_dict(dict(policy), the_preset.policy)
    base = sim.policy_from_dict(dict(baseline), the_preset.policy)
    seeds = list(range(seed0, seed0 + n))
    yours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for i, seed in enumerate(seeds):
        yours.append(sim.run(the_preset, mine, seed=seed, customers=customers, days=days).summary.to_dict())
        if progress:
            progress((2 * i + 1) / (2 * n))
        theirs.append(sim.run(the_preset, base, seed=seed, customers=customers, days=days).summary.to_dict())
        if progress:
            progress((2 * i + 2) / (2 * n))
    bands: dict[str, Any] = {}
    for key, read, higher_better in BAND_METRICS:
        a = [read(s) for s in yours]
        b = [read(s) for s in theirs]
        pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
        diff = [float(x) - float(y) for x, y in pairs]
        better = sum(1 for d in diff if (d > 0 if higher_better else d < 0))
        bands[key] = {
            "yours": _band([float(x) for x in a if x is not None]),
            "default": _band([float(y) for y in b if y is not None]),
            "difference": _band(diff),
            "better": better,
            "pairs": len(diff),
            "higher_better": higher_better,
        }
    median = {key: (bands[key]["yours"] or [None, None, None])[1] for key, _, _ in BAND_METRICS}
    return {
        "summary": {"medians": median, **_median_summary(yours)},
        "result": {"bands": bands, "seeds": seeds, "currency": the_preset.portfolio.currency},
    }


def _median_summary(summaries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Median of every numeric summary field (so lists of runs can show the usual columns)."""
    out: dict[str, Any] = {}
    for key, value in summaries[0].items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            vals = [float(s[key]) for s in summaries if s.get(key) is not None]
            out[key] = float(np.median(vals)) if vals else None
    return out


# ------------------------------------------------------------------------------------ job handlers


@dataclass(frozen=True)
class JobHandler:
    compute: Callable[[dict[str, Any], Progress], Any]
    save: Callable[[SimJob, Any], None]
    on_failure: Callable[[SimJob], None] | None = None


def _compute_run(params: dict[str, Any], progress: Progress) -> Any:
    return simulate(params["preset"], params["policy"], int(params["seed"]), int(params["customers"]),
                    int(params["days"]), progress)


def _new_run(job: SimJob, payload: Mapping[str, Any], **extra: Any) -> SimRun:
    p = job.params
    seconds = (utcnow() - job.started_at).total_seconds() if job.started_at else 0.0
    run = SimRun(
        user_id=job.user_id, preset=p["preset"], seed=int(p["seed"]), customers=int(p["customers"]),
        days=int(p["days"]), name=p.get("name") or "", policy=p["policy"], engine_version=engine_version(),
        summary=payload["summary"], result=payload["result"], seconds=seconds, **extra,
    )
    db.session.add(run)
    db.session.flush()
    job.run_id = run.id
    return run


def _save_run(job: SimJob, payload: Any) -> None:
    _new_run(job, payload, kind="run")


def _compute_replicate(params: dict[str, Any], progress: Progress) -> Any:
    return replicate_pair(params["preset"], params["policy"], params["baseline_policy"], int(params["seed"]),
                          int(params["replications"]), int(params["customers"]), int(params["days"]), progress)


def _save_replicate(job: SimJob, payload: Any) -> None:
    _new_run(job, payload, kind="replicate", replications=int(job.params["replications"]),
             baseline_policy=job.params["baseline_policy"])


JOB_HANDLERS: dict[str, JobHandler] = {}  # filled at the end of the module (round handlers below)


# ----------------------------------------------------------------------------------- run use cases


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
    return jobs.status(job)


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


def default_policy(preset_name: str) -> dict[str, Any]:
    return sim.policy_to_dict(preset(preset_name).policy)


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


def runs_csv(run: SimRun, labels: Mapping[str, str]) -> str:
    """The month-by-month figures of a run as CSV text (the view adds the UTF-8 BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([labels.get("run", "run"), run.id, labels.get("preset", "preset"), run.preset,
                     labels.get("seed", "seed"), run.seed, labels.get("engine", "engine"), run.engine_version])
    keys = ["label", "sales", "credit_sales", "collections", "bad_debt", "lost_sales", "ar", "current",
            "1-30", "31-60", "61-90", "90+", "dso", "best_possible_dso", "average_days_delinquent", "cei",
            "overdue_pct", "bad_debt_rate", "turnover", "utilisation", "mean_wait", "max_queue", "carrying_cost"]
    writer.writerow([labels.get(k, k) for k in keys])
    for m in run.result.get("months", []):
        row = []
        for k in keys:
            value = m["buckets"].get(k) if k in BUCKET_KEYS else m.get(k)
            row.append(_csv_number(value))
        writer.writerow(row)
    return out.getvalue()


def aging_csv(run: SimRun, labels: Mapping[str, str], words: Mapping[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([labels[k] for k in ("customer", "grade", "behaviour", "status", *BUCKET_KEYS, "total", "oldest")])
    for row in run.result.get("aging", []):
        writer.writerow([row["customer"], row["grade"], words.get(row["behaviour"], row["behaviour"]),
                         words.get(row["status"], row["status"]), *[_csv_number(b) for b in row["buckets"]],
                         _csv_number(row["total"]), row["oldest"]])
    return out.getvalue()


def _csv_number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    return str(value)


def policy_yaml(run_policy: Mapping[str, Any], header: Iterable[str]) -> str:
    """The policy file: comment lines, then the policy that ``load_policy`` reads back."""
    body = yaml.safe_dump(dict(run_policy), allow_unicode=True, sort_keys=False, default_flow_style=None)
    return "".join(f"# {line}\n" for line in header) + body


# ---------------------------------------------------------------------------------------- workshops


class RoundRefused(Exception):
    """A submission or round action that the workshop's state does not allow."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class TeamSpec:
    name: str
    member_ids: list[int]


def workshop_candidates(facilitator: User) -> list[User]:
    """People a facilitator may put in teams: active users they may see (managers: their teams)."""
    return list(db.session.scalars(
        select(User).where(User.id.in_(visible_user_ids_query(facilitator)), User.active.is_(True))
        .order_by(User.role.desc(), User.name)
    ))


def create_workshop(facilitator: User, title: str, preset_name: str, seed: int, customers: int, rounds: int,
                    round_days: int, teams: Sequence[TeamSpec]) -> SimWorkshop:
    """Create the workshop with round 1 open. Callers validated the form; this re-checks who may play."""
    allowed = set(db.session.scalars(visible_user_ids_query(facilitator)))
    the_preset = preset(preset_name)
    workshop = SimWorkshop(
        facilitator_id=facilitator.id, title=title, preset=preset_name, seed=seed, customers=customers,
        rounds=rounds, round_days=round_days, current_round=1, status="open", engine_version=engine_version(),
    )
    db.session.add(workshop)
    first = sim.policy_to_dict(the_preset.policy)
    for spec in teams:
        members = [db.session.get(User, uid) for uid in spec.member_ids if uid in allowed]
        team = SimWorkshopTeam(name=spec.name, members=[m for m in members if m is not None])
        workshop.teams.append(team)
        team.decisions.append(SimDecision(round=0, policy=first, carried=True, note=""))
    db.session.commit()
    return workshop


def can_facilitate(user: User, workshop: SimWorkshop) -> bool:
    return user.is_admin or workshop.facilitator_id == user.id


def team_of(user: User, workshop: SimWorkshop) -> SimWorkshopTeam | None:
    for team in workshop.teams:
        if any(m.id == user.id for m in team.members):
            return team
    return None


def visible_workshop(viewer: User, workshop_id: int) -> SimWorkshop | None:
    workshop = db.session.get(SimWorkshop, workshop_id)
    if workshop is None:
        return None
    if can_facilitate(viewer, workshop) or team_of(viewer, workshop) is not None:
        return workshop
    return None


def my_workshops(user: User) -> list[SimWorkshop]:
    member_of = select(SimWorkshopTeam.workshop_id).join(
        sim_workshop_member, sim_workshop_member.c.team_id == SimWorkshopTeam.id
    ).where(sim_workshop_member.c.user_id == user.id)
    query = select(SimWorkshop).where(
        (SimWorkshop.id.in_(member_of)) | (SimWorkshop.facilitator_id == user.id)
    )
    if user.is_admin:
        query = select(SimWorkshop)
    return list(db.session.scalars(query.order_by(SimWorkshop.created_at.desc(), SimWorkshop.id.desc())))


def current_policy(team: SimWorkshopTeam, before_round: int | None = None) -> dict[str, Any]:
    """The policy a team plays: its last decision (up to ``before_round``, exclusive)."""
    chosen = None
    for decision in team.decisions:
        if before_round is not None and decision.round >= before_round:
            continue
        if chosen is None or (decision.round, decision.id) >= (chosen.round, chosen.id):
            chosen = decision
    return dict(chosen.policy) if chosen is not None else default_policy(team.workshop.preset)


def round_decision(team: SimWorkshopTeam, round_no: int) -> SimDecision | None:
    """The decision that counts for a round: the last one submitted for it."""
    found = [d for d in team.decisions if d.round == round_no]
    return found[-1] if found else None


def submit_decision(user: User, workshop: SimWorkshop, round_no: int, policy: Mapping[str, Any],
                    note: str = "") -> SimDecision:
    """A team member submits the team's policy for the open round. Late or early: RoundRefused."""
    team = team_of(user, workshop)
    if team is None:
        raise RoundRefused("not_in_team")
    if workshop.status == "finished":
        raise RoundRefused("finished")
    if workshop.status != "open" or round_no != workshop.current_round:
        raise RoundRefused("round_closed", round=round_no, current=workshop.current_round)
    validated = sim.policy_from_dict(dict(policy), sim.policy_from_dict(current_policy(team), preset(workshop.preset).policy))
    decision = SimDecision(team=team, round=round_no, policy=sim.policy_to_dict(validated), note=note[:280],
                           user_id=user.id, carried=False)
    db.session.add(decision)
    db.session.commit()
    return decision


def close_round(user: User, workshop: SimWorkshop) -> SimJob:
    """Close the open round: teams that submitted nothing keep their last policy (logged), and a job
    advances every team one period from where it left off."""
    if not can_facilitate(user, workshop):
        raise RoundRefused("not_facilitator")
    if workshop.status != "open":
        raise RoundRefused("not_open", status=workshop.status)
    r = workshop.current_round
    teams_params = []
    for team in workshop.teams:
        if round_decision(team, r) is None:
            db.session.add(SimDecision(team=team, round=r, policy=current_policy(team, before_round=r),
                                       carried=True, note=""))
        db.session.flush()
        sequence = []
        for k in range(1, r + 1):
            decision = round_decision(team, k)
            sequence.append(dict(decision.policy) if decision else current_policy(team, before_round=k))
        teams_params.append({"team_id": team.id, "policies": sequence})
    workshop.status = "advancing"
    db.session.commit()
    params = {"workshop_id": workshop.id, "round": r, "round_days": workshop.round_days, "preset": workshop.preset,
              "seed": workshop.seed, "customers": workshop.customers, "teams": teams_params}
    return jobs.submit(user.id, "round", params, workshop_id=workshop.id)


def period_figures(result: sim.SimResult, first_day: int) -> dict[str, Any]:
    """What happened in one round: flows over days ``first_day`` … end, balances at the end."""
    d = result.daily
    sl = slice(first_day, len(d))
    credit = sum(d.credit_sales[sl])
    days = len(d) - first_day
    ar_end = d.ar[-1] if len(d) else 0.0
    return {
        "first_day": first_day,
        "days": days,
        "sales": sum(d.sales[sl]),
        "collected": sum(d.collections[sl]) + sum(d.sales[sl]) - credit,  # cash sales and deposits count too
        "bad_debt": sum(d.bad_debt[sl]),
        "lost_sales": sum(d.lost_sales[sl]),
        "ar_end": ar_end,
        "dso": (ar_end / credit * days) if credit > 0 else None,
    }


SCORE_CRITERIA: tuple[tuple[str, bool], ...] = (
    ("cash", True), ("bad_debt", False), ("dso", False), ("lost_sales", False), ("customers_kept", True),
)
POINTS_PER_CRITERION = 20.0


def score_inputs(summary: Mapping[str, Any], customers: int) -> dict[str, float]:
    return {
        "cash": _cash(summary),
        "bad_debt": float(summary["bad_debt"]),
        "dso": float(summary["dso"] if summary["dso"] is not None else 0.0),
        "lost_sales": float(summary["lost_sales"]),
        "customers_kept": float(max(0, customers - int(summary["churned"]) - int(summary["defaults"]))),
    }


def score_teams(inputs: Sequence[Mapping[str, float]]) -> list[dict[str, float]]:
    """Up to 20 points per criterion: the best team gets 20, the weakest 0, the rest in proportion
    (everyone gets 20 when all are equal). The total is out of 100."""
    out: list[dict[str, float]] = [{} for _ in inputs]
    for key, higher_better in SCORE_CRITERIA:
        values = [float(x[key]) for x in inputs]
        lo, hi = min(values, default=0.0), max(values, default=0.0)
        for i, v in enumerate(values):
            if hi - lo < 1e-9:
                pts = POINTS_PER_CRITERION
            else:
                share = (v - lo) / (hi - lo)
                pts = POINTS_PER_CRITERION * (share if higher_better else 1.0 - share)
            out[i][key] = round(pts, 1)
    for row in out:
        row["total"] = round(sum(row[k] for k, _ in SCORE_CRITERIA), 1)
    return out


def advance_teams(params: dict[str, Any], progress: Progress | None = None) -> dict[str, Any]:
    """Rebuild each team's position by replaying its policy sequence on the workshop seed, one
    period per round (the engine is deterministic), and score the cumulative results."""
    the_preset = preset(params["preset"])
    round_days = int(params["round_days"])
    teams = params["teams"]
    rows = []
    total_steps = sum(len(t["policies"]) for t in teams) or 1
    done = 0
    for t in teams:
        policies = [sim.policy_from_dict(p, the_preset.policy) for p in t["policies"]]
        lab = LabSimulation(the_preset, policies[0], seed=int(params["seed"]), customers=int(params["customers"]))
        for policy in policies:
            lab.advance(round_days, policy)
            done += 1
            if progress:
                progress(done / total_steps)
        result = lab.result()
        summary = result.summary.to_dict()
        rows.append({
            "team_id": t["team_id"],
            "summary": summary,
            "period": period_figures(result, round_days * (len(policies) - 1)),
            "months": [{"label": m.label, "month": m.month, "year": m.year, "dso": m.dso,
                        "collections": m.collections, "sales": m.sales,
                        "credit_sales": m.credit_sales, "ar": m.ar} for m in result.months],
            "inputs": score_inputs(summary, int(params["customers"])),
        })
    scores = score_teams([r["inputs"] for r in rows])
    for row, score in zip(rows, scores, strict=True):
        row["period"]["points"] = score
        row["score"] = score["total"]
    return {"round": int(params["round"]), "rows": rows}


def _save_round(job: SimJob, payload: Any) -> None:
    workshop = db.session.get(SimWorkshop, job.params["workshop_id"])
    if workshop is None:
        raise ValueError("the workshop no longer exists")
    r = int(payload["round"])
    for row in payload["rows"]:
        db.session.add(SimRoundResult(team_id=row["team_id"], round=r, summary=row["summary"],
                                      period=row["period"], months=row["months"], score=row["score"]))
    if r >= workshop.rounds:
        workshop.status = "finished"
    else:
        workshop.current_round = r + 1
        workshop.status = "open"


def _round_failed(job: SimJob) -> None:
    workshop = db.session.get(SimWorkshop, job.params.get("workshop_id"))
    if workshop is not None and workshop.status == "advancing":
        workshop.status = "open"  # the facilitator may close the round again


JOB_HANDLERS.update({
    "run": JobHandler(_compute_run, _save_run),
    "replicate": JobHandler(_compute_replicate, _save_replicate),
    "round": JobHandler(advance_teams, _save_round, _round_failed),
})


@dataclass(frozen=True)
class Standing:
    team: SimWorkshopTeam
    result: SimRoundResult | None
    rank: int


def leaderboard(workshop: SimWorkshop) -> list[Standing]:
    """Teams by their latest score (rank 1 first); before round 1 closes every team is unranked."""
    latest = []
    for team in workshop.teams:
        result = team.results[-1] if team.results else None
        latest.append((team, result))
    latest.sort(key=lambda tr: (-(tr[1].score if tr[1] else -1.0), tr[0].name))
    out = []
    for i, (team, result) in enumerate(latest):
        out.append(Standing(team, result, i + 1 if result else 0))
    return out


def decision_log(workshop: SimWorkshop) -> list[SimDecision]:
    team_ids = [t.id for t in workshop.teams]
    if not team_ids:
        return []
    return list(db.session.scalars(
        select(SimDecision).where(SimDecision.team_id.in_(team_ids), SimDecision.round > 0)
        .order_by(SimDecision.round, SimDecision.team_id, SimDecision.id)
    ))


def submissions_this_round(workshop: SimWorkshop) -> dict[int, SimDecision | None]:
    return {team.id: round_decision(team, workshop.current_round) for team in workshop.teams}


def workshop_version(workshop: SimWorkshop) -> str:
    """Changes whenever something on the participants' pages changes (for polling)."""
    n = sum(len(t.decisions) for t in workshop.teams)
    return f"{workshop.status}:{workshop.current_round}:{n}"


def policy_differences(a: Mapping[str, Any], b: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted keys where two policy dicts differ (grades.B.net_days, ladder.manager, collectors …)."""
    out: list[str] = []
    for key in sorted(set(a) | set(b), key=str):
        x, y = a.get(key), b.get(key)
        path = f"{prefix}{key}"
        if isinstance(x, Mapping) and isinstance(y, Mapping):
            out.extend(policy_differences(x, y, path + "."))
        elif x != y:
            out.append(path)
    return out


# ------------------------------------------------------------------------- home and demo data


def next_steps(user: User) -> list[Any]:
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    from trainer.home.services import NextStep

    steps: list[NextStep] = []
    for workshop in my_workshops(user):
        team = team_of(user, workshop)
        if team is None or workshop.status != "open":
            continue
        if round_decision(team, workshop.current_round) is None:
            steps.append(NextStep(
                str(_l("Simulation workshop: submit your team's policy for round %(round)s",
                       round=workshop.current_round)),
                str(_l("%(title)s · team %(team)s. If you submit nothing, your team keeps its last policy.",
                       title=workshop.title, team=team.name)),
                url_for("sim.workshop", workshop_id=workshop.id), "warning"))
    if user.role == Role.TRAINEE.value:
        has_run = db.session.scalar(select(SimRun.id).where(SimRun.user_id == user.id).limit(1))
        if has_run is None:
            steps.append(NextStep(
                str(_l("Try your own credit policy in the policy lab")),
                str(_l("Set terms, limits and the collection ladder for a portfolio and see what it does to "
                       "cash, DSO and bad debt over a year.")),
                url_for("sim.new"), "info"))
    return steps


DEMO_RUNS = (
    # (trainee index, name, changes to the preset policy)
    (0, "Stricter C grade", {"grades": {"C": {"net_days": 30, "credit_limit_months": 1, "deposit": 0.3}}}),
    (0, "More collectors", {"collectors": 8, "ladder": {"manager": 21}}),
    (1, "Loose terms for growth", {"grades": {"B": {"net_days": 60}, "C": {"net_days": 60, "deposit": 0}},
                                   "credit_hold_days": None}),
    (2, "Cash in advance for D", {"grades": {"D": {"terms": "cia"}}}),
)
DEMO_CUSTOMERS = 150


def seed_demo(people: Any, rng: Any) -> None:
    """A few saved runs for demo trainees and one finished four-round workshop (small portfolios)."""
    base = default_policy("distributor")
    for index, name, change in DEMO_RUNS:
        user = people.trainees[index]
        policy = sim.policy_to_dict(sim.policy_from_dict(change, preset("distributor").policy))
        seed = 7
        payload = simulate("distributor", policy, seed, DEMO_CUSTOMERS, 365)
        db.session.add(SimRun(user_id=user.id, kind="run", name=name, preset="distributor", seed=seed,
                              customers=DEMO_CUSTOMERS, days=365, policy=policy, engine_version=engine_version(),
                              summary=payload["summary"], result=payload["result"]))
    payload = simulate("distributor", base, 7, DEMO_CUSTOMERS, 365)
    db.session.add(SimRun(user_id=people.trainees[0].id, kind="run", name="Preset default", preset="distributor",
                          seed=7, customers=DEMO_CUSTOMERS, days=365, policy=base, engine_version=engine_version(),
                          summary=payload["summary"], result=payload["result"]))
    manager = people.managers[0]
    members = [t for t in people.trainees if people.teams and people.teams[0] in t.teams]
    workshop = SimWorkshop(facilitator_id=manager.id, title="Q1 workshop: the distributor", preset="distributor",
                           seed=11, customers=120, rounds=4, round_days=91, current_round=4, status="finished",
                           engine_version=engine_version())
    db.session.add(workshop)
    plans = [
        ("Team Cash", [{}, {"collectors": 7}, {"grades": {"C": {"deposit": 0.4}}}, {"ladder": {"manager": 21}}]),
        ("Team Growth", [{"grades": {"B": {"net_days": 60}}}, {"credit_hold_days": None}, {}, {"collectors": 6}]),
        ("Team Balance", [{"grades": {"D": {"terms": "cia"}}}, {}, {"reminder_days_before_due": 10}, {}]),
    ]
    for i, (team_name, changes) in enumerate(plans):
        team = SimWorkshopTeam(name=team_name, members=members[i::3][:3])
        workshop.teams.append(team)
        team.decisions.append(SimDecision(round=0, policy=base, carried=True))
        policy = base
        for r, change in enumerate(changes, start=1):
            if change:
                policy = sim.policy_to_dict(sim.policy_from_dict(change, sim.policy_from_dict(policy)))
                member = team.members[0] if team.members else None
                team.decisions.append(SimDecision(round=r, policy=policy, carried=False,
                                                  user_id=member.id if member else None))
            else:
                team.decisions.append(SimDecision(round=r, policy=policy, carried=True))
    db.session.flush()
    for r in range(1, workshop.rounds + 1):
        params = {"workshop_id": workshop.id, "round": r, "round_days": 91, "preset": "distributor", "seed": 11,
                  "customers": 120,
                  "teams": [{"team_id": t.id, "policies": [dict(round_decision(t, k).policy)  # type: ignore[union-attr]
                                                           for k in range(1, r + 1)]} for t in workshop.teams]}
        payload = advance_teams(params)
        for row in payload["rows"]:
            db.session.add(SimRoundResult(team_id=row["team_id"], round=r, summary=row["summary"],
                                          period=row["period"], months=row["months"], score=row["score"]))
