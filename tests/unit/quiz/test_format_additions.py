"""The question format additions of issue 14: ``kind`` (recall / application), ``retired`` questions
(kept, never drawn) and credit-0 numeric alternatives (a recognised slip with targeted feedback)."""

from __future__ import annotations

import dataclasses
import random
import textwrap
from pathlib import Path
from types import MappingProxyType

import pytest

from tests.conftest import COMPETENCIES
from trainer.quiz.bank.definitions import load_quiz_definitions
from trainer.quiz.bank.gift_read import import_gift, parse_gift
from trainer.quiz.bank.gift_write import export_gift
from trainer.quiz.bank.loader import load_banks
from trainer.quiz.bank.model import DrawRule, Question, QuestionBankSet
from trainer.quiz.grading import grade
from trainer.quiz.instances import draw_quiz

from .conftest import MODULES, inst, make_question, quiz

HEAD = """\
bank: b
title: {zh: 题库, en: Bank}
questions:
"""

SINGLE = """\
- id: s1
  type: single
  module: m1-basics
  competencies: [data_analysis]
  difficulty: easy
  text: {zh: 问题, en: Question}
  explanation: {zh: 解释, en: Explanation}
  options:
    - {id: a, text: {zh: 甲, en: A}, correct: true}
    - {id: b, text: {zh: 乙, en: B}}
"""

DSO = """\
- id: n1
  type: numeric
  kind: application
  module: m4-data
  competencies: [data_analysis]
  difficulty: medium
  text:
    zh: "年赊销{S}万元，期初应收账款{A0}万元，期末{A1}万元。DSO是多少天？"
    en: "Credit sales {S}, opening receivables {A0}, closing {A1}. What is the DSO?"
  explanation: {zh: "平均应收账款 ÷ 赊销 × 365 = {answer}", en: "Average AR / sales × 365 = {answer}"}
  params: {S: 730, A0: 80, A1: 100}
  formula: "dso((A0 + A1) / 2, S, 365)"
  tolerance: 0.5
  alternatives:
"""

CLOSING_SLIP = """\
    - formula: "dso(A1, S, 365)"
      tolerance: 0.5
      credit: 0
      feedback: {zh: 你用了期末余额，应当用平均余额。, en: You used the closing balance; DSO uses the average.}
"""
DAYS_SLIP = """\
    - formula: "dso((A0 + A1) / 2, S, 360)"
      tolerance: 0.5
      credit: 25
      feedback: {zh: 一年按365天算。, en: Count the year as 365 days.}
"""


def bank(*questions: str) -> str:
    return HEAD + "".join(textwrap.indent(q, "  ") for q in questions)


def with_keys(question: str, extra: str) -> str:
    """The question with extra top-level keys inserted after its ``type`` line."""
    head, _, rest = question.partition("\n")
    kind_line, _, tail = rest.partition("\n")
    return f"{head}\n{kind_line}\n{extra}{tail}"


def load(tmp_path: Path, text: str) -> tuple[QuestionBankSet, list[str]]:
    folder = tmp_path / "banks"
    folder.mkdir(exist_ok=True)
    (folder / "b.yaml").write_text(text, encoding="utf-8")
    bank_set, problems = load_banks(folder, module_ids=MODULES, competency_ids=COMPETENCIES)
    return bank_set, [str(p).replace(f"{folder}/", "") for p in problems]


# --------------------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------------------


def test_kind_and_retired_are_optional_and_default_to_unclassified_and_active(tmp_path: Path) -> None:
    bank_set, problems = load(tmp_path, bank(SINGLE))
    assert problems == []
    assert (bank_set["s1"].kind, bank_set["s1"].retired) == (None, False)


def test_kind_and_retired_are_read(tmp_path: Path) -> None:
    bank_set, problems = load(tmp_path, bank(with_keys(SINGLE, "  kind: recall\n  retired: true\n")))
    assert problems == []
    assert (bank_set["s1"].kind, bank_set["s1"].retired) == ("recall", True)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "  kind: judgement\n",
            "b.yaml:6: question s1: kind must be one of recall, application, got 'judgement'",
        ),
        (
            "  kind: [recall]\n",
            "b.yaml:6: question s1: kind must be one of recall, application, got ['recall']",
        ),
        ("  retired: yes please\n", "b.yaml:6: question s1: retired must be true or false, got 'yes please'"),
        ("  retired: 1\n", "b.yaml:6: question s1: retired must be true or false, got 1"),
    ],
)
def test_bad_kind_or_retired_is_a_problem(tmp_path: Path, extra: str, expected: str) -> None:
    bank_set, problems = load(tmp_path, bank(with_keys(SINGLE, extra)))
    assert problems == [expected]
    assert "s1" not in bank_set


def test_credit_zero_slip_loads_with_formula_and_feedback(tmp_path: Path) -> None:
    bank_set, problems = load(tmp_path, bank(DSO + CLOSING_SLIP + DAYS_SLIP))
    assert problems == []
    credits = [a.credit for a in bank_set["n1"].answers]
    assert credits == [100.0, 0.0, 25.0]


@pytest.mark.parametrize(
    "slip",
    [
        # no formula: the same answer with another tolerance would be a free 0 for a right answer
        "    - {tolerance: 3, credit: 0, feedback: {zh: 差一点, en: Close}}\n",
        # no feedback: a slip that says nothing is just a wrong answer
        '    - {formula: "dso(A1, S, 365)", tolerance: 0.5, credit: 0}\n',
    ],
)
def test_credit_zero_needs_formula_and_feedback(tmp_path: Path, slip: str) -> None:
    _, problems = load(tmp_path, bank(DSO + slip))
    assert len(problems) == 1 and "credit 0 marks a recognised slip" in problems[0], problems


def test_negative_credit_is_still_refused(tmp_path: Path) -> None:
    slip = '    - {formula: "dso(A1, S, 365)", tolerance: 0.5, credit: -10, feedback: {zh: 错, en: Wrong}}\n'
    _, problems = load(tmp_path, bank(DSO + slip))
    assert len(problems) == 1 and "credit" in problems[0] and "at least 0" in problems[0], problems


# --------------------------------------------------------------------------------------------------
# grading a recognised slip
# --------------------------------------------------------------------------------------------------


def dso_question(tmp_path: Path) -> Question:
    bank_set, problems = load(tmp_path, bank(DSO + CLOSING_SLIP + DAYS_SLIP))
    assert problems == []
    return bank_set["n1"]


def test_slip_earns_nothing_but_names_the_mistake(tmp_path: Path) -> None:
    question = dso_question(tmp_path)
    closing = grade(question, inst(question), "50")  # 100 / 730 × 365
    assert closing.score == 0.0 and not closing.correct and closing.answered
    assert [f["en"] for f in closing.feedback] == ["You used the closing balance; DSO uses the average."]


def test_partial_credit_slip_and_right_answer_win_over_the_zero_slip(tmp_path: Path) -> None:
    question = dso_question(tmp_path)
    days_360 = grade(question, inst(question), "44.4")  # 90 / 730 × 360
    assert days_360.score == pytest.approx(0.25)
    assert [f["en"] for f in days_360.feedback] == ["Count the year as 365 days."]
    right = grade(question, inst(question), "45")
    assert right.score == 1.0 and right.feedback == ()
    other = grade(question, inst(question), "12")
    assert other.score == 0.0 and other.feedback == ()


# --------------------------------------------------------------------------------------------------
# retired questions are never drawn
# --------------------------------------------------------------------------------------------------


def bank_with_retired(active: int, retired: int) -> QuestionBankSet:
    questions = [make_question(f"a{i:02d}") for i in range(active)]
    questions += [dataclasses.replace(make_question(f"r{i:02d}"), retired=True) for i in range(retired)]
    return QuestionBankSet(MappingProxyType({}), MappingProxyType({q.id: q for q in questions}))


def test_drawable_leaves_out_retired_questions() -> None:
    bank_set = bank_with_retired(3, 2)
    assert [q.id for q in bank_set.drawable()] == ["a00", "a01", "a02"]
    assert bank_set.is_drawable("a00") and not bank_set.is_drawable("r00") and not bank_set.is_drawable("zz")
    assert "r00" in bank_set and bank_set["r00"].retired  # still there for history
    assert [q.id for q in bank_set.select(module="m1-basics")] == ["a00", "a01", "a02"]


def test_quizzes_and_refreshers_never_draw_retired_questions() -> None:
    bank_set = bank_with_retired(5, 5)
    definition = quiz(DrawRule(5, module="m1-basics"))
    for seed in range(30):
        drawn = {
            i.question_id for i in draw_quiz(definition, bank_set, random.Random(seed), prefer=["r00", "r01"])
        }
        assert drawn == {"a00", "a01", "a02", "a03", "a04"}


def test_daily_review_skips_retired_due_cards() -> None:
    bank_set = bank_with_retired(2, 2)
    definition = quiz(DrawRule(4), kind="review")
    drawn = draw_quiz(definition, bank_set, random.Random(1), prefer=["r00", "a01", "r01", "a00"])
    assert sorted(i.question_id for i in drawn) == ["a00", "a01"]


def test_draw_rules_are_checked_against_questions_still_in_use(tmp_path: Path) -> None:
    bank_set = bank_with_retired(3, 5)
    path = tmp_path / "quizzes.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            quizzes:
              - id: final
                kind: final
                title: {zh: 结业, en: Final}
                draw: [{count: 4}]
                pass_mark: 70
                time_limit_minutes: null
                max_attempts: null
                grading: highest
                show_feedback: after_submit
            """
        ),
        encoding="utf-8",
    )
    _, problems = load_quiz_definitions(path, bank_set=bank_set, module_ids=MODULES)
    messages = [p.message for p in problems]
    assert any("wants 4 questions" in m and "the banks have 3 (not retired)" in m for m in messages), messages


# --------------------------------------------------------------------------------------------------
# GIFT keeps the kind, the retired flag and a slip with its feedback
# --------------------------------------------------------------------------------------------------


def gift_import(text: str) -> tuple[list[Question], list[str]]:
    questions, parsed = import_gift(
        text, lang="en", bank_id="b", module_ids=MODULES, competency_ids=COMPETENCIES, path="b.gift"
    )
    return questions, [str(p) for p in parsed.problems]


def test_gift_round_trip_keeps_kind_retired_and_slips(tmp_path: Path) -> None:
    source = dataclasses.replace(dso_question(tmp_path), retired=True)
    text, _ = export_gift([source], lang="en", category="b")
    assert "kind=application" in text and "retired=true" in text and "=%0%50:0.5#" in text
    questions, problems = gift_import(text)
    assert problems == []
    (imported,) = questions
    assert (imported.kind, imported.retired) == ("application", True)
    slips = [a for a in imported.answers if a.credit == 0]
    assert len(slips) == 1 and slips[0].formula == "50"
    assert slips[0].feedback is not None and "closing balance" in slips[0].feedback["en"]


def test_gift_zero_credit_without_feedback_is_skipped_with_a_warning() -> None:
    text = "// @trainer module=m1-basics; competencies=data_analysis; difficulty=easy\n::g1:: What is the DSO? {#\n\t=45:0.5\n\t=%0%50:0.5\n####Average AR over sales.}\n"
    parsed = parse_gift(text, lang="en", path="b.gift", module_ids=["m1-basics"])
    assert [str(p) for p in parsed.problems] == []
    assert [str(w) for w in parsed.warnings] == [
        "b.gift:4: a 0 % numeric answer without feedback changes nothing; skipped"
    ]
    questions, problems = gift_import(text)
    assert problems == [] and [len(q.answers) for q in questions] == [1]
