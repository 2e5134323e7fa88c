"""``load_framework`` on the small fixture: the valid file, then one broken thing at a time.

Each error test edits a copy of the fixture, and checks the message, the line it points at, and
that nothing else is reported.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from trainer.content.source import Problem
from trainer.scorecard.framework import Framework, load_framework

FIXTURE = Path(__file__).parent / "fixtures" / "framework.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")


def line_with(text: str, needle: str, occurrence: int = 1, *, exact: bool = False) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle`` (or equal to it, stripped)."""
    hits = [
        n
        for n, line in enumerate(text.splitlines(), start=1)
        if (line.strip() == needle if exact else needle in line)
    ]
    assert len(hits) >= occurrence, f"fixture has no {needle!r} (#{occurrence})"
    return hits[occurrence - 1]


def load_edited(tmp_path: Path, old: str, new: str, count: int = 1) -> tuple[Framework, list[Problem], str]:
    assert old in TEXT, f"fixture has no {old!r}"
    text = TEXT.replace(old, new, count)
    path = tmp_path / "competencies.yaml"
    path.write_text(text, encoding="utf-8")
    framework, problems = load_framework(path)
    return framework, problems, text


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --------------------------------------------------------------------------------------------------
# The valid fixture
# --------------------------------------------------------------------------------------------------


def test_valid_fixture_loads_in_file_order(framework: Framework) -> None:
    assert framework.ids == ("credit_assessment", "data_analysis")
    credit = framework.dimension("credit_assessment")
    assert credit.title["en"] == "Credit assessment"
    assert credit.description == {"zh": "信用评估的说明", "en": "About credit assessment"}
    assert credit.statement_ids == tuple(f"credit_assessment.s{i}" for i in range(1, 5))
    assert len(framework.dimension("data_analysis").statements) == 5
    assert [level.level for level in credit.levels] == [1, 2, 3, 4, 5]
    assert credit.level(4).text_in("en") == "Credit assessment level 4"
    assert credit.level(4).text_in("zh_CN") == "信用评估4级"


def test_framework_lookups(framework: Framework) -> None:
    assert len(framework) == 2
    assert [d.id for d in framework] == ["credit_assessment", "data_analysis"]
    assert len(framework.statements) == 9
    assert framework.statements[4].id == "data_analysis.s1"  # form order: dimension by dimension
    statement = framework.statement("data_analysis.s3")
    assert statement.dimension_id == "data_analysis"
    assert statement.text_in("en") == "Data analysis statement 3"
    assert set(framework.competencies) == {"credit_assessment", "data_analysis"}
    assert framework.competencies["data_analysis"].title["zh"] == "数据分析"
    with pytest.raises(KeyError):
        framework.dimension("nope")
    with pytest.raises(KeyError):
        framework.statement("credit_assessment.s9")
    with pytest.raises(KeyError):
        framework.dimension("credit_assessment").level(6)


def test_framework_is_immutable(framework: Framework) -> None:
    credit = framework.dimension("credit_assessment")
    with pytest.raises(dataclasses.FrozenInstanceError):
        credit.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        credit.description["en"] = "changed"  # type: ignore[index]
    with pytest.raises(TypeError):
        credit.statements[0].text["zh"] = "changed"  # type: ignore[index]
    assert isinstance(framework.dimensions, tuple)
    assert isinstance(credit.statements, tuple) and isinstance(credit.levels, tuple)


# --------------------------------------------------------------------------------------------------
# Error cases
# --------------------------------------------------------------------------------------------------


def test_missing_description_points_at_the_dimension(tmp_path: Path) -> None:
    framework, problems, text = load_edited(
        tmp_path, '    description:\n      zh: "信用评估的说明"\n      en: "About credit assessment"\n', ""
    )
    problem = only(problems)
    assert problem.message == "dimension 'credit_assessment': missing key 'description'"
    assert problem.line == line_with(text, "- id: credit_assessment")
    assert framework.ids == ("data_analysis",)  # the sound dimension is still built


def test_description_missing_a_language(tmp_path: Path) -> None:
    _, problems, text = load_edited(tmp_path, '      en: "About credit assessment"\n', "")
    problem = only(problems)
    assert problem.message == "dimension 'credit_assessment' description: missing en text"
    assert problem.line == line_with(text, "description:") + 1  # inside the text block


def test_statement_id_must_carry_the_dimension_prefix(tmp_path: Path) -> None:
    _, problems, text = load_edited(tmp_path, "- id: credit_assessment.s2", "- id: data_analysis.s2")
    problem = only(problems)
    assert problem.line == line_with(text, "- id: data_analysis.s2")
    assert problem.message.startswith(
        "dimension 'credit_assessment' statement 2: id must be 'credit_assessment.'"
    )


@pytest.mark.parametrize("bad", ["credit_assessment.", "credit_assessment.S1", "credit_assessments1"])
def test_malformed_statement_ids(tmp_path: Path, bad: str) -> None:
    _, problems, text = load_edited(tmp_path, "- id: credit_assessment.s3", f"- id: {bad}")
    problem = only(problems)
    assert "statement 3: id must be" in problem.message
    assert problem.line == line_with(text, f"- id: {bad}", exact=True)


def test_duplicate_statement_id(tmp_path: Path) -> None:
    _, problems, text = load_edited(tmp_path, "- id: credit_assessment.s4", "- id: credit_assessment.s1")
    problem = only(problems)
    assert problem.message == "dimension 'credit_assessment': duplicate statement id 'credit_assessment.s1'"
    assert problem.line == line_with(text, "- id: credit_assessment.s1", occurrence=2)


def test_too_few_statements(tmp_path: Path) -> None:
    block = (
        '      - id: credit_assessment.s4\n        text:\n          zh: "信用评估第4条"\n'
        '          en: "Credit assessment statement 4"\n'
    )
    framework, problems, text = load_edited(tmp_path, block, "")
    problem = only(problems)
    assert problem.message == "dimension 'credit_assessment': expected 4 to 5 statements, found 3"
    assert problem.line == line_with(text, "statements:")
    assert "credit_assessment" not in framework.ids


def write(tmp_path: Path, text: str) -> tuple[Framework, list[Problem]]:
    path = tmp_path / "competencies.yaml"
    path.write_text(text, encoding="utf-8")
    return load_framework(path)


def test_too_many_statements(tmp_path: Path) -> None:
    last = '          en: "Data analysis statement 5"\n'
    extra = last + "      - id: data_analysis.s6\n        text: {zh: 第6条, en: Statement 6}\n"
    _, problems, text = load_edited(tmp_path, last, extra)
    problem = only(problems)
    assert problem.message == "dimension 'data_analysis': expected 4 to 5 statements, found 6"
    assert problem.line == line_with(text, "statements:", occurrence=2)


def test_statement_text_missing_chinese(tmp_path: Path) -> None:
    _, problems, text = load_edited(tmp_path, '          zh: "数据分析第2条"\n', "")
    problem = only(problems)
    assert problem.message == "dimension 'data_analysis' statement 2 text: missing zh text"
    assert problem.line == line_with(text, 'en: "Data analysis statement 2"')  # inside the text block


def test_statement_unknown_key(tmp_path: Path) -> None:
    _, problems, text = load_edited(
        tmp_path,
        "      - id: credit_assessment.s1\n",
        "      - id: credit_assessment.s1\n        weight: 2\n",
    )
    problem = only(problems)
    assert problem.message.startswith("dimension 'credit_assessment' statement 1: unknown key 'weight'")
    assert problem.line == line_with(text, "weight: 2")


def test_statement_without_text(tmp_path: Path) -> None:
    _, problems, _ = load_edited(
        tmp_path,
        '      - id: credit_assessment.s1\n        text:\n          zh: "信用评估第1条"\n'
        '          en: "Credit assessment statement 1"\n',
        "      - id: credit_assessment.s1\n",
    )
    assert only(problems).message == "dimension 'credit_assessment' statement 1: missing key 'text'"


def test_level_missing(tmp_path: Path) -> None:
    block = '      - level: 3\n        text:\n          zh: "数据分析3级"\n          en: "Data analysis level 3"\n'
    framework, problems, text = load_edited(tmp_path, block, "")
    problem = only(problems)
    assert problem.message == (
        "dimension 'data_analysis': levels must be exactly 1, 2, 3, 4, 5 in order (found: 1, 2, 4, 5)"
    )
    assert problem.line == line_with(text, "levels:", occurrence=2)
    assert framework.ids == ("credit_assessment",)


def test_levels_out_of_order(tmp_path: Path) -> None:
    text = TEXT.replace("- level: 1", "- level: X", 1).replace("- level: 2", "- level: 1", 1)
    _, problems = write(tmp_path, text.replace("- level: X", "- level: 2", 1))
    assert only(problems).message.endswith("in order (found: 2, 1, 3, 4, 5)")


@pytest.mark.parametrize("value", ['"3"', "true", "3.5"])
def test_level_number_must_be_the_integer(tmp_path: Path, value: str) -> None:
    _, problems, _ = load_edited(tmp_path, "- level: 3", f"- level: {value}")
    assert "levels must be exactly 1, 2, 3, 4, 5 in order" in only(problems).message


def test_levels_not_a_list(tmp_path: Path) -> None:
    head, rest = TEXT.split("    levels:\n", 1)
    text = head + "    levels: five\n  - id:" + rest.split("  - id:", 1)[1]
    _, problems = write(tmp_path, text)
    problem = only(problems)
    assert (
        problem.message == "dimension 'credit_assessment': levels must be a list of the levels 1, 2, 3, 4, 5"
    )
    assert problem.line == line_with(text, "levels: five")


def test_level_text_missing_english(tmp_path: Path) -> None:
    _, problems, text = load_edited(tmp_path, '          en: "Credit assessment level 2"\n', "")
    problem = only(problems)
    assert problem.message == "dimension 'credit_assessment' level 2 text: missing en text"
    assert problem.line == line_with(text, 'zh: "信用评估2级"')


def test_title_problems_are_reported_once(tmp_path: Path) -> None:
    framework, problems, text = load_edited(
        tmp_path, "title: {zh: 数据分析, en: Data analysis}", "title: {zh: 数据分析}"
    )
    problem = only(problems)  # from load_competencies; load_framework does not repeat it
    assert problem.message == "dimension 2 title: missing en text"
    assert "data_analysis" not in framework.ids


def test_unreadable_yaml_is_one_problem(tmp_path: Path) -> None:
    framework, problems, _ = load_edited(tmp_path, "dimensions:", "dimensions: [")
    assert "unreadable YAML" in only(problems).message
    assert framework.dimensions == ()


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    text = TEXT.replace("- id: credit_assessment.s2", "- id: credit_assessment.S2").replace(
        '          en: "Data analysis level 5"\n', ""
    )
    path = tmp_path / "competencies.yaml"
    path.write_text(text, encoding="utf-8")
    framework, problems = load_framework(path)
    assert len(problems) == 2, [str(p) for p in problems]
    assert problems == sorted(problems)
    assert all(str(p).startswith(f"{path}:") for p in problems)
    assert framework.dimensions == ()
