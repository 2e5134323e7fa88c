"""Markdown rendering and sanitizing: hostile HTML in a lesson cannot survive into the page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trainer.content.markdown import render_markdown
from trainer.learn.course import load_courses

FIXTURES = Path(__file__).parent / "fixtures"


def render(text: str, *, broken: frozenset[str] = frozenset()) -> str:
    def link(target: str) -> str | None:
        return None if target in broken else f"/learn/c/{target}"

    def image(src: str) -> str | None:  # like the course loader: only files under images/
        return None if src in broken or not src.startswith("images/") else f"/static/{src}"

    return render_markdown(text, resolve_link=link, resolve_image=image)


HOSTILE = [
    ("<script>alert('x')</script>plain", ["<script", "alert("]),
    ('<img src="x.png" onerror="alert(1)">', ["onerror", "alert(1)", "x.png"]),
    ('<a href="javascript:alert(1)" onclick="steal()">click</a>', ["javascript:", "onclick", "steal"]),
    ("[click](javascript:alert(1))", ["javascript:"]),
    ("[click](JaVaScRiPt:alert(1))", ["javascript:", "JaVaScRiPt"]),
    ("![x](javascript:alert(1))", ["javascript:"]),
    ('<p style="background:url(evil)">styled</p>', ["style=", "evil"]),
    ('<iframe src="https://evil.example"></iframe>', ["<iframe", "evil.example"]),
    ('<svg onload="alert(1)"><circle/></svg>', ["<svg", "onload"]),
    ("<object data='x.swf'></object><embed src='x.swf'>", ["<object", "<embed", "x.swf"]),
    ('<form action="/logout"><input type="submit"></form>', ["<form", "<input"]),
    ("<style>body{display:none}</style>", ["<style", "display:none"]),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", ["data:"]),
    ('<img src="https://tracker.example/p.gif">', ["tracker.example"]),
]


@pytest.mark.parametrize(("source", "forbidden"), HOSTILE, ids=[h[0][:30] for h in HOSTILE])
def test_hostile_html_does_not_survive(source: str, forbidden: list[str]) -> None:
    html = render(f"Intro\n\n{source}\n\nOutro")
    for fragment in forbidden:
        assert fragment.lower() not in html.lower(), html
    assert "Intro" in html and "Outro" in html


def test_markdown_features_render() -> None:
    html = render(
        "## 算例\n\n"
        "Some *em* and **strong** and `code`.\n\n"
        "| bucket | amount |\n|:--|--:|\n| 1-30 | 120 |\n\n"
        "```\nDSO = 90 / 2\n```\n\n"
        "1. one\n2. two\n\n- a\n- b\n\n> quote\n\n---\n"
    )
    for fragment in [
        "<h2>算例</h2>",
        "<em>em</em>",
        "<strong>strong</strong>",
        "<code>code</code>",
        "<table>",
        '<th align="left">bucket</th>',
        '<td align="right">120</td>',
        "<pre><code>DSO = 90 / 2",
        "<ol>",
        "<ul>",
        "<blockquote>",
        "<hr>",
    ]:
        assert fragment in html, (fragment, html)


def test_lesson_links_and_images_use_the_resolvers() -> None:
    html = render("[next](lesson:m2-danger-signals) ![diagram](images/lifecycle.svg)")
    assert '<a href="/learn/c/m2-danger-signals" rel="noopener noreferrer">next</a>' in html
    assert '<img alt="diagram" src="/static/images/lifecycle.svg">' in html


def test_external_links_are_kept_with_rel() -> None:
    html = render("[law](https://example.org/civil-code)")
    assert 'href="https://example.org/civil-code"' in html and 'rel="noopener noreferrer"' in html


def test_broken_references_leave_no_dead_url() -> None:
    html = render(
        "[gone](lesson:nope) ![chart](images/missing.svg)", broken=frozenset({"nope", "images/missing.svg"})
    )
    assert "lesson:" not in html and "href" not in html
    assert "<img" not in html and "<em>chart</em>" in html


def test_raw_lesson_link_in_html_is_not_resolved_or_kept() -> None:
    html = render('<a href="lesson:m1-lifecycle">raw</a>')
    assert "lesson:" not in html


def test_hostile_lesson_is_sanitized_by_the_loader(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "courses", tmp_path / "courses")
    lesson = tmp_path / "courses" / "mini" / "lessons" / "a-one.en.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8")
        + '\n<script>alert(document.cookie)</script>\n\n<img src=x onerror="alert(1)">\n\n'
        + "[win a prize](javascript:alert(1))\n",
        encoding="utf-8",
    )
    courses, problems = load_courses(
        tmp_path / "courses",
        competency_ids={"credit_assessment", "data_analysis"},
        url_for_lesson=lambda c, lesson_id: f"/{c}/{lesson_id}",
        url_for_image=lambda c, name: f"/{c}/images/{name}",
    )
    assert problems == []
    a_one = courses["mini"].lesson("a-one")
    assert a_one is not None
    html = a_one.text("en").html
    for fragment in ("<script", "document.cookie", "onerror", "javascript:"):
        assert fragment not in html, html
    assert "win a prize" in html
