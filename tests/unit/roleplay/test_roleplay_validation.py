"""The scenario validator on broken fixtures: every problem is path:line: message naming the node."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.content.source import Problems
from trainer.roleplay.scenarios import is_warning, load_scenario, load_scenarios

FIXTURES = Path(__file__).parent / "fixtures"
COMPETENCIES = ["collection_communication", "negotiation_objections"]
BROKEN = FIXTURES / "broken"


def problems_of(name: str) -> list[str]:
    problems = Problems()
    load_scenario(BROKEN / f"{name}.yaml", competency_ids=COMPETENCIES, problems=problems)
    return [str(p) for p in problems]


def located(name: str, line: int, message: str) -> str:
    return f"{BROKEN / name}.yaml:{line}: {message}"


def test_the_good_fixture_loads_without_problems(good) -> None:  # type: ignore[no-untyped-def]
    assert good.start == "open"
    assert list(good.nodes) == ["open", "details"]
    assert {e.outcome for e in good.endings.values()} == {"payment_plan", "written_off", "escalated_legal"}
    assert good.nodes["details"].choices[1].condition.source == "facts >= 2"
    assert good.variables["facts"].scored is False


def test_a_speaker_needs_both_languages(tmp_path: Path) -> None:
    text = (FIXTURES / "good.yaml").read_text(encoding="utf-8")
    broken = text.replace("speaker: {zh: 对方财务, en: Their accountant}", "speaker: {zh: 对方财务}")
    assert broken != text
    (tmp_path / "good.yaml").write_text(broken, encoding="utf-8")
    problems = Problems()
    assert load_scenario(tmp_path / "good.yaml", competency_ids=COMPETENCIES, problems=problems) is None
    assert [p.message for p in problems] == ["node 'details' speaker: missing en text"]


def test_unreachable_node_is_named_with_its_line() -> None:
    assert problems_of("unreachable") == [
        located("unreachable", 22, "node 'orphan' cannot be reached from the start 'open'")
    ]


def test_path_with_no_end_and_choice_pointing_nowhere() -> None:
    assert problems_of("no-end") == [
        located(
            "no-end", 27, "node 'loop_a': no ending can be reached from here (the conversation never ends)"
        ),
        located(
            "no-end", 35, "node 'loop_b': no ending can be reached from here (the conversation never ends)"
        ),
        located("no-end", 47, "node 'loop_b' choice 2: next 'nowhere' is neither a node nor an ending"),
    ]


def test_undeclared_variables_and_non_numeric_effects() -> None:
    assert problems_of("undeclared") == [
        located("undeclared", 22, "node 'open' choice 1: effect on 'money' must be a number (got 'high')"),
        located("undeclared", 22, "node 'open' choice 1: effect on undeclared variable 'trust'"),
        located("undeclared", 28, "node 'open' choice 2: condition uses undeclared variable 'patience'"),
    ]


def test_missing_translations_anywhere() -> None:
    assert problems_of("untranslated") == [
        located("untranslated", 3, "summary: missing en text"),
        located("untranslated", 15, "node 'open' customer: missing en text"),
        located("untranslated", 26, "ending 'paid' debrief: missing zh text"),
        located("untranslated", 26, "ending 'paid' debrief: unknown language 'fr'"),
    ]


def test_bad_conditions_are_reported_not_evaluated() -> None:
    found = problems_of("bad-condition")
    assert len(found) == 3
    assert found[0].startswith(
        located("bad-condition", 22, "node 'open' choice 1: bad condition 'money >= '")
    )
    assert "choice 2: bad condition" in found[1] and "'Call' is not allowed" in found[1]
    assert "choice 3: bad condition" in found[2] and "'BinOp' is not allowed" in found[2]


def test_dead_choices_are_warnings_and_the_scenario_still_loads() -> None:
    problems = Problems()
    scenario = load_scenario(BROKEN / "dead-choice.yaml", competency_ids=COMPETENCIES, problems=problems)
    assert scenario is not None
    assert all(is_warning(p) for p in problems)
    assert [str(p) for p in problems] == [
        located(
            "dead-choice",
            31,
            "warning: node 'ask' choice 1: dead choice, condition 'money > 100' can never be true "
            "within the variables' bounds",
        ),
        located(
            "dead-choice",
            37,
            "warning: node 'ask' choice 2: dead choice, condition 'facts >= 2' is never true on any "
            "path to this node (facts 1..1)",
        ),
    ]


def test_unknown_keys_values_and_clashing_ids() -> None:
    found = problems_of("misc")
    expected_fragments = [
        ":4: unknown competency 'charm'",
        ":5: feedback must be one of immediate, end (got 'later')",
        ":13: scenario: unknown key 'colour'",
        ":19: node 'open' choice 1: unknown technique 'mumble'",
        ":20: node 'open' choice 1: quality must be one of good, ok, poor (got 'great')",
        ":23: node 'open' choice 1: effects must be a mapping",
        ":33: ending 'paid': a node has the same id",
        ":34: ending 'paid': outcome must be one of",
    ]
    assert len(found) == len(expected_fragments)
    for line, fragment in zip(found, expected_fragments, strict=True):
        assert fragment in line


def test_load_scenarios_collects_every_file_and_keeps_only_loadable_ones() -> None:
    scenarios, problems = load_scenarios(BROKEN, competency_ids=COMPETENCIES)
    assert sorted(scenarios) == ["dead-choice"]
    files = {Path(p.path).stem for p in problems}
    assert files == {
        "bad-condition",
        "dead-choice",
        "misc",
        "no-end",
        "undeclared",
        "unreachable",
        "untranslated",
    }


GOOD_TEXT = (FIXTURES / "good.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "good") -> list[str]:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    load_scenario(path, competency_ids=COMPETENCIES, problems=problems)
    return [p.message for p in problems]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("id: good", "id: other", "scenario id 'other' must equal the file name 'good'"),
        ("start: open", "start: nowhere", "start 'nowhere' is not a node id"),
        (
            "{initial: 60, min: 0, max: 100,",
            "{initial: 160, min: 0, max: 100,",
            "variable 'relationship': initial must lie between min and max",
        ),
        (
            "{initial: 0, min: 0, max: 4,",
            "{initial: 0, min: 4, max: 4,",
            "variable 'facts': min must be less than max",
        ),
        ("money: {initial: 0,", "and: {initial: 0,", "variable 'and': use lower-case letters"),
        ("show_state: true", "show_state: yes please", "show_state must be true or false"),
        (
            "        effects: {relationship: -30}\n",
            "        effects: {relationship: true}\n",
            "effect on 'relationship' must be a number (got True)",
        ),
    ],
)
def test_single_mistakes(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in GOOD_TEXT
    found = write(tmp_path, GOOD_TEXT.replace(old, new, 1))
    assert any(message in m for m in found), found


def test_a_node_whose_choices_are_all_conditional_is_an_error(tmp_path: Path) -> None:
    text = GOOD_TEXT.replace(
        "        effects: {relationship: 5, facts: 1}\n",
        '        effects: {relationship: 5, facts: 1}\n        condition: "relationship > 0"\n',
    ).replace(
        "        effects: {relationship: -30}\n",
        '        effects: {relationship: -30}\n        condition: "money >= 0"\n',
    )
    found = write(tmp_path, text)
    assert found == [
        "node 'open': every choice has a condition; give at least one choice no condition so the player "
        "can never be stuck"
    ]


def test_missing_endings_and_unreadable_yaml(tmp_path: Path) -> None:
    head = GOOD_TEXT.split("endings:")[0]
    found = write(tmp_path, head + "endings: {}\n")
    assert "endings must be a non-empty mapping: a scenario needs at least one ending" in found
    assert any(m.startswith("unreadable YAML") for m in write(tmp_path, "id: [unclosed\n"))
    assert write(tmp_path, "- just\n- a list\n") == ["a scenario file must be a mapping of keys to values"]


def test_missing_folder_is_a_problem(tmp_path: Path) -> None:
    scenarios, problems = load_scenarios(tmp_path / "absent", competency_ids=COMPETENCIES)
    assert scenarios == {} and [p.message for p in problems] == ["scenario folder not found"]
