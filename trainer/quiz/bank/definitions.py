"""Quiz definitions (``quizzes/quizzes.yaml``): which questions each quiz draws and its rules.

Every setting is checked, and so is that the banks can satisfy every draw rule with distinct
questions, so a quiz can never fail to start for lack of questions. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainer.content.source import Problems, check_keys, line_of, load_yaml_file
from trainer.quiz.bank.checker import Checker
from trainer.quiz.bank.model import (
    DIFFICULTIES,
    FEEDBACK_MODES,
    GRADING_METHODS,
    ID_RE,
    QUIZ_KINDS,
    DrawRule,
    Question,
    QuestionBankSet,
    QuizDefinition,
)

_QUIZ_REQUIRED = (
    "id",
    "kind",
    "title",
    "draw",
    "pass_mark",
    "time_limit_minutes",
    "max_attempts",
    "grading",
    "show_feedback",
)
_QUIZ_OPTIONAL = ("module", "description", "shuffle")


def _max_distinct_draw(rules: Sequence[DrawRule], questions: Sequence[Question]) -> int:
    """How many rule slots can be filled with distinct questions (bipartite matching, Kuhn's
    algorithm). Rules may overlap (module m2 and competency X), so counting per rule is not enough."""
    slots = [rule for rule in rules for _ in range(rule.count)]
    candidates = [[i for i, q in enumerate(questions) if rule.matches(q)] for rule in slots]
    owner: dict[int, int] = {}

    def augment(slot: int, seen: set[int]) -> bool:
        for q in candidates[slot]:
            if q in seen:
                continue
            seen.add(q)
            if q not in owner or augment(owner[q], seen):
                owner[q] = slot
                return True
        return False

    return sum(1 for slot in range(len(slots)) if augment(slot, set()))


@dataclass
class _FileContext:
    """What the checks of one quiz need to know about the whole file."""

    checker: Checker
    bank_set: QuestionBankSet
    modules: set[str]
    competencies: set[str] | None
    module_quiz: dict[str, int]
    seen_ids: dict[str, int]


def load_quiz_definitions(
    path: str | Path,
    bank_set: QuestionBankSet,
    module_ids: Iterable[str],
    competency_ids: Iterable[str] | None = None,
) -> tuple[dict[str, QuizDefinition], Problems]:
    """Load ``quizzes.yaml``: check every setting and that the banks can satisfy every draw rule."""
    problems = Problems()
    path = Path(path)
    checker = Checker(str(path), problems)
    definitions: dict[str, QuizDefinition] = {}
    data = load_yaml_file(path, problems)
    if data is None or not check_keys(
        data, required=("quizzes",), path=path, problems=problems, where="quiz file"
    ):
        return definitions, problems
    entries = data.get("quizzes")
    if not isinstance(entries, list):
        checker.add(line_of(data, "quizzes"), "quizzes must be a list")
        return definitions, problems
    context = _FileContext(
        checker,
        bank_set,
        set(module_ids),
        set(competency_ids) if competency_ids is not None else None,
        {},
        {},
    )
    for index, raw in enumerate(entries):
        definition = _build_definition(context, raw, index, line_of(entries, index))
        if definition is not None:
            definitions[definition.id] = definition
    return definitions, problems


def _build_definition(context: _FileContext, raw: Any, index: int, at: int) -> QuizDefinition | None:
    """One quiz entry, or None when anything about it is wrong (reported)."""
    checker = context.checker
    quiz_id = raw.get("id") if isinstance(raw, Mapping) else None
    where = f"quiz {quiz_id}" if quiz_id else f"quiz #{index + 1}"
    if not check_keys(
        raw,
        required=_QUIZ_REQUIRED,
        optional=_QUIZ_OPTIONAL,
        path=checker.path,
        problems=checker.problems,
        where=where,
    ):
        return None
    ok = _check_quiz_id(context, raw, quiz_id, where)
    kind = raw.get("kind")
    ok = checker.one_of(raw, "kind", where, QUIZ_KINDS) and ok
    module = raw.get("module")
    ok = _check_quiz_module(context, raw, where, kind, module) and ok
    title = checker.text(raw, "title", where)
    description = checker.text(raw, "description", where, required=False)
    pass_mark = checker.number(raw, "pass_mark", where, low=0, high=100)
    settings = _check_settings(checker, raw, where)
    rules = _check_draw_rules(checker, raw, where, kind, module, context.modules, context.competencies)
    if settings is None or rules is None or title is None or pass_mark is None:
        ok = False
    if ok and rules is not None and kind != "review":
        _check_satisfiable(checker, raw, where, rules, context.bank_set)
    if not ok or settings is None or rules is None or title is None or pass_mark is None:
        return None
    return QuizDefinition(
        id=str(quiz_id),
        kind=str(kind),
        title=title,
        draw=rules,
        pass_mark=pass_mark,
        description=description,
        module=str(module) if kind == "module" else None,
        path=checker.path,
        line=at,
        **settings,
    )


def _check_quiz_id(context: _FileContext, raw: Mapping[str, Any], quiz_id: Any, where: str) -> bool:
    """Well-formed and unique in the file."""
    checker = context.checker
    if not isinstance(quiz_id, str) or not ID_RE.match(quiz_id):
        checker.add(
            line_of(raw, "id"),
            f"{where}: id must be lowercase letters, digits, '.', '-' or '_', got {quiz_id!r}",
        )
        return False
    if quiz_id in context.seen_ids:
        checker.add(
            line_of(raw, "id"), f"{where}: duplicate quiz id (also on line {context.seen_ids[quiz_id]})"
        )
        return False
    context.seen_ids[quiz_id] = line_of(raw, "id")
    return True


def _check_quiz_module(
    context: _FileContext, raw: Mapping[str, Any], where: str, kind: Any, module: Any
) -> bool:
    """A module quiz names one known module that has no other module quiz; other kinds name none."""
    checker = context.checker
    if kind == "module":
        if module not in context.modules:
            checker.add(
                line_of(raw, "module" if "module" in raw else None),
                f"{where}: a module quiz needs module: one of {', '.join(sorted(context.modules))}, got {module!r}",
            )
            return False
        if module in context.module_quiz:
            checker.add(
                line_of(raw, "module"),
                f"{where}: module {module} already has a module quiz (line {context.module_quiz[module]})",
            )
            return False
        context.module_quiz[module] = line_of(raw, "module")
        return True
    if "module" in raw:
        checker.add(
            line_of(raw, "module"),
            f"{where}: only module quizzes name a module; use draw rules to pick by module",
        )
        return False
    return True


def _check_settings(checker: Checker, raw: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    """Time limit, attempts, grading method, feedback mode and shuffle; None when one is wrong."""
    ok = True
    time_limit = raw.get("time_limit_minutes")
    if time_limit is not None:
        number = checker.number(raw, "time_limit_minutes", where, low=1, high=24 * 60, integer=True)
        time_limit = None if number is None else int(number)
        ok = ok and number is not None
    max_attempts = raw.get("max_attempts")
    if max_attempts is not None:
        number = checker.number(raw, "max_attempts", where, low=1, high=1000, integer=True)
        max_attempts = None if number is None else int(number)
        ok = ok and number is not None
    ok = checker.one_of(raw, "grading", where, GRADING_METHODS) and ok
    ok = checker.one_of(raw, "show_feedback", where, FEEDBACK_MODES) and ok
    shuffle = checker.flag(raw, "shuffle", where)
    if not ok or shuffle is None:
        return None
    return {
        "time_limit_minutes": time_limit,
        "max_attempts": max_attempts,
        "grading": str(raw["grading"]),
        "show_feedback": str(raw["show_feedback"]),
        "shuffle": shuffle,
    }


def _check_draw_rules(
    checker: Checker,
    raw: Mapping[str, Any],
    where: str,
    kind: Any,
    module: Any,
    modules: set[str],
    competencies: set[str] | None,
) -> tuple[DrawRule, ...] | None:
    entries = raw.get("draw")
    if not isinstance(entries, list) or not entries:
        checker.add(
            line_of(raw, "draw"),
            f"{where}: draw must be a non-empty list of rules like {{module: m1-basics, count: 10}}",
        )
        return None
    rules: list[DrawRule] = []
    ok = True
    for index, entry in enumerate(entries):
        label = f"{where} draw rule {index + 1}"
        if not check_keys(
            entry,
            required=("count",),
            optional=("module", "competency", "difficulty"),
            path=checker.path,
            problems=checker.problems,
            where=label,
        ):
            ok = False
            continue
        count = checker.number(entry, "count", label, low=1, high=500, integer=True)
        rule_module = entry.get("module")
        if kind == "module" and rule_module is None:
            rule_module = module  # a module quiz draws from its own module unless told otherwise
        if rule_module is not None and rule_module not in modules:
            checker.add(line_of(entry, "module"), f"{label}: unknown module {rule_module!r}")
            ok = False
        if kind == "module" and rule_module != module:
            checker.add(
                line_of(entry, "module"), f"{label}: a module quiz draws only from its module {module!r}"
            )
            ok = False
        competency = entry.get("competency")
        if competency is not None and competencies is not None and competency not in competencies:
            checker.add(line_of(entry, "competency"), f"{label}: unknown competency {competency!r}")
            ok = False
        difficulty = entry.get("difficulty")
        if difficulty is not None and difficulty not in DIFFICULTIES:
            checker.add(
                line_of(entry, "difficulty"), f"{label}: difficulty must be one of {', '.join(DIFFICULTIES)}"
            )
            ok = False
        if count is None:
            ok = False
            continue
        rules.append(DrawRule(int(count), rule_module, competency, difficulty))
    return tuple(rules) if ok else None


def _check_satisfiable(
    checker: Checker,
    raw: Mapping[str, Any],
    where: str,
    rules: Sequence[DrawRule],
    bank_set: QuestionBankSet,
) -> None:
    questions = bank_set.drawable()
    entries = raw["draw"]
    short = False
    for index, rule in enumerate(rules):
        available = sum(1 for q in questions if rule.matches(q))
        if available < rule.count:
            checker.add(
                line_of(entries, index),
                f"{where} draw rule {index + 1}: wants {rule.count} questions with {rule.describe()}, the banks have {available} (not retired)",
            )
            short = True
    if short:
        return
    wanted = sum(rule.count for rule in rules)
    possible = _max_distinct_draw(rules, questions)
    if possible < wanted:
        checker.add(
            line_of(raw, "draw"),
            f"{where}: the draw rules together need {wanted} different questions, the banks can supply only {possible} without repeats",
        )

