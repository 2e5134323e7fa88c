"""The pure parts of the input layer: bounded ids, JSON depth without recursion, the failure
window behind the /join throttle and the policy file's comment lines."""

from __future__ import annotations

import pytest
import yaml

from trainer.core.inputs import MAX_ID, bounded_int, json_depth
from trainer.core.throttle import FailureWindow
from trainer.policylab.services.exports import comment_line, policy_yaml


@pytest.mark.parametrize("raw, expected", [
    ("1", 1), (" 42 ", 42), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("0", None), ("-1", None),
    ("²", None), ("٣", None), ("1e3", None), ("", None), (None, None), ("9" * 5000, None), ("12345678901", None),
])
def test_bounded_int(raw, expected):
    assert bounded_int(raw) == expected


def test_bounded_int_with_other_bounds():
    assert bounded_int("0", low=0) == 0
    assert bounded_int("1000001", high=1_000_000) is None


@pytest.mark.parametrize("text, depth", [
    ("", 0), ("1", 0), ("[]", 1), ('{"a": [1, {"b": []}]}', 4), ('["[[[[", "\\"[["]', 1), ("[" * 3000, 3000),
])
def test_json_depth_counts_brackets_outside_strings(text, depth):
    assert json_depth(text.encode()) == depth


def test_failure_window_forgets_after_its_seconds():
    now = [0.0]
    window = FailureWindow(60.0, clock=lambda: now[0])
    for _ in range(3):
        window.add("user:1")
    assert window.count("user:1") == 3 and window.blocked({"user:1": 3}) and not window.blocked({"user:2": 1})
    now[0] = 61.0
    assert window.count("user:1") == 0 and not window.blocked({"user:1": 3})


@pytest.mark.parametrize("name", ["a\nb", "a\r\nb", "a\rb", "a\x85b", "a\u2028b", "a\u2029b", "a\x00b", "a\x0bb"])
def test_comment_line_keeps_one_line(name):
    assert comment_line(name) in ("a b", "a  b")
    text = policy_yaml({"x": 1}, [f"run {name}"])
    assert text.count("\n") == 2 and yaml.safe_load(text) == {"x": 1}
