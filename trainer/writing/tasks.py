"""Writing tasks and their case files: the pure model and the loader of ``writing/cases.yaml`` and
``writing/tasks.yaml``. Every problem is reported as ``path:line: message`` like all content.

A case file holds the facts a letter must get right (customer, contract, invoices with numbers,
dates and amounts, the due date, our bank account, contacts); a task says what to write about
which case, the checklist of required elements, the rubric the human reviewer scores with and a
model answer in both languages. Pure Python: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from trainer.content.source import LANGUAGES, LineList, LineMap, Problems, load_yaml_file

Text = Mapping[str, str]
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,60}$")
FACT_KINDS = ("customer", "contract", "amount", "invoices", "invoice_dates", "due_date", "account", "reply_deadline")
TONE_ALLOW = ("extension", "waiver")
RUBRIC_LEVELS = 4  # scores 0..3
MAX_TEXT_CHARS = 8000  # the most a learner may write for any task


@dataclass(frozen=True)
class Invoice:
    number: str
    date: date
    amount: Decimal


@dataclass(frozen=True)
class Case:
    id: str
    customer: Text
    short_names: tuple[str, ...]
    contract_number: str
    contract_subject: Text
    terms: Text
    invoices: tuple[Invoice, ...]
    due_date: date
    bank: Text
    account_name: Text
    account_number: str
    contacts: Text
    notes: Text

    @property
    def amount(self) -> Decimal:
        return sum((invoice.amount for invoice in self.invoices), Decimal(0))


@dataclass(frozen=True)
class ChecklistItem:
    """A required element: a fact of the case (``kind`` in FACT_KINDS) or, with ``kind`` "words",
    any of the phrases in ``words`` (both languages are searched: the learner writes in either)."""

    id: str
    kind: str
    label: Text
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class RubricItem:
    id: str
    title: Text
    levels: tuple[Text, ...]  # levels[n] describes score n


@dataclass(frozen=True)
class Rubric:
    id: str
    title: Text
    items: tuple[RubricItem, ...]

    @property
    def max_score(self) -> int:
        return (RUBRIC_LEVELS - 1) * len(self.items)


@dataclass(frozen=True)
class Task:
    id: str
    kind: str
    title: Text
    brief: Text
    case: Case
    rubric: Rubric
    checklist: tuple[ChecklistItem, ...]
    model: Text
    competencies: tuple[str, ...]
    length: Mapping[str, tuple[int, int]]  # per language: zh in characters, en in words
    tone_allow: tuple[str, ...] = ()
    invoice_numbers: tuple[str, ...] = ()  # the invoices this task is about (default: all)

    @property
    def invoices(self) -> tuple[Invoice, ...]:
        if not self.invoice_numbers:
            return self.case.invoices
        return tuple(i for i in self.case.invoices if i.number in self.invoice_numbers)

    @property
    def amount(self) -> Decimal:
        return sum((invoice.amount for invoice in self.invoices), Decimal(0))


@dataclass
class WritingContent:
    cases: dict[str, Case] = field(default_factory=dict)
    rubrics: dict[str, Rubric] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)


class _Reader:
    """Small typed accessors that record a problem (with its line) instead of raising."""

    def __init__(self, path: Path, problems: Problems) -> None:
        self.path = path
        self.problems = problems

    def line(self, data: Any, key: str | None = None) -> int:
        return data.line_of(key) if isinstance(data, LineMap) else getattr(data, "start_line", 1)

    def add(self, data: Any, key: str | None, message: str) -> None:
        self.problems.add(self.path, self.line(data, key), message)

    def text(self, data: LineMap, key: str) -> Text:
        value = data.get(key)
        if not isinstance(value, Mapping) or set(value) != set(LANGUAGES):
            self.add(data, key, f"'{key}' needs exactly the languages {', '.join(LANGUAGES)}")
            return {lang: "" for lang in LANGUAGES}
        for lang in LANGUAGES:
            if not isinstance(value[lang], str) or not value[lang].strip():
                self.add(data, key, f"'{key}.{lang}' must be a non-empty text")
                return {lang: "" for lang in LANGUAGES}
        return {lang: value[lang].strip() for lang in LANGUAGES}

    def string(self, data: LineMap, key: str) -> str:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.add(data, key, f"'{key}' must be a non-empty text")
            return ""
        return value.strip()

    def day(self, data: LineMap, key: str) -> date:
        value = data.get(key)
        if not isinstance(value, date):
            self.add(data, key, f"'{key}' must be a date written YYYY-MM-DD")
            return date(2000, 1, 1)
        return value

    def ident(self, data: LineMap, key: str = "id") -> str:
        value = data.get(key)
        if not isinstance(value, str) or not ID_RE.match(value):
            self.add(data, key, f"'{key}' must be lower-case letters, digits, hyphens and underscores")
            return ""
        return value

    def listing(self, data: LineMap, key: str) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.add(data, key, f"'{key}' must be a non-empty list")
            return []
        return value

    def unknown_keys(self, data: LineMap, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.add(data, str(key), f"unknown key '{key}'")


def _invoice(reader: _Reader, data: Any) -> Invoice | None:
    if not isinstance(data, LineMap):
        reader.add(data, None, "an invoice must be a mapping with number, date and amount")
        return None
    reader.unknown_keys(data, {"number", "date", "amount"})
    raw = data.get("amount")
    try:
        amount = Decimal(str(raw)) if isinstance(raw, int | float | str) and not isinstance(raw, bool) else None
    except InvalidOperation:
        amount = None
    if amount is None or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        reader.add(data, "amount", "'amount' must be a positive number with at most two decimals")
        return None
    return Invoice(reader.string(data, "number"), reader.day(data, "date"), amount)


CASE_KEYS = {"id", "customer", "short_names", "contract", "contract_subject", "terms", "invoices", "due_date",
             "bank", "account_name", "account_number", "contacts", "notes"}


def _case(reader: _Reader, data: Any) -> Case | None:
    if not isinstance(data, LineMap):
        reader.add(data, None, "a case must be a mapping")
        return None
    reader.unknown_keys(data, CASE_KEYS)
    invoices = [_invoice(reader, item) for item in reader.listing(data, "invoices")]
    names = data.get("short_names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        reader.add(data, "short_names", "'short_names' must be a list of texts")
        names = []
    account = reader.string(data, "account_number")
    if account and not re.fullmatch(r"[0-9 ]{8,40}", account):
        reader.add(data, "account_number", "'account_number' must be digits (spaces allowed)")
    case = Case(
        id=reader.ident(data), customer=reader.text(data, "customer"), short_names=tuple(n.strip() for n in names),
        contract_number=reader.string(data, "contract"), contract_subject=reader.text(data, "contract_subject"),
        terms=reader.text(data, "terms"), invoices=tuple(i for i in invoices if i is not None),
        due_date=reader.day(data, "due_date"), bank=reader.text(data, "bank"),
        account_name=reader.text(data, "account_name"), account_number=account,
        contacts=reader.text(data, "contacts"), notes=reader.text(data, "notes"),
    )
    if len({i.number for i in case.invoices}) != len(case.invoices):
        reader.add(data, "invoices", "two invoices share a number")
    return case


def _rubric(reader: _Reader, rubric_id: str, data: Any) -> Rubric | None:
    if not isinstance(data, LineMap):
        reader.add(data, None, f"rubric '{rubric_id}' must be a mapping")
        return None
    reader.unknown_keys(data, {"title", "items"})
    items = []
    for entry in reader.listing(data, "items"):
        if not isinstance(entry, LineMap):
            reader.add(data, "items", "a rubric item must be a mapping")
            continue
        reader.unknown_keys(entry, {"id", "title", "levels"})
        levels = entry.get("levels")
        if not isinstance(levels, list) or len(levels) != RUBRIC_LEVELS:
            reader.add(entry, "levels", f"'levels' must list {RUBRIC_LEVELS} descriptions (scores 0 to 3)")
            continue
        texts = []
        for level in levels:
            holder = LineMap(text=level)
            holder.start_line = reader.line(entry, "levels")
            texts.append(reader.text(holder, "text"))
        items.append(RubricItem(reader.ident(entry), reader.text(entry, "title"), tuple(texts)))
    if len({i.id for i in items}) != len(items):
        reader.add(data, "items", "two rubric items share an id")
    return Rubric(rubric_id, reader.text(data, "title"), tuple(items))


def _checklist_item(reader: _Reader, entry: Any) -> ChecklistItem | None:
    if isinstance(entry, str):
        if entry not in FACT_KINDS:
            reader.add(entry, None, f"unknown checklist element '{entry}' (one of {', '.join(FACT_KINDS)})")
            return None
        return ChecklistItem(entry, entry, {})
    if not isinstance(entry, LineMap):
        reader.add(entry, None, "a checklist item is a fact name or a mapping with id, label and words")
        return None
    reader.unknown_keys(entry, {"id", "label", "words"})
    words = entry.get("words")
    if not isinstance(words, Mapping) or set(words) != set(LANGUAGES) or not all(
        isinstance(words[lang], list) and words[lang] and all(isinstance(w, str) and w.strip() for w in words[lang])
        for lang in LANGUAGES
    ):
        reader.add(entry, "words", "'words' needs a non-empty list of phrases for each of zh and en")
        return None
    phrases = tuple(w.strip() for lang in LANGUAGES for w in words[lang])
    return ChecklistItem(reader.ident(entry), "words", reader.text(entry, "label"), phrases)


TASK_KEYS = {"id", "kind", "title", "brief", "case", "rubric", "checklist", "model", "competencies", "length",
             "tone_allow", "invoices"}


def _length(reader: _Reader, data: LineMap) -> dict[str, tuple[int, int]]:
    """``length: {zh: [min, max], en: [min, max]}``: Chinese in characters, English in words."""
    value = data.get("length")
    result: dict[str, tuple[int, int]] = {}
    for lang in LANGUAGES:
        pair = value.get(lang) if isinstance(value, Mapping) else None
        if (not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(n, int) for n in pair)
                or not 0 < pair[0] < pair[1] <= MAX_TEXT_CHARS // 2):
            reader.add(data, "length", f"'length.{lang}' must be [min, max] with 0 < min < max <= {MAX_TEXT_CHARS // 2}")
            pair = [1, MAX_TEXT_CHARS // 2]
        result[lang] = (int(pair[0]), int(pair[1]))
    return result


def _task(reader: _Reader, data: Any, content: WritingContent, competency_ids: set[str]) -> Task | None:
    if not isinstance(data, LineMap):
        reader.add(data, None, "a task must be a mapping")
        return None
    reader.unknown_keys(data, TASK_KEYS)
    case = content.cases.get(str(data.get("case")))
    rubric = content.rubrics.get(str(data.get("rubric")))
    if case is None:
        reader.add(data, "case", f"unknown case '{data.get('case')}'")
    if rubric is None:
        reader.add(data, "rubric", f"unknown rubric '{data.get('rubric')}'")
    checklist = [_checklist_item(reader, entry) for entry in reader.listing(data, "checklist")]
    competencies = data.get("competencies")
    if not isinstance(competencies, list) or not competencies or any(c not in competency_ids for c in competencies):
        reader.add(data, "competencies", "'competencies' must list known competency ids")
        competencies = []
    allow = data.get("tone_allow", [])
    if not isinstance(allow, list) or any(a not in TONE_ALLOW for a in allow):
        reader.add(data, "tone_allow", f"'tone_allow' may list only {', '.join(TONE_ALLOW)}")
        allow = []
    numbers = data.get("invoices", [])
    known = {i.number for i in case.invoices} if case else set()
    if not isinstance(numbers, list) or any(str(n) not in known for n in numbers):
        reader.add(data, "invoices", "'invoices' must list invoice numbers of the task's case")
        numbers = []
    length = _length(reader, data)
    model, title, brief = reader.text(data, "model"), reader.text(data, "title"), reader.text(data, "brief")
    task_id, kind = reader.ident(data), reader.ident(data, "kind")
    if case is None or rubric is None or None in checklist:
        return None
    items = tuple(i for i in checklist if i is not None)
    if len({i.id for i in items}) != len(items):
        reader.add(data, "checklist", "two checklist items share an id")
    return Task(task_id, kind, title, brief, case, rubric, items, model, tuple(competencies), length,
                tuple(allow), tuple(str(n) for n in numbers))


def load_writing(folder: Path, competency_ids: set[str]) -> tuple[WritingContent, Problems]:
    """Load ``cases.yaml`` and ``tasks.yaml`` below ``folder``; a missing folder is no writing tasks."""
    problems = Problems()
    content = WritingContent()
    if not folder.is_dir():
        return content, problems
    cases_path, tasks_path = folder / "cases.yaml", folder / "tasks.yaml"
    reader = _Reader(cases_path, problems)
    data = load_yaml_file(cases_path, problems)
    for entry in data.get("cases", []) if isinstance(data, LineMap) else []:
        case = _case(reader, entry)
        if case is not None and case.id:
            if case.id in content.cases:
                reader.add(entry, "id", f"duplicate case id '{case.id}'")
            content.cases[case.id] = case
    reader = _Reader(tasks_path, problems)
    data = load_yaml_file(tasks_path, problems)
    if not isinstance(data, LineMap):
        problems.add(tasks_path, 1, "expected a mapping with 'rubrics' and 'tasks'")
        return content, problems
    rubrics = data.get("rubrics")
    for rubric_id, entry in rubrics.items() if isinstance(rubrics, LineMap) else []:
        rubric = _rubric(reader, str(rubric_id), entry)
        if rubric is not None:
            content.rubrics[rubric.id] = rubric
    tasks = data.get("tasks")
    for entry in tasks if isinstance(tasks, LineList) else []:
        task = _task(reader, entry, content, competency_ids)
        if task is not None and task.id:
            if task.id in content.tasks:
                reader.add(entry, "id", f"duplicate task id '{task.id}'")
            content.tasks[task.id] = task
    return content, problems
