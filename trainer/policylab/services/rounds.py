"""Workshop rounds: replaying each team's policies one period per round, the round's figures, and
the score out of 100. Registers the ``round`` job handler."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trainer import sim
from trainer.extensions import db
from trainer.policylab import jobs
from trainer.policylab.models import SimJob, SimRoundResult, SimWorkshop
from trainer.policylab.services import frontier
from trainer.policylab.services.presets import preset
from trainer.policylab.services.simulation import Progress, cash


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


def score_inputs(summary: Mapping[str, Any], customers: int) -> dict[str, float]:
    """The figures a team is ranked by: its net value, and beside it what the leaderboard shows."""
    return {
        "net_value": float(summary.get("net_value") or 0.0),
        "cash": cash(summary),
        "bad_debt": float(summary["bad_debt"]),
        "dso": float(summary["dso"] if summary["dso"] is not None else 0.0),
        "lost_sales": float(summary["lost_sales"]),
        "customers_kept": float(max(0, customers - int(summary["churned"]) - int(summary["defaults"]))),
    }


def value_score(value: float, best: float) -> float:
    """Score out of 100 in proportion to value: a team's net value as a share of the best team's. When
    every team lost money, the smallest loss scores 100 and the others best ÷ their loss (losing twice
    as much scores half); a team that lost money while another earned some scores 0."""
    if best > 0:
        return 100.0 * max(0.0, value) / best
    if best == 0:
        return 100.0 if value == 0 else 0.0
    return 100.0 * best / value


def score_teams(inputs: Sequence[Mapping[str, float]]) -> list[dict[str, float]]:
    """Each team's score out of 100, proportional to its net value against the best team's."""
    best = max((float(x["net_value"]) for x in inputs), default=0.0)
    return [{"net_value": float(x["net_value"]), "total": round(value_score(float(x["net_value"]), best), 1)}
            for x in inputs]


def advance_teams(params: dict[str, Any], progress: Progress | None = None, *, place: bool = True) -> dict[str, Any]:
    """Rebuild each team's position by replaying its policy sequence on the workshop seed, one
    period per round (the engine is deterministic), and score the cumulative results; with ``place``,
    each team's latest policy is also placed against the preset's efficient frontier."""
    the_preset = preset(params["preset"])
    round_days = int(params["round_days"])
    teams = params["teams"]
    rows = []
    total_steps = sum(len(t["policies"]) for t in teams) or 1
    done = 0
    for t in teams:
        policies = [sim.policy_from_dict(p, the_preset.policy) for p in t["policies"]]
        engine = sim.Simulation(the_preset, policies[0], seed=int(params["seed"]), customers=int(params["customers"]))
        for policy in policies:
            engine.advance(round_days, policy)
            done += 1
            if progress:
                progress(done / total_steps)
        result = engine.result()
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
    placings = frontier.positions(params["preset"], [t["policies"][-1] for t in teams]) if place else [None] * len(rows)
    for row, placing in zip(rows, placings, strict=True):
        row["period"]["frontier"] = placing
    scores = score_teams([r["inputs"] for r in rows])
    for row, score in zip(rows, scores, strict=True):
        row["period"]["points"] = score
        row["score"] = score["total"]
    return {"round": int(params["round"]), "rows": rows}


def add_round_results(round_no: int, rows: Sequence[Mapping[str, Any]]) -> None:
    """Add each team's figures and score for a round (the caller commits)."""
    for row in rows:
        db.session.add(SimRoundResult(team_id=row["team_id"], round=round_no, summary=row["summary"],
                                      period=row["period"], months=row["months"], score=row["score"]))


def save_round(job: SimJob, payload: Any) -> None:
    workshop = db.session.get(SimWorkshop, job.params["workshop_id"])
    if workshop is None:
        raise ValueError("the workshop no longer exists")
    r = int(payload["round"])
    add_round_results(r, payload["rows"])
    if r >= workshop.rounds:
        workshop.status = "finished"
    else:
        workshop.current_round = r + 1
        workshop.status = "open"


def round_failed(job: SimJob) -> None:
    workshop = db.session.get(SimWorkshop, job.params.get("workshop_id"))
    if workshop is not None and workshop.status == "advancing":
        workshop.status = "open"  # the facilitator may close the round again


def round_retry(job: SimJob) -> None:
    """A failed round may run again only while its round is still the open one (nobody closed it anew)."""
    workshop = db.session.get(SimWorkshop, job.params.get("workshop_id"))
    if workshop is None or workshop.status != "open" or workshop.current_round != int(job.params["round"]):
        raise jobs.JobRefused("not_retryable")
    workshop.status = "advancing"


jobs.register("round", jobs.JobHandler(advance_teams, save_round, round_failed, round_retry))

