"""Bank and quiz-definition validation: every problem, located as ``path:line: message``."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from trainer.quiz.bank.definitions import load_quiz_definitions
from trainer.quiz.bank.loader import dump_bank_yaml, load_banks
from trainer.quiz.bank.model import TRANSLATE_MARK, ParamRange, QuestionBankSet
from trainer.quiz.bank.placeholders import fill_placeholders, format_value

from .conftest import COMPETENCIES, MODULES, make_question

HEAD = """\
bank: b
title: {zh: 题库, en: Bank}
questions:
"""


def bank(*questions: str) -> str:
    return HEAD + "".join(textwrap.indent(textwrap.dedent(q), "  ") for q in questions)


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


def test_fixture_bank_loads_every_type(mini: QuestionBankSet) -> None:
    assert {q.type for q in mini} == {
        "single",
        "multi",
        "truefalse",
        "numeric",
        "calculated",
        "ordering",
        "matching",
    }
    numeric = mini["q-numeric"]
    assert numeric.correct_value() == pytest.approx(45.0)
    assert numeric.decimals == 1  # from the tolerance 0.5
    assert mini["q-calc"].ranges["S"] == ParamRange(500, 900, 10)
    assert mini.select(competency="data_analysis", difficulty="medium")[0].id == "q-multi"


def test_valid_bank_has_no_problems(bank_problems: Callable[..., list[str]]) -> None:
    assert bank_problems(bank(SINGLE)) == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            SINGLE.replace("  difficulty: easy\n", "  difficulty: easy\n  colour: red\n"),
            "b.yaml:9: question s1: unknown key 'colour'",
        ),
        (
            SINGLE.replace("text: {zh: 问题, en: Question}", "text: {en: Question}"),
            "b.yaml:9: question s1 text: missing zh text",
        ),
        (SINGLE.replace("type: single", "type: essay"), "b.yaml:5: question s1: unknown type 'essay'"),
        (SINGLE.replace("module: m1-basics", "module: m9"), "b.yaml:6: question s1: unknown module 'm9'"),
        (
            SINGLE.replace("[data_analysis]", "[data_analysis, charm]"),
            "question s1: unknown competency 'charm'",
        ),
        (
            SINGLE.replace("difficulty: easy", "difficulty: trivial"),
            "b.yaml:8: question s1: difficulty must be one of",
        ),
        (SINGLE.replace("id: s1", "id: S 1"), "b.yaml:4: question S 1: id must be lowercase"),
        (
            SINGLE.replace(", correct: true}", "}"),
            "b.yaml:11: question s1: single choice needs exactly one option with correct: true, found 0",
        ),
        (SINGLE.replace("en: B}}", "en: B}, correct: true}"), "found 2"),
        (
            SINGLE.replace("{id: b, text: {zh: 乙, en: B}}", "{id: a, text: {zh: 乙, en: B}}"),
            "b.yaml:13: question s1: duplicate option id 'a' (also on line 12)",
        ),
        (
            SINGLE.replace("{zh: 乙, en: B}", "{zh: 甲, en: B}"),
            "b.yaml:13: question s1: two options have the same zh text (also on line 12)",
        ),
    ],
)
def test_question_problems(bank_problems: Callable[..., list[str]], question: str, expected: str) -> None:
    problems = bank_problems(bank(question))
    assert any(expected in p for p in problems), problems


def test_all_problems_are_reported_not_just_the_first(bank_problems: Callable[..., list[str]]) -> None:
    broken = (
        SINGLE.replace("module: m1-basics", "module: m9")
        .replace("difficulty: easy", "difficulty: x")
        .replace(", correct: true}", "}")
    )
    problems = bank_problems(bank(broken))
    assert len(problems) == 3, problems


def test_duplicate_ids_across_banks(bank_problems: Callable[..., list[str]]) -> None:
    other = bank(SINGLE).replace("bank: b", "bank: c")
    problems = bank_problems({"b.yaml": bank(SINGLE), "c.yaml": other})
    assert any(
        p.startswith("c.yaml:4: duplicate question id 's1' (also at") and "b.yaml:4" in p for p in problems
    ), problems


def test_bank_id_must_match_file_name(bank_problems: Callable[..., list[str]]) -> None:
    assert "x.yaml:1: bank: id 'b' must equal the file name 'x'" in bank_problems({"x.yaml": bank(SINGLE)})


def test_unreadable_yaml_is_a_problem(bank_problems: Callable[..., list[str]]) -> None:
    problems = bank_problems(HEAD + "  - id: [unclosed\n")
    assert len(problems) == 1 and problems[0].startswith("b.yaml:") and "unreadable YAML" in problems[0]


MULTI = """\
- id: m1
  type: multi
  module: m1-basics
  competencies: [data_analysis]
  difficulty: easy
  text: {zh: 问题, en: Question}
  explanation: {zh: 解释, en: Explanation}
  options:
    - {id: a, text: {zh: 甲, en: A}, weight: 50}
    - {id: b, text: {zh: 乙, en: B}, weight: 50}
    - {id: c, text: {zh: 丙, en: C}, weight: -100}
"""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("weight: 50}", "weight: 40}", 1),
            "b.yaml:11: question m1: the weights of the correct options must sum to 100, they sum to 90",
        ),
        (
            ("weight: -100}", "weight: 1}", 1),
            "b.yaml:11: question m1: multi needs at least one wrong option (weight 0 or negative)",
        ),
        (("weight: -100}", "weight: -150}", 1), "weight must be at least -100"),
        (("weight: 50}", "weight: 50, correct: true}", 1), "unknown key 'correct'"),
    ],
)
def test_multi_weights(
    bank_problems: Callable[..., list[str]], change: tuple[str, str, int], expected: str
) -> None:
    problems = bank_problems(bank(MULTI.replace(*change)))
    assert any(expected in p for p in problems), problems


def test_multi_wrong_option_may_cost_nothing(bank_problems: Callable[..., list[str]]) -> None:
    """Moodle's 0 % answers: a wrong option with weight 0 is wrong but costs no marks."""
    assert bank_problems(bank(MULTI.replace("weight: -100}", "weight: 0}"))) == []


NUMERIC = """\
- id: n1
  type: numeric
  module: m4-data
  competencies: [data_analysis]
  difficulty: easy
  text: {zh: "赊销730，应收90，DSO？", en: "Sales {S}, receivables {A}: DSO?"}
  explanation: {zh: 解释, en: "= {answer}"}
  params: {S: 730, A: 90}
  formula: "dso(A, S, 365)"
  tolerance: 0.5
"""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("dso(A, S, 365)", "dso(A, S, 365"),
            "b.yaml:12: question n1: formula 'dso(A, S, 365': syntax error",
        ),
        (
            ("dso(A, S, 365)", "dso(A, X, 365)"),
            "b.yaml:12: question n1: formula uses X, which is not among the params",
        ),
        (
            ("dso(A, S, 365)", "A / (S - 730)"),
            "b.yaml:12: question n1: formula gives no answer: division by zero",
        ),
        (("dso(A, S, 365)", "10.0 ** 400 + A + S"), "formula gives no answer: the result is too large"),
        (("dso(A, S, 365)", "dso(A, S - 730, 365)"), "dso: credit_sales must be greater than zero"),
        (
            ("tolerance: 0.5", "tolerance: 0.5\n  tolerance_pct: 1"),
            "give tolerance (absolute) or tolerance_pct (relative), not both",
        ),
        (("  tolerance: 0.5\n", ""), "missing tolerance (absolute) or tolerance_pct"),
        (("tolerance: 0.5", "tolerance: -1"), "tolerance must be at least 0"),
        (
            ("赊销730", "赊销700"),
            "b.yaml:11: question n1 param S=730: the zh text shows neither {S} nor the number",
        ),
        (("Sales {S}", "Sales {T}"), "question n1 text: en placeholder {T} is not a param"),
        (("Sales {S}", "Sales {answer}"), "{answer} in the question text gives the answer away"),
        (("Sales {S}", "Sales {S:.q}"), "placeholder {S:.q} has an invalid format"),
        (
            ("params: {S: 730, A: 90}", "params: {S: 730, A: {min: 1, max: 2, step: 1}}"),
            "param A: must be a number, got",
        ),
    ],
)
def test_numeric_problems(
    bank_problems: Callable[..., list[str]], change: tuple[str, str], expected: str
) -> None:
    problems = bank_problems(bank(NUMERIC.replace(*change)))
    assert any(expected in p for p in problems), problems


def test_numeric_params_written_as_percent_or_wan_are_recognised(
    bank_problems: Callable[..., list[str]],
) -> None:
    question = (
        NUMERIC.replace("赊销730，应收90", "赊销7.3亿？不，赊销730万元，应收90万元")
        .replace("{S: 730, A: 90}", "{S: 7300000, A: 900000, r: 0.05}")
        .replace("receivables {A}", "receivables {A}, rate 5%")
        .replace("赊销7.3亿？不，", "利率5%，")
        .replace('"dso(A, S, 365)"', '"dso(A, S, 365) + r * 0"')
    )
    assert bank_problems(bank(question)) == []


CALC = """\
- id: c1
  type: calculated
  module: m4-data
  competencies: [data_analysis]
  difficulty: easy
  text: {zh: "赊销{S}，应收{A}，DSO？", en: "Sales {S}, receivables {A}: DSO?"}
  explanation: {zh: 解释, en: Explanation}
  params:
    S: {min: 500, max: 900, step: 10}
    A: {min: 40, max: 120, step: 1}
  formula: "dso(A, S, 365)"
  tolerance: 0.5
  alternatives:
    - {tolerance: 2, credit: 50}
"""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("{min: 500, max: 900, step: 10}", "{min: 900, max: 500, step: 10}"),
            "b.yaml:12: question c1 param S: min 900 is greater than max 500",
        ),
        (
            ("{min: 40, max: 120, step: 1}", "{min: 40, max: 120, step: 0}"),
            "b.yaml:13: question c1 param A: step must be greater than 0",
        ),
        (("{min: 40, max: 120, step: 1}", "{min: 40, max: 120}"), "question c1 param A: missing key 'step'"),
        (
            ("应收{A}", "应收90"),
            "b.yaml:13: question c1 param A: drawn but not shown in the zh text (write {A})",
        ),
        (
            ("dso(A, S, 365)", "dso(A, S - 600, 365)"),
            "b.yaml:14: question c1: formula gives no answer for S=500, A=40",
        ),
        (("{tolerance: 2, credit: 50}", "{tolerance: 2, credit: 0}"), "credit 0 marks a recognised slip, so it needs its own formula"),
        (("{tolerance: 2, credit: 50}", "{credit: 50}"), "alternative 1: missing tolerance"),
        (
            ("{min: 40, max: 120, step: 1}", "{min: 0, max: 1, step: 0.0000001}"),
            "gives more than 10,000,000 values",
        ),
    ],
)
def test_calculated_problems(
    bank_problems: Callable[..., list[str]], change: tuple[str, str], expected: str
) -> None:
    problems = bank_problems(bank(CALC.replace(*change)))
    assert any(expected in p for p in problems), problems


def test_ordering_and_matching_need_three(bank_problems: Callable[..., list[str]]) -> None:
    ordering = """\
    - id: o1
      type: ordering
      module: m3-collection
      competencies: [teamwork_escalation]
      difficulty: easy
      text: {zh: 排序, en: Order}
      explanation: {zh: 解释, en: Explanation}
      items:
        - {id: a, text: {zh: 甲, en: A}}
        - {id: b, text: {zh: 乙, en: B}}
    """
    matching = """\
    - id: p1
      type: matching
      module: m3-collection
      competencies: [negotiation_objections]
      difficulty: easy
      text: {zh: 配对, en: Match}
      explanation: {zh: 解释, en: Explanation}
      pairs:
        - {id: a, prompt: {zh: 甲, en: A}, answer: {zh: 一, en: One}}
        - {id: b, prompt: {zh: 乙, en: B}, answer: {zh: 一, en: Two}}
    """
    problems = bank_problems(bank(ordering, matching))
    assert "b.yaml:11: question o1: needs at least 3 items, has 2" in problems
    assert "b.yaml:21: question p1: needs at least 3 pairs, has 2" in problems
    assert "b.yaml:23: question p1: two answers have the same zh text (also on line 22)" in problems


def test_truefalse_answer_must_be_boolean(bank_problems: Callable[..., list[str]]) -> None:
    question = """\
    - id: t1
      type: truefalse
      module: m1-basics
      competencies: [data_analysis]
      difficulty: easy
      text: {zh: 对吗, en: "True?"}
      explanation: {zh: 解释, en: Explanation}
      answer: "yes"
    """
    assert "b.yaml:11: question t1: answer must be true or false, got 'yes'" in bank_problems(bank(question))


def test_untranslated_text_leaves_the_question_usable_in_the_other_language(
    bank_problems: Callable[..., list[str]],
) -> None:
    question = SINGLE.replace(
        "text: {zh: 问题, en: Question}", f'text: {{zh: "{TRANSLATE_MARK}Question", en: Question}}'
    )
    assert bank_problems(bank(question)) == []
    both = SINGLE.replace(
        "text: {zh: 问题, en: Question}",
        f'text: {{zh: "{TRANSLATE_MARK}Question", en: "{TRANSLATE_MARK}Question"}}',
    )
    assert "b.yaml:9: question s1 text: every language is marked for translation; write it in one" in bank_problems(
        bank(both)
    )


def test_dump_bank_yaml_round_trips(tmp_path: Path, mini: QuestionBankSet) -> None:
    raw = {
        "id": "s1",
        "type": "single",
        "module": "m1-basics",
        "competencies": ["data_analysis"],
        "difficulty": "easy",
        "text": {"zh": "问题：冒号", "en": "Question: colon"},
        "explanation": {"zh": "解释", "en": "Explanation"},
        "options": [
            {"id": "a", "text": {"zh": "甲", "en": "A"}, "correct": True},
            {"id": "b", "text": {"zh": "乙", "en": "B"}},
        ],
    }
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "b.yaml").write_text(dump_bank_yaml("b", {"zh": "题库", "en": "Bank"}, [raw]), encoding="utf-8")
    loaded, problems = load_banks(folder, module_ids=MODULES, competency_ids=COMPETENCIES)
    assert not problems
    assert loaded["s1"].text["zh"] == "问题：冒号"


def test_placeholders_and_number_format() -> None:
    assert format_value(730.0) == "730"
    assert format_value(7300000.0) == "7,300,000"
    assert format_value(0.0431) == "0.0431"
    assert format_value(0.0431, ".1%") == "4.3%"
    assert (
        fill_placeholders("S={S}, r={r:.0%}, x={x}, ans={answer}", {"S": 12000.0, "r": 0.05}, 41.256, 1)
        == "S=12,000, r=5%, x={x}, ans=41.3"
    )


def test_param_range_values_are_exact() -> None:
    r = ParamRange(0.1, 0.5, 0.1)
    assert r.count == 5
    assert [r.value(i) for i in range(5)] == [0.1, 0.2, 0.3, 0.4, 0.5]
    assert r.contains(0.3) and not r.contains(0.35) and not r.contains(0.6)


# --------------------------------------------------------------------------------------------------
# Quiz definitions
# --------------------------------------------------------------------------------------------------


def bank_of(counts: dict[str, int]) -> QuestionBankSet:
    from types import MappingProxyType

    questions = {}
    for module, n in counts.items():
        for i in range(n):
            q = make_question(
                f"{module}-{i:02d}",
                module=module,
                competency="data_analysis" if i % 2 else "legal_compliance",
            )
            questions[q.id] = q
    return QuestionBankSet(MappingProxyType({}), MappingProxyType(questions))


QUIZ = """\
quizzes:
  - id: m1-quiz
    kind: module
    module: m1-basics
    title: {zh: 测验, en: Quiz}
    draw:
      - {count: 4}
    pass_mark: 70
    time_limit_minutes: 20
    max_attempts: 3
    grading: highest
    show_feedback: after_submit
"""


def quiz_problems(tmp_path: Path, text: str, bank_set: QuestionBankSet) -> tuple[dict, list[str]]:
    path = tmp_path / "quizzes.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    definitions, problems = load_quiz_definitions(path, bank_set, MODULES, COMPETENCIES)
    return definitions, [str(p).replace(f"{tmp_path}/", "") for p in problems]


def test_quiz_definition_loads(tmp_path: Path) -> None:
    definitions, problems = quiz_problems(tmp_path, QUIZ, bank_of({"m1-basics": 5}))
    assert problems == []
    quiz = definitions["m1-quiz"]
    assert quiz.draw[0].module == "m1-basics"  # a module quiz's rule defaults to its module
    assert (quiz.pass_mark, quiz.time_limit_minutes, quiz.max_attempts, quiz.shuffle) == (70, 20, 3, True)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("{count: 4}", "{count: 6}"),
            "quizzes.yaml:7: quiz m1-quiz draw rule 1: wants 6 questions with module=m1-basics, the banks have 5",
        ),
        (("{count: 4}", "{count: 4, module: m2-risk}"), "a module quiz draws only from its module"),
        (("{count: 4}", "{count: 4, competency: charm}"), "unknown competency 'charm'"),
        (("{count: 4}", "{count: 4, difficulty: brutal}"), "difficulty must be one of"),
        (
            ("grading: highest", "grading: average"),
            "quizzes.yaml:11: quiz m1-quiz: grading must be one of highest, last",
        ),
        (("show_feedback: after_submit", "show_feedback: sometimes"), "show_feedback must be one of"),
        (("pass_mark: 70", "pass_mark: 170"), "pass_mark must be at most 100"),
        (("max_attempts: 3", "max_attempts: 0"), "max_attempts must be at least 1"),
        (("time_limit_minutes: 20", "time_limit_minutes: 2.5"), "time_limit_minutes must be a whole number"),
        (("kind: module", "kind: exam"), "kind must be one of module, final, refresher, review"),
        (("module: m1-basics", "module: m9"), "a module quiz needs module"),
        (("    show_feedback: after_submit\n", ""), "missing key 'show_feedback'"),
    ],
)
def test_quiz_definition_problems(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    _, problems = quiz_problems(tmp_path, QUIZ.replace(*change), bank_of({"m1-basics": 5, "m2-risk": 5}))
    assert any(expected in p for p in problems), problems


def test_overlapping_rules_must_be_jointly_satisfiable(tmp_path: Path) -> None:
    text = QUIZ.replace("kind: module\n    module: m1-basics", "kind: final").replace(
        "      - {count: 4}",
        "      - {module: m1-basics, count: 3}\n      - {competency: data_analysis, count: 2}",
    )
    # each rule alone can be met (3 in m1; 2 data_analysis, one of them in m1), together they cannot
    _, problems = quiz_problems(tmp_path, text, bank_of({"m1-basics": 3, "m2-risk": 2}))
    assert problems == [
        "quizzes.yaml:5: quiz m1-quiz: the draw rules together need 5 different questions, "
        "the banks can supply only 4 without repeats"
    ]


def test_second_module_quiz_for_a_module_is_refused(tmp_path: Path) -> None:
    second = QUIZ.split("quizzes:\n", 1)[1].replace("id: m1-quiz", "id: m1-quiz-b")
    _, problems = quiz_problems(tmp_path, QUIZ + second, bank_of({"m1-basics": 5}))
    assert any("module m1-basics already has a module quiz" in p for p in problems), problems
