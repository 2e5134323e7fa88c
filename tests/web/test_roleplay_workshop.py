"""Pair workshops through the web: opening a room, joining by code (wrong, expired, closed, twice,
full), groups and roles, rotation between rounds, the observer's rubric (and bad values), the
facilitator's board and its permissions, the revealed debrief and results on people's records."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.conftest import Actions
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.roleplay.models import Participant, RubricScore, WorkshopSession
from trainer.roleplay.services.workshop import CODE_ALPHABET, CODE_LENGTH

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
    assert ("no workshop with the code ZZZZZZ" in html) if code.strip() else ("Enter the room code" in html)
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
    assert response.status_code == 410 and "has ended or expired" in response.get_data(as_text=True)

    closed = open_room(fay)
    fay.post(f"/roleplay/workshops/{closed.id}/close", token_from=f"/roleplay/workshops/{closed.id}")
    response = join(as_user("t2@example.com"), closed.code)
    assert response.status_code == 410 and "has ended or expired" in response.get_data(as_text=True)
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


def test_observer_scores_the_salesperson_and_can_correct_it(app, trio):
    session, _, players = trio
    response = post_rubric(players[3], session, {**full_scores(app, 2), "comment": "Good questions."})
    assert response.status_code == 302
    row = db.session.scalars(select(RubricScore)).one()
    assert row.observer.email == "t3@example.com" and row.salesperson.email == "t1@example.com"
    assert row.total == 14 and row.percent == pytest.approx(66.7) and row.comment == "Good questions."
    assert row.round == 1 and row.group_number == 1
    scores = full_scores(app, 3)
    post_rubric(players[3], session, scores)
    db.session.expire_all()
    row = db.session.scalars(select(RubricScore)).one()
    assert row.total == 21 and row.percent == 100.0
    room = players[3].client.get(f"/roleplay/room/{session.code}").get_data(as_text=True)
    assert "Saved: 21 of 21 points" in room


@pytest.mark.parametrize(
    "change, message",
    [
        ({"score-prepared_documents": "4"}, "whole number from 0 to 3"),
        ({"score-prepared_documents": "-1"}, "whole number from 0 to 3"),
        ({"score-prepared_documents": "two"}, "whole number from 0 to 3"),
        ({"score-charisma": "3"}, "not items of the rubric: charisma"),
        ({"score-prepared_documents": ""}, "Score every item"),
    ],
)
def test_bad_rubric_values_are_refused(app, trio, change, message):
    session, _, players = trio
    response = post_rubric(players[3], session, {**full_scores(app), **change})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True) and "Nothing was saved" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RubricScore)) == 0


def test_too_long_comment_is_refused(app, trio):
    session, _, players = trio
    response = post_rubric(players[3], session, {**full_scores(app), "comment": "x" * 1001})
    assert response.status_code == 400 and "too long" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RubricScore)) == 0


@pytest.mark.parametrize("who", [1, 2])
def test_only_the_observer_of_the_group_may_score(app, trio, who):
    session, _, players = trio
    response = post_rubric(players[who], session, full_scores(app))
    assert response.status_code == 403 and "Only the observer" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RubricScore)) == 0


def test_observer_of_another_group_or_outsider_cannot_score_this_group(app, trio, as_user):
    session, _, players = trio
    outsider = as_user("t7@example.com")
    response = outsider.post(f"/roleplay/room/{session.code}/rubric", full_scores(app), token_from="/join")
    assert response.status_code == 403
    for n in (4, 5, 6):
        join(as_user(f"t{n}@example.com"), session.code)
    other_observer = as_user("t6@example.com")
    assert roles(session)["t6@example.com"] == (2, "observer")
    assert post_rubric(other_observer, session, full_scores(app, 1)).status_code == 302
    rows = db.session.scalars(select(RubricScore)).all()
    assert [(r.group_number, r.salesperson.email) for r in rows] == [(2, "t4@example.com")]


def test_a_form_from_the_previous_round_is_refused(app, trio):
    session, fay, players = trio
    fay.post(f"/roleplay/workshops/{session.id}/next-round", token_from=f"/roleplay/workshops/{session.id}")
    observer = next(n for n, p in players.items() if roles(session)[f"t{n}@example.com"][1] == "observer")
    response = post_rubric(players[observer], session, {**full_scores(app), "round": "1"})
    assert response.status_code == 409 and "round has changed" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RubricScore)) == 0


def test_rubric_needs_csrf(app, trio):
    session, _, players = trio
    response = players[3].client.post(f"/roleplay/room/{session.code}/rubric", data=full_scores(app))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(RubricScore)) == 0


# --------------------------------------------------------------------------- the board and the debrief


def test_board_shows_groups_and_scores_live(app, trio):
    session, fay, players = trio
    data = fay.client.get(f"/roleplay/workshops/{session.id}/board.json").get_json()
    assert data["code"] == session.code and data["participants"] == 3 and data["scored"] == 0
    assert [m["role"] for m in data["groups"][0]["members"]] == ["salesperson", "customer", "observer"]
    post_rubric(players[3], session, full_scores(app, 3))
    data = fay.client.get(f"/roleplay/workshops/{session.id}/board.json").get_json()
    assert data["scored"] == 1 and data["groups"][0]["current"]["percent"] == 100.0
    assert data["groups"][0]["current"]["salesperson"] == "Trainee 1"
    assert all(item["average"] == 3 for item in data["items"])
    board = fay.client.get(f"/roleplay/workshops/{session.id}").get_data(as_text=True)
    assert "100.0%" in board and "Trainee 3" in board and 'data-board-url' in board


def test_facilitator_actions_are_refused_to_others(app, trio, as_user):
    session, _, players = trio
    trainee = players[3]
    base = f"/roleplay/workshops/{session.id}"
    assert trainee.client.get(base).status_code == 403
    assert trainee.client.get(base + "/board.json").status_code == 403
    for action in ("reveal", "next-round", "close"):
        assert trainee.post(f"{base}/{action}", token_from=f"/roleplay/room/{session.code}").status_code == 403
    otto = as_user("other.mgr@example.com")
    assert otto.client.get(base).status_code == 403
    assert otto.client.get(base + "/board.json").status_code == 403
    assert otto.post(f"{base}/reveal", token_from="/roleplay/workshops").status_code == 403
    assert session.code not in otto.client.get("/roleplay/workshops").get_data(as_text=True)
    db.session.refresh(session)
    assert not session.debrief_revealed and session.round == 1 and session.status == "open"
    ada = as_user("admin@example.com")
    assert ada.client.get(base + "/board.json").status_code == 200
    assert trainee.client.get("/roleplay/workshops/99999").status_code == 403  # role check first
    assert ada.client.get("/roleplay/workshops/99999").status_code == 404


def test_facilitator_actions_need_csrf(app, trio):
    session, fay, _ = trio
    assert fay.client.post(f"/roleplay/workshops/{session.id}/reveal").status_code == 400
    db.session.refresh(session)
    assert not session.debrief_revealed


def test_revealing_the_debrief_shows_it_to_everyone(app, trio):
    session, fay, players = trio
    scenario = app.extensions["content"].scenarios[SCENARIO]
    role_card = esc(scenario.role_card["en"].split("\n")[0])
    before = players[1].client.get(f"/roleplay/room/{session.code}").get_data(as_text=True)
    assert 'data-testid="workshop-debrief"' not in before and role_card not in before
    response = fay.post(f"/roleplay/workshops/{session.id}/reveal", token_from=f"/roleplay/workshops/{session.id}")
    assert response.status_code == 302
    for n in (1, 2, 3):
        room = players[n].client.get(f"/roleplay/room/{session.code}").get_data(as_text=True)
        assert 'data-testid="workshop-debrief"' in room and role_card in room
        assert "A conversation that works" in room
    board = fay.client.get(f"/roleplay/workshops/{session.id}").get_data(as_text=True)
    assert 'data-testid="revealed"' in board and 'data-testid="workshop-debrief"' in board


def test_closed_room_stops_scoring_and_next_round(app, trio):
    session, fay, players = trio
    fay.post(f"/roleplay/workshops/{session.id}/close", token_from=f"/roleplay/workshops/{session.id}")
    response = post_rubric(players[3], session, full_scores(app))
    assert response.status_code == 409 and "has ended" in response.get_data(as_text=True)
    fay.post(f"/roleplay/workshops/{session.id}/next-round", token_from=f"/roleplay/workshops/{session.id}")
    db.session.refresh(session)
    assert session.round == 1


def test_expired_room_stops_scoring_and_next_round(app, trio):
    session, fay, players = trio
    session.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert post_rubric(players[3], session, full_scores(app)).status_code == 409
    response = fay.post(f"/roleplay/workshops/{session.id}/next-round", token_from=f"/roleplay/workshops/{session.id}",
                        follow_redirects=True)
    assert "has ended" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.round == 1 and db.session.scalar(select(func.count()).select_from(RubricScore)) == 0


def test_results_go_to_each_participants_record(app, trio, as_user):
    session, fay, players = trio
    post_rubric(players[3], session, {**full_scores(app, 2), "comment": "Clear on the amount."})
    history = players[1].client.get("/roleplay/history").get_data(as_text=True)
    assert session.code in history and "Round 1 as salesperson: 66.7%" in history and "Clear on the amount." in history
    observer_history = players[3].client.get("/roleplay/history").get_data(as_text=True)
    assert "Rubrics you filled in for others: 1" in observer_history
    team = fay.client.get("/roleplay/team").get_data(as_text=True)
    row = team.split("Trainee 1")[1].split("</tr>")[0]
    assert "66.7%" in row
    otto = as_user("other.mgr@example.com")
    assert "Trainee 1" not in otto.client.get("/roleplay/team").get_data(as_text=True)


def test_home_points_to_the_open_workshop(app, trio):
    session, fay, players = trio
    home = players[2].client.get("/").get_data(as_text=True)
    assert f"Back to your workshop room {session.code}" in home and f"/roleplay/room/{session.code}" in home
    fay.post(f"/roleplay/workshops/{session.id}/close", token_from=f"/roleplay/workshops/{session.id}")
    assert "Back to your workshop room" not in players[2].client.get("/").get_data(as_text=True)


def test_model_conversation_is_no_weaker_than_the_best_reply_each_turn(app):
    from trainer.roleplay import play as rules
    from trainer.roleplay.scenarios import QUALITIES
    from trainer.roleplay.services.workshop import best_path

    def weakness(scenario, path):
        state, total = rules.start(scenario), 0
        for index in path:
            total += QUALITIES.index(scenario.nodes[state["node"]].choices[index].quality)
            state = rules.choose(scenario, state, index)
        assert rules.is_finished(state), scenario.id
        return total

    for scenario in app.extensions["content"].scenarios.values():
        state, greedy = rules.start(scenario), []
        while not rules.is_finished(state) and len(greedy) < 100:
            choice = min(rules.available_choices(scenario, state), key=lambda c: (QUALITIES.index(c.quality), c.index))
            greedy.append(choice.index)
            state = rules.choose(scenario, state, choice.index)
        best = weakness(scenario, best_path(scenario))
        if rules.is_finished(state):  # the best reply at each turn can also go round in circles
            assert best <= weakness(scenario, greedy)
