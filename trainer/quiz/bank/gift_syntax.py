"""The GIFT syntax both directions share: escapes, numbers, and texts with the lines they came from.

Import builds raw questions as :class:`~trainer.content.source.LineMap` objects so the bank checks
report problems at lines of the GIFT file. Pure Python.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trainer.content.source import LANGUAGES, LineList, LineMap
from trainer.quiz.bank.gift_html import html_to_markdown
from trainer.quiz.bank.model import TRANSLATE_MARK

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
WEIGHT_RE = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
FORMAT_RE = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
META_PREFIX = "@trainer"
BLANK = "_____"
"""Where a missing-word question's answer block stood in the sentence (as Moodle shows it)."""


def unescape_marks(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text)


def restore(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text)


def escape(text: str) -> str:
    """Escape a text for GIFT: the special characters get a backslash, newlines become ``\\n``."""
    out = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\r\n", "\n").replace("\n", "\\n")


@dataclass
class Block:
    """One paragraph of the file: a question (or a category line), with line bookkeeping."""

    text: str  # escapes replaced, comment lines blanked, newlines kept so offsets map to lines
    first_line: int
    meta: dict[str, str]
    notes: list[tuple[int, str]] = field(default_factory=list)
    """Warnings about this question (an image that could not be kept, a dropped answer)."""
    html: bool = False
    """The question text is ``[html]``: its answers and feedback without a format of their own
    are HTML too (Moodle's export writes the format once, on the question text)."""

    def line_at(self, offset: int) -> int:
        return self.first_line + self.text.count("\n", 0, max(0, offset))


class Refused(Exception):
    """A construct import does not support, with the line to report it at."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class Skipped(Refused):
    """A question kind we have no use for (essay, description): skipped, reported as a warning."""


def clean_text(raw: str, line: int, what: str, block: Block | None = None) -> str:
    """Strip a [format] prefix and restore escaped characters; HTML (``[html]``, or no format in
    an ``[html]`` question) becomes sanitized Markdown (:mod:`.gift_html`), with a note on the
    block for anything it could not keep."""
    text = raw.strip()
    match = FORMAT_RE.match(text)
    html = block is not None and block.html
    if match:
        text = text[match.end() :].strip()
        html = match.group(1).lower() == "html"
    if html:
        text, dropped = html_to_markdown(text)
        if block is not None:
            block.notes.extend((line, f"{what}: {note}") for note in dropped)
    return restore(text).strip()


def read_number(raw: str, line: int, what: str) -> float:
    text = restore(raw).strip()
    if not NUMBER_RE.match(text):
        raise Refused(line, f"{what}: {text!r} is not a number")
    return float(text)


def number_text(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def split_at(text: str, markers: str, base: int) -> list[tuple[str, str, int]]:
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


def one_language(text: str, lang: str) -> dict[str, str]:
    return {other: text if other == lang else TRANSLATE_MARK + text for other in LANGUAGES}


def line_map(line: int, items: Mapping[str, Any], lines: Mapping[str, int] | None = None) -> LineMap:
    """A LineMap so the bank validator reports problems at lines of the GIFT file."""
    result = LineMap(items)
    result.start_line = line
    result.key_lines = {key: (lines or {}).get(key, line) for key in items}
    return result


def line_list(items: Sequence[Any], lines: Sequence[int], start: int) -> LineList:
    result = LineList(items)
    result.start_line = start
    result.item_lines = list(lines)
    return result


def read_feedback(raw: str, line: int, lang: str, block: Block | None = None) -> LineMap | None:
    text = clean_text(raw, line, "feedback", block)
    return line_map(line, one_language(text, lang)) if text else None


def plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


_GIFT_WORDING: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"missing key 'module'", "no module: give --module, or a $CATEGORY whose last part is a module id"),
        (
            r"missing key 'competencies'|competencies must be a non-empty list of competency ids",
            "no competency: give --competency (or a '// @trainer competencies=...' comment)",
        ),
        (
            r"needs at least (\d+) pairs, has (\d+)",
            r"a matching question needs at least \1 pairs (=prompt -> answer), has \2",
        ),
        (r"at most (\d+) options, has (\d+)", r"at most \1 answers, has \2"),
        (
            r"the weights of the correct options must sum to 100, they sum to (\S+)",
            r"the positive %weights% must add up to 100 %, they add up to \1 %",
        ),
        (
            r"multi needs at least one option with a positive weight",
            "no answer has a positive %weight%: mark the right ones, e.g. ~%50%",
        ),
        (
            r"multi needs at least one wrong option \(weight 0 or negative\)",
            "every answer is right: add a wrong one (~answer or ~%-50%answer)",
        ),
        (
            r"one answer must earn full credit \(credit: 100\)",
            "no answer earns full credit: mark one with '=' and no %weight%",
        ),
        (r"two (option|answer)s have the same (\w+) text", r"two answers have the same text"),
        (r"two prompts have the same (\w+) text", r"two matching prompts have the same text"),
        (
            r"single choice needs exactly one option with correct: true, found (\d+)",
            r"a one-answer question needs exactly one right answer ('=' or %100%), found \1",
        ),
        (r"option (\w+): ", r"answer \1: "),
        (r"mark must be", "'@trainer mark' must be"),
        (r"difficulty must be one of", "'--difficulty' (or '@trainer difficulty') must be one of"),
        (r"kind must be one of", "'@trainer kind' must be one of"),
    )
)


def gift_wording(message: str) -> str:
    """A bank-check message in GIFT terms (answers, %weights%, $CATEGORY), never YAML key names."""
    for pattern, replacement in _GIFT_WORDING:
        message = pattern.sub(replacement, message)
    return message
