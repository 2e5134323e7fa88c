"""Simulation workshops: creating one (and its form errors), teams submitting each round, late
submissions refused, a silent team keeping its last policy, the leaderboard, the decision log, the
big screen, and the replayed state equal to one continuous simulation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.web.test_sim import field_errors, form_values
from trainer import sim
from trainer.extensions import db
from trainer.policylab import jobs
from trainer.policylab.models import SimDecision, SimJob, SimRoundResult, SimWorkshop
from trainer.policylab.services import presets, rounds, workshops


@pytest.fixture
def room(make_user, make_team):
    east = make_team("East")
    people = {
        "boss": make_user("manager", email="boss@example.com", manages=[east]),
        "ann": make_user("trainee", email="ann@example.com", name="Ann", teams=[east]),
        "bo": make_user("trainee", email="bo@example.com", name="Bo", teams=[east]),
        "cy": make_user("trainee", email="cy@example.com", name="Cy", teams=[east]),
        "outsider": make_user("trainee", email="out@example.com", name="Out"),
    }
    return people


def create(client, actions, room, **changes):
    actions.login(room["boss"].email)
    values = form_values(client.get("/sim/workshops/new").get_data(as_text=True), "workshop-form")
    values.update({"title": "Spring workshop", "preset": "distributor", "seed": "4", "customers": "40",
                   "rounds": "3", "round_days": "30", "team_1": "Red", "team_2": "Blue",
                   f"member_{room['ann'].id}": "1", f"member_{room['cy'].id}": "1", f"member_{room['bo'].id}": "2"})
    values.update(changes)
    return client.post("/sim/workshops/new", data=values)


def submit(client, workshop_id, changes, round_no=None):
    html = client.get(f"/sim/workshops/{workshop_id}").get_data(as_text=True)
    values = form_values(html, "decision-form")
    if round_no is not None:
        values["round"] = str(round_no)
    values.update(changes)
    return client.post(f"/sim/workshops/{workshop_id}/submit", data=values)


def close(client, workshop_id):
    html = client.get(f"/sim/workshops/{workshop_id}").get_data(as_text=True)
    csrf = html.split('name="csrf_token" type="hidden" value="')[-1].split('"')[0]
    response = client.post(f"/sim/workshops/{workshop_id}/close", data={"csrf_token": csrf})
    if response.status_code == 302 and "/sim/jobs/" in response.headers["Location"]:
        job = jobs.wait(int(response.headers["Location"].rsplit("/", 1)[1]))
        assert job.status == "done", job.message
    return response


def test_a_facilitator_creates_a_workshop_with_teams(client, actions, room):
    response = create(client, actions, room)
    assert response.status_code == 302
    workshop = db.session.scalar(select(SimWorkshop))
    assert (workshop.preset, workshop.seed, workshop.rounds, workshop.round_days) == ("distributor", 4, 3, 30)
    assert workshop.status == "open" and workshop.current_round == 1
    teams = {t.name: sorted(m.name for m in t.members) for t in workshop.teams}
    assert teams == {"Red": ["Ann", "Cy"], "Blue": ["Bo"]}
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Round 1 of 3 is open for submissions." in html and 'data-testid="close-round"' in html


@pytest.mark.parametrize(("changes", "where", "message"), [
    ({"title": ""}, "title", "Give the workshop a title."),
    ({"rounds": "0"}, "rounds", "Enter a whole number from 1 to 12."),
    ({"round_days": "x"}, "round_days", "Enter a whole number."),
    ({"customers": "5"}, "customers", "Enter a whole number from 10 to 5000."),
    ({"rounds": "12", "round_days": "365"}, "round_days", "Rounds × days per round may be at most 1825 days."),
    ({"team_2": ""}, "member", "Team 2 has no name yet"),
    ({"team_3": "Green"}, "team_3", "Put at least one person in this team."),
    ({"team_1": "", "team_2": ""}, "general", "Name at least one team"),
    ({"team_2": "Red"}, "general", "Two teams have the same name."),
])
def test_workshop_form_errors(client, actions, room, changes, where, message):
    response = create(client, actions, room, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    if where not in ("member", "general"):
        assert 'id="' + where + '-error"' in html or message in html.split(f'name="{where}"')[1][:600]
    assert db.session.scalar(select(SimWorkshop)) is None


def test_only_managers_and_admins_create_workshops(client, actions, room):
    actions.login(room["ann"].email)
    assert client.get("/sim/workshops/new").status_code == 403


def test_rounds_late_submissions_silent_teams_and_the_leaderboard(client, actions, room):
    create(client, actions, room)
    workshop = db.session.scalar(select(SimWorkshop))
    wid = workshop.id
    actions.logout()

    # round 1: Red submits a stricter policy, Blue submits nothing
    actions.login(room["ann"].email)
    response = submit(client, wid, {"collectors": "8", "note": "More callers"})
    assert response.status_code == 302
    page = client.get(f"/sim/workshops/{wid}").get_data(as_text=True)
    assert "Submitted by Ann" in page
    actions.logout()
    actions.login(room["boss"].email)
    page = client.get(f"/sim/workshops/{wid}").get_data(as_text=True)
    assert page.count("badge good") == 1  # Red submitted, Blue not yet
    close(client, wid)
    db.session.expire_all()
    workshop = db.session.get(SimWorkshop, wid)
    assert workshop.current_round == 2 and workshop.status == "open"
    actions.logout()

    # a late round-1 submission is refused and changes nothing
    actions.login(room["bo"].email)
    before = db.session.query(SimDecision).count()
    response = submit(client, wid, {"collectors": "2"}, round_no=1)
    assert response.status_code == 409
    assert db.session.query(SimDecision).count() == before
    page = client.get(f"/sim/workshops/{wid}").get_data(as_text=True)
    assert "your submission came too late" in page
    # Blue submits for round 2 (Red stays silent from now on)
    assert submit(client, wid, {"A_net_days": "30", "ladder_manager": "20"}).status_code == 302
    # a bad value is shown next to its field and not recorded
    response = submit(client, wid, {"collectors": "0"})
    assert response.status_code == 400 and "Must be greater than zero." in field_errors(response.get_data(as_text=True), "collectors")
    actions.logout()

    actions.login(room["boss"].email)
    close(client, wid)
    close(client, wid)  # round 3 with no submissions at all: both keep their last policies
    db.session.expire_all()
    workshop = db.session.get(SimWorkshop, wid)
    assert workshop.status == "finished"
    red, blue = sorted(workshop.teams, key=lambda t: t.name != "Red")
    # the silent team kept its last policy, logged as such
    assert workshops.round_decision(red, 2).carried and workshops.round_decision(red, 2).policy["collectors"] == 8
    assert workshops.round_decision(blue, 1).carried and workshops.round_decision(blue, 1).policy == presets.default_policy("distributor")
    assert workshops.round_decision(blue, 3).policy["grades"]["A"]["net_days"] == 30

    # the replayed result equals one continuous simulation advanced round by round
    the_preset = sim.load_preset("distributor")
    s = sim.Simulation(the_preset, seed=4, customers=40)
    for r in (1, 2, 3):
        s.advance(30, sim.policy_from_dict(workshops.round_decision(blue, r).policy))
    final = db.session.scalar(select(SimRoundResult).where(SimRoundResult.team_id == blue.id, SimRoundResult.round == 3))
    assert final.summary["collected"] == pytest.approx(s.result().summary.collected)
    assert final.summary["days"] == 90

    finals = [r for t in workshop.teams for r in t.results if r.round == 3]
    best = max(r.summary["net_value"] for r in finals)
    for r in finals:  # in proportion to value, the best team on 100
        assert r.score == pytest.approx(rounds.value_score(r.summary["net_value"], best), abs=0.05)
    assert max(r.score for r in finals) == 100.0
    page = client.get(f"/sim/workshops/{wid}").get_data(as_text=True)
    assert "Finished: all 3 rounds played." in page
    assert 'data-testid="leaderboard"' in page and "Score out of 100" in page and "Net value" in page
    assert "no submission: kept its last policy" in page and "More callers" in page
    assert "Collectors: 5 → <strong>8</strong>" in page
    screen = client.get(f"/sim/workshops/{wid}/screen").get_data(as_text=True)
    assert "Final results" in screen and "Red" in screen and "Blue" in screen
    actions.logout()

    # after the end nobody submits any more; participants see the leaderboard and the full log
    actions.login(room["cy"].email)
    page = client.get(f"/sim/workshops/{wid}").get_data(as_text=True)
    assert 'data-testid="decision-form"' not in page and "Team Red" in page and "Blue" in page
    assert 'data-testid="chart-team-value"' in page and "Margin on sales made" in page  # the team's waterfall
    assert client.get(f"/sim/workshops/{wid}/screen").status_code == 403


def test_outsiders_cannot_see_or_play(client, actions, room):
    create(client, actions, room)
    wid = db.session.scalar(select(SimWorkshop.id))
    actions.logout()
    actions.login(room["outsider"].email)
    assert client.get(f"/sim/workshops/{wid}").status_code == 404
    assert client.get(f"/sim/workshops/{wid}/status.json").status_code == 404
    actions.logout()
    actions.login(room["ann"].email)
    token = form_values(client.get(f"/sim/workshops/{wid}").get_data(as_text=True), "decision-form")["csrf_token"]
    assert client.post(f"/sim/workshops/{wid}/close", data={"csrf_token": token}).status_code == 403


def test_participants_pages_poll_a_version_that_changes(client, actions, room):
    create(client, actions, room)
    wid = db.session.scalar(select(SimWorkshop.id))
    actions.logout()
    actions.login(room["bo"].email)
    first = client.get(f"/sim/workshops/{wid}/status.json").get_json()
    assert first["status"] == "open" and first["round"] == 1 and first["submitted"] == 0 and first["teams"] == 2
    submit(client, wid, {"collectors": "6"})
    second = client.get(f"/sim/workshops/{wid}/status.json").get_json()
    assert second["submitted"] == 1 and second["version"] != first["version"]


def test_a_failed_round_job_reopens_the_round(client, actions, room, monkeypatch):
    create(client, actions, room)
    wid = db.session.scalar(select(SimWorkshop.id))

    def explode(params, progress):
        raise RuntimeError("engine exploded")

    monkeypatch.setitem(jobs.HANDLERS, "round", jobs.JobHandler(explode, rounds.save_round, rounds.round_failed))
    html = client.get(f"/sim/workshops/{wid}").get_data(as_text=True)
    csrf = html.split('name="csrf_token" type="hidden" value="')[-1].split('"')[0]
    response = client.post(f"/sim/workshops/{wid}/close", data={"csrf_token": csrf})
    job = jobs.wait(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert job.status == "failed" and job.message == "engine exploded"
    db.session.expire_all()
    workshop = db.session.get(SimWorkshop, wid)
    assert workshop.status == "open" and workshop.current_round == 1
    assert db.session.scalar(select(SimRoundResult)) is None
    page = client.get(f"/sim/workshops/{wid}").get_data(as_text=True)
    assert job.error_code == "internal" and 'data-testid="round-job-error"' in page
    assert "engine exploded" not in page and "Close the round again to retry." in page  # never the exception
    assert db.session.scalar(select(SimJob).where(SimJob.kind == "round")) is not None


def test_scores_are_proportional_to_net_value_not_to_rank():
    def totals(values):
        return [s["total"] for s in rounds.score_teams([{"net_value": v} for v in values])]

    assert totals([100.0, 98.0, 50.0]) == [100.0, 98.0, 50.0]  # a 2 % gap costs 2 points, not 60
    assert totals([100.0, -20.0]) == [100.0, 0.0]  # losing money while another team earns scores nothing
    assert totals([-10.0, -20.0, -40.0]) == [100.0, 50.0, 25.0]  # all lose: the smallest loss leads
    assert totals([0.0, -5.0]) == [100.0, 0.0]
    assert totals([7.0]) == [100.0]


def test_home_asks_a_team_member_to_submit_until_they_do(client, actions, room):
    create(client, actions, room)
    wid = db.session.scalar(select(SimWorkshop.id))
    actions.logout()
    actions.login(room["cy"].email)
    assert "submit your team&#39;s policy for round 1" in client.get("/").get_data(as_text=True)
    submit(client, wid, {"collectors": "6"})
    assert "submit your team&#39;s policy for round 1" not in client.get("/").get_data(as_text=True)
