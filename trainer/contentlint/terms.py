"""Terminology drift: a glossary term's banned synonyms (``avoid``) found in lessons, question banks,
scenarios and the UI catalogues.

Chinese words match as substrings; English ones case-insensitively on word boundaries. A hit inside
an accepted name (any term's name or alias in that language, e.g. "best DSO" inside a longer accepted
name) is not drift and is ignored. In ``.po`` catalogues only ``msgid`` / ``msgstr`` lines (and their
continuation strings) are searched, never comments. Pure Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from trainer.content.source import LANGUAGES
from trainer.learn.glossary import Glossary


@dataclass(frozen=True)
class TermHit:
    path: str
    line: int
    term_id: str
    lang: str
    found: str
    use: str
    """The accepted term to write instead."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.found!r} drifts from the glossary; use {self.use!r} (term {self.term_id})"


@dataclass(frozen=True)
class TermStats:
    terms: int
    banned: int
    files: int
    hits: tuple[TermHit, ...]

    @property
    def passed(self) -> bool:
        return not self.hits


def content_files(root: Path, translations: Path | None) -> list[Path]:
    """Lessons, question banks, role-play scenarios, writing tasks and the UI catalogues, in a stable order."""
    found = sorted(root.glob("courses/*/lessons/*.md"))
    found += sorted(root.glob("quizzes/banks/*.yaml"))
    found += sorted(root.glob("scenarios/**/*.yaml"))
    found += sorted(root.glob("writing/*.yaml"))
    if translations is not None:
        found += sorted(translations.glob("*/LC_MESSAGES/messages.po"))
    return found


def _pattern(word: str, lang: str) -> re.Pattern[str]:
    if lang == "zh":
        return re.compile(re.escape(word), re.IGNORECASE)
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", re.IGNORECASE)


def _searchable_lines(path: Path, text: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of the lines to search; for a .po file only its message strings."""
    in_message = False
    for number, line in enumerate(text.splitlines(), start=1):
        if path.suffix != ".po":
            yield number, line
            continue
        stripped = line.lstrip()
        if stripped.startswith(("msgid", "msgstr")):
            in_message = True
            yield number, line
        elif stripped.startswith('"') and in_message:
            yield number, line
        else:
            in_message = False


@dataclass(frozen=True)
class _Rule:
    term_id: str
    lang: str
    word: str
    use: str
    pattern: re.Pattern[str]


def _rules(glossary: Glossary) -> list[_Rule]:
    return [
        _Rule(term.id, lang, word, term.term[lang], _pattern(word, lang))
        for term in glossary
        for lang in LANGUAGES
        for word in term.avoid[lang]
    ]


def _accepted_spans(line: str, names: Sequence[re.Pattern[str]]) -> list[tuple[int, int]]:
    return [match.span() for pattern in names for match in pattern.finditer(line)]


def find_drift(glossary: Glossary, files: Iterable[Path], relative_to: Path) -> TermStats:
    """Every banned synonym in the files, as ``path:line`` hits."""
    rules = _rules(glossary)
    names = {
        lang: [_pattern(name, lang) for term in glossary for name in term.names(lang)] for lang in LANGUAGES
    }
    hits: list[TermHit] = []
    paths = list(files)
    for path in paths if rules else []:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        shown = path.relative_to(relative_to) if path.is_relative_to(relative_to) else path
        for number, line in _searchable_lines(path, text):
            found = [(rule, match) for rule in rules for match in rule.pattern.finditer(line)]
            if not found:
                continue
            spans = {lang: _accepted_spans(line, names[lang]) for lang in LANGUAGES}
            for rule, match in found:
                start, end = match.span()
                if not any(s <= start and end <= e for s, e in spans[rule.lang]):
                    hits.append(
                        TermHit(str(shown), number, rule.term_id, rule.lang, match.group(0), rule.use)
                    )
    banned = sum(len(term.avoid[lang]) for term in glossary for lang in LANGUAGES)
    return TermStats(len(glossary), banned, len(paths), tuple(hits))
