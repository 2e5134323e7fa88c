"""The one CSV writer: UTF-8 with a BOM (so Excel shows Chinese), CRLF rows, and every text cell that a
spreadsheet would run as a formula (=, +, -, @, tab, carriage return) prefixed with an apostrophe."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any, number: Callable[[float], str] | None = None) -> str:
    """A cell as text: numbers as they are (``number`` formats floats), text defused against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and number is not None:
            return number(value)
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]],
             number: Callable[[float], str] | None = None) -> str:
    """The CSV as text, without the BOM; the header is defused like every other cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v, number) for v in row])
    return buffer.getvalue()


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]],
              number: Callable[[float], str] | None = None) -> bytes:
    """The CSV file as bytes, BOM first, ready for :func:`trainer.core.downloads.attachment`."""
    return (BOM + csv_text(header, rows, number)).encode("utf-8")
