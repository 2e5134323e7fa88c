"""Length cues (single choice, role-play replies) and the recall/application mix."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest

from trainer.contentlint.cues import is_dilemma, longest_correct, reply_cues
from trainer.contentlint.kinds import kind_stats
from trainer.quiz.bank.model import Question
from trainer.roleplay.scenarios.model import Node, Variable

from .conftest import node, of_type, scenario, single

# --------------------------------------------------------------------------------------------------
# single choice: the correct option is the longest
# --------------------------------------------------------------------------------------------------


def test_correct_longest_share_and_chance_per_language() -> None:
    questions = [
        # zh: right is longest; en: right is shortest
        single("a", [("很长很长的正确答案", "Yes"), ("短", "A much longer wrong option")]),
        # a tie counts as longest (both languages)
        single("b", [("一样", "same"), ("相同", "alike"), ("三", "x")], right=1),
        # right is not the longest in either language
        single("c", [("对", "ok"), ("错得很长的选项", "long wrong option"), ("错", "no"), ("错错", "nope")]),
    ]
    zh, en = longest_correct(questions, margin=0.10)
    assert (zh.lang, zh.items, zh.longest, zh.offenders) == ("zh", 3, 2, ("a", "b"))
    assert (en.lang, en.longest, en.offenders) == ("en", 1, ("b",))
    assert zh.chance == pytest.approx((1 / 2 + 1 / 3 + 1 / 4) / 3)
    assert zh.limit == pytest.approx(zh.chance + 0.10)
    assert not zh.passed and en.passed  # 66.7 % > 46.1 %; 33.3 % <= 46.1 %


def test_only_single_choice_items_count_and_none_passes() -> None:
    multi = of_type(single("m", [("长长长长", "long long"), ("短", "s")]), "multi", "application")
    (zh, _) = longest_correct([multi], margin=0.10)
    assert zh.items == 0 and zh.share == 0.0 and zh.passed


def test_exactly_at_the_limit_passes() -> None:
    # 10 two-option items: chance 50 %, limit 60 %; 6 with the right one longest
    questions = [
        single(
            f"q{i}",
            [("长的正确答案", "long right"), ("短", "s")]
            if i < 6
            else [("对", "r"), ("长的错误答案", "long wrong")],
        )
        for i in range(10)
    ]
    zh, en = longest_correct(questions, margin=0.10)
    assert zh.share == pytest.approx(0.6) and zh.passed and en.passed
    seventh = single("q9", [("长的正确答案", "long right"), ("短", "s")])
    zh, _ = longest_correct([*questions[:9], seventh], margin=0.10)
    assert zh.share == pytest.approx(0.7) and not zh.passed


# --------------------------------------------------------------------------------------------------
# role-play: the longest reply is a good one
# --------------------------------------------------------------------------------------------------


def test_reply_cues_count_mixed_nodes_and_ties() -> None:
    nodes = [
        node("a", ("good", "很长很长的好回答", "a long good reply"), ("poor", "差", "bad")),  # cue in both
        node("b", ("good", "好", "good"), ("ok", "还行但是很长", "okay but long")),  # no cue
        node("c", ("good", "一样长", "same"), ("poor", "也一样", "also")),  # tie: cue
        node("d", ("good", "好的", "fine"), ("good", "也好", "also fine")),  # all good: not counted
        node(
            "e", ("good", "好", "x"), ("good", "很长的好回答", "long good"), ("poor", "短", "no")
        ),  # cue, two good
    ]
    zh, en = reply_cues({"s": scenario("s", *nodes)}, limit=0.40, dilemma_target=0.40)
    assert (zh.nodes, zh.mixed, zh.longest_good) == (5, 4, 3)
    assert zh.offenders == ("s/a", "s/c", "s/e")
    assert zh.share == pytest.approx(0.75) and not zh.passed
    assert (en.longest_good, en.offenders) == (3, ("s/a", "s/c", "s/e"))
    assert zh.dilemmas == 0, "replies with the same (no) effects trade nothing off"


def test_balanced_replies_pass() -> None:
    nodes = [
        node(f"n{i}", ("good", "好回答", "good one"), ("poor", "更长一些的差回答", "a longer poor reply"))
        for i in range(3)
    ] + [node("x", ("good", "更长一些的好回答", "a longer good reply"), ("ok", "还行", "fine"))]
    zh, en = reply_cues({"s": scenario("s", *nodes)}, limit=0.40, dilemma_target=0.40)
    assert zh.share == pytest.approx(0.25) and zh.passed and en.passed


def _with_effects(base: Node, *effects: dict[str, float]) -> Node:
    choices = tuple(dataclasses.replace(c, effects=MappingProxyType(e)) for c, e in zip(base.choices, effects, strict=True))
    return dataclasses.replace(base, choices=choices)


def test_a_dilemma_needs_two_defensible_replies_that_trade_scored_values() -> None:
    money_vs_relationship = _with_effects(
        node("a", ("good", "好", "good"), ("ok", "还行", "fine")), {"money": 10}, {"relationship": 10}
    )
    one_dominates = _with_effects(
        node("b", ("good", "好", "good"), ("ok", "还行", "fine")), {"money": 10, "relationship": 5}, {"money": 5}
    )
    poor_trade = _with_effects(
        node("c", ("good", "好", "good"), ("poor", "差", "bad")), {"money": 10}, {"relationship": 10}
    )
    unscored_flag = _with_effects(
        node("d", ("good", "好", "good"), ("good", "也好", "also")), {"money": 5}, {"money": 4, "flag": 1}
    )
    story = dataclasses.replace(
        scenario("s", money_vs_relationship, one_dominates, poor_trade, unscored_flag),
        variables=MappingProxyType({
            "money": Variable("money", 0, 0, 100, MappingProxyType({"zh": "钱", "en": "Money"})),
            "relationship": Variable("relationship", 60, 0, 100, MappingProxyType({"zh": "关系", "en": "Rel"})),
            "flag": Variable("flag", 0, 0, 1, MappingProxyType({"zh": "标", "en": "Flag"}), scored=False),
        }),
    )
    assert [is_dilemma(story, n) for n in story.nodes.values()] == [True, False, False, False]
    zh, _ = reply_cues({"s": story}, limit=0.40, dilemma_target=0.40)
    assert zh.dilemmas == 1 and zh.dilemma_share == pytest.approx(0.25) and not zh.dilemmas_passed


# --------------------------------------------------------------------------------------------------
# kinds
# --------------------------------------------------------------------------------------------------


def bank(application: int, recall: int, unclassified: int = 0, retired_recall: int = 0) -> list[Question]:
    base = single("base", [("对", "r"), ("错", "w")])
    made = [of_type(base, "single", "application") for _ in range(application)]
    made += [of_type(base, "truefalse", "recall") for _ in range(recall)]
    made += [of_type(base, "ordering", None) for _ in range(unclassified)]
    made += [of_type(base, "truefalse", "recall", retired=True) for _ in range(retired_recall)]
    return made


def test_kind_shares_and_their_limits() -> None:
    too_much_recall = kind_stats(bank(application=6, recall=2), 0.60, 0.20)
    assert too_much_recall.total == 8 and too_much_recall.share("application") == pytest.approx(0.75)
    assert too_much_recall.share("recall") == pytest.approx(0.25) and not too_much_recall.passed
    at_limits = kind_stats(bank(application=8, recall=2), 0.60, 0.20)
    assert at_limits.share("recall") == pytest.approx(0.2) and at_limits.passed  # exactly at the limit
    low_application = kind_stats(
        bank(application=5, recall=1) + [of_type(bank(1, 0)[0], "multi", "recall")] * 3, 0.60, 0.20
    )
    assert low_application.share("application") == pytest.approx(5 / 9) and not low_application.passed


def test_retired_questions_do_not_count_and_unclassified_fails() -> None:
    stats = kind_stats(bank(application=8, recall=2, retired_recall=5), 0.60, 0.20)
    assert (stats.total, stats.retired, stats.passed) == (10, 5, True)
    assert stats.by_type["truefalse"] == 2 and stats.truefalse == 2
    one_left = kind_stats(bank(application=8, recall=1, unclassified=1), 0.60, 0.20)
    assert one_left.by_kind["unclassified"] == 1 and not one_left.passed
    assert one_left.by_type_and_kind[("ordering", "unclassified")] == 1
    assert one_left.unclassified_ids == ("base",)
    assert one_left.by_module == {"m1-basics": {"recall": 1, "application": 8, "unclassified": 1}}
