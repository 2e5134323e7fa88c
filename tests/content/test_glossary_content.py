"""The real ``courses/glossary.yaml`` keeps its promises about the lessons.

The glossary page links each term to the lessons listed in ``taught_in``, and lessons mark glossary
terms by name, so a term must actually appear (by its name or an alias) in every lesson said to teach
it, in both languages. Read straight from the files so this holds whatever loader serves the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from trainer.content.source import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "courses" / "glossary.yaml"
LESSONS = ROOT / "courses" / "ar-essentials" / "lessons"
# A qualifier that tells apart terms sharing a common word: "能力（5C）", "Serious style".
QUALIFIER = re.compile(r"\s*[（(]5C[）)]$|\s+style$")

if not GLOSSARY.is_file():  # the glossary is optional content
    pytest.skip("no courses/glossary.yaml", allow_module_level=True)

TERMS = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))["terms"]


def _names(term: dict, lang: str) -> list[str]:
    names = [term["term"][lang], *(term.get("aliases") or {}).get(lang, [])]
    return [QUALIFIER.sub("", name).casefold() for name in names]


def _lesson_text(lesson_id: str, lang: str) -> str:
    return (LESSONS / f"{lesson_id}.{lang}.md").read_text(encoding="utf-8").casefold()


@pytest.mark.parametrize("term", TERMS, ids=[t["id"] for t in TERMS])
def test_term_appears_in_every_lesson_that_teaches_it(term: dict) -> None:
    missing = [
        f"{lesson_id}.{lang}"
        for lesson_id in term["taught_in"]
        for lang in LANGUAGES
        if not any(name in _lesson_text(lesson_id, lang) for name in _names(term, lang))
    ]
    assert not missing, f"{term['id']} is not named in {', '.join(missing)}"


def test_about_eighty_terms_each_taught_somewhere() -> None:
    assert len(TERMS) >= 80
    assert all(term["taught_in"] for term in TERMS)


def test_lessons_use_no_avoided_synonym() -> None:
    """The drifting names a term lists under ``avoid`` never appear in a lesson."""
    hits = []
    for path in sorted(LESSONS.glob("*.md")):
        lang = path.suffixes[-2].lstrip(".")
        text = path.read_text(encoding="utf-8").casefold()
        for term in TERMS:
            for banned in (term.get("avoid") or {}).get(lang, []):
                if banned.casefold() in text:
                    hits.append(f"{path.name}: {banned!r} (use {term['term'][lang]!r})")
    assert not hits, "\n".join(hits)
