"""The frozen glossary: terms with their names, definitions, banned synonyms and lessons.

Built only by :func:`trainer.learn.glossary.loader.load_glossary`. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from trainer.content.source import LANGUAGES, pick


@dataclass(frozen=True)
class Term:
    """One glossary entry; ``aliases`` and ``avoid`` hold a (possibly empty) tuple per language."""

    id: str
    term: Mapping[str, str]
    definition: Mapping[str, str]
    aliases: Mapping[str, tuple[str, ...]]
    avoid: Mapping[str, tuple[str, ...]]
    taught_in: tuple[str, ...]
    line: int = 1

    def names(self, lang: str) -> tuple[str, ...]:
        """The term and its aliases in one language: every name that counts as this term."""
        short = pick({code: code for code in LANGUAGES}, lang)
        return (self.term[short], *self.aliases[short])

    def searchable(self, lang: str) -> str:
        """What a search in ``lang`` looks through: names in both languages and the definition."""
        short = pick({code: code for code in LANGUAGES}, lang)
        parts = [*self.names("zh"), *self.names("en"), self.definition[short]]
        return "\n".join(parts).casefold()


@dataclass(frozen=True)
class Glossary:
    """All terms, in file order."""

    terms: tuple[Term, ...]

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def get(self, term_id: str) -> Term | None:
        return next((t for t in self.terms if t.id == term_id), None)

    def search(self, query: str, lang: str) -> list[Term]:
        """Terms whose names (either language) or definition (in ``lang``) hold every word of the
        query, case-insensitively; all terms, sorted by name, when the query is blank."""
        words = query.casefold().split()
        found = [t for t in self.terms if all(w in t.searchable(lang) for w in words)]
        short = pick({code: code for code in LANGUAGES}, lang)
        return sorted(found, key=lambda t: t.term[short].casefold())
