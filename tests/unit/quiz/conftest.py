"""Fixtures for the quiz unit tests: the small fixture bank and helpers to write throw-away banks."""

from __future__ import annotations

import random
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import strategies as st

from tests.conftest import COMPETENCIES
from trainer.content.source import Problems
from trainer.quiz.bank.loader import load_banks
from trainer.quiz.bank.model import DrawRule, Question, QuestionBankSet, QuizDefinition
from trainer.quiz.bank.questions import build_question
from trainer.quiz.instances import QuestionInstance, draw_instance

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MODULES = ["m1-basics", "m2-risk", "m3-collection", "m4-data", "m5-practice"]


@pytest.fixture(scope="session")
def mini() -> QuestionBankSet:
    """One question of every type (tests/unit/quiz/fixtures/banks/mini.yaml); must load cleanly."""
    bank_set, problems = load_banks(FIXTURES / "banks", module_ids=MODULES, competency_ids=COMPETENCIES)
    assert not problems, "\n".join(map(str, problems))
    return bank_set


@pytest.fixture
def bank_problems(tmp_path: Path) -> Callable[..., list[str]]:
    """Write bank files (name -> YAML text) to a fresh folder and return the problems as strings
    with the folder stripped, e.g. ``"b.yaml:12: question x: ..."``."""

    def run(files: dict[str, str] | str, **kwargs: object) -> list[str]:
        if isinstance(files, str):
            files = {"b.yaml": files}
        folder = tmp_path / "banks"
        folder.mkdir(exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
        _, problems = load_banks(folder, module_ids=MODULES, competency_ids=COMPETENCIES, **kwargs)  # type: ignore[arg-type]
        return [str(p).replace(f"{folder}/", "") for p in problems]

    return run


def make_question(
    qid: str,
    *,
    module: str = "m1-basics",
    competency: str = "data_analysis",
    difficulty: str = "easy",
    bank: str = "gen",
):
    """A valid single-choice question built in code, for drawing tests that need many questions."""
    raw = {
        "id": qid,
        "type": "single",
        "module": module,
        "competencies": [competency],
        "difficulty": difficulty,
        "text": {"zh": f"问题 {qid}", "en": f"Question {qid}"},
        "explanation": {"zh": "解释", "en": "Explanation"},
        "options": [
            {"id": "a", "text": {"zh": "甲", "en": "A"}, "correct": True},
            {"id": "b", "text": {"zh": "乙", "en": "B"}},
            {"id": "c", "text": {"zh": "丙", "en": "C"}},
        ],
    }
    problems = Problems()
    question = build_question(
        raw, bank_id=bank, path="gen.yaml", problems=problems, module_ids=MODULES, competency_ids=COMPETENCIES
    )
    assert question is not None, "\n".join(map(str, problems))
    return question


def inst(question: Question, seed: int = 1, **kwargs: Any) -> QuestionInstance:
    return draw_instance(question, random.Random(seed), **kwargs)


@st.composite
def answer_for(draw: st.DrawFn, question: Question, instance: QuestionInstance) -> Any:
    """Any well-formed answer to this instance."""
    qtype = question.type
    if qtype == "single":
        return draw(st.sampled_from(instance.order) | st.none())
    if qtype == "multi":
        return draw(st.lists(st.sampled_from(instance.order), unique=True))
    if qtype == "truefalse":
        return draw(st.booleans() | st.none())
    if qtype in ("numeric", "calculated"):
        number = draw(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
        return f"{number:.3f}"
    if qtype == "ordering":
        return draw(st.permutations(instance.order))
    return draw(st.dictionaries(st.sampled_from(instance.order), st.sampled_from(instance.answer_order)))


def quiz(
    *rules: DrawRule, kind: str = "final", shuffle: bool = True, grading: str = "highest"
) -> QuizDefinition:
    return QuizDefinition(
        id="t",
        kind=kind,
        title=MappingProxyType({"zh": "测", "en": "T"}),
        draw=rules,
        pass_mark=70,
        time_limit_minutes=None,
        max_attempts=None,
        grading=grading,
        show_feedback="after_submit",
        shuffle=shuffle,
    )
