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
    answer: str, base: int, block: Block, lang: str, part_id: PartId, weights: list[float] | None = None
) -> tuple[str, dict[str, Any]]:
    """``single`` (one right answer, others may earn partial credit) or ``multi`` (%weights%).

    ``weights`` (from the ``@trainer`` comment) are our exact weights where export had to write
    Moodle's nearest grade (34 % -> 33.33333 %), so the round trip is exact.
    """
    entries = _choice_entries(answer, base, block)
    if weights is not None and len(weights) == len(entries):
        entries = [
            (m, w, True, t, f, line) for (m, _, _, t, f, line), w in zip(entries, weights, strict=True)
        ]
    single = _is_single(entries)
    options = []
    for index, (_, weight, _, text, feedback_part, line) in enumerate(entries):
        option: dict[str, Any] = {
            "id": part_id(index, len(entries), ""),
            "text": line_map(line, one_language(text, lang)),
        }
        if single and weight == 100:
            option["correct"] = True
        elif single and weight > 0:
            option["credit"] = plain_number(weight)
        elif not single:
            option["weight"] = plain_number(weight)
        feedback = read_feedback(feedback_part, line, lang, block)
        if feedback:
            option["feedback"] = feedback
        options.append(line_map(line, option))
    return ("single" if single else "multi"), {
        "options": line_list(options, [e[5] for e in entries], entries[0][5])
    }


_Entry = tuple[str, float, bool, str, str, int]  # marker, weight, weighted, text, feedback, line


def _choice_entries(answer: str, base: int, block: Block) -> list[_Entry]:
    pieces = split_at(answer, "~=", base)
    if pieces[0][1].strip():
        raise Refused(block.line_at(pieces[0][2]), "text before the first answer in the answer block")
    entries: list[_Entry] = []
    for marker, piece, offset in pieces[1:]:
        line = block.line_at(offset + len(piece) - len(piece.lstrip()))
        match = WEIGHT_RE.match(piece)
        if marker == "=" and match:
            raise Refused(line, "an answer has both '=' and a %weight%: use one")
        weight = 100.0 if marker == "=" else float(match.group(1)) if match else 0.0
        rest = piece[match.end() :] if match else piece
        text_part, _, feedback_part = rest.partition("#")
        text = clean_text(text_part, line, "answer", block)
        if not text:
            raise Refused(line, "an answer has no text")
        entries.append((marker, weight, marker == "=" or bool(match), text, feedback_part, line))
    if len(entries) < 2:
        raise Refused(block.line_at(base), "a multiple-choice question needs at least two answers")
    if sum(1 for e in entries if e[0] == "=") > 1:
        raise Refused(
            entries[0][5],
            "several answers marked '=': a single-choice question has one right answer (use %weights% for multiple answers)",
        )
    return entries


def _is_single(entries: list[_Entry]) -> bool:
    """Moodle's rule: one answer worth 100 % and no negative weights is one-answer (radio buttons);
    anything else is multiple answers (check boxes). ``=`` with partial credits stays single."""
    full = sum(1 for e in entries if e[1] == 100)
    has_equals = any(e[0] == "=" for e in entries)
    negative = [e for e in entries if e[1] < 0]
    if has_equals and negative:
        raise Refused(
            negative[0][5], "a negative %weight% next to an '=' answer: use %weights% on every right answer"
        )
    return has_equals or (full == 1 and not negative)


def truefalse(stripped: str, tf: str, line: int, lang: str, block: Block) -> dict[str, Any]:
    bits = stripped.split("#", 2)
    wrong = read_feedback(bits[1], line, lang, block) if len(bits) > 1 else None
    right = read_feedback(bits[2], line, lang, block) if len(bits) > 2 else None
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
    wrong_feedback = None
    if "~" in body:
        tilde = body.index("~")
        wrong_feedback = _catch_all(body[tilde + 1 :], block.line_at(base + start + 1 + tilde), lang, block)
        body = body[:tilde]
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
        if credit < 0:
            raise Refused(
                line, "a numeric answer with a negative %weight% has no equivalent (credit is 0 to 100 %)"
            )
        if credit == 0 and not feedback_part.strip():
            block.notes.append((line, "a 0 % numeric answer without feedback changes nothing; skipped"))
            continue
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
    feedback = read_feedback(main[3], main[4], lang, block)
    if feedback:
        result["feedback"] = feedback
    if wrong_feedback:
        result["feedback_wrong"] = wrong_feedback
    alternatives = []
    for value, tolerance, credit, feedback_part, line in accepted[1:]:
        alt: dict[str, Any] = {}
        if value != main[0]:
            alt["formula"] = number_text(value)
        alt["tolerance"] = plain_number(tolerance)
        alt["credit"] = plain_number(credit)
        alt_feedback = read_feedback(feedback_part, line, lang, block)
        if alt_feedback:
            alt["feedback"] = alt_feedback
        alternatives.append(line_map(line, alt))
    if alternatives:
        result["alternatives"] = line_list(alternatives, [a[4] for a in accepted[1:]], brace_line)
    return result


def _catch_all(raw: str, line: int, lang: str, block: Block) -> Any:
    """``~#feedback``: Moodle's feedback for any other answer."""
    text = raw.strip()
    if not text.startswith("#"):
        raise Refused(line, "after '~' a numeric question takes only '#feedback for any other answer'")
    return read_feedback(text[1:], line, lang, block)


def short_answer(answer: str, base: int, block: Block, lang: str) -> dict[str, Any]:
    """``{=answer =%50%close#feedback =%0%*#anything else}``: accepted answers with their credit."""
    pieces = split_at(answer, "=", base)
    if pieces[0][1].strip():
        raise Refused(block.line_at(pieces[0][2]), "text before the first answer in the answer block")
    accepted, lines = [], []
    catch_all = None
    for _, piece, offset in pieces[1:]:
        line = block.line_at(offset + len(piece) - len(piece.lstrip()))
        match = WEIGHT_RE.match(piece)
        credit = float(match.group(1)) if match else 100.0
        if not 0 <= credit <= 100:
            raise Refused(line, f"a short answer's %weight% must be 0 to 100, got {plain_number(credit)}")
        rest = piece[match.end() :] if match else piece
        text_part, _, feedback_part = rest.partition("#")
        text = clean_text(text_part, line, "answer", block)
        if not text:
            raise Refused(line, "an answer has no text")
        if text == "*" and credit == 0:  # Moodle's catch-all: feedback for any other answer
            wrong = read_feedback(feedback_part, line, lang, block)
            if wrong:
                catch_all = wrong
            continue
        item: dict[str, Any] = {"text": line_map(line, one_language(text, lang))}
        if credit != 100:
            item["credit"] = plain_number(credit)
        feedback = read_feedback(feedback_part, line, lang, block)
        if feedback:
            item["feedback"] = feedback
        accepted.append(line_map(line, item))
        lines.append(line)
    result: dict[str, Any] = {
        "answers": line_list(accepted, lines, lines[0] if lines else block.line_at(base))
    }
    if catch_all is not None:
        result["feedback_wrong"] = catch_all
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
        prompt = clean_text(prompt_raw, line, "matching prompt", block)
        right = clean_text(answer_raw, line, "matching answer", block)
        if not prompt:
            raise Refused(
                line,
                "matching distractors (an answer without a prompt) have no equivalent: every answer needs its prompt",
            )
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
