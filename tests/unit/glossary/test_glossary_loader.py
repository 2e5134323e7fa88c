"""Loading and validating the glossary file (courses/glossary.yaml), and searching it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from trainer.learn.glossary import Glossary, load_glossary

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "glossary.yaml"
LESSONS = {"m4-dso-and-turnover", "m2-contract-clauses"}


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    found, problems = load_glossary(FIXTURE, LESSONS)
    assert not problems, "\n".join(map(str, problems))
    return found


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "glossary.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    _, problems = load_glossary(path, LESSONS)
    return [str(p).replace(f"{tmp_path}/", "") for p in problems]


GOOD = """\
terms:
  - id: bpdso
    term: {zh: 最佳可能DSO, en: Best Possible DSO}
    definition: {zh: 定义, en: Definition}
    taught_in: [m4-dso-and-turnover]
"""


def test_fixture_loads_every_field(glossary: Glossary) -> None:
    assert [t.id for t in glossary] == ["best-possible-dso", "dso", "payment-guarantee"]
    term = glossary.get("best-possible-dso")
    assert term is not None
    assert term.term["zh"] == "最佳可能DSO" and term.names("en") == ("Best Possible DSO", "BPDSO")
    assert term.avoid["zh"] == ("最佳DSO",) and term.taught_in == ("m4-dso-and-turnover",)
    assert glossary.get("payment-guarantee").aliases == {"zh": (), "en": ()}  # type: ignore[union-attr]
    assert glossary.get("nothing") is None


def test_missing_file_is_an_empty_glossary(tmp_path: Path) -> None:
    found, problems = load_glossary(tmp_path / "glossary.yaml", LESSONS)
    assert len(found) == 0 and not problems


def test_minimal_term_is_valid(tmp_path: Path) -> None:
    assert problems_of(tmp_path, GOOD) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("id: bpdso", "id: Best_DSO"),
            "glossary.yaml:2: term Best_DSO: id must be lower-case letters, digits and '-', got 'Best_DSO'",
        ),
        (("id: bpdso", "id: -x"), "id must be lower-case letters"),
        (("en: Best Possible DSO}", "en: ''}"), "glossary.yaml:3: term bpdso term: missing en text"),
        (
            ("    definition: {zh: 定义, en: Definition}\n", ""),
            "glossary.yaml:2: term bpdso: missing key 'definition'",
        ),
        (("    taught_in: [m4-dso-and-turnover]\n", ""), "missing key 'taught_in'"),
        (
            ("[m4-dso-and-turnover]", "[m9-nowhere]"),
            "glossary.yaml:5: term bpdso: taught_in names an unknown lesson 'm9-nowhere'",
        ),
        (("[m4-dso-and-turnover]", "m4-dso-and-turnover"), "taught_in must be a list of lesson ids"),
        (
            ("[m4-dso-and-turnover]", "[m4-dso-and-turnover, m4-dso-and-turnover]"),
            "taught_in lists a lesson twice",
        ),
        (("    taught_in", "    colour: red\n    taught_in"), "unknown key 'colour'"),
        (
            ("    taught_in", "    aliases: [BPDSO]\n    taught_in"),
            "aliases must be a mapping of languages to lists",
        ),
        (("    taught_in", "    aliases: {fr: [x]}\n    taught_in"), "aliases: unknown language 'fr'"),
        (
            ("    taught_in", "    avoid: {zh: 最佳DSO}\n    taught_in"),
            "avoid zh: expected a list of non-empty texts",
        ),
        (
            ("    taught_in", "    avoid: {zh: ['']}\n    taught_in"),
            "avoid zh: expected a list of non-empty texts",
        ),
        (
            ("    taught_in", "    avoid: {en: [best possible dso]}\n    taught_in"),
            "'best possible dso' is both accepted and avoided (en)",
        ),
        (("terms:", "words:"), "glossary: missing key 'terms'"),
    ],
)
def test_term_problems(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    found = problems_of(tmp_path, GOOD.replace(*change))
    assert any(expected in p for p in found), found


def test_ids_and_names_are_unique(tmp_path: Path) -> None:
    twice = GOOD + GOOD.split("\n", 1)[1]
    assert any("id used twice (also on line 2)" in p for p in problems_of(tmp_path, twice))
    other = GOOD + GOOD.split("\n", 1)[1].replace("id: bpdso", "id: other")
    assert any("zh name '最佳可能DSO' also belongs to term bpdso" in p for p in problems_of(tmp_path, other))


def test_not_a_list_and_bad_yaml(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "terms: 3\n") == ["glossary.yaml:1: glossary: terms must be a list"]
    assert problems_of(tmp_path, "terms: [\n")[0].startswith("glossary.yaml:")


def test_search_by_name_alias_or_definition_in_the_users_language(glossary: Glossary) -> None:
    assert [t.id for t in glossary.search("bpdso", "en")] == ["best-possible-dso"]
    assert [t.id for t in glossary.search("最佳可能", "en")] == [
        "best-possible-dso"
    ]  # the other language's name
    assert [t.id for t in glossary.search("delivery", "en")] == ["payment-guarantee"]
    assert glossary.search("delivery", "zh") == []  # definitions are searched in the user's language only
    assert [t.id for t in glossary.search("银行 付款", "zh")] == [
        "payment-guarantee"
    ]  # every word must match
    assert len(glossary.search("  ", "zh")) == 3
    assert [t.term["en"] for t in glossary.search("", "en")] == [
        "Best Possible DSO",
        "days sales outstanding",
        "payment guarantee",
    ]
