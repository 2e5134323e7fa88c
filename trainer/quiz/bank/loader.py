"""Reading the question bank files (``quizzes/banks/*.yaml``) and writing one (after a GIFT import).

Every problem is reported as ``path:line: message``, never just the first; the format is described
in ``docs/content-formats.md`` (section "Question banks"). Question ids carry statistics and
spaced-repetition history forever, so they must be unique across all banks. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from trainer.content.source import LANGUAGES, Problems, check_keys, line_of, load_yaml_file
from trainer.quiz.bank.checker import Checker
from trainer.quiz.bank.model import Bank, Question, QuestionBankSet, freeze
from trainer.quiz.bank.questions import build_question


def load_bank_data(
    data: Any,
    *,
    path: str | Path,
    bank_id: str,
    problems: Problems,
    module_ids: Iterable[str],
    competency_ids: Iterable[str],
) -> tuple[Bank | None, list[Question]]:
    """Validate one parsed bank document (``bank``, ``title``, ``questions``)."""
    path = str(path)
    if data is None:
        return None, []
    if not check_keys(
        data,
        required=("bank", "title", "questions"),
        optional=("description",),
        path=path,
        problems=problems,
        where="bank",
    ):
        return None, []
    checker = Checker(path, problems)
    if "bank" in data and data["bank"] != bank_id:
        checker.add(line_of(data, "bank"), f"bank: id {data['bank']!r} must equal the file name {bank_id!r}")
    title = checker.text(data, "title", "bank")
    checker.text(data, "description", "bank", required=False)
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list):
        if "questions" in data:
            checker.add(line_of(data, "questions"), "bank: questions must be a list")
        return None, []
    modules, competencies = list(module_ids), list(competency_ids)
    questions = [
        q
        for index, raw in enumerate(raw_questions)
        if (
            q := build_question(
                raw,
                bank_id=bank_id,
                path=path,
                problems=problems,
                module_ids=modules,
                competency_ids=competencies,
                index=index,
            )
        )
        is not None
    ]
    bank = Bank(
        bank_id, title or freeze({lang: bank_id for lang in LANGUAGES}), path, tuple(q.id for q in questions)
    )
    return bank, questions


def load_banks(
    directory: str | Path,
    *,
    module_ids: Iterable[str],
    competency_ids: Iterable[str],
) -> tuple[QuestionBankSet, Problems]:
    """Load every ``*.yaml`` bank in ``directory`` (sorted by name) and check ids are unique across banks.

    Returns the valid questions and every problem found; callers that must not run on bad content
    (app start-up, ``content check``) refuse to continue when the problems are not empty.
    """
    problems = Problems()
    directory = Path(directory)
    modules, competencies = list(module_ids), list(competency_ids)
    banks: dict[str, Bank] = {}
    questions: dict[str, Question] = {}
    first_seen: dict[str, tuple[str, int]] = {}
    if not directory.is_dir():
        problems.add(directory, 1, "question bank folder not found")
        return QuestionBankSet(MappingProxyType(banks), MappingProxyType(questions)), problems
    for path in sorted(directory.glob("*.yaml")):
        data = load_yaml_file(path, problems)
        # ids must be unique even across questions that failed other checks
        raw_questions = data.get("questions") if isinstance(data, Mapping) else None
        for raw in raw_questions if isinstance(raw_questions, list) else []:
            if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
                qid, at = raw["id"], line_of(raw, "id")
                if qid in first_seen:
                    other_path, other_line = first_seen[qid]
                    problems.add(
                        path, at, f"duplicate question id {qid!r} (also at {other_path}:{other_line})"
                    )
                else:
                    first_seen[qid] = (str(path), at)
        bank, bank_questions = load_bank_data(
            data,
            path=path,
            bank_id=path.stem,
            problems=problems,
            module_ids=modules,
            competency_ids=competencies,
        )
        if bank is None:
            continue
        banks[bank.id] = bank
        for question in bank_questions:
            questions.setdefault(question.id, question)
    return QuestionBankSet(MappingProxyType(banks), MappingProxyType(questions)), problems


def _plain(value: Any) -> Any:
    """Plain dicts and lists, so YAML writes no Python tags for LineMaps or mapping proxies."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def dump_bank_yaml(bank_id: str, title: Mapping[str, str], questions: Sequence[Mapping[str, Any]]) -> str:
    """Serialise raw question mappings as a bank file in the documented format (UTF-8, key order kept)."""
    document = {"bank": bank_id, "title": _plain(title), "questions": [_plain(q) for q in questions]}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
