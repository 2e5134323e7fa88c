"""The state machine, the debrief, the conversation view and the Mermaid graph on the good fixture."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.roleplay import play as roleplay
from trainer.roleplay.play import RoleplayError
from trainer.roleplay.scenarios import mermaid


def play(scenario, *indexes: int):  # type: ignore[no-untyped-def]
    state = roleplay.start(scenario)
    for index in indexes:
        state = roleplay.choose(scenario, state, index)
    return state


def test_start_state_is_plain_json(good) -> None:  # type: ignore[no-untyped-def]
    state = roleplay.start(good)
    assert state == {
        "scenario": "good",
        "node": "open",
        "vars": {"money": 0, "relationship": 60, "facts": 0},
        "path": [],
        "ending": None,
    }
    assert json.loads(json.dumps(state)) == state


def test_choose_applies_effects_records_path_and_does_not_mutate(good) -> None:  # type: ignore[no-untyped-def]
    before = roleplay.start(good)
    snapshot = copy.deepcopy(before)
    after = roleplay.choose(good, before, 0)
    assert before == snapshot
    assert after["node"] == "details"
    assert after["vars"] == {"money": 0, "relationship": 65, "facts": 1}
    assert after["path"] == [{"node": "open", "choice": 0}]
    assert not roleplay.is_finished(after)


def test_effects_are_clamped_to_bounds(good) -> None:  # type: ignore[no-untyped-def]
    state = play(good, 0, 0, 0, 0, 0)  # five facts asked for; facts is capped at 4
    assert state["vars"]["facts"] == 4
    state = play(good, 0, 2)  # money would go to -10
    assert state["vars"]["money"] == 0


def test_conditions_open_and_close_choices(good) -> None:  # type: ignore[no-untyped-def]
    state = play(good, 0)
    assert [c.index for c in roleplay.available_choices(good, state)] == [0, 2]
    with pytest.raises(RoleplayError, match="not available"):
        roleplay.choose(good, state, 1)
    state = roleplay.choose(good, state, 0)  # facts 2: the instalment offer opens
    assert [c.index for c in roleplay.available_choices(good, state)] == [0, 1, 2]
    harsh = play(good, 1)  # relationship 30: the lawyer's letter opens
    assert [c.index for c in roleplay.available_choices(good, harsh)] == [0, 2, 3]


def test_reaching_an_ending_finishes_the_play(good) -> None:  # type: ignore[no-untyped-def]
    state = play(good, 0, 0, 1)
    assert roleplay.is_finished(state)
    assert state["node"] == state["ending"] == "plan"
    assert state["vars"]["money"] == 70
    assert roleplay.available_choices(good, state) == []
    with pytest.raises(RoleplayError, match="already finished"):
        roleplay.choose(good, state, 0)


@pytest.mark.parametrize("index", [-1, 2, "0", True, None])
def test_bad_choice_index(good, index) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RoleplayError):
        roleplay.choose(good, roleplay.start(good), index)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s.update(scenario="other"),
        lambda s: s.update(node="ghost"),
        lambda s: s.update(ending="ghost", node="ghost"),
        lambda s: s["vars"].pop("money"),
        lambda s: s.update(path=None),
    ],
)
def test_a_state_that_does_not_fit_is_refused(good, tamper) -> None:  # type: ignore[no-untyped-def]
    state = roleplay.start(good)
    tamper(state)
    with pytest.raises(RoleplayError):
        roleplay.available_choices(good, state)


def test_replay_rebuilds_the_state_and_rejects_a_foreign_path(good) -> None:  # type: ignore[no-untyped-def]
    state = play(good, 1, 0, 3)
    assert roleplay.replay(good, state["path"]) == state
    with pytest.raises(RoleplayError, match="step 2"):
        roleplay.replay(good, [{"node": "open", "choice": 0}, {"node": "open", "choice": 0}])


def test_debrief_of_a_weak_play(good) -> None:  # type: ignore[no-untyped-def]
    state = play(good, 1, 2)  # threatens, then gives in
    report = roleplay.debrief(good, state["path"], "en")
    assert report["finished"] is True
    assert report["outcome"] == {"id": "written_off", "label": "Written off"}
    assert report["ending"]["debrief"] == "Too soft."
    assert report["scores"] == [
        {
            "variable": "money",
            "label": "Money likely recovered",
            "value": 0,
            "min": 0,
            "max": 100,
            "score": 0,
        },
        {"variable": "relationship", "label": "Relationship", "value": 35, "min": 0, "max": 100, "score": 35},
    ]  # facts is not scored
    techniques = report["techniques"]
    assert [t["id"] for t in techniques["used"]] == ["threaten", "give_in"]
    assert [t["id"] for t in techniques["recommended"]] == ["listen", "verify"]
    assert techniques["matched"] == []
    assert [t["id"] for t in techniques["missed"]] == ["listen", "verify"]
    assert [t["id"] for t in techniques["to_avoid"]] == ["threaten", "give_in"]
    assert report["quality"] == {"good": 0, "ok": 0, "poor": 2}
    first, second = report["turns"]
    assert first["chosen"]["text"] == "No, you pay today."
    assert first["better"]["text"] == "Has something come up on your side?"
    assert first["better"]["quality"] == "good"
    assert second["node"] == "details" and second["better"]["index"] == 0
    assert json.loads(json.dumps(report)) == report


def test_debrief_better_choice_only_counts_choices_open_at_that_turn(good) -> None:  # type: ignore[no-untyped-def]
    # After a harsh opening the legal route (ok) is open; with one fact, the instalment offer is not.
    state = play(good, 1, 3)
    turn = roleplay.debrief(good, state["path"], "zh")["turns"][1]
    assert turn["chosen"]["quality"] == "ok"
    assert turn["better"]["index"] == 0  # the good 'ask for details', not the closed instalment offer
    assert turn["better"]["technique_label"] == "核实信息"


def test_debrief_of_a_perfect_turn_has_no_better_choice_and_works_unfinished(good) -> None:  # type: ignore[no-untyped-def]
    state = play(good, 0)
    report = roleplay.debrief(good, state["path"], "zh")
    assert report["finished"] is False and report["outcome"] is None and report["ending"] is None
    assert report["turns"][0]["better"] is None
    assert report["turns"][0]["customer"] == "钱下周再说吧。"
    assert report["turns"][0]["speaker"] is None
    assert [t["id"] for t in report["techniques"]["matched"]] == ["listen"]


def test_view_shows_line_choices_meters_and_immediate_feedback(good) -> None:  # type: ignore[no-untyped-def]
    state = play(good, 0)
    screen = roleplay.view(good, state, "en")
    assert screen["customer"] == "Cash is a bit tight."
    assert screen["speaker"] == "Their accountant"  # the node names who speaks
    assert roleplay.view(good, roleplay.start(good), "zh")["speaker"] is None  # the customer, by default
    assert [c["index"] for c in screen["choices"]] == [0, 2]
    assert screen["last"]["feedback"] == "Listen first."
    assert screen["step"] == 2
    assert {m["variable"]: m["score"] for m in screen["meters"]} == {
        "money": 0,
        "relationship": 65,
        "facts": 25,
    }
    done = roleplay.view(good, play(good, 0, 0, 1), "zh")
    assert done["finished"] and done["ending"]["outcome"]["label"] == "达成付款计划"


def test_mermaid_lists_every_node_edge_and_styled_ending(good) -> None:  # type: ignore[no-untyped-def]
    chart = mermaid(good, "en")
    lines = chart.splitlines()
    assert lines[0] == "flowchart TD"
    assert '    n0["open: Let\'s talk about the money next week."]' in lines
    assert '    e0(["Payment plan agreed: plan"]):::payment_plan' in lines
    assert "    class n0 start" in lines
    edges = [line for line in lines if "-->" in line or "-.->" in line]
    assert len(edges) == sum(len(n.choices) for n in good.nodes.values())
    # conditional edges are dotted and carry the condition, with < and > escaped for Mermaid
    assert '    n1 -.->|"2. Then pay in two instalments. (ok) [facts #62;= 2]"| e0' in lines
    assert any(line.startswith("    classDef written_off ") for line in lines)
    assert "钱下周再说吧" in mermaid(good, "zh")


def test_a_tampered_path_is_refused(good) -> None:  # type: ignore[no-untyped-def]
    state = play(good, 0)
    state["path"][0]["choice"] = 7
    with pytest.raises(RoleplayError, match="path"):
        roleplay.view(good, state, "en")


def test_view_hides_meters_and_feedback_when_the_scenario_says_so(good) -> None:  # type: ignore[no-untyped-def]
    quiet = dataclasses.replace(good, feedback="end", show_state=False)
    screen = roleplay.view(quiet, play(quiet, 0), "en")
    assert screen["last"] is None and screen["meters"] == []
    # the debrief still carries every choice's feedback
    assert (
        roleplay.debrief(quiet, play(quiet, 0)["path"], "en")["turns"][0]["chosen"]["feedback"]
        == "Listen first."
    )


@settings(max_examples=200, deadline=None)
@given(picks=st.lists(st.integers(min_value=0, max_value=10), max_size=12))
def test_random_plays_stay_in_bounds_and_replay_exactly(good, picks) -> None:  # type: ignore[no-untyped-def]
    state = roleplay.start(good)
    for pick in picks:
        options = roleplay.available_choices(good, state)
        if not options:
            break
        state = roleplay.choose(good, state, options[pick % len(options)].index)
    for name, var in good.variables.items():
        assert var.minimum <= state["vars"][name] <= var.maximum
    assert json.loads(json.dumps(state)) == state
    assert roleplay.replay(good, state["path"]) == state
    report = roleplay.debrief(good, state["path"], "en")
    assert len(report["turns"]) == len(state["path"])
    assert report["finished"] == roleplay.is_finished(state)
    assert all(0 <= s["score"] <= 100 for s in report["scores"])
