"""Render lesson Markdown to safe HTML, once, at load time.

The pipeline is Markdown → HTML (python-markdown: tables, fenced code, sane lists) → a tree pass that
rewrites internal references → nh3 sanitizer with a short allow-list. Lessons are trusted-ish text in
git, but the page must stay safe even when one is not: raw HTML, ``on*`` handlers, ``style`` and
``javascript:`` URLs never reach the browser.

Internal references are resolved through callbacks so this module knows nothing about Flask URLs:

- ``[text](lesson:m2-danger-signals)``: ``resolve_link("m2-danger-signals")``;
- ``![alt](images/lifecycle.svg)``: ``resolve_image("images/lifecycle.svg")`` (every image source goes
  through it; the course loader only accepts files under the course's ``images/`` folder).

A callback returns the URL to use, or ``None`` when the reference is broken. The caller records the
problem (the callback is the natural place to do it); the rendered link loses its ``href`` and a broken
image is replaced by its alt text, so a broken reference never yields a dead URL.

Pure Python: no Flask.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Collection, Mapping

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "LESSON_SCHEME",
    "Resolver",
    "render_markdown",
    "render_text_markdown",
    "sanitize_html",
]

Resolver = Callable[[str], "str | None"]
"""Maps a reference (a lesson id, or an image path as written) to a URL, or None if it is broken."""

LESSON_SCHEME = "lesson:"

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "h1", "h2", "h3", "h4", "h5", "h6",
        "p", "br", "hr", "blockquote",
        "ul", "ol", "li",
        "table", "thead", "tbody", "tr", "th", "td",
        "a", "img",
        "em", "strong", "code", "pre",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}

_URL_SCHEMES = {"http", "https", "mailto"}
_DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template"}


class _ReferenceRewriter(Treeprocessor):
    def __init__(
        self, md: markdown.Markdown, resolve_link: Resolver, resolve_image: Resolver, image_urls: set[str]
    ):
        super().__init__(md)
        self.resolve_link = resolve_link
        self.resolve_image = resolve_image
        self.image_urls = image_urls

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, element in enumerate(list(parent)):
                if element.tag == "a":
                    self._link(element)
                elif element.tag == "img":
                    self._image(parent, index, element)

    def _link(self, element: etree.Element) -> None:
        href = (element.get("href") or "").strip()
        if not href.startswith(LESSON_SCHEME):
            return
        url = self.resolve_link(href[len(LESSON_SCHEME) :].strip())
        if url is None:
            del element.attrib["href"]
        else:
            element.set("href", url)

    def _image(self, parent: etree.Element, index: int, element: etree.Element) -> None:
        url = self.resolve_image((element.get("src") or "").strip())
        if url is not None:
            element.set("src", url)
            self.image_urls.add(url)
            return
        # Broken image: keep what the reader would have learnt from it, its alt text.
        replacement = etree.Element("em")
        replacement.text = element.get("alt") or ""
        replacement.tail = element.tail
        parent.remove(element)
        parent.insert(index, replacement)


class _ReferenceExtension(Extension):
    def __init__(self, resolve_link: Resolver, resolve_image: Resolver, image_urls: set[str]):
        super().__init__()
        self.resolve_link = resolve_link
        self.resolve_image = resolve_image
        self.image_urls = image_urls

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - python-markdown API
        # After "inline" (20), which builds <a>/<img> elements; before "prettify" (10).
        md.treeprocessors.register(
            _ReferenceRewriter(md, self.resolve_link, self.resolve_image, self.image_urls),
            "trainer_references",
            15,
        )


def sanitize_html(
    html: str,
    *,
    image_urls: Collection[str] = (),
    extra_tags: Collection[str] = (),
    extra_attributes: Mapping[str, Collection[str]] | None = None,
) -> str:
    """Reduce HTML to the allow-list: no scripts, no styles, no event handlers, no unsafe URLs.

    An ``<img>`` keeps its ``src`` only when it is one of ``image_urls`` (the URLs the image resolver
    produced), so raw HTML cannot smuggle in a remote image or a tracking pixel. ``extra_tags`` and
    ``extra_attributes`` widen the list for markup the app adds itself (the glossary marks).
    """
    allowed_images = frozenset(image_urls)

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src" and value not in allowed_images:
            return None
        return value

    attributes = {tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()}
    for tag, attrs in (extra_attributes or {}).items():
        attributes.setdefault(tag, set()).update(attrs)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS) | set(extra_tags),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes=attributes,
        url_schemes=set(_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=keep,
    )


def render_markdown(text: str, *, resolve_link: Resolver, resolve_image: Resolver) -> str:
    """Markdown → sanitized HTML, with ``lesson:`` links and image sources resolved by the callbacks."""
    image_urls: set[str] = set()
    md = markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "sane_lists",
            _ReferenceExtension(resolve_link, resolve_image, image_urls),
        ],
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    return sanitize_html(md.convert(text), image_urls=image_urls).strip()


_BLANK_RE = re.compile(r"_{3,}")


def _no_reference(_reference: str) -> str | None:
    return None


def render_text_markdown(text: str) -> str:
    """A short text with Markdown (a question imported from Moodle keeps its emphasis, lists and
    links) as sanitized HTML, without the paragraph around a single paragraph. A missing word's
    ``_____`` blank stays a blank; images have no place to load from, so they show their alt text."""
    protected = _BLANK_RE.sub(lambda match: "\\_" * len(match.group()), text)
    html = render_markdown(protected, resolve_link=_no_reference, resolve_image=_no_reference)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
