"""The end-of-run aging report of a saved run, sorted as the reader asks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

AGING_SORTS = {
    "customer": lambda r: r["customer"],
    "grade": lambda r: (r["grade"], r["customer"]),
    "behaviour": lambda r: (r["behaviour"], r["customer"]),
    "status": lambda r: (r["status"], r["customer"]),
    "current": lambda r: r["buckets"][0],
    "1-30": lambda r: r["buckets"][1],
    "31-60": lambda r: r["buckets"][2],
    "61-90": lambda r: r["buckets"][3],
    "90+": lambda r: r["buckets"][4],
    "total": lambda r: r["total"],
    "oldest": lambda r: r["oldest"],
}


def aging_rows(result: Mapping[str, Any], sort: str, descending: bool) -> list[dict[str, Any]]:
    key = AGING_SORTS.get(sort, AGING_SORTS["total"])
    return sorted(result.get("aging", []), key=key, reverse=descending)
