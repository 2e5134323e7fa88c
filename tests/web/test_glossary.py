"""The glossary page (every signed-in user; search; bad query values) and glossary terms marked in
lessons, on the fixture glossary (tests/unit/glossary/fixtures/glossary.yaml)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.test_quiz_common import pass_module
from trainer.learn.glossary import Glossary, load_glossary

FIXTURE = Path(__file__).resolve().parents[1] / "unit" / "glossary" / "fixtures" / "glossary.yaml"
DSO_LESSON = "/learn/ar-essentials/m4-dso-and-turnover"


@pytest.fixture
def glossary(app, monkeypatch):  # type: ignore[no-untyped-def]
    """The fixture glossary on the glossary page; lessons keep the marks courses/glossary.yaml gave
    them at loading (marking them again would mark a second occurrence)."""
    registry = app.extensions["content"]
    found, problems = load_glossary(FIXTURE, registry.lessons)
    assert not problems
    monkeypatch.setattr(registry, "glossary", found)
    return found


def entries(html: str) -> list[str]:
    return re.findall(r'<div class="glossary-entry" id="term-([a-z0-9-]+)"', html)


def test_signed_out_visitors_are_sent_to_sign_in(client, glossary):
    response = client.get("/glossary")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["trainee", "manager", "admin"])
def test_every_role_sees_the_glossary_in_the_navigation_and_the_page(client, signed_in, glossary, role):
    signed_in(role)
    html = client.get("/glossary").get_data(as_text=True)
    assert entries(html) == ["best-possible-dso", "dso", "payment-guarantee"]  # sorted by English name
    assert '<a href="/glossary"' in html and "3 terms." in html


def test_entries_show_the_other_language_aliases_and_lessons(client, signed_in, glossary):
    signed_in()
    html = client.get("/glossary").get_data(as_text=True)
    entry = re.search(r'id="term-best-possible-dso".*?</div>', html, re.S).group(0)
    assert (
        "<dfn>Best Possible DSO</dfn>" in entry
        and '<span class="glossary-other" lang="zh">最佳可能DSO</span>' in entry
    )
    assert "also: <span>BPDSO</span>" in entry and "The DSO counting only receivables" in entry
    assert f'href="{DSO_LESSON}"' in entry


def test_an_alias_in_the_other_language_is_marked_as_such(client, signed_in):
    """The real glossary: an English page names Chinese aliases in lang="zh" (screen readers, the
    crawler's language check), its own language's aliases without."""
    signed_in()
    html = client.get("/glossary").get_data(as_text=True)
    aliases = re.findall(r'<span class="glossary-aliases">(.*?)</span></dt>', html, re.S)
    assert aliases and all(re.search("[\u4e00-\u9fff]", part) is None
                           for line in aliases for part in re.split(r'<span lang="zh">.*?</span>', line))
    assert any('<span lang="zh">' in line for line in aliases)


def test_chinese_users_search_in_chinese_and_see_the_english_name(client, signed_in, glossary):
    signed_in(language="zh_CN")
    html = client.get("/glossary?q=银行").get_data(as_text=True)
    assert entries(html) == ["payment-guarantee"]
    entry = re.search(r'id="term-payment-guarantee".*?</div>', html, re.S).group(0)
    assert "<dfn>付款保函</dfn>" in entry and 'lang="en">payment guarantee<' in entry


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("bpdso", ["best-possible-dso"]),  # an alias, any case
        ("最佳可能", ["best-possible-dso"]),  # the other language's name
        ("credit sales", ["dso"]),  # words of the definition, in any order of appearance
        ("sales credit", ["dso"]),
        ("delivery", ["payment-guarantee"]),
        ("nothing like this", []),
        ("<script>", []),
        ("%", []),
    ],
)
def test_search(client, signed_in, glossary, query, found):
    signed_in()
    response = client.get("/glossary", query_string={"q": query})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and entries(html) == found
    assert "<script>" not in html.split('id="glossary-q"')[1].split(">")[0]  # the query is escaped
    if not found:
        assert 'data-testid="glossary-empty"' in html and "No term matches this search." in html


def test_a_too_long_query_is_refused_in_the_users_language(client, signed_in, glossary):
    signed_in()
    response = client.get("/glossary", query_string={"q": "x" * 101})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The search is too long: use at most 100 characters." in html and entries(html) == []
    assert client.get("/glossary", query_string={"q": "x" * 100}).status_code == 200


def test_a_too_long_query_in_chinese(client, signed_in, glossary):
    signed_in(language="zh_CN")
    response = client.get("/glossary", query_string={"q": "词" * 150})
    assert response.status_code == 400 and "搜索内容太长" in response.get_data(as_text=True)


def test_control_characters_and_repeated_values(client, signed_in, glossary):
    signed_in()
    assert client.get("/glossary?q=%00").status_code == 400
    response = client.get("/glossary?q=dso&q=zzz")
    assert response.status_code == 200 and entries(response.get_data(as_text=True))[0] == "best-possible-dso"


def test_an_empty_glossary_says_so(app, client, signed_in, monkeypatch):
    monkeypatch.setattr(app.extensions["content"], "glossary", Glossary(()))
    signed_in()
    html = client.get("/glossary").get_data(as_text=True)
    assert "The glossary is empty." in html


def test_lessons_mark_terms_and_link_the_glossary(app, client, signed_in):
    """On the real content: courses/glossary.yaml marks the lessons as they are loaded."""
    user = signed_in()
    for module in ("m1-basics", "m2-risk", "m3-collection"):
        pass_module(user, app, module)
    html = client.get(DSO_LESSON).get_data(as_text=True)
    assert 'data-testid="glossary-link"' in html and "js/glossary.js" in html and "css/glossary.css" in html
    body = html.split('data-testid="lesson-body"')[1].split('data-testid="check"')[0]
    assert body.count('data-term="dso"') == 1
    assert 'aria-describedby="gloss-dso"' in body and 'id="gloss-dso"' in body
    heading_marks = re.findall(r"<h[1-6][^>]*>[^<]*<span class=\"gloss\"", body)
    assert heading_marks == []
