"""Role-play solo practice through the web: playing to an ending, every choice stored, the debrief,
refused moves (tampered or stale index), feedback and meters as each scenario says, permissions,
history, team results, the admin's graph and the ``flask scenario graph`` command."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.conftest import Actions
from trainer.extensions import db
from trainer.roleplay.models import Play, PlayChoice
from trainer.roleplay.scenarios import OUTCOMES

IMMEDIATE = "quality-dispute-pair"  # feedback: immediate, show_state: true
AT_END = "big-customer-longer-terms"  # feedback: end, show_state: false

CHOICE_RE = re.compile(r'name="choice" value="(\d+)"')
STEP_RE = re.compile(r'name="step" value="(\d+)"')


def start(actions: Actions, scenario_id: str) -> int:
    response = actions.post(f"/roleplay/scenarios/{scenario_id}/start", token_from="/roleplay/")
    assert response.status_code == 302, response.status_code
    match = re.search(r"/roleplay/plays/(\d+)$", response.headers["Location"])
    assert match
    return int(match.group(1))


def page_state(client, play_id: int) -> tuple[str, list[int], int | None]:
    html = client.get(f"/roleplay/plays/{play_id}").get_data(as_text=True)
    step = STEP_RE.search(html)
    return html, [int(i) for i in CHOICE_RE.findall(html)], int(step.group(1)) if step else None


def choose(actions: Actions, play_id: int, choice: int, step: int):
    return actions.post(f"/roleplay/plays/{play_id}/choose", {"choice": str(choice), "step": str(step)},
                        token_from=f"/roleplay/plays/{play_id}")


def play_to_end(actions: Actions, client, play_id: int, pick=lambda options: options[0], limit: int = 80) -> list[int]:
    made = []
    for _ in range(limit):
        _, options, step = page_state(client, play_id)
        if not options:
            return made
        choice = pick(options)
        assert choose(actions, play_id, choice, step).status_code == 302
        made.append(choice)
    raise AssertionError("the scenario did not end")


@pytest.fixture
def org(make_org):
    return make_org(
        {"east": "East", "south": "South"},
        {"amy": "trainee in east: Amy", "bob": "trainee in east: Bob", "sam": "trainee in south: Sam",
         "east_mgr": "manager of east", "south_mgr": "manager of south", "admin": "admin"},
    )


def esc(text: str) -> str:
    """Text as the templates write it (quotes and ampersands escaped)."""
    return str(escape(text))


def registry(app):
    return app.extensions["content"]


# --------------------------------------------------------------------------- the list


def test_scenario_list_shows_every_scenario_with_counts(app, client, actions, org):
    actions.login("amy@example.com")
    html = client.get("/roleplay/").get_data(as_text=True)
    scenarios = registry(app).scenarios
    assert len(scenarios) >= 5
    for scenario in scenarios.values():
        assert esc(scenario.title["en"]) in html
        assert f'data-scenario="{scenario.id}"' in html
    assert html.count('data-testid="times-played">0<') == len(scenarios)
    competency = registry(app).competencies[scenarios[IMMEDIATE].competencies[0]].title["en"]
    assert esc(competency) in html


def test_play_to_an_ending_stores_every_choice_and_shows_the_debrief(app, client, actions, org):
    actions.login("amy@example.com")
    play_id = start(actions, IMMEDIATE)
    scenario = registry(app).scenarios[IMMEDIATE]
    made = play_to_end(actions, client, play_id, pick=lambda options: options[-1])  # last listed: often weak

    play = db.session.get(Play, play_id)
    assert play.finished and play.outcome in OUTCOMES and play.ending_id in scenario.endings
    rows = db.session.scalars(select(PlayChoice).where(PlayChoice.play_id == play_id).order_by(PlayChoice.step)).all()
    assert [r.choice_index for r in rows] == made
    assert [r.step for r in rows] == list(range(1, len(made) + 1))
    node = scenario.start
    for row in rows:  # each row names the node it was made at, with that choice's tags
        assert row.node == node
        choice = scenario.nodes[node].choices[row.choice_index]
        assert (row.technique, row.quality) == (choice.technique, choice.quality)
        node = choice.next
    assert set(play.scores) == {n for n, v in scenario.variables.items() if v.scored}

    html = client.get(f"/roleplay/plays/{play_id}").get_data(as_text=True)
    ending = scenario.endings[play.ending_id]
    assert OUTCOMES[play.outcome]["en"] in html
    assert esc(ending.text["en"].split("\n")[0][:40]) in html
    assert esc(ending.debrief["en"].split("\n")[0][:40]) in html
    for name, var in scenario.variables.items():
        if var.scored:
            assert f'aria-label="{esc(var.label["en"])}: {play.scores[name]}/100"' in html
    assert html.count('class="card"') >= len(made)  # one replay card per turn
    first = scenario.nodes[scenario.start].choices[made[0]]
    assert esc(first.text["en"][:30]) in html
    if any(scenario.nodes[r.node].choices[r.choice_index].quality != "good" for r in rows):
        assert 'data-testid="better"' in html and "A better reply here" in html
    assert 'data-testid="recommended"' in html and 'data-testid="used"' in html

    history = client.get("/roleplay/history").get_data(as_text=True)
    for name, var in scenario.variables.items():
        if var.scored:
            assert f'{esc(var.label["en"])} {play.scores[name]}</span>' in history

    listing = client.get("/roleplay/").get_data(as_text=True)
    card = listing.split(f'data-scenario="{IMMEDIATE}"')[1].split("</li>")[0]
    assert 'data-testid="times-played">1<' in card and OUTCOMES[play.outcome]["en"] in card


def test_good_replies_reach_a_better_outcome_than_poor_ones(app, client, actions, org):
    scenario = registry(app).scenarios[IMMEDIATE]
    rank = {"good": 0, "ok": 1, "poor": 2}
    actions.login("amy@example.com")
    outcomes = []
    for prefer in ("good", "poor"):
        play_id = start(actions, IMMEDIATE)

        def pick(options, play_id=play_id, prefer=prefer):
            node = scenario.nodes[db.session.get(Play, play_id).state["node"]]
            ordered = sorted(options, key=lambda i: rank[node.choices[i].quality], reverse=prefer == "poor")
            return ordered[0]

        play_to_end(actions, client, play_id, pick=pick)
        outcomes.append(db.session.get(Play, play_id).outcome)
    order = list(OUTCOMES)
    assert order.index(outcomes[0]) < order.index(outcomes[1])


# --------------------------------------------------------------------------- refused moves


def test_tampered_choice_index_is_refused_and_nothing_is_stored(client, actions, org):
    actions.login("amy@example.com")
    play_id = start(actions, IMMEDIATE)
    _, options, step = page_state(client, play_id)
    for bad in ("99", "-1", "abc", ""):
        response = actions.post(f"/roleplay/plays/{play_id}/choose", {"choice": bad, "step": str(step)},
                                token_from=f"/roleplay/plays/{play_id}")
        assert response.status_code == 400, bad
        html = response.get_data(as_text=True)
        assert "not one of the choices here" in html and "nothing was saved" in html
    assert db.session.scalar(select(func.count()).select_from(PlayChoice)) == 0
    assert db.session.get(Play, play_id).state["path"] == []


def test_choice_closed_by_a_condition_is_refused(app, client, actions, org):
    """A choice that exists at the node but whose condition is false now is neither shown nor accepted."""
    found = None
    for scenario in registry(app).scenarios.values():
        for node in scenario.nodes.values():
            for choice in node.choices:
                if choice.condition is None:
                    continue
                for corner in ("minimum", "maximum"):
                    values = {n: getattr(v, corner) for n, v in scenario.variables.items()}
                    if not choice.condition.evaluate(values) and found is None:
                        found = (scenario, node, choice, values)
    assert found, "the real scenarios use conditions"
    scenario, node, closed, values = found
    actions.login("amy@example.com")
    play_id = start(actions, scenario.id)
    play = db.session.get(Play, play_id)
    play.state = {"scenario": scenario.id, "node": node.id, "vars": values, "path": [], "ending": None}
    db.session.commit()
    html, options, step = page_state(client, play_id)
    assert closed.index not in options and options
    response = choose(actions, play_id, closed.index, step)
    assert response.status_code == 400 and "not one of the choices here" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PlayChoice)) == 0


def test_stale_page_and_double_submit_are_refused(client, actions, org):
    actions.login("amy@example.com")
    play_id = start(actions, IMMEDIATE)
    _, options, step = page_state(client, play_id)
    assert step == 1
    assert choose(actions, play_id, options[0], step).status_code == 302
    again = choose(actions, play_id, options[0], step)  # the same page submitted twice
    assert again.status_code == 409
    assert "out of date" in again.get_data(as_text=True)
    future = choose(actions, play_id, 0, 7)
    assert future.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(PlayChoice)) == 1


def test_finished_play_refuses_more_choices(client, actions, org):
    actions.login("amy@example.com")
    play_id = start(actions, IMMEDIATE)
    play_to_end(actions, client, play_id)
    stored = db.session.scalar(select(func.count()).select_from(PlayChoice))
    steps = len(db.session.get(Play, play_id).state["path"])
    response = choose(actions, play_id, 0, steps + 1)
    assert response.status_code == 409 and "already ended" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PlayChoice)) == stored


# --------------------------------------------------------------------------- feedback and meters


def test_immediate_feedback_shows_after_each_choice_with_meters(app, client, actions, org):
    scenario = registry(app).scenarios[IMMEDIATE]
    assert scenario.feedback == "immediate" and scenario.show_state
    actions.login("amy@example.com")
    play_id = start(actions, IMMEDIATE)
    html, options, step = page_state(client, play_id)
    assert 'data-testid="meters"' in html
    for var in scenario.variables.values():
        assert esc(var.label["en"]) in html
    choose(actions, play_id, options[0], step)
    html, _, _ = page_state(client, play_id)
    choice = scenario.nodes[scenario.start].choices[options[0]]
    assert esc(choice.feedback["en"][:40]) in html
    assert 'data-testid="feedback"' in html
    assert esc(choice.text["en"][:40]) in html.split('data-testid="my-reply"')[1]  # my reply in the thread


def test_end_feedback_waits_for_the_debrief_and_meters_stay_hidden(app, client, actions, org):
    scenario = registry(app).scenarios[AT_END]
    assert scenario.feedback == "end" and not scenario.show_state
    actions.login("amy@example.com")
    play_id = start(actions, AT_END)
    html, options, step = page_state(client, play_id)
    assert 'data-testid="meters"' not in html
    choose(actions, play_id, options[0], step)
    html, _, _ = page_state(client, play_id)
    choice = scenario.nodes[scenario.start].choices[options[0]]
    assert esc(choice.text["en"][:40]) in html
    assert esc(choice.feedback["en"][:40]) not in html
    assert 'data-testid="feedback"' not in html and 'data-testid="meters"' not in html
    assert "comes in the debrief" in html
    play_to_end(actions, client, play_id)
    debrief = client.get(f"/roleplay/plays/{play_id}").get_data(as_text=True)
    assert esc(choice.feedback["en"][:40]) in debrief


def test_chinese_user_plays_in_chinese(app, client, actions, make_user):
    make_user("trainee", email="wei@example.com", language="zh_CN")
    actions.login("wei@example.com")
    play_id = start(actions, IMMEDIATE)
    scenario = registry(app).scenarios[IMMEDIATE]
    html = client.get(f"/roleplay/plays/{play_id}").get_data(as_text=True)
    assert esc(scenario.nodes[scenario.start].customer["zh"][:20]) in html
    assert "你的回复" in html
    assert esc(scenario.nodes[scenario.start].customer["en"][:20]) not in html


def test_a_line_said_by_someone_else_is_labelled_with_the_speaker(app, client, actions, org):
    scenario = registry(app).scenarios["limit-increase-negotiation"]
    first = scenario.nodes[scenario.start]
    assert first.speaker is not None  # the sales manager opens this one, not the customer
    actions.login("amy@example.com")
    play_id = start(actions, scenario.id)
    html, options, step = page_state(client, play_id)
    assert f'<span class="rp-who">{esc(first.speaker["en"])}</span>' in html
    assert '<span class="rp-who">Customer</span>' not in html
    choose(actions, play_id, options[0], step)
    html, _, _ = page_state(client, play_id)
    thread = html.split('data-testid="thread"')[1]
    assert f'<span class="rp-who">{esc(first.speaker["en"])}</span>' in thread  # earlier turns keep their label
    customer_play = start(actions, IMMEDIATE)
    assert '<span class="rp-who">Customer</span>' in page_state(client, customer_play)[0]


# --------------------------------------------------------------------------- restart and history


def test_restart_starts_a_new_play_and_history_lists_mine_only(client, actions, org):
    actions.login("bob@example.com")
    start(actions, AT_END)
    actions.logout()
    actions.login("amy@example.com")
    first = start(actions, IMMEDIATE)
    _, options, step = page_state(client, first)
    choose(actions, first, options[0], step)
    second = start(actions, IMMEDIATE)
    assert second != first
    html, _, step = page_state(client, second)
    assert step == 1 and 'data-testid="my-reply"' not in html
    assert len(db.session.get(Play, first).state["path"]) == 1  # the old one is kept as it was
    history = client.get("/roleplay/history").get_data(as_text=True)
    assert f"/roleplay/plays/{first}" in history and f"/roleplay/plays/{second}" in history
    bobs = db.session.scalar(select(Play.id).join(Play.user).where(Play.scenario_id == AT_END))
    assert f"/roleplay/plays/{bobs}\"" not in history
    listing = client.get("/roleplay/").get_data(as_text=True)
    assert f"/roleplay/plays/{second}" in listing  # "continue" goes to the latest unfinished play


def test_start_needs_csrf_and_a_known_scenario(client, actions, org):
    actions.login("amy@example.com")
    assert client.post(f"/roleplay/scenarios/{IMMEDIATE}/start").status_code == 400
    assert actions.post("/roleplay/scenarios/nope/start", token_from="/roleplay/").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Play)) == 0


# --------------------------------------------------------------------------- permissions


def test_trainee_cannot_open_or_play_anothers_play(client, actions, org):
    actions.login("bob@example.com")
    bobs = start(actions, IMMEDIATE)
    actions.logout()
    actions.login("amy@example.com")
    assert client.get(f"/roleplay/plays/{bobs}").status_code == 404
    response = actions.post(f"/roleplay/plays/{bobs}/choose", {"choice": "0", "step": "1"}, token_from="/roleplay/")
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(PlayChoice)) == 0
    assert client.get("/roleplay/plays/99999").status_code == 404


def test_manager_sees_own_team_plays_read_only_and_not_other_teams(client, actions, org):
    actions.login("amy@example.com")
    amys = start(actions, IMMEDIATE)
    play_to_end(actions, client, amys)
    actions.logout()
    actions.login("sam@example.com")
    sams = start(actions, AT_END)
    actions.logout()

    actions.login("east.mgr@example.com")
    html = client.get(f"/roleplay/plays/{amys}").get_data(as_text=True)
    assert 'data-testid="read-only"' in html and "Amy" in html and 'data-testid="play-again"' not in html
    assert client.get(f"/roleplay/plays/{sams}").status_code == 404
    stored = db.session.scalar(select(func.count()).select_from(PlayChoice))
    refused = actions.post(f"/roleplay/plays/{sams}/choose", {"choice": "0", "step": "1"}, token_from="/roleplay/")
    assert refused.status_code == 404
    team = client.get("/roleplay/team").get_data(as_text=True)
    assert "Amy" in team and "Bob" in team and "Sam" not in team
    assert f"/roleplay/plays/{amys}" in team and f"/roleplay/plays/{sams}" not in team
    actions.logout()

    actions.login("south.mgr@example.com")
    assert client.get(f"/roleplay/plays/{amys}").status_code == 404
    html = client.get(f"/roleplay/plays/{sams}").get_data(as_text=True)
    assert 'data-testid="read-only"' in html and 'name="choice"' not in html
    assert actions.post(f"/roleplay/plays/{sams}/choose", {"choice": "0", "step": "1"},
                        token_from="/roleplay/").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(PlayChoice)) == stored


def test_team_page_is_for_managers_and_admins(client, actions, org):
    actions.login("amy@example.com")
    assert client.get("/roleplay/team").status_code == 403
    actions.logout()
    actions.login("admin@example.com")
    html = client.get("/roleplay/team").get_data(as_text=True)
    assert "Amy" in html and "Sam" in html


def test_anonymous_is_sent_to_login(client):
    for url in ("/roleplay/", "/roleplay/history", "/join"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# --------------------------------------------------------------------------- graph and CLI


def test_admin_sees_the_scenario_graph(app, client, actions, org):
    scenario = registry(app).scenarios[IMMEDIATE]
    actions.login("admin@example.com")
    html = client.get(f"/roleplay/scenarios/{IMMEDIATE}/graph").get_data(as_text=True)
    assert "flowchart TD" in html and "<svg" in html
    assert html.count('class="rp-box ') == len(scenario.nodes) + len(scenario.endings)
    edges = sum(len(n.choices) for n in scenario.nodes.values())
    assert html.count('<g class="rp-edge ') == edges
    for node_id in scenario.nodes:
        assert f'data-node="{node_id}"' in html and f'id="node-{node_id}"' in html
    assert client.get("/roleplay/scenarios/nope/graph").status_code == 404
    assert "/graph" in client.get("/roleplay/").get_data(as_text=True)


@pytest.mark.parametrize("who", ["amy@example.com", "east.mgr@example.com"])
def test_graph_is_admin_only(client, actions, org, who):
    actions.login(who)
    assert client.get(f"/roleplay/scenarios/{IMMEDIATE}/graph").status_code == 403
    assert "/graph" not in client.get("/roleplay/").get_data(as_text=True)


def test_cli_prints_mermaid_in_both_languages(app, runner):
    scenario = registry(app).scenarios[IMMEDIATE]
    result = runner.invoke(args=["scenario", "graph", IMMEDIATE])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("flowchart TD")
    assert result.output.count("-->") + result.output.count("-.->") == sum(len(n.choices) for n in scenario.nodes.values())
    english = runner.invoke(args=["scenario", "graph", IMMEDIATE, "--lang", "en"])
    assert english.exit_code == 0 and "Paid in full" in english.output and "Paid in full" not in result.output


def test_cli_refuses_unknown_scenario_and_language(runner):
    result = runner.invoke(args=["scenario", "graph", "no-such-scenario"])
    assert result.exit_code == 2
    assert "no scenario with id 'no-such-scenario'" in result.output and IMMEDIATE in result.output
    assert runner.invoke(args=["scenario", "graph", IMMEDIATE, "--lang", "fr"]).exit_code == 2


# --------------------------------------------------------------------------- home and demo data


def test_home_suggests_a_scenario_then_continuing(client, actions, org):
    actions.login("amy@example.com")
    home = client.get("/").get_data(as_text=True)
    assert "Practise a conversation" in home
    play_id = start(actions, IMMEDIATE)
    _, options, step = page_state(client, play_id)
    choose(actions, play_id, options[0], step)
    home = client.get("/").get_data(as_text=True)
    assert "Finish the conversation" in home and f"/roleplay/plays/{play_id}" in home


@pytest.mark.slow  # seeds the whole demo organisation (twice to compare)
def test_demo_seeder_adds_plays_with_different_outcomes_and_a_past_workshop(app, runner):
    from trainer.roleplay.models import RubricScore, WorkshopSession

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    outcomes = set(db.session.scalars(select(Play.outcome).where(Play.finished_at.is_not(None))).all())
    assert len(outcomes) >= 3
    for play in db.session.scalars(select(Play)).all():
        assert len(play.choices) == len(play.state["path"])
    session = db.session.scalars(select(WorkshopSession)).one()
    assert session.status == "closed" and session.debrief_revealed and session.round == 2
    scores = db.session.scalars(select(RubricScore)).all()
    assert len(scores) == 4 and all(0 <= s.percent <= 100 for s in scores)
    first = sorted((p.scenario_id, p.outcome or '', len(p.choices)) for p in db.session.scalars(select(Play)).all())
    db.session.remove()
    db.drop_all()
    db.create_all()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    again = sorted((p.scenario_id, p.outcome or '', len(p.choices)) for p in db.session.scalars(select(Play)).all())
    assert first == again
