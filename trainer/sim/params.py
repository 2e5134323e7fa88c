"""Shared ground of the engine's parameters: the fixed vocabularies and limits, the validation
problems, the checker that collects them, and reading YAML/JSON sources.

Validation never stops at the first problem: it returns every problem as a :class:`Problem` with a
stable ``code`` and ``params`` so the web layer can translate the message; ``message`` is the English
default. The parameters themselves are in :mod:`trainer.sim.policy` (what the trainee controls),
:mod:`trainer.sim.portfolio` (the world they face) and :mod:`trainer.sim.presets` (both, named).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import yaml

GRADES: tuple[str, ...] = ("A", "B", "C", "D")
BEHAVIOURS: tuple[str, ...] = ("on_time", "fixed_delay", "irregular", "chronic")
TERMS: tuple[str, ...] = ("net", "cod", "cia")
PRIORITIES: tuple[str, ...] = ("largest_balance", "oldest_debt", "first_come")
#: collection actions in ladder order; "reminder" happens before the due date
STEPS: tuple[str, ...] = ("reminder", "salesperson", "manager", "executive", "legal", "agency")
LADDER_STEPS: tuple[str, ...] = ("salesperson", "manager", "executive", "legal")
BUCKETS: tuple[str, ...] = ("current", "1-30", "31-60", "61-90", "90+")
MAX_DAYS = 1825  # five years
MAX_CUSTOMERS = 20_000

#: Probability that a debt of the given age (months past due) is still collected when worked.
#: The eight rates quoted in the reference (98.2 … 13.6 %) mapped to 0, 1, 2, 3, 6, 9, 12, 24 months;
#: see docs/simulation.md for the mapping and its justification.
DEFAULT_COLLECTABILITY_CURVE: tuple[tuple[float, float], ...] = (
    (0.0, 0.982),
    (1.0, 0.938),
    (2.0, 0.862),
    (3.0, 0.736),
    (6.0, 0.578),
    (9.0, 0.428),
    (12.0, 0.266),
    (24.0, 0.136),
)


@dataclass(frozen=True)
class Problem:
    """One validation problem; ``code`` and ``params`` are stable, ``message`` is English."""

    field: str
    code: str
    message: str
    params: Mapping[str, Any] = dc_field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "message": self.message, "params": dict(self.params)}


class PolicyError(ValueError):
    """Every problem found in a policy, preset or run request, raised together."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.source}: " if self.source else ""
        lines = [f"{p.field}: {p.message}" if p.field else p.message for p in self.problems]
        return head + f"{len(lines)} problem(s): " + "; ".join(lines)


# --------------------------------------------------------------------------------------------------
# The checker: a tiny reader of untrusted mappings that collects problems instead of raising.


class Checker:
    """Reads values out of untrusted mappings, recording every problem with its dotted field path."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, fld: str, code: str, message: str, **params: Any) -> None:
        self.problems.append(Problem(fld, code, message, params))

    def mapping(self, value: object, fld: str) -> Mapping[str, Any] | None:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.add(fld, "must_be_mapping", "must be a mapping of keys to values")
            return None
        return value

    def unknown(self, data: Mapping[str, Any], allowed: set[str] | tuple[str, ...], prefix: str) -> None:
        for key in data:
            if key not in allowed:
                self.add(join_field(prefix, str(key)), "unknown_key", f"unknown key {key!r}", key=str(key))

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        default: float | None,
        prefix: str,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        exclusive_min: bool = False,
        integer: bool = False,
        nullable: bool = False,
    ) -> Any:
        fld = join_field(prefix, key)
        if key not in data:
            return default
        value = data[key]
        if value is None:
            if nullable:
                return None
            self.add(fld, "required", "must have a value")
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            if isinstance(value, str):
                try:
                    value = float(value) if not integer else _parse_int(value)
                except ValueError:
                    self.add(fld, "must_be_number", f"must be a number, got {value!r}", value=value)
                    return default
            else:
                self.add(fld, "must_be_number", f"must be a number, got {value!r}", value=repr(value))
                return default
        if isinstance(value, float) and not math.isfinite(value):
            self.add(fld, "must_be_number", f"must be a finite number, got {value!r}", value=repr(value))
            return default
        if integer:
            if isinstance(value, float):
                if not value.is_integer():
                    self.add(fld, "must_be_integer", f"must be a whole number, got {value!r}", value=value)
                    return default
                value = int(value)
        if minimum is not None:
            if exclusive_min and value <= minimum:
                code = "must_be_positive" if minimum == 0 else "too_small"
                msg = "must be greater than zero" if minimum == 0 else f"must be greater than {minimum}"
                self.add(fld, code, f"{msg}, got {value!r}", minimum=minimum, value=value)
                return default
            if not exclusive_min and value < minimum:
                code = "must_not_be_negative" if minimum == 0 else "too_small"
                msg = "must not be negative" if minimum == 0 else f"must be at least {minimum}"
                self.add(fld, code, f"{msg}, got {value!r}", minimum=minimum, value=value)
                return default
        if maximum is not None and value > maximum:
            self.add(fld, "too_large", f"must be at most {maximum}, got {value!r}", maximum=maximum, value=value)
            return default
        return value

    def fraction(self, data: Mapping[str, Any], key: str, default: float, prefix: str, *, below_one: bool = False) -> float:
        fld = join_field(prefix, key)
        value = self.number(data, key, None, prefix)
        if value is None:
            return default
        if value < 0 or value > 1 or (below_one and value >= 1):
            bound = "below 1" if below_one else "at most 1"
            self.add(fld, "must_be_fraction", f"must be a fraction from 0 to {bound} (0.05 = 5 %), got {value!r}",
                     value=value, below_one=below_one)
            return default
        return float(value)

    def boolean(self, data: Mapping[str, Any], key: str, default: bool, prefix: str) -> bool:
        if key not in data:
            return default
        value = data[key]
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "yes", "on", "1", "false", "no", "off", "0"}:
            return value.lower() in {"true", "yes", "on", "1"}
        self.add(join_field(prefix, key), "must_be_bool", f"must be true or false, got {value!r}", value=repr(value))
        return default

    def choice(self, data: Mapping[str, Any], key: str, default: str, prefix: str, choices: tuple[str, ...]) -> str:
        if key not in data:
            return default
        value = data[key]
        if not isinstance(value, str) or value not in choices:
            self.add(join_field(prefix, key), "must_be_one_of", f"must be one of {', '.join(choices)}, got {value!r}",
                     choices=list(choices), value=repr(value))
            return default
        return value

    def text(self, data: Mapping[str, Any], key: str, default: str, prefix: str) -> str:
        if key not in data:
            return default
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.add(join_field(prefix, key), "must_be_text", "must be a non-empty text")
            return default
        return value

    def shares(self, data: Mapping[str, Any], key: str, default: Mapping[str, float], prefix: str,
               keys: tuple[str, ...]) -> dict[str, float]:
        """A mix over fixed categories: non-negative shares that sum to one."""
        fld = join_field(prefix, key)
        raw = self.mapping(data.get(key), fld) if key in data else None
        if raw is None:
            return dict(default)
        self.unknown(raw, keys, fld)
        out = {k: float(self.number(raw, k, 0.0, fld, minimum=0)) for k in keys}
        total = sum(out.values())
        if abs(total - 1.0) > 1e-6:
            self.add(fld, "must_sum_to_one", f"shares must add up to 1, got {total:.4g}", total=total)
            return dict(default)
        return out

    def per_key(self, data: Mapping[str, Any], key: str, default: Mapping[str, float], prefix: str,
                keys: tuple[str, ...], *, minimum: float = 0.0, maximum: float | None = None) -> dict[str, float]:
        """One number per fixed category (missing categories keep their default)."""
        fld = join_field(prefix, key)
        raw = self.mapping(data.get(key), fld) if key in data else None
        if raw is None:
            return dict(default)
        self.unknown(raw, keys, fld)
        return {k: float(self.number(raw, k, default[k], fld, minimum=minimum, maximum=maximum)) for k in keys}


def join_field(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _parse_int(text: str) -> int:
    value = float(text)
    if not value.is_integer():
        raise ValueError(text)
    return int(value)


# --------------------------------------------------------------------------------------------------
# Policy



def parse_text(text: str, source: str) -> Any:
    try:
        return yaml.safe_load(text)  # JSON is a subset of YAML 1.2 for our purposes
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise PolicyError(
            [Problem("", "unparsable", f"cannot parse the file{where}: {getattr(exc, 'problem', exc)}",
                     {"detail": str(exc)})],
            source,
        ) from None


def read_source(path_or_text: str | Path) -> tuple[Any, str]:
    """Parse a path or a YAML/JSON text; a str that names an existing file is read as that file."""
    if isinstance(path_or_text, Path) or (
        isinstance(path_or_text, str) and "\n" not in path_or_text and len(path_or_text) < 1024
        and path_or_text.strip().endswith((".yaml", ".yml", ".json"))
    ):
        path = Path(path_or_text)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError([Problem("", "unreadable", f"cannot read {path}: {exc}", {"path": str(path)})],
                              str(path)) from None
        if path.suffix == ".json":
            try:
                return json.loads(text), str(path)
            except json.JSONDecodeError as exc:
                raise PolicyError([Problem("", "unparsable", f"cannot parse the file (line {exc.lineno}, "
                                           f"column {exc.colno}): {exc.msg}", {"detail": str(exc)})],
                                  str(path)) from None
        return parse_text(text, str(path)), str(path)
    return parse_text(str(path_or_text), "<text>"), "<text>"

