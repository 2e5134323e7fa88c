"""Reading and validating ``courses/glossary.yaml``: the one terminology of the course.

Every problem is reported as ``path:line: message``. A missing file is an empty glossary (a course
may have none yet). Pure Python: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from trainer.content.source import (
    LANGUAGES,
    Problems,
    check_keys,
    check_localized,
    line_of,
    load_yaml_file,
    localized,
)
from trainer.learn.glossary.model import Glossary, Term

TERM_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TERM_KEYS = ("id", "term", "definition", "taught_in")
_OPTIONAL_KEYS = ("aliases", "avoid")


def load_glossary(path: str | Path, lesson_ids: Iterable[str]) -> tuple[Glossary, Problems]:
    """The validated glossary (only the terms without problems) and every problem found."""
    path = Path(path)
    problems = Problems()
    if not path.is_file():
        return Glossary(()), problems
    data = load_yaml_file(path, problems)
    if data is None:
        return Glossary(()), problems
    if not check_keys(data, required=("terms",), path=path, problems=problems, where="glossary"):
        return Glossary(()), problems
    raw_terms = data.get("terms")
    if not isinstance(raw_terms, list):
        if "terms" in data:
            problems.add(path, line_of(data, "terms"), "glossary: terms must be a list")
        return Glossary(()), problems
    known_lessons = set(lesson_ids)
    terms: list[Term] = []
    seen_ids: dict[str, int] = {}
    for index, raw in enumerate(raw_terms):
        term = _build_term(raw, index, path, problems, known_lessons)
        if term is None:
            continue
        if term.id in seen_ids:
            problems.add(path, term.line, f"term {term.id}: id used twice (also on line {seen_ids[term.id]})")
            continue
        seen_ids[term.id] = term.line
        terms.append(term)
    _check_names_unique(terms, path, problems)
    return Glossary(tuple(terms)), problems


def _build_term(raw: Any, index: int, path: Path, problems: Problems, lessons: set[str]) -> Term | None:
    """One validated term, or None (reported) when anything about it is wrong."""
    before = len(problems)
    where = f"term {raw.get('id')}" if isinstance(raw, Mapping) and raw.get("id") else f"term #{index + 1}"
    if not check_keys(
        raw, required=_TERM_KEYS, optional=_OPTIONAL_KEYS, path=path, problems=problems, where=where
    ):
        return None
    term_id = raw.get("id")
    if "id" in raw and (not isinstance(term_id, str) or not TERM_ID_RE.match(term_id)):
        problems.add(
            path,
            line_of(raw, "id"),
            f"{where}: id must be lower-case letters, digits and '-', got {term_id!r}",
        )
    names = _localized(raw, "term", where, path, problems)
    definition = _localized(raw, "definition", where, path, problems)
    aliases = _word_lists(raw, "aliases", where, path, problems)
    avoid = _word_lists(raw, "avoid", where, path, problems)
    taught_in = _taught_in(raw, where, path, problems, lessons)
    if len(problems) > before or names is None or definition is None:
        return None
    for lang in LANGUAGES:
        accepted = {names[lang].casefold(), *(a.casefold() for a in aliases[lang])}
        for banned in avoid[lang]:
            if banned.casefold() in accepted:
                problems.add(
                    path, line_of(raw, "avoid"), f"{where}: {banned!r} is both accepted and avoided ({lang})"
                )
    if len(problems) > before:
        return None
    return Term(
        id=str(term_id),
        term=MappingProxyType(names),
        definition=MappingProxyType(definition),
        aliases=MappingProxyType({lang: tuple(aliases[lang]) for lang in LANGUAGES}),
        avoid=MappingProxyType({lang: tuple(avoid[lang]) for lang in LANGUAGES}),
        taught_in=tuple(taught_in),
        line=line_of(raw),
    )


def _localized(
    raw: Mapping[str, Any], key: str, where: str, path: Path, problems: Problems
) -> dict[str, str] | None:
    if key not in raw:
        return None
    value = raw[key]
    if not check_localized(
        value, path=path, problems=problems, where=f"{where} {key}", line=line_of(raw, key)
    ):
        return None
    return localized(value)


def _word_lists(
    raw: Mapping[str, Any], key: str, where: str, path: Path, problems: Problems
) -> dict[str, list[str]]:
    """``{zh: [...], en: [...]}``, each language optional; every entry a non-empty string."""
    found: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    if key not in raw:
        return found
    value = raw[key]
    at = line_of(raw, key)
    if not isinstance(value, Mapping):
        problems.add(
            path, at, f"{where}: {key} must be a mapping of languages to lists ({{zh: [...], en: [...]}})"
        )
        return found
    for lang, words in value.items():
        if lang not in LANGUAGES:
            problems.add(path, line_of(value, lang, at), f"{where} {key}: unknown language {lang!r}")
            continue
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            problems.add(
                path, line_of(value, lang, at), f"{where} {key} {lang}: expected a list of non-empty texts"
            )
            continue
        found[lang] = [w.strip() for w in words]
    return found


def _taught_in(
    raw: Mapping[str, Any], where: str, path: Path, problems: Problems, lessons: set[str]
) -> list[str]:
    if "taught_in" not in raw:
        return []
    value = raw["taught_in"]
    at = line_of(raw, "taught_in")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(path, at, f"{where}: taught_in must be a list of lesson ids")
        return []
    for position, lesson_id in enumerate(value):
        if lesson_id not in lessons:
            problems.add(
                path,
                line_of(value, position, at),
                f"{where}: taught_in names an unknown lesson {lesson_id!r}",
            )
    if len(set(value)) != len(value):
        problems.add(path, at, f"{where}: taught_in lists a lesson twice")
    return list(value)


def _check_names_unique(terms: list[Term], path: Path, problems: Problems) -> None:
    """A name (term or alias) may belong to one term only, per language; else marking is ambiguous."""
    owners: dict[tuple[str, str], str] = {}
    for term in terms:
        for lang in LANGUAGES:
            for name in dict.fromkeys((term.term[lang], *term.aliases[lang])):
                key = (lang, name.casefold())
                other = owners.setdefault(key, term.id)
                if other != term.id:
                    problems.add(
                        path, term.line, f"term {term.id}: {lang} name {name!r} also belongs to term {other}"
                    )
