"""What the policy lab offers the rest of the site: next steps on the home page and demo data."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from trainer import sim
from trainer.accounts.models import Role, User
from trainer.extensions import db
from trainer.home.services import NextStep
from trainer.policylab.models import SimDecision, SimRun, SimWorkshop, SimWorkshopTeam
from trainer.policylab.services.presets import default_policy, engine_version, preset
from trainer.policylab.services.rounds import add_round_results, advance_teams
from trainer.policylab.services.simulation import simulate
from trainer.policylab.services.workshops import open_rounds_to_decide, round_decision


def next_steps(user: User) -> list[NextStep]:
    """Open workshop rounds the user's team has not decided yet; a first run for a new trainee."""
    steps: list[NextStep] = []
    for workshop, team in open_rounds_to_decide(user):
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
    (0, "收紧C级 Stricter C grade", {"grades": {"C": {"net_days": 30, "credit_limit_months": 1, "deposit": 0.3}}}),
    (0, "增加催收员 More collectors", {"collectors": 8, "ladder": {"manager": 21}}),
    (1, "放宽账期促增长 Loose terms for growth", {"grades": {"B": {"net_days": 60}, "C": {"net_days": 60, "deposit": 0}},
                                   "credit_hold_days": None}),
    (2, "D级先款后货 Payment before goods for D", {"grades": {"D": {"terms": "cia"}}}),
)
DEMO_CUSTOMERS = 150
# Demo records carry both languages in their names, as the demo teams do ("华东销售一组 East Sales 1"):
# they are data, stored once, and read by Chinese and English users alike.
DEMO_DEFAULT_RUN = "预设默认策略 Preset default"
DEMO_PLANS: tuple[tuple[str, list[dict[str, Any]]], ...] = (
    ("现金队 Team Cash", [{}, {"collectors": 7}, {"grades": {"C": {"deposit": 0.4}}}, {"ladder": {"manager": 21}}]),
    ("增长队 Team Growth", [{"grades": {"B": {"net_days": 60}}}, {"credit_hold_days": None}, {}, {"collectors": 6}]),
    ("均衡队 Team Balance", [{"grades": {"D": {"terms": "cia"}}}, {}, {"reminder_days_before_due": 10}, {}]),
)


def seed_demo(people: Any, rng: Any) -> None:
    """A few saved runs for demo trainees and one finished four-round workshop (small portfolios)."""
    base = default_policy("distributor")
    _demo_runs(people, base)
    _demo_workshop(people, base)


def _demo_runs(people: Any, base: dict[str, Any]) -> None:
    for index, name, change in DEMO_RUNS:
        user = people.trainees[index]
        policy = sim.policy_to_dict(sim.policy_from_dict(change, preset("distributor").policy))
        seed = 7
        payload = simulate("distributor", policy, seed, DEMO_CUSTOMERS, 365)
        db.session.add(SimRun(user_id=user.id, kind="run", name=name, preset="distributor", seed=seed,
                              customers=DEMO_CUSTOMERS, days=365, policy=policy, engine_version=engine_version(),
                              summary=payload["summary"], result=payload["result"]))
    payload = simulate("distributor", base, 7, DEMO_CUSTOMERS, 365)
    db.session.add(SimRun(user_id=people.trainees[0].id, kind="run", name=DEMO_DEFAULT_RUN, preset="distributor",
                          seed=7, customers=DEMO_CUSTOMERS, days=365, policy=base, engine_version=engine_version(),
                          summary=payload["summary"], result=payload["result"]))


def _demo_workshop(people: Any, base: dict[str, Any]) -> None:
    manager = people.managers[0]
    members = [t for t in people.trainees if people.teams and people.teams[0] in t.teams]
    workshop = SimWorkshop(facilitator_id=manager.id, title="一季度工作坊：经销商 Q1 workshop: the distributor", preset="distributor",
                           seed=11, customers=120, rounds=4, round_days=91, current_round=4, status="finished",
                           engine_version=engine_version())
    db.session.add(workshop)
    for i, (team_name, changes) in enumerate(DEMO_PLANS):
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
        teams = [{"team_id": t.id, "policies": [_decided_policy(t, k) for k in range(1, r + 1)]}
                 for t in workshop.teams]
        params = {"workshop_id": workshop.id, "round": r, "round_days": 91, "preset": "distributor", "seed": 11,
                  "customers": 120, "teams": teams}
        add_round_results(r, advance_teams(params, place=r == workshop.rounds)["rows"])  # the board shows the last


def _decided_policy(team: SimWorkshopTeam, round_no: int) -> dict[str, Any]:
    decision = round_decision(team, round_no)
    if decision is None:
        raise ValueError(f"demo team {team.name} has no decision for round {round_no}")
    return dict(decision.policy)
