"""GIFT import from Moodle: a GIFT file into raw bank questions (export is in :mod:`.gift_write`).

Supported (the constructs that map to our question types):

- ``// comment`` lines; ``$CATEGORY: path`` (its last segment names the module when it is a
  module id); ``::name::`` (becomes the question id); ``[markdown]``/``[plain]``/``[moodle]``
  text formats (``[html]`` only without tags);
- multiple choice ``{=right ~wrong}`` with ``#feedback`` and ``~%50%`` weights: one answer right
  (``=``, or a single ``%100%`` with no other weights) -> ``single``; weights -> ``multi``;
- true/false ``{T}`` ``{F}`` ``{TRUE}`` ``{FALSE}`` with ``#feedback if wrong#feedback if right``;
- numeric ``{#x:tolerance}``, ``{#min..max}`` and several answers ``{#=x:t =%50%x:t2}`` -> ``numeric``
  with a fixed answer (``params: {}``, ``formula: "<number>"``; further answers become
  ``alternatives`` with their credit);
- matching ``{=prompt -> answer ...}``;
- general feedback ``####text`` (becomes the explanation; every question needs one);
- escapes ``\\: \\= \\~ \\# \\{ \\} \\\\`` and ``\\n``.

Refused, with the line and the reason: essay ``{}``, short answer ``{=a =b}``, missing-word
(text after the answer block), several answer blocks, embedded answers (Cloze), descriptions
(no answer block), numeric wrong-answer feedback ``~``, matching distractors, single-answer
questions with partial credit.

Languages: GIFT is monolingual. Import takes the language of the file; every text goes into that
language and into the other language prefixed with :data:`TRANSLATE_MARK`, which the bank loader
reports until someone translates it, so an imported bank cannot reach trainees half-translated.
Export writes one language.

Our tags and part ids have no GIFT syntax; export writes them in a comment Moodle ignores,
``// @trainer module=m1-basics; competencies=a,b; difficulty=easy; ids=a,b,c; unit=days``, and
import reads it back, so export then import gives the same questions. Ordering and calculated
questions have no GIFT equivalent: export skips them and says so. A numeric question's formula is
exported as its value (GIFT has no formulas).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainer.content.source import LANGUAGES, LineMap, Problems
from trainer.quiz.bank.gift_answers import matching, multiple_choice, numeric, truefalse
from trainer.quiz.bank.gift_syntax import (
    META_PREFIX,
    Block,
    Refused,
    clean_text,
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
    """The result of parsing a GIFT file: raw questions in bank format, and every problem."""

    questions: list[LineMap]
    problems: Problems


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


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_.-]+", "-", name.strip().lower()).strip("-._")
    return slug[:80]


@dataclass
class _Parsed:
    """One question split into its parts; offsets are into ``block.text``."""

    line: int  # where the question starts
    name: str  # the ``::name::``, or ""
    text: str  # the question text, cleaned
    answer: str  # inside the braces, without the general feedback
    answer_base: int  # offset of ``answer`` in the block
    brace_line: int
    explanation: str  # the general feedback ``####...``, or ""


def _parse_question(block: Block, *, lang: str, fallback_id: str, tags: Mapping[str, Any]) -> LineMap:
    """One question block as a raw bank question (LineMaps pointing into the GIFT file)."""
    parsed = _split_question(block)
    qid = (_slug(parsed.name) if parsed.name else "") or fallback_id
    if parsed.name and not ID_RE.match(qid):
        qid = fallback_id
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
    question_text = clean_text(body[:open_at], line, "question text")
    if not question_text:
        raise Refused(line, "the question has no text before its answer block")
    answer_base = body_offset + open_at + 1
    answer = body[open_at + 1 : close_at]
    brace_line = block.line_at(body_offset + open_at)
    explanation = ""
    general_at = answer.rfind("####")
    if general_at >= 0:
        explanation = clean_text(
            answer[general_at + 4 :], block.line_at(answer_base + general_at), "general feedback"
        )
        answer = answer[:general_at]
    stripped = answer.strip()
    if not stripped:
        raise Refused(brace_line, "essay questions ({}) are not supported")
    if _CLOZE_RE.match(restore(stripped)):
        raise Refused(brace_line, "embedded answers (Cloze) are not supported")
    return _Parsed(line, name, question_text, answer, answer_base, brace_line, explanation)


def _answer_braces(block: Block, body: str, body_offset: int, line: int) -> tuple[int, int]:
    """Offsets (in ``body``) of the one answer block's braces, which must end the question."""
    open_at, close_at = body.find("{"), body.find("}")
    if open_at < 0 and close_at < 0:
        raise Refused(
            line, "a description (text without an answer block {...}) is not a question; not supported"
        )
    if open_at < 0 or close_at < 0 or close_at < open_at:
        raise Refused(
            block.line_at(body_offset + max(open_at, close_at)),
            "unbalanced braces: escape a literal brace as \\{ or \\}",
        )
    if body.find("{", open_at + 1) >= 0:
        second = body.find("{", open_at + 1)
        raise Refused(
            block.line_at(body_offset + second),
            "more than one answer block (missing-word or embedded answers) is not supported",
        )
    after = body[close_at + 1 :]
    if after.strip():
        raise Refused(
            block.line_at(body_offset + close_at + 1),
            "text after the answer block (missing-word format) is not supported: put the answers at the end",
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
        return multiple_choice(answer, base, block, lang, part_id)
    if "=" in answer and "->" in answer:
        return "matching", matching(answer, base, block, lang, part_id)
    tf = restore(stripped.split("#", 1)[0]).strip()
    if tf in ("T", "TRUE", "F", "FALSE"):
        return "truefalse", truefalse(stripped, tf, brace_line, lang)
    if stripped.startswith("="):
        raise Refused(
            brace_line, "short answer questions ({=a =b}) are not supported: there is no equivalent type"
        )
    raise Refused(
        brace_line,
        f"cannot tell the question type from the answer block {{{restore(stripped)[:40]}}}",
    )


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
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}")
    problems = Problems()
    path = str(path)
    modules = set(module_ids)
    category_module: str | None = None
    questions: list[LineMap] = []
    seen: dict[str, int] = {}
    for number, block in enumerate(_blocks(text), start=1):
        stripped = block.text.strip()
        lead = len(block.text) - len(block.text.lstrip())
        if restore(stripped).startswith("$CATEGORY:"):
            first, _, rest = stripped.partition("\n")
            if rest.strip():
                problems.add(
                    path,
                    block.line_at(lead + len(first) + 1),
                    "put a blank line after the $CATEGORY line (Moodle reads the whole paragraph as the category)",
                )
            segment = restore(first[len("$CATEGORY:") :]).strip().rstrip("/").split("/")[-1]
            category_module = segment if segment in modules else None
            continue
        meta = block.meta
        tags: dict[str, Any] = {
            "module": meta.get("module") or category_module or default_module,
            "competencies": [c.strip() for c in meta["competencies"].split(",") if c.strip()]
            if "competencies" in meta
            else list(default_competencies),
            "difficulty": meta.get("difficulty") or default_difficulty,
            "ids": meta.get("ids", ""),
            "unit": meta.get("unit"),
            "kind": meta.get("kind"),
            "retired": meta.get("retired"),
        }
        if "mark" in meta:
            try:
                tags["mark"] = plain_number(float(meta["mark"]))
            except ValueError:
                problems.add(path, block.first_line, f"@trainer mark {meta['mark']!r} is not a number")
        try:
            raw = _parse_question(block, lang=lang, fallback_id=f"{id_prefix}{number:03d}", tags=tags)
        except Refused as exc:
            problems.add(path, exc.line, exc.message)
            continue
        qid = str(raw["id"])
        if qid in seen:
            problems.add(path, raw.start_line, f"duplicate question name {qid!r} (also on line {seen[qid]})")
            continue
        seen[qid] = raw.start_line
        questions.append(raw)
    return GiftImport(questions, problems)


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
    allow_untranslated: bool = True,
) -> tuple[list[Question], GiftImport]:
    """Parse GIFT and validate every question with the bank rules (problems point into the file).

    Returns the questions that passed and the parse result (raw questions for writing a bank file
    with :func:`trainer.quiz.bank.loader.dump_bank_yaml`, and all problems). Untranslated texts are
    allowed here: the import is the step before translation.
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
    questions = []
    for index, raw in enumerate(parsed.questions):
        question = build_question(
            raw,
            bank_id=bank_id,
            path=str(path),
            problems=parsed.problems,
            module_ids=modules,
            competency_ids=competencies,
            allow_untranslated=allow_untranslated,
            index=index,
        )
        if question is not None:
            questions.append(question)
    return questions, parsed
