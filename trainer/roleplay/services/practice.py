"""Solo practice: start a play, make choices (every one stored), the conversation and the debrief,
my history and my team's results.

The rules are in :mod:`trainer.roleplay.play`; this module keeps plays in the database and is the
only place that commits them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from trainer.accounts.access import can_view_user, visible_user_ids_query
from trainer.accounts.models import User
from trainer.content.source import pick
from trainer.core import events
from trainer.core.content import catalog
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.roleplay import play as rules
from trainer.roleplay.models import Play, PlayChoice, RubricScore
from trainer.roleplay.scenarios import OUTCOMES, Scenario

OUTCOME_ORDER: tuple[str, ...] = tuple(OUTCOMES)
"""Outcomes best first (the order of the labels table)."""


class PlayError(Exception):
    """A move that was refused; ``message`` is for the user, ``status`` the HTTP status to answer."""

    def __init__(self, message: Any, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


# --------------------------------------------------------------------------- content look-ups


def scenarios() -> dict[str, Scenario]:
    return catalog().scenarios


def get_scenario(scenario_id: str) -> Scenario | None:
    return scenarios().get(scenario_id)


def outcome_label(outcome: str | None, lang: str) -> str:
    return pick(OUTCOMES[outcome], lang) if outcome is not None and outcome in OUTCOMES else ""


def best_outcome(outcomes: Iterable[str | None]) -> str | None:
    """The best of the given outcomes (paid in full first), or None when there is none."""
    ranked = [o for o in outcomes if o in OUTCOME_ORDER]
    return min(ranked, key=OUTCOME_ORDER.index) if ranked else None


def competency_labels(scenario: Scenario, lang: str) -> list[str]:
    competencies = catalog().competencies
    return [pick(competencies[c].title, lang) if c in competencies else c for c in scenario.competencies]


# --------------------------------------------------------------------------- the scenario list


@dataclass(frozen=True)
class ScenarioCard:
    id: str
    title: str
    summary: str
    competencies: list[str]
    feedback: str
    show_state: bool
    nodes: int
    finished: int
    best_outcome: str | None
    best_outcome_label: str
    open_play_id: int | None


def scenario_cards(user: User, lang: str) -> list[ScenarioCard]:
    """Every scenario with how often ``user`` finished it, their best outcome and an unfinished play."""
    rows = db.session.execute(
        select(Play.scenario_id, Play.outcome, Play.finished_at, Play.id)
        .where(Play.user_id == user.id)
        .order_by(Play.started_at)
    ).all()
    finished: dict[str, list[str | None]] = {}
    open_play: dict[str, int] = {}
    for scenario_id, outcome, finished_at, play_id in rows:
        if finished_at is None:
            open_play[scenario_id] = play_id  # the latest unfinished one wins
        else:
            finished.setdefault(scenario_id, []).append(outcome)
    cards = []
    for scenario in scenarios().values():
        best = best_outcome(finished.get(scenario.id, []))
        cards.append(
            ScenarioCard(
                id=scenario.id,
                title=pick(scenario.title, lang),
                summary=pick(scenario.summary, lang),
                competencies=competency_labels(scenario, lang),
                feedback=scenario.feedback,
                show_state=scenario.show_state,
                nodes=len(scenario.nodes),
                finished=len(finished.get(scenario.id, [])),
                best_outcome=best,
                best_outcome_label=outcome_label(best, lang),
                open_play_id=open_play.get(scenario.id),
            )
        )
    return cards


# --------------------------------------------------------------------------- playing


def start_play(user: User, scenario: Scenario) -> Play:
    """A new play at the scenario's start (earlier unfinished plays stay in the history)."""
    play = Play(user_id=user.id, scenario_id=scenario.id, state=dict(rules.start(scenario)))
    db.session.add(play)
    db.session.commit()
    return play


def visible_play(viewer: User, play_id: int) -> Play | None:
    """The play when ``viewer`` may see it (their own, or a member of a team they manage); else None."""
    play = db.session.get(Play, play_id)
    if play is None or not can_view_user(viewer, play.user_id):
        return None
    return play


def apply_choice(play: Play, scenario: Scenario, choice_index: int, *, at: datetime | None = None) -> None:
    """Make the choice on ``play`` and add its PlayChoice row (no commit). Raises RoleplayError."""
    state = rules.choose(scenario, play.state, choice_index)
    node = scenario.nodes[play.state["node"]]
    choice = node.choices[choice_index]
    when = at or utcnow()
    play.choices.append(
        PlayChoice(
            step=len(state["path"]),
            node=node.id,
            choice_index=choice_index,
            technique=choice.technique,
            quality=choice.quality,
            at=when,
        )
    )
    play.state = dict(state)
    if rules.is_finished(state):
        ending = scenario.endings[str(state["ending"])]
        play.finished_at = when
        play.ending_id = ending.id
        play.outcome = ending.outcome
        play.scores = {
            name: var.normalise(state["vars"][name]) for name, var in scenario.variables.items() if var.scored
        }


def choose(user: User, play: Play, scenario: Scenario, choice_index: int, step: int) -> Play:
    """Store the choice ``choice_index`` made on the page shown for ``step``.

    Refused with a clear message, and nothing stored, when the play is not the user's, already
    finished, the page was out of date (another tab, back button, double submit) or the index is not
    one of the choices open now.
    """
    if play.user_id != user.id:
        raise PlayError(_l("Only the person playing can choose a reply."), 403)
    try:
        open_now = rules.available_choices(scenario, play.state)
    except rules.RoleplayError:
        raise PlayError(_l("This play no longer fits the scenario (the content changed). Start again."), 409) from None
    if rules.is_finished(play.state):
        raise PlayError(_l("This conversation has already ended; nothing was changed."), 409)
    if step != len(play.state["path"]) + 1:
        raise PlayError(
            _l("That page was out of date, so your choice was not saved. Here is where the conversation is now."),
            409,
        )
    if choice_index not in {c.index for c in open_now}:
        raise PlayError(_l("That reply is not one of the choices here, so nothing was saved. Pick one of the replies shown."))
    apply_choice(play, scenario, choice_index)
    try:
        db.session.commit()
    except IntegrityError:  # the same step stored by a concurrent request
        db.session.rollback()
        raise PlayError(
            _l("That page was out of date, so your choice was not saved. Here is where the conversation is now."),
            409,
        ) from None
    if play.finished_at is not None:
        _announce_finish(play)
    return play


def _announce_finish(play: Play) -> None:
    """Tell whoever listens (grade passback) the play ended, with its result as a percentage."""
    scores = [float(value) for value in (play.scores or {}).values() if isinstance(value, int | float)]
    percent = round(sum(scores) / len(scores), 2) if scores else 0.0  # each is 0-100 already
    events.scenario_finished.send(
        None, user_id=play.user_id, play_id=play.id, scenario_id=play.scenario_id, outcome=play.outcome,
        percent=max(0.0, min(100.0, percent)), finished_at=play.finished_at,
    )


def conversation(play: Play, scenario: Scenario, lang: str) -> dict[str, Any]:
    """What the conversation page shows: the domain's view plus the thread of earlier turns."""
    view = rules.view(scenario, play.state, lang)
    turns = rules.debrief(scenario, play.state["path"], lang)["turns"]
    view["thread"] = turns
    view["immediate"] = scenario.feedback == "immediate"
    view["show_state"] = scenario.show_state
    view["account_file"] = pick(scenario.account_file, lang)
    return view


def play_debrief(play: Play, scenario: Scenario, lang: str) -> dict[str, Any]:
    data = rules.debrief(scenario, play.state["path"], lang)
    data["competencies"] = competency_labels(scenario, lang)
    return data


# --------------------------------------------------------------------------- history and team


@dataclass(frozen=True)
class PlayRow:
    id: int
    user_name: str
    user_id: int
    scenario_id: str
    scenario_title: str
    started_at: datetime
    finished_at: datetime | None
    steps: int
    outcome: str | None
    outcome_label: str
    scores: list[tuple[str, int]]  # (dimension label, 0-100)


def _rows(plays: Iterable[Play], lang: str) -> list[PlayRow]:
    known = scenarios()
    result = []
    for play in plays:
        scenario = known.get(play.scenario_id)
        result.append(
            PlayRow(
                id=play.id,
                user_name=play.user.name,
                user_id=play.user_id,
                scenario_id=play.scenario_id,
                scenario_title=pick(scenario.title, lang) if scenario else play.scenario_id,
                started_at=play.started_at,
                finished_at=play.finished_at,
                steps=len(play.state.get("path", [])) if isinstance(play.state, dict) else 0,
                outcome=play.outcome,
                outcome_label=outcome_label(play.outcome, lang),
                scores=[
                    (pick(scenario.variables[name].label, lang) if scenario and name in scenario.variables else name, score)
                    for name, score in (play.scores or {}).items()
                ],
            )
        )
    return result


def my_plays(user: User, lang: str) -> list[PlayRow]:
    plays = db.session.scalars(
        select(Play).where(Play.user_id == user.id).order_by(Play.started_at.desc(), Play.id.desc())
    ).all()
    return _rows(plays, lang)


@dataclass(frozen=True)
class MemberSummary:
    user: User
    started: int
    finished: int
    best_outcome_label: str
    last_played: datetime | None
    rubric_average: float | None
    rubric_count: int


def team_results(viewer: User, lang: str, limit: int = 100) -> tuple[list[MemberSummary], list[PlayRow]]:
    """Members ``viewer`` may see (not themselves): a summary per person and their latest plays."""
    visible = visible_user_ids_query(viewer)
    members = db.session.scalars(
        select(User).where(User.id.in_(visible), User.id != viewer.id, User.active.is_(True)).order_by(User.name)
    ).all()
    ids = [m.id for m in members]
    if not ids:
        return [], []
    counts: dict[int, dict[str, Any]] = {i: {"started": 0, "finished": 0, "outcomes": [], "last": None} for i in ids}
    for user_id, outcome, finished_at, started_at in db.session.execute(
        select(Play.user_id, Play.outcome, Play.finished_at, Play.started_at).where(Play.user_id.in_(ids))
    ).all():
        entry = counts[user_id]
        entry["started"] += 1
        if finished_at is not None:
            entry["finished"] += 1
            entry["outcomes"].append(outcome)
        last = finished_at or started_at
        entry["last"] = max(filter(None, (entry["last"], last)))
    rubric = dict(
        (user_id, (avg, n))
        for user_id, avg, n in db.session.execute(
            select(RubricScore.salesperson_id, func.avg(RubricScore.percent), func.count())
            .where(RubricScore.salesperson_id.in_(ids))
            .group_by(RubricScore.salesperson_id)
        ).all()
    )
    summaries = []
    for member in members:
        entry = counts[member.id]
        avg, n = rubric.get(member.id, (None, 0))
        summaries.append(
            MemberSummary(
                user=member,
                started=entry["started"],
                finished=entry["finished"],
                best_outcome_label=outcome_label(best_outcome(entry["outcomes"]), lang),
                last_played=entry["last"],
                rubric_average=round(float(avg), 1) if avg is not None else None,
                rubric_count=int(n),
            )
        )
    plays = db.session.scalars(
        select(Play)
        .where(Play.user_id.in_(ids))
        .order_by(Play.started_at.desc(), Play.id.desc())
        .limit(limit)
    ).all()
    return summaries, _rows(plays, lang)
