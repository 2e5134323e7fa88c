"""GIFT import from Moodle: a GIFT file into raw bank questions (export is in :mod:`.gift_write`).

Reads GIFT as Moodle writes it (the mapping table is in docs/content-formats.md, "GIFT (Moodle)
interchange"): ``$CATEGORY`` sets the module, ``::name::`` the id (repeated names renamed with a
warning), ``[html]`` becomes sanitized Markdown (:mod:`.gift_html`), and the answer block decides
the type: single (with partial credit), multi (with 0 % answers), true/false, numeric (with ``~#``
catch-all feedback), short answer (``{=a =%50%b}``) and matching. An answer block mid-sentence is a
missing word: the text gets a ``_____`` blank. General feedback ``####`` is optional.

Essays and descriptions are skipped with a warning; anything without an equivalent (Cloze, a
second answer block, matching distractors...) refuses that question only, with its line and the
reason, and the rest carry on. Bank-rule problems are reworded in GIFT terms (:func:`gift_wording`).

Languages: GIFT is monolingual. Every text goes into the file's language and into the other one
prefixed with :data:`TRANSLATE_MARK`; such a question is usable in the file's language at once and
listed as needing translation (see :attr:`Question.languages`).

Our tags and part ids have no GIFT syntax; export writes them in a comment Moodle ignores,
``// @trainer module=m1-basics; competencies=a,b; difficulty=easy; ids=a,b,c; weights=34,33,33``,
and import reads it back, so export then import gives the same questions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainer.content.source import LANGUAGES, LineMap, Problems
from trainer.quiz.bank.gift_answers import matching, multiple_choice, numeric, short_answer, truefalse
from trainer.quiz.bank.gift_syntax import (
    BLANK,
    FORMAT_RE,
    META_PREFIX,
    Block,
    Refused,
    Skipped,
    clean_text,
    gift_wording,
    line_list,
    line_map,
    one_language,
    plain_number,
    restore,
    unescape_marks,
)
from trainer.quiz.bank.model import ID_RE, Question
from trainer.quiz.bank.questions import build_question

__all__ = ["GiftImport", "import_gift", "parse_gift"]

_CLOZE_RE = re.compile(
    r"^\s*\d*:(MC|MCV|MCH|MR|MRH|MULTICHOICE\w*|MULTIRESPONSE\w*|SA|SHORTANSWER\w*|MW|NM|NUMERICAL)\b",
    re.IGNORECASE,
)


@dataclass
class GiftImport:
    """The result of reading a GIFT file: raw questions in bank format, every refused question
    (``problems``, with line and reason) and every warning (skipped essays and descriptions,
    renamed duplicates, images that could not be kept), each ``path:line: message``."""

    questions: list[LineMap]
    problems: Problems
    warnings: Problems


def _parse_meta(comment: str) -> dict[str, str]:
    body = comment.strip()[2:].strip()
    if not body.startswith(META_PREFIX):
        return {}
    meta: dict[str, str] = {}
    for part in body[len(META_PREFIX) :].split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            meta[key.strip()] = value.strip()
    return meta


def _blocks(text: str) -> Iterable[Block]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    current: list[str] = []
    first = 0
    meta: dict[str, str] = {}
    has_content = False

    def flush() -> Block | None:
        nonlocal current, meta, has_content
        block = Block("\n".join(current), first, meta) if has_content else None
        if has_content:
            meta = {}
        current, has_content = [], False
        return block

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            if (block := flush()) is not None:
                yield block
            continue
        if not current:
            first = number
        if line.strip().startswith("//"):
            meta.update(_parse_meta(line))
            current.append("")
            continue
        current.append(unescape_marks(line))
        has_content = True
    if (block := flush()) is not None:
        yield block


def _meta_numbers(value: Any, line: int) -> list[float] | None:
    """``@trainer weights=34,33,33``: exact weights export had to round to Moodle's grade list."""
    if not value:
        return None
    try:
        return [float(part) for part in str(value).split(",")]
    except ValueError:
        raise Refused(line, f"@trainer weights {value!r}: expected numbers separated by commas") from None


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_.-]+", "-", name.strip().lower()).strip("-._")
    return slug[:80]


@dataclass
class _Parsed:
    """One question split into its parts; offsets are into ``block.text``."""

    line: int  # where the question starts
    name: str  # the ``::name::``, or ""
    text: str  # the question text, cleaned (a missing word's blank as :data:`BLANK`)
    answer: str  # inside the braces, without the general feedback
    answer_base: int  # offset of ``answer`` in the block
    brace_line: int
    explanation: str  # the general feedback ``####...``, or ""
    missing_word: bool = False  # the answer block stood mid-sentence


def _parse_question(block: Block, *, lang: str, fallback_id: str, tags: Mapping[str, Any]) -> LineMap:
    """One question block as a raw bank question (LineMaps pointing into the GIFT file)."""
    parsed = _split_question(block)
    qid = (_slug(parsed.name) if parsed.name else "") or fallback_id
    if parsed.name and not ID_RE.match(qid):
        qid = fallback_id
    if parsed.name and qid == fallback_id:
        block.notes.append(
            (
                parsed.line,
                f"question name {parsed.name!r} has no letters a-z or digits for an id: imported as {qid!r}",
            )
        )
    qtype, extra = _answer_fields(block, parsed, lang, tags)
    line = parsed.line
    items: dict[str, Any] = {"id": qid}
    lines: dict[str, int] = {"text": line}
    items["type"] = qtype
    items["module"] = tags.get("module")
    items["competencies"] = line_list(
        tags.get("competencies", []), [line] * len(tags.get("competencies", [])), line
    )
    items["difficulty"] = tags.get("difficulty")
    items["text"] = line_map(line, one_language(parsed.text, lang))
    if tags.get("mark") is not None:
        items["mark"] = tags["mark"]
    if tags.get("kind"):
        items["kind"] = tags["kind"]
    if tags.get("retired") == "true":
        items["retired"] = True
    if parsed.explanation:
        items["explanation"] = line_map(line, one_language(parsed.explanation, lang))
    for key, value in extra.items():
        items[key] = value
        lines[key] = parsed.brace_line
    if qtype == "numeric" and tags.get("unit"):
        items["unit"] = line_map(line, one_language(str(tags["unit"]), lang))
    items = {k: v for k, v in items.items() if v is not None}
    return line_map(line, items, lines)


def _split_question(block: Block) -> _Parsed:
    """Name, text, answer block and general feedback; refuses what has no equivalent."""
    text = block.text.strip()
    lead = len(block.text) - len(block.text.lstrip())
    line = block.line_at(lead)
    if restore(text).startswith("$CATEGORY:"):
        raise Refused(line, "internal: category handled elsewhere")  # pragma: no cover
    name = ""
    body_offset = lead
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise Refused(line, "question name: no closing '::'")
        name = restore(text[2:end]).strip()
        body_offset = lead + end + 2
    body = block.text[body_offset:]
    open_at, close_at = _answer_braces(block, body, body_offset, line)
    after = body[close_at + 1 :]
    missing_word = bool(after.strip())
    raw_text = body[:open_at] + (BLANK + after.rstrip() if missing_word else "")
    format_match = FORMAT_RE.match(raw_text)
    block.html = format_match is not None and format_match.group(1).lower() == "html"
    question_text = clean_text(raw_text, line, "question text", block)
    answer_base = body_offset + open_at + 1
    answer = body[open_at + 1 : close_at]
    brace_line = block.line_at(body_offset + open_at)
    explanation = ""
    general_at = answer.rfind("####")
    if general_at >= 0:
        explanation = clean_text(
            answer[general_at + 4 :], block.line_at(answer_base + general_at), "general feedback", block
        )
        answer = answer[:general_at]
    stripped = answer.strip()
    if not stripped:
        raise Skipped(brace_line, "essay question ({}) skipped: answers typed at length are graded by hand")
    if not question_text:
        raise Refused(line, "the question has no text before its answer block")
    if _CLOZE_RE.match(restore(stripped)):
        raise Refused(brace_line, "embedded answers (Cloze) are not GIFT: import them as Moodle XML")
    return _Parsed(line, name, question_text, answer, answer_base, brace_line, explanation, missing_word)


def _answer_braces(block: Block, body: str, body_offset: int, line: int) -> tuple[int, int]:
    """Offsets (in ``body``) of the one answer block's braces (at the end, or mid-sentence)."""
    open_at, close_at = body.find("{"), body.find("}")
    if open_at < 0 and close_at < 0:
        raise Skipped(line, "description (text without an answer block) skipped: it asks nothing")
    if open_at < 0 or close_at < 0 or close_at < open_at:
        raise Refused(
            block.line_at(body_offset + max(open_at, close_at)),
            "unbalanced braces: escape a literal brace as \\{ or \\}",
        )
    second = body.find("{", open_at + 1)
    if second >= 0:
        raise Refused(
            block.line_at(body_offset + second),
            "a second answer block: GIFT allows one per question (several blanks are Cloze, which is not GIFT)",
        )
    return open_at, close_at


def _answer_fields(
    block: Block, parsed: _Parsed, lang: str, tags: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """The question type, told from the answer block, and its type-specific fields."""
    answer, base, brace_line = parsed.answer, parsed.answer_base, parsed.brace_line
    stripped = answer.strip()
    part_ids = [p for p in str(tags.get("ids", "")).split(",") if p]

    def part_id(index: int, count: int, prefix: str) -> str:
        if len(part_ids) == count:
            return part_ids[index]
        return chr(ord("a") + index) if prefix == "" and count <= 26 else f"{prefix or 'o'}{index + 1}"

    if stripped.startswith("#"):
        return "numeric", numeric(answer, base, block, brace_line, lang)
    if "~" in answer:
        weights = _meta_numbers(tags.get("weights"), brace_line)
        return multiple_choice(answer, base, block, lang, part_id, weights)
    if "=" in answer and "->" in answer:
        if parsed.missing_word:
            raise Refused(
                brace_line, "a matching question cannot stand in for one missing word: put it at the end"
            )
        return "matching", matching(answer, base, block, lang, part_id)
    tf = restore(stripped.split("#", 1)[0]).strip()
    if tf in ("T", "TRUE", "F", "FALSE"):
        return "truefalse", truefalse(stripped, tf, brace_line, lang, block)
    if stripped.startswith("="):
        fields = short_answer(answer, base, block, lang)
        if tags.get("case") == "sensitive":
            fields["case_sensitive"] = True
        return "short", fields
    raise Refused(
        brace_line,
        f"cannot tell the question type from the answer block {{{restore(stripped)[:40]}}}",
    )


def _tags(
    meta: Mapping[str, str], module: str | None, competencies: Sequence[str], difficulty: str
) -> dict[str, Any]:
    """The tags of one question: its ``// @trainer`` comment first, then the file's defaults."""
    tags: dict[str, Any] = {
        "module": meta.get("module") or module,
        "competencies": [c.strip() for c in meta["competencies"].split(",") if c.strip()]
        if "competencies" in meta
        else list(competencies),
        "difficulty": meta.get("difficulty") or difficulty,
        **{key: meta.get(key) for key in ("ids", "unit", "kind", "retired", "weights", "case")},
    }
    if "mark" in meta:
        try:
            tags["mark"] = plain_number(float(meta["mark"]))
        except ValueError:
            tags["mark"] = meta["mark"]  # the bank check reports it at the question's line
    return tags


def _category(block: Block, modules: set[str], path: str, problems: Problems) -> str | None:
    """The module a ``$CATEGORY:`` line names (its last segment), or None."""
    stripped = block.text.strip()
    lead = len(block.text) - len(block.text.lstrip())
    first, _, rest = stripped.partition("\n")
    if rest.strip():
        problems.add(
            path,
            block.line_at(lead + len(first) + 1),
            "put a blank line after the $CATEGORY line (Moodle reads the whole paragraph as the category)",
        )
    segment = restore(first[len("$CATEGORY:") :]).strip().rstrip("/").split("/")[-1]
    return segment if segment in modules else None


def _unique_id(raw: LineMap, seen: dict[str, int], path: str, warnings: Problems) -> None:
    """Rename a repeated question name (``name-2``, ``name-3``...) and say so."""
    qid = str(raw["id"])
    if qid in seen:
        suffix = 2
        while f"{qid}-{suffix}" in seen:
            suffix += 1
        renamed = f"{qid[: 79 - len(str(suffix))]}-{suffix}"
        warnings.add(
            path,
            raw.start_line,
            f"question name {qid!r} is also used on line {seen[qid]}: imported as {renamed!r}",
        )
        raw["id"] = qid = renamed
    seen[qid] = raw.start_line


def parse_gift(
    text: str,
    *,
    lang: str,
    path: str | Path = "<gift>",
    module_ids: Iterable[str] = (),
    default_module: str | None = None,
    default_competencies: Sequence[str] = (),
    default_difficulty: str = "medium",
    id_prefix: str = "gift-",
) -> GiftImport:
    """Parse GIFT text into raw bank questions (not yet validated against the bank rules).

    Tags come from a ``// @trainer`` comment, else the ``$CATEGORY`` (module), else the defaults.
    A question that cannot be read is reported in ``problems`` and the rest carry on.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}")
    problems, warnings = Problems(), Problems()
    path = str(path)
    modules = set(module_ids)
    category_module: str | None = None
    questions: list[LineMap] = []
    seen: dict[str, int] = {}
    for number, block in enumerate(_blocks(text), start=1):
        if restore(block.text.strip()).startswith("$CATEGORY:"):
            category_module = _category(block, modules, path, problems)
            continue
        tags = _tags(block.meta, category_module or default_module, default_competencies, default_difficulty)
        try:
            raw = _parse_question(block, lang=lang, fallback_id=f"{id_prefix}{number:03d}", tags=tags)
        except Skipped as exc:
            warnings.add(path, exc.line, exc.message)
            continue
        except Refused as exc:
            problems.add(path, exc.line, exc.message)
            continue
        finally:
            for line, note in block.notes:
                warnings.add(path, line, note)
        _unique_id(raw, seen, path, warnings)
        questions.append(raw)
    return GiftImport(questions, problems, warnings)


def import_gift(
    text: str,
    *,
    lang: str,
    bank_id: str,
    module_ids: Iterable[str],
    competency_ids: Iterable[str],
    path: str | Path = "<gift>",
    default_module: str | None = None,
    default_competencies: Sequence[str] = (),
    default_difficulty: str = "medium",
) -> tuple[list[Question], GiftImport]:
    """Parse GIFT and validate every question with the bank rules (problems point into the file).

    Returns the questions that passed, and the parse result whose ``questions`` are now only the
    raw questions that passed (for :func:`trainer.quiz.bank.loader.dump_bank_yaml`), with every
    problem of the refused ones in GIFT terms. Texts of the other language carry the translation
    mark: the question is usable in the file's language until someone translates it.
    """
    modules = list(module_ids)
    parsed = parse_gift(
        text,
        lang=lang,
        path=path,
        module_ids=modules,
        default_module=default_module,
        default_competencies=default_competencies,
        default_difficulty=default_difficulty,
        id_prefix=f"{bank_id}-gift-",
    )
    competencies = list(competency_ids)
    questions, passed = [], []
    checks = Problems()
    for index, raw in enumerate(parsed.questions):
        question = build_question(
            raw,
            bank_id=bank_id,
            path=str(path),
            problems=checks,
            module_ids=modules,
            competency_ids=competencies,
            index=index,
        )
        if question is not None:
            questions.append(question)
            passed.append(raw)
    for problem in checks:
        parsed.problems.add(problem.path, problem.line, gift_wording(problem.message))
    parsed.questions = passed
    return questions, parsed
