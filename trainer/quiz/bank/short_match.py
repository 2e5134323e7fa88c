"""Matching a typed short answer against the accepted answers, as a trainee would expect.

Rules (the same for every language, written for both):

- Unicode NFKC first, so full-width letters and digits (ＤＳＯ, ４５) equal their ASCII forms;
- case is ignored unless the question is ``case_sensitive`` (Moodle's "case: must match");
- spaces: leading and trailing ones are ignored and runs collapse to one; a space next to a Chinese
  (CJK) character is dropped, because Chinese is written without spaces ("账龄 分析" = "账龄分析");
- ``*`` in an accepted answer matches any run of characters (Moodle's wildcard), so ``*`` alone
  is a catch-all.

Texts still marked for translation are never matched. The best credit wins; among equal credits
the first listed. Pure Python.
"""

from __future__ import annotations

import re
import unicodedata

from trainer.quiz.bank.model import TRANSLATE_MARK, Question, ShortAnswer

MAX_SHORT_ANSWER = 200
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff60"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")


def normalize_short(text: str, *, case_sensitive: bool = False) -> str:
    """The form two answers are compared in (see the module docstring)."""
    value = unicodedata.normalize("NFKC", text).strip()
    value = _SPACE_NEAR_CJK.sub("", value)
    value = _SPACES.sub(" ", value)
    return value if case_sensitive else value.casefold()


def _pattern(accepted: str, case_sensitive: bool) -> re.Pattern[str]:
    pieces = normalize_short(accepted, case_sensitive=case_sensitive).split("*")
    return re.compile(".*".join(re.escape(piece) for piece in pieces), re.DOTALL)


def matches(accepted: str, given: str, *, case_sensitive: bool = False) -> bool:
    """Whether the typed ``given`` text is the ``accepted`` answer under the rules above."""
    if accepted.startswith(TRANSLATE_MARK.strip()):
        return False
    typed = normalize_short(given, case_sensitive=case_sensitive)
    return bool(typed) and _pattern(accepted, case_sensitive).fullmatch(typed) is not None


def best_match(question: Question, given: str) -> ShortAnswer | None:
    """The accepted answer (any language) that gives the typed text the most credit, or None."""
    best: ShortAnswer | None = None
    for answer in question.accepted:
        if best is not None and answer.credit <= best.credit:
            continue
        if any(matches(text, given, case_sensitive=question.case_sensitive) for text in answer.text.values()):
            best = answer
    return best


def model_answer(question: Question) -> ShortAnswer:
    """The answer to show as right in review: the first with full credit and no wildcard."""
    full = [a for a in question.accepted if a.credit == 100]
    plain = [a for a in full if not any("*" in text for text in a.text.values())]
    return (plain or full or list(question.accepted))[0]
