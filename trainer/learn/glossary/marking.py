"""Marking glossary terms in a rendered lesson: the first occurrence of each term (by its name or an
alias) becomes a button that shows the definition on hover, keyboard focus and tap.

Works on the lesson's sanitized HTML, not on Markdown, so headings, links and code are known for
sure: text inside headings (``h1``-``h6`` and table headers), ``a``, ``code`` and ``pre`` is never
marked. Names match case-insensitively, with word boundaries where a name starts or ends with a
Latin letter or digit (so ``DSO`` is not found inside ``BPDSO``); Chinese as plain substrings; the
longest name wins where names overlap. The result is sanitized again with the glossary's few extra tags and
attributes. Pure Python.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from trainer.content.markdown import sanitize_html
from trainer.content.source import LANGUAGES
from trainer.learn.course import Course, Lesson
from trainer.learn.glossary.model import Glossary, Term

SKIPPED_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "th", "a", "code", "pre", "button"})
GLOSSARY_TAGS = frozenset({"span", "button", "dfn"})
GLOSSARY_ATTRIBUTES: dict[str, set[str]] = {
    "span": {"class", "id", "role"},
    "button": {"type", "class", "aria-describedby", "aria-expanded", "aria-controls", "data-term"},
    "dfn": {"class"},
}
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"^<\s*(/?)\s*([a-zA-Z0-9]+)")
_IMG_SRC = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]*)\"")
_VOID = frozenset({"br", "hr", "img", "input", "wbr"})


_EDGE = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class _Matcher:
    """The names of one language, longest first, as one case-sensitive regex over lower-cased text
    (far quicker than IGNORECASE with many alternatives); ``owner`` maps a lower-cased name (as
    escaped in HTML) to its term."""

    pattern: re.Pattern[str] | None
    owner: Mapping[str, Term]


def _matcher(terms: Iterable[Term], lang: str) -> _Matcher:
    owner: dict[str, Term] = {}
    for term in terms:
        for name in term.names(lang):
            owner.setdefault(html.escape(name, quote=False).lower(), term)
    if not owner:
        return _Matcher(None, owner)
    names = sorted(owner, key=len, reverse=True)
    return _Matcher(re.compile("|".join(re.escape(n) for n in names)), owner)


def _at_boundaries(text: str, start: int, end: int) -> bool:
    """A name that starts or ends with a Latin letter or digit must not run into another one (nor
    start inside an HTML entity such as ``&amp;``)."""
    if _EDGE.match(text[start]) and start > 0 and (_EDGE.match(text[start - 1]) or text[start - 1] in "&#"):
        return False
    return not (_EDGE.match(text[end - 1]) and end < len(text) and _EDGE.match(text[end]))


_COLON = {"zh": "：", "en": ": "}


def marked_term(term: Term, lang: str, shown: str) -> str:
    """The markup of one marked occurrence; ``shown`` is the text as it stands (already escaped)."""
    tip = f"gloss-{term.id}"
    name = html.escape(term.term[lang])  # the popup names the term: on a phone it sits apart from the word
    definition = html.escape(term.definition[lang])
    return (
        f'<span class="gloss"><button type="button" class="gloss-term" data-term="{term.id}"'
        f' aria-describedby="{tip}" aria-expanded="false" aria-controls="{tip}"><dfn class="gloss-name">{shown}</dfn>'
        f'</button><span class="gloss-def" role="tooltip" id="{tip}"><strong>{name}</strong>{_COLON[lang]}{definition}</span></span>'
    )


def mark_courses(courses: Mapping[str, Course], glossary: Glossary) -> dict[str, Course]:
    """The courses with every lesson's HTML marked, in each lesson's language (unchanged when the
    glossary is empty). Runs once at load time, so the disk cache of the catalogue holds marked
    lessons and its key (the content files, glossary.yaml among them, and the code) covers them."""
    if not len(glossary):
        return dict(courses)

    matchers = {lang: _matcher(glossary, lang) for lang in LANGUAGES}

    def lesson(item: Lesson) -> Lesson:
        texts = tuple(replace(t, html=_mark(t.html, matchers[t.lang], t.lang)) for t in item.texts)
        return replace(item, texts=texts)

    return {
        course_id: replace(
            course,
            modules=tuple(replace(m, lessons=tuple(lesson(x) for x in m.lessons)) for m in course.modules),
        )
        for course_id, course in courses.items()
    }


def mark_terms(lesson_html: str, glossary: Glossary, lang: str) -> str:
    """The lesson HTML with the first occurrence of each glossary term marked (see the module doc)."""
    return _mark(lesson_html, _matcher(glossary, lang), lang)


def _mark(lesson_html: str, matcher: _Matcher, lang: str) -> str:
    if matcher.pattern is None:
        return lesson_html
    done: set[str] = set()
    open_tags: list[str] = []
    out: list[str] = []
    for piece in _TAG.split(lesson_html):
        if piece.startswith("<"):
            _track(piece, open_tags)
            out.append(piece)
        elif piece and not any(tag in SKIPPED_TAGS for tag in open_tags):
            out.append(_mark_text(piece, matcher, done, lang))
        else:
            out.append(piece)
    images = _IMG_SRC.findall(lesson_html)
    return sanitize_html(
        "".join(out),
        image_urls=[html.unescape(src) for src in images],
        extra_tags=GLOSSARY_TAGS,
        extra_attributes=GLOSSARY_ATTRIBUTES,
    )


def _track(tag: str, open_tags: list[str]) -> None:
    match = _TAG_NAME.match(tag)
    if not match:
        return
    closing, name = match.group(1) == "/", match.group(2).lower()
    if name in _VOID or tag.endswith("/>"):
        return
    if not closing:
        open_tags.append(name)
    elif name in open_tags:
        del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name) :]


def _mark_text(text: str, matcher: _Matcher, done: set[str], lang: str) -> str:
    lowered = text.lower()
    if matcher.pattern is None or len(lowered) != len(text):  # a rare letter whose lower case is longer
        return text
    out: list[str] = []
    position = copied = 0
    while (match := matcher.pattern.search(lowered, position)) is not None:
        start, end = match.span()
        term = matcher.owner[match.group(0)]
        if not _at_boundaries(text, start, end):
            position = start + 1
            continue
        position = end
        if term.id in done:
            continue
        done.add(term.id)
        out.append(text[copied:start])
        out.append(marked_term(term, lang, text[start:end]))
        copied = end
    out.append(text[copied:])
    return "".join(out)
