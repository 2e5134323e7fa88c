"""Downloads of a saved run: its months and its aging report as CSV, its policy as a YAML file."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from trainer.core.csv import csv_bytes
from trainer.policylab.models import SimRun

BUCKET_KEYS = ("current", "1-30", "31-60", "61-90", "90+")
MONTH_KEYS = ("label", "sales", "credit_sales", "collections", "bad_debt", "lost_sales", "ar", "current",
              "1-30", "31-60", "61-90", "90+", "dso", "best_possible_dso", "average_days_delinquent", "cei",
              "overdue_pct", "bad_debt_rate", "turnover", "utilisation", "mean_wait", "max_queue", "carrying_cost")


def csv_number(value: float) -> str:
    """Up to four decimals, no trailing zeros; whole numbers without a decimal point."""
    return f"{value:.4f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))


def runs_csv(run: SimRun, labels: Mapping[str, str]) -> bytes:
    """The month-by-month figures of a run as a CSV file: a line saying which run, then the months."""
    first = [labels.get("run", "run"), run.id, labels.get("preset", "preset"), run.preset,
             labels.get("seed", "seed"), run.seed, labels.get("engine", "engine"), run.engine_version]
    if run.summary.get("net_value") is not None:  # the run's headline figure beside what it is
        first += [labels.get("net_value", "net value"), run.summary["net_value"]]
    rows: list[list[Any]] = [[labels.get(k, k) for k in MONTH_KEYS]]
    for m in run.result.get("months", []):
        rows.append([m["buckets"].get(k) if k in BUCKET_KEYS else m.get(k) for k in MONTH_KEYS])
    return csv_bytes(first, rows, number=csv_number)


def aging_csv(run: SimRun, labels: Mapping[str, str], words: Mapping[str, str]) -> bytes:
    """The end-of-run aging report, customer by customer, as a CSV file."""
    header = [labels[k] for k in ("customer", "grade", "behaviour", "status", *BUCKET_KEYS, "total", "oldest")]
    rows = [[row["customer"], row["grade"], words.get(row["behaviour"], row["behaviour"]),
             words.get(row["status"], row["status"]), *row["buckets"], row["total"], row["oldest"]]
            for row in run.result.get("aging", [])]
    return csv_bytes(header, rows, number=csv_number)


def comment_line(text: str) -> str:
    """One YAML comment line: every character YAML could read as a line break (LF, CR, NEL, the
    Unicode line and paragraph separators) and every other control character becomes a space, so a
    run name cannot add lines to the policy file."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)


def policy_yaml(run_policy: Mapping[str, Any], header: Iterable[str]) -> str:
    """The policy file: comment lines, then the policy that ``load_policy`` reads back."""
    body = yaml.safe_dump(dict(run_policy), allow_unicode=True, sort_keys=False, default_flow_style=None)
    return "".join(f"# {comment_line(line)}\n" for line in header) + body
