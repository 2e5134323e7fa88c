"""What role-play adds to the rest of the site: next steps on the trainee's home page and
deterministic demo activity (finished plays with different outcomes, one past workshop)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l

from trainer.accounts.demo import DemoPeople
from trainer.accounts.models import User
from trainer.core.content import catalog
from trainer.core.i18n import content_language
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.home.services import NextStep
from trainer.roleplay import play as rules
from trainer.roleplay.models import Play
from trainer.roleplay.scenarios import Scenario
from trainer.roleplay.services import (
    practice,
    seating,
    workshop,
    workshop_scores,
    workshop_screens,
)


def next_steps(user: User) -> list[NextStep]:
    """An open workshop the user joined; a scenario to continue or to try next."""
    lang = content_language()
    steps: list[NextStep] = []
    for seat in workshop.open_seats(user)[:1]:
        session = seat.session
        steps.append(
            NextStep(
                title=str(_l("Back to your workshop room %(code)s", code=session.code)),
                detail=str(_l("Group %(group)s, round %(round)s: you are the %(role)s.",
                              group=seat.group_number, round=session.round,
                              role=workshop_screens.role_label(seat.role).lower())),
                url=url_for("roleplay.room", code=session.code),
                kind="warning",
            )
        )
    cards = practice.scenario_cards(user, lang)
    unfinished = next((c for c in cards if c.open_play_id is not None), None)
    if unfinished is not None:
        steps.append(
            NextStep(
                title=str(_l("Finish the conversation: %(title)s", title=unfinished.title)),
                detail=str(_l("You left this role-play halfway; pick it up where you stopped.")),
                url=url_for("roleplay.play", play_id=unfinished.open_play_id),
            )
        )
    else:
        fresh = next((c for c in cards if c.finished == 0), None)
        if fresh is not None:
            steps.append(
                NextStep(
                    title=str(_l("Practise a conversation: %(title)s", title=fresh.title)),
                    detail=fresh.summary[:140] + ("…" if len(fresh.summary) > 140 else ""),
                    url=url_for("roleplay.index") + f"#scenario-{fresh.id}",
                )
            )
    return steps


# --------------------------------------------------------------------------- demo data


def _play_through(user: User, scenario: Scenario, rng: random.Random, *, prefer: str, started: datetime) -> Play:
    """A finished play: ``prefer`` 'good' takes the best reply, 'poor' the worst, 'random' any."""
    play = Play(user_id=user.id, scenario_id=scenario.id, state=dict(rules.start(scenario)), started_at=started)
    db.session.add(play)
    order = {"good": 0, "ok": 1, "poor": 2}
    at = started
    for _ in range(60):
        if rules.is_finished(play.state):
            break
        options = rules.available_choices(scenario, play.state)
        if prefer == "random":
            choice = rng.choice(options)
        else:
            reverse = prefer == "poor"
            ranked = sorted(options, key=lambda c: (order[c.quality], c.index), reverse=reverse)
            choice = ranked[0] if rng.random() < 0.85 else rng.choice(options)
        at = at + timedelta(seconds=rng.randint(20, 90))
        practice.apply_choice(play, scenario, choice.index, at=at)
    return play


def seed_demo(people: DemoPeople, rng: random.Random) -> None:
    """Plays for the first eight demo trainees and one past workshop with rubric scores."""
    content = catalog()
    scenarios = list(content.scenarios.values())
    if not scenarios:
        return
    now = utcnow()
    styles = ["good", "random", "poor", "good", "random", "good", "poor", "random"]
    for index, trainee in enumerate(people.trainees[:8]):
        for number in range(1 + index % 3):
            scenario = scenarios[(index + number) % len(scenarios)]
            started = now - timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 8))
            _play_through(trainee, scenario, rng, prefer=styles[(index + number) % len(styles)], started=started)
    # one unfinished play, so "continue" shows up for the second trainee
    if len(people.trainees) > 1:
        scenario = scenarios[-1]
        play = Play(user_id=people.trainees[1].id, scenario_id=scenario.id, state=dict(rules.start(scenario)),
                    started_at=now - timedelta(hours=5))
        db.session.add(play)
        first = rules.available_choices(scenario, play.state)[0]
        practice.apply_choice(play, scenario, first.index, at=now - timedelta(hours=5))

    # a past workshop run by the first manager for six trainees of the first team
    facilitator = people.managers[0]
    team = [t for t in people.trainees if people.teams[0] in t.teams][:6]
    scenario = content.scenarios.get("quality-dispute-pair") or scenarios[0]
    held = now - timedelta(days=9)
    session = workshop.open_session(facilitator, scenario, rng=rng, now=held, commit=False)
    for offset, trainee in enumerate(team):
        seating.seat_user(session, trainee, held + timedelta(minutes=offset))
    the_rubric = workshop.rubric()
    for round_number in (1, 2):
        if round_number == 2:
            seating.rotate(session)
        for members in seating.groups_of(session).values():
            scorer_role = seating.scorer_role(len(members))
            observer = next(m for m in members if m.role == scorer_role)
            scores = {item.id: rng.choice([1, 2, 2, 3, 3]) for item in the_rubric.items}
            comment = rng.choice([
                "先听后说做得好，但最后没有拿到书面承诺。 Listened well; no written commitment at the end.",
                "金额和到期日讲得很清楚。 Stated the amount and the due date clearly.",
                "提出了两个可选方案，客户容易接受。 Offered two options; easy for the customer to accept.",
            ])
            workshop_scores.submit_rubric(observer.user, session, scores, comment,
                                   now=held + timedelta(minutes=30 * round_number), commit=False)
    session.debrief_revealed = True
    session.status = "closed"
    db.session.flush()
