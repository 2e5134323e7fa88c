"""Fixtures and helpers shared by the workshop web tests (rooms and roles; scoring and the board)."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from tests.conftest import Actions
from trainer.extensions import db
from trainer.roleplay.models import Participant, WorkshopSession

SCENARIO = "quality-dispute-pair"


def esc(text: str) -> str:
    return str(escape(text))


@pytest.fixture
def people(make_org):
    trainees = {f"t{n}": f"trainee in east: Trainee {n}" for n in range(1, 8)}
    return make_org(
        {"east": "East", "south": "South"},
        {"facilitator": "manager of east: Fay <fac@example.com>", "other_mgr": "manager of south: Otto",
         "admin": "admin: Ada", **trainees, "zh": "trainee in south: 魏 [zh_CN]"},
    )



def open_room(actions: Actions, scenario: str = SCENARIO) -> WorkshopSession:
    response = actions.post("/roleplay/workshops", {"scenario": scenario})
    assert response.status_code == 302, response.get_data(as_text=True)
    session_id = int(re.search(r"/roleplay/workshops/(\d+)$", response.headers["Location"]).group(1))
    return db.session.get(WorkshopSession, session_id)


def join(actions: Actions, code: str):
    return actions.post("/join", {"code": code})


def seat(session: WorkshopSession, email: str) -> Participant:
    return db.session.scalar(
        select(Participant).join(Participant.user).where(Participant.session_id == session.id)
        .where(Participant.user.has(email=email))
    )


def roles(session: WorkshopSession) -> dict[str, tuple[int, str]]:
    db.session.expire_all()
    rows = db.session.scalars(select(Participant).where(Participant.session_id == session.id)).all()
    return {p.user.email: (p.group_number, p.role) for p in rows}


def full_scores(app, value: int = 2) -> dict[str, str]:
    return {f"score-{item.id}": str(value) for item in app.extensions["content"].rubric.items}


# --------------------------------------------------------------------------- opening a room


@pytest.fixture
def trio(app, people, as_user):
    fay = as_user("fac@example.com")
    session = open_room(fay)
    players = {n: as_user(f"t{n}@example.com") for n in (1, 2, 3)}
    for n in (1, 2, 3):
        join(players[n], session.code)
    return session, fay, players


def post_rubric(actions: Actions, session: WorkshopSession, data: dict[str, str]):
    return actions.post(f"/roleplay/room/{session.code}/rubric", data, token_from=f"/roleplay/room/{session.code}")

