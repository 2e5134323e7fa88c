"""Pair workshops through the web: the observer's rubric (and bad values), the facilitator's board and
its permissions, the revealed debrief, results on people's records and the model conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.web import workshop_support as support
from tests.web.workshop_support import SCENARIO, esc, full_scores, join, post_rubric, roles
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.roleplay import play as rules
from trainer.roleplay.models import RubricScore
from trainer.roleplay.scenarios import QUALITIES
from trainer.roleplay.services.workshop_debrief import best_path

# Shared fixtures, found by pytest under these names.
people = support.people
trio = support.trio


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


def test_revealed_debrief_belongs_to_its_round_only(app, trio):
    """Round 1's debrief must not stay on the phones in round 2: the next salesperson would see the
    model conversation and what the customer knew before playing."""
    session, fay, players = trio
    board_url = f"/roleplay/workshops/{session.id}"
    fay.post(f"{board_url}/reveal", token_from=board_url)
    fay.post(f"{board_url}/next-round", token_from=board_url)
    db.session.refresh(session)
    assert session.round == 2 and not session.debrief_revealed
    for n in (1, 2, 3):
        room = players[n].client.get(f"/roleplay/room/{session.code}").get_data(as_text=True)
        assert 'data-testid="workshop-debrief"' not in room and "A conversation that works" not in room
    assert 'data-testid="workshop-debrief"' not in fay.client.get(board_url).get_data(as_text=True)
    fay.post(f"{board_url}/reveal", token_from=board_url)  # and round 2's own reveal still works
    room = players[1].client.get(f"/roleplay/room/{session.code}").get_data(as_text=True)
    assert 'data-testid="workshop-debrief"' in room


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
