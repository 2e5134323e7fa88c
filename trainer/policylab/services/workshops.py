"""Simulation workshops: creating one, who plays and who facilitates, team decisions per round,
closing a round (a job advances every team), and what the workshop pages list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from trainer import sim
from trainer.accounts import audit
from trainer.accounts.access import visible_user_ids_query
from trainer.accounts.models import User
from trainer.extensions import db
from trainer.policylab import jobs
from trainer.policylab.models import (
    SimDecision,
    SimJob,
    SimRoundResult,
    SimWorkshop,
    SimWorkshopTeam,
    sim_workshop_member,
)
from trainer.policylab.services.presets import default_policy, engine_version, preset


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
    audit.record(facilitator, "sim.workshop.create", title, rounds=rounds,
                 members=sorted(m.id for t in workshop.teams for m in t.members))
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


def open_rounds_to_decide(user: User) -> list[tuple[SimWorkshop, SimWorkshopTeam]]:
    """The open workshops where the user's team has not decided the current round yet, newest
    first: one query, however many workshops the user ever played (the home page asks)."""
    decided = (
        select(SimDecision.id)
        .where(SimDecision.team_id == SimWorkshopTeam.id, SimDecision.round == SimWorkshop.current_round)
        .exists()
    )
    rows = db.session.execute(
        select(SimWorkshop, SimWorkshopTeam, decided)
        .join(SimWorkshopTeam, SimWorkshopTeam.workshop_id == SimWorkshop.id)
        .join(sim_workshop_member, sim_workshop_member.c.team_id == SimWorkshopTeam.id)
        .where(sim_workshop_member.c.user_id == user.id, SimWorkshop.status == "open")
        .order_by(SimWorkshop.created_at.desc(), SimWorkshop.id.desc(), SimWorkshopTeam.id)
    ).all()
    first: dict[int, tuple[SimWorkshop, SimWorkshopTeam, bool]] = {}
    for workshop, team, done in rows:
        first.setdefault(workshop.id, (workshop, team, bool(done)))  # the first team, as team_of() picks it
    return [(workshop, team) for workshop, team, done in first.values() if not done]


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
    audit.record(user, "sim.workshop.close_round", workshop.title, round=r)
    db.session.flush()  # committed with the job row, or rolled back with it when a limit refuses the job
    params = {"workshop_id": workshop.id, "round": r, "round_days": workshop.round_days, "preset": workshop.preset,
              "seed": workshop.seed, "customers": workshop.customers, "teams": teams_params}
    return jobs.submit(user.id, "round", params, workshop_id=workshop.id)

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


def latest_job(workshop: SimWorkshop) -> SimJob | None:
    """The workshop's most recent round job (the page shows its progress or its failure)."""
    return db.session.scalar(
        select(SimJob).where(SimJob.workshop_id == workshop.id).order_by(SimJob.id.desc()).limit(1))
