"""``{name}`` placeholders in question texts and the way numbers are shown to trainees.

A numeric or calculated question shows its params in the text; the review fills in the same values
and the computed ``{answer}``. Pure Python.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping

PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")
ANSWER_PLACEHOLDER = "answer"
"""``{answer}`` in an explanation or feedback shows the computed correct answer (never in the text)."""




def format_value(value: float, spec: str | None = None) -> str:
    """Show a param or answer the way a person writes it: 730, 7,300,000, 0.0431, 41.25.

    A placeholder may carry a Python format spec instead, e.g. ``{r:.1%}`` gives ``4.3%``.
    """
    if spec:
        return format(value, spec)
    if isinstance(value, float) and value.is_integer() or isinstance(value, int):
        number = int(value)
        return f"{number:,}" if abs(number) >= 10_000 else str(number)
    text = f"{value:,.6f}" if abs(value) >= 10_000 else f"{value:.6f}"
    return text.rstrip("0").rstrip(".")


def placeholders(text: str) -> list[tuple[str, str | None]]:
    """The ``{name}`` / ``{name:spec}`` placeholders in a text, in order."""
    return [(m.group(1), m.group(2)) for m in PLACEHOLDER_RE.finditer(text)]


def fill_placeholders(
    text: str, params: Mapping[str, float], answer: float | None = None, decimals: int = 2
) -> str:
    """Put a numeric or calculated question's param values (and ``{answer}``) into a text."""

    def replace(match: re.Match[str]) -> str:
        name, spec = match.group(1), match.group(2)
        if name == ANSWER_PLACEHOLDER and answer is not None:
            return format_value(answer, spec) if spec else format_value(round(answer, decimals))
        if name in params:
            return format_value(params[name], spec)
        return match.group(0)

    return PLACEHOLDER_RE.sub(replace, text)


_NUMBER_IN_TEXT = re.compile(r"\d[\d,]*(?:\.\d+)?")
_SCALES = (1.0, 100.0, 1e-3, 1e-4, 1e-6, 1e-8)
"""A fixed param may be written as is, in percent, or in thousands / 万 / millions / 亿."""


def mentions_number(text: str, value: float) -> bool:
    normalized = unicodedata.normalize("NFKC", text)
    found = []
    for token in _NUMBER_IN_TEXT.findall(normalized):
        try:
            found.append(float(token.replace(",", "")))
        except ValueError:  # pragma: no cover - the regex only matches numbers
            continue
    return any(
        math.isclose(number, abs(value) * scale, rel_tol=1e-9, abs_tol=1e-12)
        for number in found
        for scale in _SCALES
    )

