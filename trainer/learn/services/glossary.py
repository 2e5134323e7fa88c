"""The glossary page: search the course's terms in the user's language, with the other language's
name beside each and links to the lessons that teach it."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.content.source import LANGUAGES
from trainer.core.content import catalog
from trainer.learn.glossary import Term

MAX_QUERY = 100
"""Longest search accepted (a term, an alias or a few words of a definition)."""


@dataclass(frozen=True)
class TaughtIn:
    course_id: str
    lesson_id: str
    title: str


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    other_name: str
    other_lang: str
    aliases: tuple[tuple[str, str], ...]  # (alias, its language): both languages' aliases
    definition: str
    lessons: tuple[TaughtIn, ...]


@dataclass(frozen=True)
class GlossaryPage:
    query: str
    entries: tuple[Entry, ...]
    total: int
    """Terms in the glossary, whatever the query."""


def _entry(term: Term, lang: str) -> Entry:
    other = next(code for code in LANGUAGES if code != lang)
    lessons = catalog().lessons
    taught = tuple(
        TaughtIn(lessons[lid].course_id, lid, lessons[lid].title(lang))
        for lid in term.taught_in
        if lid in lessons
    )
    own = tuple(dict.fromkeys(term.aliases[lang]))
    aliases = tuple((a, lang) for a in own) + tuple((a, other) for a in dict.fromkeys(term.aliases[other]) if a not in own)
    return Entry(term.id, term.term[lang], term.term[other], other, aliases, term.definition[lang], taught)


def glossary_page(query: str, lang: str) -> GlossaryPage:
    """The terms matching ``query`` (every word, in names of both languages or the definition in
    ``lang``), sorted by name; all terms when the query is blank. ``lang`` is 'zh' or 'en'."""
    glossary = catalog().glossary
    found = glossary.search(query, lang)
    return GlossaryPage(query, tuple(_entry(term, lang) for term in found), len(glossary))
