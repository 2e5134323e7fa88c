"""Policy and preset validation: every rule rejects bad input, all problems are reported at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trainer.sim import (
    MAX_CUSTOMERS,
    MAX_DAYS,
    GradePolicy,
    Policy,
    PolicyError,
    list_presets,
    load_policy,
    load_preset,
    policy_from_dict,
    policy_to_dict,
    preset_from_dict,
    validate_run,
)


def problems(exc: pytest.ExceptionInfo[PolicyError]) -> dict[str, str]:
    return {p.field: p.code for p in exc.value.problems}


def test_default_policy_round_trips_through_dict_and_json() -> None:
    p = Policy()
    d = policy_to_dict(p)
    assert policy_from_dict(json.loads(json.dumps(d))) == p


def test_partial_dict_keeps_base_values() -> None:
    base = Policy(collectors=5)
    p = policy_from_dict({"priority": "largest_balance", "grades": {"B": {"net_days": 60}}}, base=base)
    assert p.collectors == 5
    assert p.priority == "largest_balance"
    assert p.grades["B"].net_days == 60
    assert p.grades["B"].credit_limit_months == base.grades["B"].credit_limit_months
    assert p.grades["A"] == base.grades["A"]


def test_form_strings_are_accepted_as_numbers() -> None:
    p = policy_from_dict({"collectors": "4", "agency_fee": "0.15", "grades": {"A": {"accept": "false"}}})
    assert p.collectors == 4
    assert p.agency_fee == pytest.approx(0.15)
    assert p.grades["A"].accept is False


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"colectors": 3}, "colectors", "unknown_key"),
        ({"grades": {"E": {}}}, "grades.E", "unknown_key"),
        ({"grades": {"A": {"net_day": 30}}}, "grades.A.net_day", "unknown_key"),
        ({"ladder": {"lawyer": 90}}, "ladder.lawyer", "unknown_key"),
        ({"collectors": 0}, "collectors", "must_be_positive"),
        ({"collectors": -2}, "collectors", "must_be_positive"),
        ({"collectors": 2.5}, "collectors", "must_be_integer"),
        ({"collectors": "many"}, "collectors", "must_be_number"),
        ({"collectors": None}, "collectors", "required"),
        ({"reminder_days_before_due": -1}, "reminder_days_before_due", "must_not_be_negative"),
        ({"grades": {"A": {"net_days": -30}}}, "grades.A.net_days", "must_not_be_negative"),
        ({"grades": {"A": {"terms": "net", "net_days": 0}}}, "grades.A.net_days", "must_be_positive"),
        ({"grades": {"A": {"terms": "barter"}}}, "grades.A.terms", "must_be_one_of"),
        ({"grades": {"A": {"deposit": 1.5}}}, "grades.A.deposit", "must_be_fraction"),
        ({"grades": {"A": {"discount": 0.5}}}, "grades.A.discount", "too_large"),
        ({"grades": {"A": {"credit_limit_months": 0}}}, "grades.A.credit_limit_months", "must_be_positive"),
        ({"grades": {"A": {"accept": "maybe"}}}, "grades.A.accept", "must_be_bool"),
        ({"grades": {"A": {"net_days": 30, "discount": 0.02, "discount_days": 30}}}, "grades.A.discount_days",
         "must_be_before"),
        ({"grades": {"A": 7}}, "grades.A", "must_be_mapping"),
        ({"ladder": {"salesperson": 1, "manager": 60, "executive": 30}}, "ladder.executive", "ladder_out_of_order"),
        ({"ladder": {"salesperson": 10, "manager": 10}}, "ladder.manager", "ladder_out_of_order"),
        ({"ladder": {"salesperson": -5}}, "ladder.salesperson", "too_small"),
        ({"follow_up_days": 0}, "follow_up_days", "too_small"),
        ({"agency_day": -1}, "agency_day", "too_small"),
        ({"agency_fee": 1.2}, "agency_fee", "must_be_fraction"),
        ({"credit_hold_days": -3}, "credit_hold_days", "too_small"),
        ({"priority": "random"}, "priority", "must_be_one_of"),
        ({"write_off_day": 60}, "write_off_day", "must_be_after"),
        ({"write_off_day": MAX_DAYS + 1}, "write_off_day", "too_large"),
        ({"agency_day": 400, "write_off_day": 365}, "write_off_day", "must_be_after"),
    ],
)
def test_each_rule_rejects_bad_values(data: dict[str, Any], field: str, code: str) -> None:
    with pytest.raises(PolicyError) as exc:
        policy_from_dict(data)
    assert problems(exc).get(field) == code, exc.value.problems
    assert field in str(exc.value)


def test_every_problem_is_listed_at_once() -> None:
    bad = {
        "collectors": 0,
        "unknown": 1,
        "ladder": {"salesperson": 40, "manager": 20},
        "grades": {"B": {"net_days": -1}},
        "priority": "loudest",
    }
    with pytest.raises(PolicyError) as exc:
        policy_from_dict(bad)
    found = problems(exc)
    assert found == {
        "collectors": "must_be_positive",
        "unknown": "unknown_key",
        "ladder.manager": "ladder_out_of_order",
        "grades.B.net_days": "must_not_be_negative",
        "priority": "must_be_one_of",
    }
    for p in exc.value.problems:
        assert p.message and p.to_dict()["code"] == p.code
    ladder = next(p for p in exc.value.problems if p.field == "ladder.manager")
    assert ladder.params == {"step": "manager", "day": 20, "previous": "salesperson", "previous_day": 40}


def test_policy_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        policy_from_dict({"collectors": 0})


def test_not_a_mapping() -> None:
    with pytest.raises(PolicyError) as exc:
        policy_from_dict([1, 2])  # type: ignore[arg-type]
    assert list(problems(exc).values()) == ["must_be_mapping"]


def test_load_policy_from_yaml_text_json_file_and_preset_file(tmp_path: Path) -> None:
    p = load_policy("collectors: 7\npriority: first_come\n")
    assert (p.collectors, p.priority) == (7, "first_come")
    f = tmp_path / "p.json"
    f.write_text(json.dumps(policy_to_dict(Policy(collectors=9))))
    assert load_policy(f).collectors == 9
    assert load_policy(str(f)).collectors == 9
    y = tmp_path / "preset.yaml"
    y.write_text("name: x\npolicy:\n  collectors: 6\n")
    assert load_policy(y).collectors == 6


@pytest.mark.parametrize("text", ["collectors: [1, 2", "{collectors: 3", "a: b: c"])
def test_unparsable_text(text: str) -> None:
    with pytest.raises(PolicyError) as exc:
        load_policy(text)
    assert [p.code for p in exc.value.problems] == ["unparsable"]


def test_unparsable_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(PolicyError) as exc:
        load_policy(bad)
    assert exc.value.problems[0].code == "unparsable"
    assert str(bad) in str(exc.value)
    with pytest.raises(PolicyError) as exc:
        load_policy(tmp_path / "missing.yaml")
    assert exc.value.problems[0].code == "unreadable"


def test_bad_file_reports_every_problem_with_source(tmp_path: Path) -> None:
    f = tmp_path / "policy.yaml"
    f.write_text("collectors: 0\nwrite_off_day: -1\nextra: true\n")
    with pytest.raises(PolicyError) as exc:
        load_policy(f)
    assert set(problems(exc)) == {"collectors", "write_off_day", "extra"}
    assert exc.value.source == str(f)


@pytest.mark.parametrize(
    ("customers", "days", "field", "code"),
    [
        (0, 365, "customers", "must_be_positive"),
        (MAX_CUSTOMERS + 1, 365, "customers", "too_large"),
        (100, MAX_DAYS + 1, "days", "too_large"),
        (100, 0, "days", "must_be_positive"),
        (100, -5, "days", "must_be_positive"),
        (10.5, 365, "customers", "must_be_integer"),
    ],
)
def test_run_size_limits(customers: Any, days: Any, field: str, code: str) -> None:
    with pytest.raises(PolicyError) as exc:
        validate_run(customers, days)
    assert problems(exc) == {field: code}


def test_run_size_limits_accept_the_maximum() -> None:
    validate_run(MAX_CUSTOMERS, MAX_DAYS)


def test_preset_validation_collects_portfolio_and_policy_problems() -> None:
    bad = {
        "name": "x",
        "customers": MAX_CUSTOMERS + 1,
        "days": MAX_DAYS * 2,
        "portfolio": {
            "grade_mix": {"A": 0.5, "B": 0.6},
            "behaviour_mix": {"late": 1.0},
            "order_size": -10,
            "collectability_curve": [[0, 0.9], [3, 0.95]],
            "milestones": [[0, 0.5], [30, 0.2]],
            "typo": 1,
            "work_time": "gamma",
        },
        "policy": {"collectors": 0},
    }
    with pytest.raises(PolicyError) as exc:
        preset_from_dict(bad)
    found = problems(exc)
    assert found["customers"] == "too_large"
    assert found["days"] == "too_large"
    assert found["portfolio.grade_mix"] == "must_sum_to_one"
    assert found["portfolio.behaviour_mix.late"] == "unknown_key"
    assert found["portfolio.order_size"] == "must_be_positive"
    assert found["portfolio.collectability_curve[1]"] == "curve_must_not_rise"
    assert found["portfolio.milestones"] == "must_sum_to_one"
    assert found["portfolio.typo"] == "unknown_key"
    assert found["portfolio.work_time"] == "must_be_one_of"
    assert found["policy.collectors"] == "must_be_positive"


def test_shipped_presets_load_and_have_both_languages() -> None:
    names = list_presets()
    assert {"manufacturer", "distributor", "projects", "exporter"} <= set(names)
    for name in names:
        preset = load_preset(name)
        assert preset.name == name
        assert preset.title["en"] and preset.title["zh"]
        assert preset.summary["en"] and preset.summary["zh"]
        assert isinstance(preset.policy.grades["A"], GradePolicy)


def test_load_preset_with_explicit_dir_and_unknown_name(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text("name: tiny\ncustomers: 5\ndays: 30\n")
    assert load_preset("tiny", presets_dir=tmp_path).customers == 5
    with pytest.raises(PolicyError) as exc:
        load_preset("nope", presets_dir=tmp_path)
    assert exc.value.problems[0].code == "unknown_preset"
    assert exc.value.problems[0].params["known"] == ["tiny"]
