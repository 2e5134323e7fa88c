"""GIFT interchange with Moodle: import a GIFT file into bank questions, export a bank as GIFT.

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

from trainer.content.source import LANGUAGES, LineList, LineMap, Problems
from trainer.quiz.bank.formula import evaluate
from trainer.quiz.bank.model import ID_RE, TRANSLATE_MARK, Question
from trainer.quiz.bank.placeholders import fill_placeholders
from trainer.quiz.bank.questions import build_question

__all__ = ["GiftImport", "escape", "export_gift", "import_gift", "parse_gift"]

# Escaped characters become private-use placeholders while the structure is parsed (as Moodle does).
_ESCAPES = {
    "\\\\": "\ue000",
    "\\:": "\ue001",
    "\\#": "\ue002",
    "\\=": "\ue003",
    "\\{": "\ue004",
    "\\}": "\ue005",
    "\\~": "\ue006",
    "\\n": "\n",
}
_RESTORE = {
    "\ue000": "\\",
    "\ue001": ":",
    "\ue002": "#",
    "\ue003": "=",
    "\ue004": "{",
    "\ue005": "}",
    "\ue006": "~",
}
_ESCAPE_RE = re.compile(r"\\[\\:#={}~n]")
_WEIGHT_RE = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_FORMAT_RE = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_CLOZE_RE = re.compile(
    r"^\s*\d*:(MC|MCV|MCH|MR|MRH|MULTICHOICE\w*|MULTIRESPONSE\w*|SA|SHORTANSWER\w*|MW|NM|NUMERICAL)\b",
    re.IGNORECASE,
)
_TAG_RE = re.compile(r"<[A-Za-z/!][^>]*>")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_META_PREFIX = "@trainer"


def _unescape_marks(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text)


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text)


def escape(text: str) -> str:
    """Escape a text for GIFT: the special characters get a backslash, newlines become ``\\n``."""
    out = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\r\n", "\n").replace("\n", "\\n")


@dataclass
class GiftImport:
    """The result of parsing a GIFT file: raw questions in bank format, and every problem."""

    questions: list[LineMap]
    problems: Problems


@dataclass
class _Block:
    """One paragraph of the file: a question (or a category line), with line bookkeeping."""

    text: str  # escapes replaced, comment lines blanked, newlines kept so offsets map to lines
    first_line: int
    meta: dict[str, str]

    def line_at(self, offset: int) -> int:
        return self.first_line + self.text.count("\n", 0, max(0, offset))


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def _parse_meta(comment: str) -> dict[str, str]:
    body = comment.strip()[2:].strip()
    if not body.startswith(_META_PREFIX):
        return {}
    meta: dict[str, str] = {}
    for part in body[len(_META_PREFIX) :].split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            meta[key.strip()] = value.strip()
    return meta


def _blocks(text: str) -> Iterable[_Block]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    current: list[str] = []
    first = 0
    meta: dict[str, str] = {}
    has_content = False

    def flush() -> _Block | None:
        nonlocal current, meta, has_content
        block = _Block("\n".join(current), first, meta) if has_content else None
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
        current.append(_unescape_marks(line))
        has_content = True
    if (block := flush()) is not None:
        yield block


def _clean_text(raw: str, line: int, what: str) -> str:
    """Strip a [format] prefix and restore escaped characters; refuse HTML markup."""
    text = raw.strip()
    match = _FORMAT_RE.match(text)
    if match:
        text = text[match.end() :].strip()
        if match.group(1).lower() == "html" and _TAG_RE.search(text):
            raise _Refused(
                line, f"{what}: HTML text is not supported; export it from Moodle as plain or Markdown text"
            )
    return _restore(text).strip()


def _number(raw: str, line: int, what: str) -> float:
    text = _restore(raw).strip()
    if not _NUMBER_RE.match(text):
        raise _Refused(line, f"{what}: {text!r} is not a number")
    return float(text)


def _num_str(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _split(text: str, markers: str, base: int) -> list[tuple[str, str, int]]:
    """Split at unescaped marker characters: ``[(marker, piece, offset), ...]``; the first piece
    (before any marker) has marker ''."""
    pieces: list[tuple[str, str, int]] = []
    start, marker = 0, ""
    for index, ch in enumerate(text):
        if ch in markers:
            pieces.append((marker, text[start:index], base + start))
            start, marker = index + 1, ch
    pieces.append((marker, text[start:], base + start))
    return pieces


def _localized(text: str, lang: str) -> dict[str, str]:
    return {other: text if other == lang else TRANSLATE_MARK + text for other in LANGUAGES}


def _map(line: int, items: Mapping[str, Any], lines: Mapping[str, int] | None = None) -> LineMap:
    """A LineMap so the bank validator reports problems at lines of the GIFT file."""
    result = LineMap(items)
    result.start_line = line
    result.key_lines = {key: (lines or {}).get(key, line) for key in items}
    return result


def _list(items: Sequence[Any], lines: Sequence[int], start: int) -> LineList:
    result = LineList(items)
    result.start_line = start
    result.item_lines = list(lines)
    return result


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_.-]+", "-", name.strip().lower()).strip("-._")
    return slug[:80]


def _parse_question(block: _Block, *, lang: str, fallback_id: str, tags: Mapping[str, Any]) -> LineMap:
    text = block.text.strip()
    lead = len(block.text) - len(block.text.lstrip())
    line = block.line_at(lead)
    if _restore(text).startswith("$CATEGORY:"):
        raise _Refused(line, "internal: category handled elsewhere")  # pragma: no cover
    name = ""
    body_offset = lead
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise _Refused(line, "question name: no closing '::'")
        name = _restore(text[2:end]).strip()
        body_offset = lead + end + 2
    body = block.text[body_offset:]
    open_at, close_at = body.find("{"), body.find("}")
    if open_at < 0 and close_at < 0:
        raise _Refused(
            line, "a description (text without an answer block {...}) is not a question; not supported"
        )
    if open_at < 0 or close_at < 0 or close_at < open_at:
        raise _Refused(
            block.line_at(body_offset + max(open_at, close_at)),
            "unbalanced braces: escape a literal brace as \\{ or \\}",
        )
    if body.find("{", open_at + 1) >= 0:
        second = body.find("{", open_at + 1)
        raise _Refused(
            block.line_at(body_offset + second),
            "more than one answer block (missing-word or embedded answers) is not supported",
        )
    after = body[close_at + 1 :]
    if after.strip():
        raise _Refused(
            block.line_at(body_offset + close_at + 1),
            "text after the answer block (missing-word format) is not supported: put the answers at the end",
        )
    question_text = _clean_text(body[:open_at], line, "question text")
    if not question_text:
        raise _Refused(line, "the question has no text before its answer block")
    answer_base = body_offset + open_at + 1
    answer = body[open_at + 1 : close_at]
    brace_line = block.line_at(body_offset + open_at)

    explanation = ""
    general_at = answer.rfind("####")
    if general_at >= 0:
        explanation = _clean_text(
            answer[general_at + 4 :], block.line_at(answer_base + general_at), "general feedback"
        )
        answer = answer[:general_at]
    stripped = answer.strip()
    if not stripped:
        raise _Refused(brace_line, "essay questions ({}) are not supported")
    if _CLOZE_RE.match(_restore(stripped)):
        raise _Refused(brace_line, "embedded answers (Cloze) are not supported")

    qid = (_slug(name) if name else "") or fallback_id
    if name and not ID_RE.match(qid):
        qid = fallback_id
    common: dict[str, Any] = {"id": qid}
    items: dict[str, Any] = {}
    lines: dict[str, int] = {"text": line}
    part_ids = [p for p in str(tags.get("ids", "")).split(",") if p]

    def part_id(index: int, count: int, prefix: str) -> str:
        if len(part_ids) == count:
            return part_ids[index]
        return chr(ord("a") + index) if prefix == "" and count <= 26 else f"{prefix or 'o'}{index + 1}"

    if stripped.startswith("#"):
        qtype, extra = "numeric", _numeric(answer, answer_base, block, brace_line, lang)
    elif "~" in answer:
        qtype, extra = _multiple_choice(answer, answer_base, block, lang, part_id)
    elif "=" in answer and "->" in answer:
        qtype, extra = "matching", _matching(answer, answer_base, block, lang, part_id)
    else:
        tf = _restore(stripped.split("#", 1)[0]).strip()
        if tf in ("T", "TRUE", "F", "FALSE"):
            qtype, extra = "truefalse", _truefalse(stripped, tf, brace_line, lang)
        elif stripped.startswith("="):
            raise _Refused(
                brace_line, "short answer questions ({=a =b}) are not supported: there is no equivalent type"
            )
        else:
            raise _Refused(
                brace_line,
                f"cannot tell the question type from the answer block {{{_restore(stripped)[:40]}}}",
            )

    items.update(common)
    items["type"] = qtype
    items["module"] = tags.get("module")
    items["competencies"] = _list(
        tags.get("competencies", []), [line] * len(tags.get("competencies", [])), line
    )
    items["difficulty"] = tags.get("difficulty")
    items["text"] = _map(line, _localized(question_text, lang))
    if tags.get("mark") is not None:
        items["mark"] = tags["mark"]
    if explanation:
        items["explanation"] = _map(line, _localized(explanation, lang))
    for key, value in extra.items():
        items[key] = value
        lines[key] = brace_line
    if qtype == "numeric" and tags.get("unit"):
        items["unit"] = _map(line, _localized(str(tags["unit"]), lang))
    items = {k: v for k, v in items.items() if v is not None}
    return _map(line, items, lines)


def _feedback(raw: str, line: int, lang: str) -> LineMap | None:
    text = _clean_text(raw, line, "feedback")
    return _map(line, _localized(text, lang)) if text else None


def _multiple_choice(
    answer: str, base: int, block: _Block, lang: str, part_id: Any
) -> tuple[str, dict[str, Any]]:
    pieces = _split(answer, "~=", base)
    if pieces[0][1].strip():
        raise _Refused(block.line_at(pieces[0][2]), "text before the first answer in the answer block")
    entries = []
    for marker, piece, offset in pieces[1:]:
        line = block.line_at(offset + len(piece) - len(piece.lstrip()))
        match = _WEIGHT_RE.match(piece)
        if marker == "=" and match:
            raise _Refused(line, "an answer has both '=' and a %weight%: use one")
        weight = 100.0 if marker == "=" else float(match.group(1)) if match else 0.0
        weighted = marker == "=" or bool(match)
        rest = piece[match.end() :] if match else piece
        text_part, _, feedback_part = rest.partition("#")
        text = _clean_text(text_part, line, "answer")
        if not text:
            raise _Refused(line, "an answer has no text")
        entries.append((marker, weight, weighted, text, feedback_part, line))
    if len(entries) < 2:
        raise _Refused(block.line_at(base), "a multiple-choice question needs at least two answers")
    equals = sum(1 for e in entries if e[0] == "=")
    weighted_tilde = [e for e in entries if e[0] == "~" and e[2]]
    if equals > 1:
        raise _Refused(
            entries[0][5],
            "several answers marked '=': a single-choice question has one right answer (use %weights% for multiple response)",
        )
    if equals == 1 and any(e[1] != 0 for e in weighted_tilde):
        raise _Refused(
            entries[0][5],
            "one '=' answer plus %weights% (single choice with partial credit) has no equivalent type",
        )
    single = equals == 1 or (
        sum(1 for e in entries if e[1] == 100) == 1 and all(e[1] in (0, 100) for e in entries)
    )
    options = []
    for index, (_, weight, _, text, feedback_part, line) in enumerate(entries):
        option: dict[str, Any] = {
            "id": part_id(index, len(entries), ""),
            "text": _map(line, _localized(text, lang)),
        }
        if single:
            if weight == 100:
                option["correct"] = True
        else:
            option["weight"] = int(weight) if weight.is_integer() else weight
        feedback = _feedback(feedback_part, line, lang)
        if feedback:
            option["feedback"] = feedback
        options.append(_map(line, option))
    return ("single" if single else "multi"), {
        "options": _list(options, [e[5] for e in entries], entries[0][5])
    }


def _truefalse(stripped: str, tf: str, line: int, lang: str) -> dict[str, Any]:
    bits = stripped.split("#", 2)
    wrong = _feedback(bits[1], line, lang) if len(bits) > 1 else None
    right = _feedback(bits[2], line, lang) if len(bits) > 2 else None
    answer = tf in ("T", "TRUE")
    result: dict[str, Any] = {"answer": answer}
    feedback_true, feedback_false = (right, wrong) if answer else (wrong, right)
    if feedback_true:
        result["feedback_true"] = feedback_true
    if feedback_false:
        result["feedback_false"] = feedback_false
    return result


def _numeric(answer: str, base: int, block: _Block, brace_line: int, lang: str) -> dict[str, Any]:
    start = answer.index("#")
    body = answer[start + 1 :]
    if "~" in body:
        raise _Refused(
            block.line_at(base + start + 1 + body.index("~")),
            "numeric wrong-answer feedback (~) is not supported",
        )
    accepted = []
    for index, (_, piece, offset) in enumerate(_split(body, "=", base + start + 1)):
        if index == 0 and not piece.strip():
            continue
        line = block.line_at(offset + len(piece) - len(piece.lstrip()))
        match = _WEIGHT_RE.match(piece)
        credit = float(match.group(1)) if match else 100.0
        rest = piece[match.end() :] if match else piece
        value_part, _, feedback_part = rest.partition("#")
        value_text = value_part.strip()
        if ".." in value_text:
            low_text, high_text = value_text.split("..", 1)
            low = _number(low_text, line, "numeric range")
            high = _number(high_text, line, "numeric range")
            if low > high:
                raise _Refused(line, f"numeric range {value_text}: the minimum is above the maximum")
            value, tolerance = (low + high) / 2, (high - low) / 2
        elif ":" in value_text:
            value_raw, tol_raw = value_text.split(":", 1)
            value, tolerance = (
                _number(value_raw, line, "numeric answer"),
                abs(_number(tol_raw, line, "numeric tolerance")),
            )
        else:
            value, tolerance = _number(value_text, line, "numeric answer"), 0.0
        if credit <= 0:
            raise _Refused(line, "a numeric answer with 0 % or negative credit is not supported")
        accepted.append((value, tolerance, credit, feedback_part, line))
    if not accepted:
        raise _Refused(brace_line, "a numeric question needs an answer, e.g. {#41.5:0.5}")
    accepted.sort(key=lambda a: -a[2])
    main = accepted[0]
    if main[2] != 100:
        raise _Refused(main[4], "a numeric question needs one answer with full credit")
    result: dict[str, Any] = {
        "params": _map(brace_line, {}),
        "formula": _num_str(main[0]),
        "tolerance": _plain_number(main[1]),
    }
    feedback = _feedback(main[3], main[4], lang)
    if feedback:
        result["feedback"] = feedback
    alternatives = []
    for value, tolerance, credit, feedback_part, line in accepted[1:]:
        alt: dict[str, Any] = {}
        if value != main[0]:
            alt["formula"] = _num_str(value)
        alt["tolerance"] = _plain_number(tolerance)
        alt["credit"] = _plain_number(credit)
        alt_feedback = _feedback(feedback_part, line, lang)
        if alt_feedback:
            alt["feedback"] = alt_feedback
        alternatives.append(_map(line, alt))
    if alternatives:
        result["alternatives"] = _list(alternatives, [a[4] for a in accepted[1:]], brace_line)
    return result


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _matching(answer: str, base: int, block: _Block, lang: str, part_id: Any) -> dict[str, Any]:
    pieces = _split(answer, "=", base)
    if pieces[0][1].strip():
        raise _Refused(block.line_at(pieces[0][2]), "text before the first pair in the matching block")
    pairs = []
    lines = []
    for index, (_, piece, offset) in enumerate(pieces[1:]):
        line = block.line_at(offset + len(piece) - len(piece.lstrip()))
        if "->" not in piece:
            raise _Refused(line, "a matching pair needs 'prompt -> answer'")
        prompt_raw, answer_raw = piece.split("->", 1)
        prompt = _clean_text(prompt_raw, line, "matching prompt")
        right = _clean_text(answer_raw, line, "matching answer")
        if not prompt:
            raise _Refused(line, "matching distractors (an answer without a prompt) are not supported")
        if not right:
            raise _Refused(line, "a matching pair has no answer after '->'")
        pairs.append(
            _map(
                line,
                {
                    "id": part_id(index, len(pieces) - 1, "p"),
                    "prompt": _map(line, _localized(prompt, lang)),
                    "answer": _map(line, _localized(right, lang)),
                },
            )
        )
        lines.append(line)
    return {"pairs": _list(pairs, lines, lines[0] if lines else base)}


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
        if _restore(stripped).startswith("$CATEGORY:"):
            first, _, rest = stripped.partition("\n")
            if rest.strip():
                problems.add(
                    path,
                    block.line_at(lead + len(first) + 1),
                    "put a blank line after the $CATEGORY line (Moodle reads the whole paragraph as the category)",
                )
            segment = _restore(first[len("$CATEGORY:") :]).strip().rstrip("/").split("/")[-1]
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
        }
        if "mark" in meta:
            try:
                tags["mark"] = _plain_number(float(meta["mark"]))
            except ValueError:
                problems.add(path, block.first_line, f"@trainer mark {meta['mark']!r} is not a number")
        try:
            raw = _parse_question(block, lang=lang, fallback_id=f"{id_prefix}{number:03d}", tags=tags)
        except _Refused as exc:
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


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------


def _text(texts: Mapping[str, str] | None, lang: str) -> str:
    if not texts:
        return ""
    value = texts.get(lang) or ""
    return value[len(TRANSLATE_MARK) :] if value.startswith(TRANSLATE_MARK) else value


def _meta_line(question: Question, lang: str) -> str:
    parts = [
        f"module={question.module}",
        f"competencies={','.join(question.competencies)}",
        f"difficulty={question.difficulty}",
    ]
    ids = [o.id for o in question.options] or [p.id for p in question.pairs]
    if ids:
        parts.append(f"ids={','.join(ids)}")
    if question.unit:
        parts.append(f"unit={_text(question.unit, lang)}")
    if question.mark != 1:
        parts.append(f"mark={_num_str(question.mark)}")
    return f"// {_META_PREFIX} " + "; ".join(parts)


def _with_feedback(text: str, feedback: Mapping[str, str] | None, lang: str) -> str:
    out = escape(text)
    if feedback:
        out += "#" + escape(_text(feedback, lang))
    return out


def _answer_block(question: Question, lang: str) -> list[str]:
    if question.type in ("single", "multi"):
        lines = []
        for option in question.options:
            if question.type == "single":
                mark = "=" if option.correct else "~"
            else:
                mark = f"~%{_num_str(option.weight)}%"
            lines.append(f"\t{mark}{_with_feedback(_text(option.text, lang), option.feedback, lang)}")
        return lines
    if question.type == "truefalse":
        right = question.feedback_true if question.answer else question.feedback_false
        wrong = question.feedback_false if question.answer else question.feedback_true
        token = "TRUE" if question.answer else "FALSE"
        wrong_text, right_text = escape(_text(wrong, lang)), escape(_text(right, lang))
        if right_text:
            return [f"\t{token}#{wrong_text}#{right_text}"]
        return [f"\t{token}#{wrong_text}"] if wrong_text else [f"\t{token}"]
    if question.type == "numeric":
        lines = ["\t#"]
        main_value = question.correct_value()
        for index, accepted in enumerate(question.answers):
            value = question.correct_value() if index == 0 else _eval_alt(question, accepted.formula)
            tolerance = (
                accepted.tolerance.value * abs(value) / 100
                if accepted.tolerance.relative
                else accepted.tolerance.value
            )
            credit = "" if accepted.credit == 100 and index == 0 else f"%{_num_str(accepted.credit)}%"
            feedback = ""
            if accepted.feedback:
                filled = fill_placeholders(
                    _text(accepted.feedback, lang), question.params, main_value, question.decimals
                )
                feedback = "#" + escape(filled)
            lines.append(f"\t={credit}{_num_str(value)}:{_num_str(tolerance)}{feedback}")
        return lines
    if question.type == "matching":
        return [
            f"\t={escape(_text(p.prompt, lang))} -> {escape(_text(p.answer, lang))}" for p in question.pairs
        ]
    raise ValueError(question.type)  # pragma: no cover


def _eval_alt(question: Question, formula: str) -> float:
    return evaluate(formula, question.params)


def export_gift(
    questions: Iterable[Question], *, lang: str, category: str | None = None
) -> tuple[str, list[str]]:
    """Write questions as GIFT in one language; returns the text and a warning per skipped question.

    Each module starts a ``$CATEGORY: $course$/<category or bank>/<module>`` so Moodle files the
    questions by module and import recovers it.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}")
    out: list[str] = []
    warnings: list[str] = []
    current_category = None
    for question in questions:
        if question.type not in ("single", "multi", "truefalse", "numeric", "matching"):
            warnings.append(
                f"question {question.id} ({question.type}): GIFT has no {question.type} question; skipped"
            )
            continue
        cat = f"$course$/{category or question.bank}/{question.module}"
        if cat != current_category:
            out.append(f"$CATEGORY: {cat}\n")
            current_category = cat
        text = _text(question.text, lang)
        explanation = _text(question.explanation, lang)
        if question.type == "numeric":
            answer = question.correct_value()
            text = fill_placeholders(text, question.params, None)
            explanation = fill_placeholders(explanation, question.params, answer, question.decimals)
        lines = [_meta_line(question, lang), f"::{escape(question.id)}::[markdown]{escape(text)} {{"]
        lines += _answer_block(question, lang)
        if explanation:
            lines.append(f"\t####{escape(explanation)}")
        lines.append("}")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out), warnings
