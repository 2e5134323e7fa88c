"""Pair workshops through the web: opening a room, joining by code (wrong, expired, closed, twice,
full), groups and roles, rotation between rounds. Scoring and the board: test_roleplay_workshop_scoring.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.web import workshop_support as support
from tests.web.workshop_support import SCENARIO, esc, join, open_room, roles, seat
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.roleplay.models import Participant, WorkshopSession
from trainer.roleplay.services.workshop import CODE_ALPHABET, CODE_LENGTH

# Shared fixtures, found by pytest under these names.
people = support.people


# --------------------------------------------------------------------------- opening a room


def test_facilitator_opens_a_room_with_a_readable_code(app, people, as_user):
    fay = as_user("fac@example.com")
    session = open_room(fay)
    assert len(session.code) == CODE_LENGTH and set(session.code) <= set(CODE_ALPHABET)
    assert not set(session.code) & set("0O1I")
    assert session.status == "open" and session.round == 1 and session.expires_at > utcnow()
    board = fay.client.get(f"/roleplay/workshops/{session.id}").get_data(as_text=True)
    assert session.code in board and "/join" in board and "Nobody has joined yet" in board
    listing = fay.client.get("/roleplay/workshops").get_data(as_text=True)
    assert session.code in listing


def test_opening_a_room_refuses_unknown_scenario_and_trainees(app, people, as_user):
    fay = as_user("fac@example.com")
    assert fay.post("/roleplay/workshops", {"scenario": "nope"}).status_code == 400
    trainee = as_user("t1@example.com")
    assert trainee.client.get("/roleplay/workshops").status_code == 403
    assert trainee.post("/roleplay/workshops", {"scenario": SCENARIO}, token_from="/join").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(WorkshopSession)) == 0


# --------------------------------------------------------------------------- joining


def test_join_with_code_gives_a_seat_and_joining_twice_keeps_it(app, people, as_user):
    session = open_room(as_user("fac@example.com"))
    amy = as_user("t1@example.com")
    messy = " " + session.code[:3].lower() + "-" + session.code[3:].lower() + " "
    response = join(amy, messy)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/roleplay/room/{session.code}")
    first = seat(session, "t1@example.com")
    assert first is not None and first.group_number == 1 and first.role == "salesperson"
    again = join(amy, session.code)
    assert again.status_code == 302
    room = amy.client.get(again.headers["Location"]).get_data(as_text=True)
    assert "already in this room" in room
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 1
    assert seat(session, "t1@example.com").id == first.id


def test_join_page_is_phone_friendly(app, people, as_user):
    page = as_user("t1@example.com").client.get("/join?code=abc234").get_data(as_text=True)
    assert 'name="code"' in page and 'value="ABC234"' in page and "rp-code-input" in page
    assert 'autocapitalize="characters"' in page


@pytest.mark.parametrize("code", ["ZZZZZZ", "", "    "])
def test_wrong_code_is_refused_with_a_clear_message(app, people, as_user, code):
    open_room(as_user("fac@example.com"))
    response = join(as_user("t1@example.com"), code)
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 404)
    assert ("No open workshop has the code ZZZZZZ" in html) if code.strip() else ("Enter the room code" in html)
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_wrong_code_message_in_chinese(app, people, as_user):
    open_room(as_user("fac@example.com"))
    response = join(as_user("zh@example.com"), "ZZZZZZ")
    assert response.status_code == 404
    assert "没有房间号为 ZZZZZZ 的工作坊" in response.get_data(as_text=True)


def test_expired_and_closed_codes_are_refused(app, people, as_user):
    fay = as_user("fac@example.com")
    expired = open_room(fay)
    expired.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = join(as_user("t1@example.com"), expired.code)
    unknown = join(as_user("t3@example.com"), "ZZZZZZ")
    assert response.status_code == unknown.status_code == 404  # closed and unknown codes answer alike
    assert f"No open workshop has the code {expired.code}" in response.get_data(as_text=True)
    assert "No open workshop has the code ZZZZZZ" in unknown.get_data(as_text=True)

    closed = open_room(fay)
    fay.post(f"/roleplay/workshops/{closed.id}/close", token_from=f"/roleplay/workshops/{closed.id}")
    response = join(as_user("t2@example.com"), closed.code)
    assert response.status_code == 404 and f"No open workshop has the code {closed.code}" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_full_room_is_refused(app, people, as_user):
    session = open_room(as_user("fac@example.com"))
    session.capacity = 2
    db.session.commit()
    assert join(as_user("t1@example.com"), session.code).status_code == 302
    assert join(as_user("t2@example.com"), session.code).status_code == 302
    response = join(as_user("t3@example.com"), session.code)
    assert response.status_code == 409 and "room is full (2 people)" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 2
    # someone already seated still gets back in
    assert join(as_user("t1@example.com"), session.code).status_code == 302


def test_facilitator_joining_their_own_room_goes_to_the_board(app, people, as_user):
    fay = as_user("fac@example.com")
    session = open_room(fay)
    response = join(fay, session.code)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/roleplay/workshops/{session.id}")
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_room_page_needs_a_seat(app, people, as_user):
    session = open_room(as_user("fac@example.com"))
    stranger = as_user("t5@example.com")
    response = stranger.client.get(f"/roleplay/room/{session.code}")
    assert response.status_code == 302 and "/join?code=" in response.headers["Location"]
    assert stranger.client.get(f"/roleplay/room/{session.code}/status.json").status_code == 404
    assert stranger.client.get("/roleplay/room/ZZZZZZ").status_code == 404


# --------------------------------------------------------------------------- groups and roles


def test_groups_of_three_with_one_of_each_role_and_what_each_role_sees(app, people, as_user):
    session = open_room(as_user("fac@example.com"))
    scenario = app.extensions["content"].scenarios[SCENARIO]
    players = {n: as_user(f"t{n}@example.com") for n in range(1, 6)}
    for n in range(1, 6):
        join(players[n], session.code)
    seats = roles(session)
    assert [seats[f"t{n}@example.com"] for n in (1, 2, 3)] == [(1, "salesperson"), (1, "customer"), (1, "observer")]
    assert seats["t4@example.com"] == (2, "salesperson") and seats["t5@example.com"] == (2, "customer")

    role_card = esc(scenario.role_card["en"].split("\n")[0])
    account_file = esc(scenario.account_file["en"].split("\n")[0])
    sales = players[1].client.get(f"/roleplay/room/{session.code}").get_data(as_text=True)
    assert account_file in sales and role_card not in sales and 'data-testid="rubric"' not in sales
    assert "Your role: Salesperson" in sales
    customer = players[2].client.get(f"/roleplay/room/{session.code}").get_data(as_text=True)
    assert role_card in customer and account_file not in customer and 'data-testid="rubric"' not in customer
    observer = players[3].client.get(f"/roleplay/room/{session.code}").get_data(as_text=True)
    assert role_card not in observer and account_file not in observer
    rubric = app.extensions["content"].rubric
    assert len(rubric.items) == 7
    for item in rubric.items:
        assert esc(item.title["en"]) in observer
        for score in range(4):
            assert f'name="score-{item.id}" value="{score}"' in observer
        assert esc(item.levels[3]["en"][:30]) in observer
    # in a pair the customer scores
    pair_customer = players[5].client.get(f"/roleplay/room/{session.code}").get_data(as_text=True)
    assert 'data-testid="rubric"' in pair_customer and "In a pair there is no observer" in pair_customer


def test_someone_alone_waits_and_the_next_joiner_pairs_with_them(app, people, as_user):
    session = open_room(as_user("fac@example.com"))
    for n in range(1, 5):
        join(as_user(f"t{n}@example.com"), session.code)
    alone = as_user("t4@example.com").client.get(f"/roleplay/room/{session.code}").get_data(as_text=True)
    assert 'data-testid="waiting"' in alone and 'data-testid="rubric"' not in alone
    join(as_user("t5@example.com"), session.code)
    assert roles(session)["t5@example.com"] == (2, "customer")


def test_roles_rotate_each_round_so_everyone_plays_every_role(app, people, as_user):
    fay = as_user("fac@example.com")
    session = open_room(fay)
    for n in range(1, 6):
        join(as_user(f"t{n}@example.com"), session.code)
    history: dict[str, list[str]] = {}
    for _round in range(3):
        for email, (_group, role) in roles(session).items():
            history.setdefault(email, []).append(role)
        fay.post(f"/roleplay/workshops/{session.id}/next-round", token_from=f"/roleplay/workshops/{session.id}")
    db.session.refresh(session)
    assert session.round == 4
    for n in (1, 2, 3):
        assert sorted(history[f"t{n}@example.com"]) == ["customer", "observer", "salesperson"]
    assert history["t4@example.com"] == ["salesperson", "customer", "salesperson"]
    assert history["t5@example.com"] == ["customer", "salesperson", "customer"]
    for group in (1, 2):  # every group keeps exactly one salesperson each round
        assert [r for g, r in roles(session).values() if g == group].count("salesperson") == 1


def test_next_round_moves_someone_over_so_nobody_is_alone(app, people, as_user):
    fay = as_user("fac@example.com")
    session = open_room(fay)
    for n in range(1, 5):
        join(as_user(f"t{n}@example.com"), session.code)
    assert sorted(g for g, _ in roles(session).values()) == [1, 1, 1, 2]
    fay.post(f"/roleplay/workshops/{session.id}/next-round", token_from=f"/roleplay/workshops/{session.id}")
    seats = roles(session)
    assert sorted(g for g, _ in seats.values()) == [1, 1, 2, 2]
    for group in (1, 2):
        assert sorted(r for g, r in seats.values() if g == group) == ["customer", "salesperson"]


def test_status_json_changes_when_the_round_changes(app, people, as_user):
    fay = as_user("fac@example.com")
    session = open_room(fay)
    amy = as_user("t1@example.com")
    join(amy, session.code)
    join(as_user("t2@example.com"), session.code)
    before = amy.client.get(f"/roleplay/room/{session.code}/status.json").get_json()
    fay.post(f"/roleplay/workshops/{session.id}/next-round", token_from=f"/roleplay/workshops/{session.id}")
    after = amy.client.get(f"/roleplay/room/{session.code}/status.json").get_json()
    assert before["round"] == 1 and after["round"] == 2 and before["version"] != after["version"]


# --------------------------------------------------------------------------- the rubric

