"""Checks of the questions made of listed parts: options (single, multi), items (ordering) and
pairs (matching). Pure Python."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trainer.content.source import check_keys, line_of
from trainer.quiz.bank.checker import Checker, as_list
from trainer.quiz.bank.model import Localized, MatchPair, Option, OrderItem, ShortAnswer

MIN_OPTIONS, MAX_OPTIONS = 2, 10
MIN_ITEMS = 3
MIN_PAIRS = 3
MAX_SHORT_ANSWERS = 20


def check_options(checker: Checker, raw: Mapping[str, Any], qtype: str, where: str) -> tuple[Option, ...]:
    entries = as_list(checker, raw, "options", where, MIN_OPTIONS)
    if len(entries) > MAX_OPTIONS:
        checker.add(line_of(raw, "options"), f"{where}: at most {MAX_OPTIONS} options, has {len(entries)}")
    ids = checker.part_ids(entries, where, "option")
    options: list[Option] = []
    texts: list[tuple[int, Localized | None]] = []
    marks: list[tuple[bool, float]] = []  # (correct, weight) of every option whose value is readable
    for index, entry in enumerate(entries):
        at = line_of(entries, index)
        label = f"{where} option {ids[index] or index + 1}"
        allowed = ("correct", "credit", "feedback") if qtype == "single" else ("feedback",)
        required = ("id", "text") if qtype == "single" else ("id", "text", "weight")
        if not check_keys(
            entry,
            required=required,
            optional=allowed,
            path=checker.path,
            problems=checker.problems,
            where=label,
        ):
            continue
        text = checker.text(entry, "text", label)
        feedback = checker.text(entry, "feedback", label, required=False)
        texts.append((at, text))
        if qtype == "single":
            correct = entry.get("correct", False)
            if not isinstance(correct, bool):
                checker.add(
                    line_of(entry, "correct"), f"{label}: correct must be true or false, got {correct!r}"
                )
                continue
            weight = 100.0 if correct else 0.0
            if "credit" in entry:
                credit = checker.number(entry, "credit", label, low=0, high=100, exclusive_low=True)
                if credit is None:
                    continue
                if correct or credit == 100:
                    checker.add(
                        line_of(entry, "credit"),
                        f"{label}: credit is the partial credit of a wrong option, below 100 (the right one has correct: true)",
                    )
                    continue
                weight = credit
        else:
            number = checker.number(entry, "weight", label, low=-100, high=100) if "weight" in entry else None
            if number is None:
                continue
            weight, correct = number, number > 0
        marks.append((correct, weight))
        if text is not None and ids[index] is not None:
            options.append(Option(str(ids[index]), text, correct, weight, feedback))
    checker.distinct(texts, where, "option")
    if not entries or len(marks) < len(entries):
        return tuple(options)
    at = line_of(raw, "options")
    if qtype == "single":
        n_correct = sum(1 for correct, _ in marks if correct)
        if n_correct != 1:
            checker.add(
                at, f"{where}: single choice needs exactly one option with correct: true, found {n_correct}"
            )
    else:
        positive = sum(weight for _, weight in marks if weight > 0)
        if positive == 0:
            checker.add(at, f"{where}: multi needs at least one option with a positive weight")
        elif abs(positive - 100) > 0.05:
            checker.add(
                at, f"{where}: the weights of the correct options must sum to 100, they sum to {positive:g}"
            )
        if not any(weight <= 0 for _, weight in marks):
            checker.add(at, f"{where}: multi needs at least one wrong option (weight 0 or negative)")
    return tuple(options)


def check_items(checker: Checker, raw: Mapping[str, Any], where: str) -> tuple[OrderItem, ...]:
    entries = as_list(checker, raw, "items", where, MIN_ITEMS)
    ids = checker.part_ids(entries, where, "item")
    items: list[OrderItem] = []
    texts: list[tuple[int, Localized | None]] = []
    ok = len(entries) >= MIN_ITEMS
    for index, entry in enumerate(entries):
        label = f"{where} item {ids[index] or index + 1}"
        if not check_keys(
            entry, required=("id", "text"), path=checker.path, problems=checker.problems, where=label
        ):
            ok = False
            continue
        text = checker.text(entry, "text", label)
        texts.append((line_of(entries, index), text))
        if text is None or ids[index] is None:
            ok = False
            continue
        items.append(OrderItem(str(ids[index]), text))
    checker.distinct(texts, where, "item")
    return tuple(items) if ok else ()


def check_pairs(checker: Checker, raw: Mapping[str, Any], where: str) -> tuple[MatchPair, ...]:
    entries = as_list(checker, raw, "pairs", where, MIN_PAIRS)
    ids = checker.part_ids(entries, where, "pair")
    pairs: list[MatchPair] = []
    prompts: list[tuple[int, Localized | None]] = []
    answers: list[tuple[int, Localized | None]] = []
    ok = len(entries) >= MIN_PAIRS
    for index, entry in enumerate(entries):
        label = f"{where} pair {ids[index] or index + 1}"
        if not check_keys(
            entry,
            required=("id", "prompt", "answer"),
            path=checker.path,
            problems=checker.problems,
            where=label,
        ):
            ok = False
            continue
        prompt = checker.text(entry, "prompt", label)
        answer = checker.text(entry, "answer", label)
        prompts.append((line_of(entries, index), prompt))
        answers.append((line_of(entries, index), answer))
        if prompt is None or answer is None or ids[index] is None:
            ok = False
            continue
        pairs.append(MatchPair(str(ids[index]), prompt, answer))
    checker.distinct(prompts, where, "prompt")
    checker.distinct(answers, where, "answer")
    return tuple(pairs) if ok else ()


def check_short(checker: Checker, raw: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    """Accepted answers of a short-answer question (one must earn full credit), and its settings."""
    entries = as_list(checker, raw, "answers", where, 1)
    if len(entries) > MAX_SHORT_ANSWERS:
        checker.add(
            line_of(raw, "answers"), f"{where}: at most {MAX_SHORT_ANSWERS} answers, has {len(entries)}"
        )
    accepted: list[ShortAnswer] = []
    ok = bool(entries)
    for index, entry in enumerate(entries):
        label = f"{where} answer {index + 1}"
        if not check_keys(
            entry,
            required=("text",),
            optional=("credit", "feedback"),
            path=checker.path,
            problems=checker.problems,
            where=label,
        ):
            ok = False
            continue
        text = checker.text(entry, "text", label)
        credit = checker.number(entry, "credit", label, low=0, high=100) if "credit" in entry else 100.0
        feedback = checker.text(entry, "feedback", label, required=False)
        if text is None or credit is None:
            ok = False
            continue
        accepted.append(ShortAnswer(text, credit, feedback))
    if ok and not any(answer.credit == 100 for answer in accepted):
        checker.add(line_of(raw, "answers"), f"{where}: one answer must earn full credit (credit: 100)")
        ok = False
    case_sensitive = checker.flag(raw, "case_sensitive", where, default=False)
    wrong = checker.text(raw, "feedback_wrong", where, required=False)
    if not ok or case_sensitive is None:
        return None
    return {"accepted": tuple(accepted), "case_sensitive": case_sensitive, "wrong_feedback": wrong}
