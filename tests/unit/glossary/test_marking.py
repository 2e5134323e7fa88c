"""Glossary terms marked in rendered lessons: first occurrence per term only, never in headings,
links or code, longest name first, escaping kept, and the result sanitized."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trainer.content.markdown import render_markdown
from trainer.learn.glossary import Glossary, load_glossary
from trainer.learn.glossary.marking import mark_terms

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "glossary.yaml"


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    found, problems = load_glossary(FIXTURE, {"m4-dso-and-turnover"})
    assert not problems
    return found


def render(markdown_text: str) -> str:
    return render_markdown(
        markdown_text, resolve_link=lambda ref: f"/learn/c/{ref}", resolve_image=lambda src: f"/img/{src}"
    )


def marked(html: str) -> list[str]:
    """The terms marked, in order: (data-term, the text shown)."""
    return re.findall(r'data-term="([^"]+)"[^>]*><dfn class="gloss-name">(.*?)</dfn>', html)


def test_first_occurrence_of_each_term_only(glossary: Glossary) -> None:
    html = mark_terms(
        render("DSO rises. The DSO again, and Best Possible DSO, then BPDSO.\n\nDSO once more."),
        glossary,
        "en",
    )
    assert marked(html) == [("dso", "DSO"), ("best-possible-dso", "Best Possible DSO")]
    assert html.count('class="gloss"') == 2


def test_an_alias_counts_as_the_term_and_the_longest_name_wins(glossary: Glossary) -> None:
    html = mark_terms(render("最佳可能DSO 不等于 DSO；BPDSO 是最佳可能DSO 的简称。"), glossary, "zh")
    assert marked(html) == [("best-possible-dso", "最佳可能DSO"), ("dso", "DSO")]
    html = mark_terms(render("BPDSO first, DSO second."), glossary, "en")
    assert marked(html) == [("best-possible-dso", "BPDSO"), ("dso", "DSO")]  # not DSO inside BPDSO


def test_never_in_headings_links_or_code(glossary: Glossary) -> None:
    text = (
        "## DSO in a heading\n\n[DSO link](lesson:x) and `DSO` code\n\n```\nDSO block\n```\n\nBody DSO here."
    )
    html = mark_terms(render(text), glossary, "en")
    assert marked(html) == [("dso", "DSO")]
    assert "<h2>DSO in a heading</h2>" in html and ">DSO link</a>" in html and "<code>DSO</code>" in html
    assert html.index('data-term="dso"') > html.index("Body")


def test_case_insensitive_on_word_boundaries_in_english(glossary: Glossary) -> None:
    html = mark_terms(render("DSOs and xDSO are not terms; Days Sales Outstanding is."), glossary, "en")
    assert marked(html) == [("dso", "Days Sales Outstanding")]


def test_definition_is_escaped_and_linked_for_assistive_technology(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_text(
        'terms:\n  - id: x\n    term: {zh: 甲, en: "A&B"}\n'
        '    definition: {zh: 定义, en: "<script>alert(1)</script> & more"}\n    taught_in: []\n',
        encoding="utf-8",
    )
    tricky, problems = load_glossary(path, set())
    assert not problems
    html = mark_terms(render("Use A&B <script>x()</script> here."), tricky, "en")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert marked(html) == [("x", "A&amp;B")]
    assert 'aria-describedby="gloss-x"' in html and 'id="gloss-x"' in html and 'role="tooltip"' in html
    assert '<button type="button" class="gloss-term"' in html


def test_entities_are_not_taken_for_names(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_text(
        "terms:\n  - id: amp\n    term: {zh: 安培, en: amp}\n    definition: {zh: 定义, en: Def}\n    taught_in: []\n",
        encoding="utf-8",
    )
    amp, _ = load_glossary(path, set())
    html = mark_terms(render("Salt & pepper, then an amp."), amp, "en")
    assert "&amp; pepper" in html and marked(html) == [("amp", "amp")]


def test_images_and_tables_survive_the_second_sanitizing(glossary: Glossary) -> None:
    source = "![diagram](images/a.svg)\n\n| DSO | x |\n|---|---|\n| DSO | 1 |\n"
    before = render(source)
    html = mark_terms(before, glossary, "en")
    assert re.search(
        r'<img (alt="diagram" src="/img/images/a.svg"|src="/img/images/a.svg" alt="diagram")>', html
    )
    assert marked(html) == [("dso", "DSO")] and "<th>DSO</th>" in html  # table headers are headings too
    assert '<td><span class="gloss">' in html


def test_empty_glossary_changes_nothing() -> None:
    html = render("DSO here.")
    assert mark_terms(html, Glossary(()), "en") == html
