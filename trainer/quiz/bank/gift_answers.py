"""Reading the answer block ``{...}`` of one GIFT question into the fields of our question types.

Each reader returns the type-specific raw fields; anything without an equivalent is refused with
the line and the reason. Pure Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trainer.quiz.bank.gift_syntax import (
    WEIGHT_RE,
    Block,
    Refused,
    clean_text,
    line_list,
    line_map,
    number_text,
    one_language,
    plain_number,
    read_feedback,
    read_number,
    split_at,
)

PartId = Callable[[int, int, str], str]
"""``part_id(index, count, prefix)``: the id of an option or pair (from ``@trainer ids=`` or made up)."""


def multiple_choice(
    answer: str, base: int, block: Block, lang: str, part_id: PartId
) -> tuple[str, dict[str, Any]]:
    pieces = split_at(answer, "~=", base)
    if pieces[0][1].strip():
        raise Refused(block.line_at(pieces[0][2]), "text before the first answer in the answer block")
    entries = []
    for marker, piece, offset in pieces[1:]:
        line = block.line_at(offset + len(piece) - len(piece.lstrip()))
        match = WEIGHT_RE.match(piece)
        if marker == "=" and match:
            raise Refused(line, "an answer has both '=' and a %weight%: use one")
        weight = 100.0 if marker == "=" else float(match.group(1)) if match else 0.0
        weighted = marker == "=" or bool(match)
        rest = piece[match.end() :] if match else piece
        text_part, _, feedback_part = rest.partition("#")
        text = clean_text(text_part, line, "answer")
        if not text:
            raise Refused(line, "an answer has no text")
        entries.append((marker, weight, weighted, text, feedback_part, line))
    if len(entries) < 2:
        raise Refused(block.line_at(base), "a multiple-choice question needs at least two answers")
    equals = sum(1 for e in entries if e[0] == "=")
    weighted_tilde = [e for e in entries if e[0] == "~" and e[2]]
    if equals > 1:
        raise Refused(
            entries[0][5],
            "several answers marked '=': a single-choice question has one right answer (use %weights% for multiple response)",
        )
    if equals == 1 and any(e[1] != 0 for e in weighted_tilde):
        raise Refused(
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
            "text": line_map(line, one_language(text, lang)),
        }
        if single:
            if weight == 100:
                option["correct"] = True
        else:
            option["weight"] = int(weight) if weight.is_integer() else weight
        feedback = read_feedback(feedback_part, line, lang)
        if feedback:
            option["feedback"] = feedback
        options.append(line_map(line, option))
    return ("single" if single else "multi"), {
        "options": line_list(options, [e[5] for e in entries], entries[0][5])
    }


def truefalse(stripped: str, tf: str, line: int, lang: str) -> dict[str, Any]:
    bits = stripped.split("#", 2)
    wrong = read_feedback(bits[1], line, lang) if len(bits) > 1 else None
    right = read_feedback(bits[2], line, lang) if len(bits) > 2 else None
    answer = tf in ("T", "TRUE")
    result: dict[str, Any] = {"answer": answer}
    feedback_true, feedback_false = (right, wrong) if answer else (wrong, right)
    if feedback_true:
        result["feedback_true"] = feedback_true
    if feedback_false:
        result["feedback_false"] = feedback_false
    return result


def numeric(answer: str, base: int, block: Block, brace_line: int, lang: str) -> dict[str, Any]:
    start = answer.index("#")
    body = answer[start + 1 :]
    if "~" in body:
        raise Refused(
            block.line_at(base + start + 1 + body.index("~")),
            "numeric wrong-answer feedback (~) is not supported",
        )
    accepted = []
    for index, (_, piece, offset) in enumerate(split_at(body, "=", base + start + 1)):
        if index == 0 and not piece.strip():
            continue
        line = block.line_at(offset + len(piece) - len(piece.lstrip()))
        match = WEIGHT_RE.match(piece)
        credit = float(match.group(1)) if match else 100.0
        rest = piece[match.end() :] if match else piece
        value_part, _, feedback_part = rest.partition("#")
        value_text = value_part.strip()
        if ".." in value_text:
            low_text, high_text = value_text.split("..", 1)
            low = read_number(low_text, line, "numeric range")
            high = read_number(high_text, line, "numeric range")
            if low > high:
                raise Refused(line, f"numeric range {value_text}: the minimum is above the maximum")
            value, tolerance = (low + high) / 2, (high - low) / 2
        elif ":" in value_text:
            value_raw, tol_raw = value_text.split(":", 1)
            value, tolerance = (
                read_number(value_raw, line, "numeric answer"),
                abs(read_number(tol_raw, line, "numeric tolerance")),
            )
        else:
            value, tolerance = read_number(value_text, line, "numeric answer"), 0.0
        if credit < 0 or (credit == 0 and not feedback_part.strip()):
            raise Refused(
                line, "a numeric answer with negative credit, or 0 % without feedback, is not supported"
            )
        accepted.append((value, tolerance, credit, feedback_part, line))
    if not accepted:
        raise Refused(brace_line, "a numeric question needs an answer, e.g. {#41.5:0.5}")
    accepted.sort(key=lambda a: -a[2])
    main = accepted[0]
    if main[2] != 100:
        raise Refused(main[4], "a numeric question needs one answer with full credit")
    result: dict[str, Any] = {
        "params": line_map(brace_line, {}),
        "formula": number_text(main[0]),
        "tolerance": plain_number(main[1]),
    }
    feedback = read_feedback(main[3], main[4], lang)
    if feedback:
        result["feedback"] = feedback
    alternatives = []
    for value, tolerance, credit, feedback_part, line in accepted[1:]:
        alt: dict[str, Any] = {}
        if value != main[0]:
            alt["formula"] = number_text(value)
        alt["tolerance"] = plain_number(tolerance)
        alt["credit"] = plain_number(credit)
        alt_feedback = read_feedback(feedback_part, line, lang)
        if alt_feedback:
            alt["feedback"] = alt_feedback
        alternatives.append(line_map(line, alt))
    if alternatives:
        result["alternatives"] = line_list(alternatives, [a[4] for a in accepted[1:]], brace_line)
    return result


def matching(answer: str, base: int, block: Block, lang: str, part_id: PartId) -> dict[str, Any]:
    pieces = split_at(answer, "=", base)
    if pieces[0][1].strip():
        raise Refused(block.line_at(pieces[0][2]), "text before the first pair in the matching block")
    pairs = []
    lines = []
    for index, (_, piece, offset) in enumerate(pieces[1:]):
        line = block.line_at(offset + len(piece) - len(piece.lstrip()))
        if "->" not in piece:
            raise Refused(line, "a matching pair needs 'prompt -> answer'")
        prompt_raw, answer_raw = piece.split("->", 1)
        prompt = clean_text(prompt_raw, line, "matching prompt")
        right = clean_text(answer_raw, line, "matching answer")
        if not prompt:
            raise Refused(line, "matching distractors (an answer without a prompt) are not supported")
        if not right:
            raise Refused(line, "a matching pair has no answer after '->'")
        pairs.append(
            line_map(
                line,
                {
                    "id": part_id(index, len(pieces) - 1, "p"),
                    "prompt": line_map(line, one_language(prompt, lang)),
                    "answer": line_map(line, one_language(right, lang)),
                },
            )
        )
        lines.append(line)
    return {"pairs": line_list(pairs, lines, lines[0] if lines else base)}
