"""Short-answer questions: the bank format, the matching rules (case, spaces, Chinese, full-width,
wildcards), grading with partial credit and feedback, answer shapes, item statistics; and drawing
questions written in one language only for trainees in that language."""

from __future__ import annotations

import random
from collections.abc import Callable
from types import MappingProxyType

import pytest

from tests.conftest import COMPETENCIES
from trainer.content.source import Problems
from trainer.quiz.answer_shapes import AnswerError, answer_from_form, normalize_answer
from trainer.quiz.bank.model import TRANSLATE_MARK, DrawRule, Question, QuestionBankSet, QuizDefinition
from trainer.quiz.bank.questions import build_question
from trainer.quiz.bank.short_match import matches, model_answer, normalize_short
from trainer.quiz.grading import grade
from trainer.quiz.instances import QuestionInstance, draw_quiz
from trainer.quiz.itemstats import choices_of

from .conftest import MODULES, make_question
from .test_quizbank import bank

SHORT = """\
- id: sa1
  type: short
  module: m1-basics
  competencies: [data_analysis]
  difficulty: easy
  text: {zh: 按账龄把未收发票分组的报表叫什么？, en: What is the report that groups open invoices by age called?}
  answers:
    - text: {zh: 账龄分析表, en: aging report}
      feedback: {zh: 对。, en: Right.}
    - text: {zh: 账龄表, en: ageing report}
    - text: {zh: 账龄*, en: aging*}
      credit: 50
      feedback: {zh: 说全称。, en: Say the full name.}
  feedback_wrong: {zh: 想想发票的"年龄"。, en: Think of how old each invoice is.}
"""


def build(raw: dict[str, object]) -> tuple[Question | None, list[str]]:
    problems = Problems()
    question = build_question(
        raw, bank_id="b", path="b.yaml", problems=problems, module_ids=MODULES, competency_ids=COMPETENCIES
    )
    return question, [str(p) for p in problems]


def short_question(**changes: object) -> Question:
    raw: dict[str, object] = {
        "id": "sa1", "type": "short", "module": "m1-basics", "competencies": ["data_analysis"],
        "difficulty": "easy", "text": {"zh": "问", "en": "Q"},
        "answers": [
            {"text": {"zh": "账龄分析表", "en": "aging report"}, "feedback": {"zh": "对。", "en": "Right."}},
            {"text": {"zh": "账龄表", "en": "ageing report"}},
            {"text": {"zh": "账龄*", "en": "aging*"}, "credit": 50, "feedback": {"zh": "说全称。", "en": "Say the full name."}},
        ],
        "feedback_wrong": {"zh": "想想发票的年龄。", "en": "Think of how old each invoice is."},
    }  # fmt: skip
    raw.update(changes)
    question, problems = build(raw)
    assert question is not None, problems
    return question


def test_short_answer_bank_format_loads(bank_problems: Callable[..., list[str]]) -> None:
    assert bank_problems(bank(SHORT)) == []
    question = short_question()
    assert [a.credit for a in question.accepted] == [100, 100, 50] and question.case_sensitive is False
    assert model_answer(question).text["en"] == "aging report"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("      credit: 50\n", "      credit: 150\n"), "b.yaml:15: question sa1 answer 3: credit must be at most 100, got 150"),
        (("    - text: {zh: 账龄分析表, en: aging report}\n      feedback: {zh: 对。, en: Right.}\n    - text: {zh: 账龄表, en: ageing report}\n", ""),
         "b.yaml:10: question sa1: one answer must earn full credit (credit: 100)"),
        (("  answers:\n", "  case_sensitive: maybe\n  answers:\n"), "question sa1: case_sensitive must be true or false, got 'maybe'"),
        (("    - text: {zh: 账龄表, en: ageing report}\n", "    - text: {zh: 账龄表}\n"), "question sa1 answer 2 text: missing en text"),
        (("    - text: {zh: 账龄表, en: ageing report}\n", "    - txt: {zh: 账龄表, en: ageing report}\n"), "answer 2: missing key 'text'"),
    ],
)  # fmt: skip
def test_short_answer_bank_problems(
    bank_problems: Callable[..., list[str]], change: tuple[str, str], expected: str
) -> None:
    problems = bank_problems(bank(SHORT.replace(*change)))
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("accepted", "given", "case_sensitive", "expected"),
    [
        ("aging report", "  Aging   Report ", False, True),
        ("aging report", "Aging report", True, False),
        ("aging report", "agingreport", False, False),  # English keeps its word breaks
        ("账龄分析表", "账龄 分析表", False, True),  # Chinese is written without spaces
        ("账龄分析表", " 账龄分析表 ", False, True),
        ("DSO", "ＤＳＯ", False, True),  # full-width letters
        ("45 天", "45天", False, True),
        ("aging*", "aging of receivables", False, True),
        ("*", "anything", False, True),
        ("aging*", "ageing", False, False),
        ("a.b", "axb", False, False),  # only * is special
        (TRANSLATE_MARK + "aging", "[TRANSLATE] aging", False, False),
        ("aging", "", False, False),
    ],
)
def test_matching_rules(accepted: str, given: str, case_sensitive: bool, expected: bool) -> None:
    assert matches(accepted, given, case_sensitive=case_sensitive) is expected


def test_normalize_short() -> None:
    assert normalize_short("  Best  Possible\tDSO ") == "best possible dso"
    assert normalize_short("最佳可能 DSO") == "最佳可能dso"


def test_grading_takes_the_best_credit_and_gives_its_feedback() -> None:
    question = short_question()
    instance = QuestionInstance("sa1", "short")
    right = grade(question, instance, "Aging Report")
    assert (right.fraction, right.correct, [f["en"] for f in right.feedback]) == (1.0, True, ["Right."])
    assert grade(question, instance, "账龄表").fraction == 1.0  # either language's answer counts
    half = grade(question, instance, "aging schedule")
    assert (half.fraction, half.correct, [f["en"] for f in half.feedback]) == (0.5, False, ["Say the full name."])
    wrong = grade(question, instance, "balance sheet")
    assert (wrong.fraction, [f["en"] for f in wrong.feedback]) == (0.0, ["Think of how old each invoice is."])
    blank = grade(question, instance, None)
    assert (blank.answered, blank.fraction) == (False, 0.0)
    strict = short_question(case_sensitive=True)
    assert grade(strict, instance, "aging report").fraction == 1.0
    assert grade(strict, instance, "aging Report").fraction == 0.5  # only "aging*" matches
    assert grade(strict, instance, "Aging report").fraction == 0


def test_answer_shapes_of_short_answers() -> None:
    question = short_question()
    instance = QuestionInstance("sa1", "short")
    assert answer_from_form(question, instance, "  aging report ") == "aging report"
    assert normalize_answer(question, instance, "   ") is None
    for bad in (["aging"], {"a": 1}, 42, "x" * 201):
        with pytest.raises(AnswerError):
            normalize_answer(question, instance, bad)


def test_item_statistics_count_typed_answers_once_per_spelling() -> None:
    assert choices_of("short", "  Aging  Report") == choices_of("short", "aging report") == ("aging report",)
    assert choices_of("short", None) == ()


def test_one_language_questions_are_drawn_only_in_that_language() -> None:
    both = make_question("both-1")
    zh_only = short_question(text={"zh": "问", "en": TRANSLATE_MARK + "问"})
    assert zh_only.languages == ("zh",)
    bank_set = QuestionBankSet(
        MappingProxyType({}), MappingProxyType({q.id: q for q in (both, zh_only)})
    )
    definition = QuizDefinition(
        id="q", kind="module", title=MappingProxyType({"zh": "测", "en": "T"}), draw=(DrawRule(1, module="m1-basics"),),
        pass_mark=50, time_limit_minutes=None, max_attempts=None, grading="highest", show_feedback="never",
    )  # fmt: skip
    drawn_en = {draw_quiz(definition, bank_set, random.Random(s), lang="en")[0].question_id for s in range(30)}
    drawn_zh = {draw_quiz(definition, bank_set, random.Random(s), lang="zh")[0].question_id for s in range(30)}
    assert drawn_en == {"both-1"} and drawn_zh == {"both-1", "sa1"}
    assert [q.id for q in bank_set.drawable()] == ["both-1"]  # definitions count on both languages
    assert bank_set.is_drawable("sa1", "zh") and not bank_set.is_drawable("sa1", "en")
    assert [q.id for q in bank_set.untranslated()] == ["sa1"]
