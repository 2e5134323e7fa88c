"""The shared context of one content file's checks: where to report, and the common field checks.

Every check adds ``path:line: message`` problems and carries on, so an author sees every problem
at once. Pure Python.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trainer.content.source import LANGUAGES, Problems, check_localized, line_of, localized
from trainer.quiz.bank.model import TRANSLATE_MARK, Localized, freeze

PART_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


@dataclass
class Checker:
    """Shared context of one file's checks, so helpers report with the right path."""

    path: str
    problems: Problems
    untranslated: set[str] = field(default_factory=set)
    """Languages in which some text still carries the translation mark (usable in the others)."""

    def add(self, line: int, message: str) -> None:
        self.problems.add(self.path, line, message)

    def text(self, container: Any, key: str, where: str, *, required: bool = True) -> Localized | None:
        if not isinstance(container, Mapping) or key not in container:
            return None  # a missing required key is reported by check_keys
        value = container[key]
        if value is None and not required:
            return None
        at = line_of(container, key)
        if not check_localized(
            value, path=self.path, problems=self.problems, where=f"{where} {key}", line=at
        ):
            return None
        marked = [lang for lang in LANGUAGES if str(value[lang]).startswith(TRANSLATE_MARK.strip())]
        if len(marked) == len(LANGUAGES):
            self.add(at, f"{where} {key}: every language is marked for translation; write it in one")
            return None
        self.untranslated.update(marked)
        return freeze(localized(value))

    def number(
        self,
        container: Any,
        key: str,
        where: str,
        *,
        low: float | None = None,
        high: float | None = None,
        integer: bool = False,
        exclusive_low: bool = False,
    ) -> float | None:
        value = container.get(key) if isinstance(container, Mapping) else None
        at = line_of(container, key)
        kind = "a whole number" if integer else "a number"
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.add(at, f"{where}: {key} must be {kind}, got {value!r}")
            return None
        if integer and not float(value).is_integer():
            self.add(at, f"{where}: {key} must be {kind}, got {value!r}")
            return None
        if low is not None and (value < low or (exclusive_low and value == low)):
            self.add(
                at,
                f"{where}: {key} must be {'greater than' if exclusive_low else 'at least'} {low:g}, got {value!r}",
            )
            return None
        if high is not None and value > high:
            self.add(at, f"{where}: {key} must be at most {high:g}, got {value!r}")
            return None
        return float(value)

    def one_of(self, container: Mapping[str, Any], key: str, where: str, allowed: Sequence[str]) -> bool:
        """Whether ``container[key]`` is one of ``allowed``; reported when it is not."""
        value = container.get(key)
        if value in allowed:
            return True
        self.add(
            line_of(container, key), f"{where}: {key} must be one of {', '.join(allowed)}, got {value!r}"
        )
        return False

    def flag(self, container: Mapping[str, Any], key: str, where: str, default: bool = True) -> bool | None:
        """A true/false setting (``default`` when absent); None, reported, when it is something else."""
        value = container.get(key, default)
        if isinstance(value, bool):
            return value
        self.add(line_of(container, key), f"{where}: {key} must be true or false, got {value!r}")
        return None

    def part_ids(self, entries: Sequence[Any], where: str, what: str) -> list[str | None]:
        """Check the ``id`` of each option/item/pair: present, well-formed, unique in the question."""
        seen: dict[str, int] = {}
        ids: list[str | None] = []
        for index, entry in enumerate(entries):
            at = line_of(entries, index)
            raw = entry.get("id") if isinstance(entry, Mapping) else None
            if raw is None:
                ids.append(None)
                continue
            part_id = str(raw)
            if not PART_ID_RE.match(part_id):
                self.add(
                    at, f"{where}: {what} id {part_id!r} must be letters, digits, '-' or '_' (at most 40)"
                )
            if part_id in seen:
                self.add(at, f"{where}: duplicate {what} id {part_id!r} (also on line {seen[part_id]})")
            seen.setdefault(part_id, at)
            ids.append(part_id)
        return ids

    def distinct(self, texts: Sequence[tuple[int, Localized | None]], where: str, what: str) -> None:
        """Two identical option/answer texts make a question ambiguous; report them."""
        for lang in LANGUAGES:
            seen: dict[str, int] = {}
            for at, text in texts:
                if text is None:
                    continue
                key = " ".join(text[lang].split()).casefold()
                if key in seen:
                    self.add(at, f"{where}: two {what}s have the same {lang} text (also on line {seen[key]})")
                seen.setdefault(key, at)


def as_list(checker: Checker, raw: Mapping[str, Any], key: str, where: str, minimum: int) -> list[Any]:
    """The list under ``key``, reporting a non-list or fewer than ``minimum`` entries."""
    value = raw.get(key)
    at = line_of(raw, key)
    if not isinstance(value, list):
        if key in raw:
            checker.add(at, f"{where}: {key} must be a list")
        return []
    if len(value) < minimum:
        checker.add(at, f"{where}: needs at least {minimum} {key}, has {len(value)}")
    return value
