"""Moodle's ``[html]`` texts as sanitized Markdown, the format our question texts are written in.

Moodle's editor writes HTML and its GIFT export has no plain-text option, so import converts:
emphasis (``**bold**``, ``*italic*``, ``~~struck~~``, ```code```), paragraphs and line breaks,
bulleted and numbered lists, links (http, https and mailto only) and images. Scripts, styles,
frames, forms and every attribute other than a link's target and an image's source and alt text
are dropped; unknown tags keep their text. An image stays an image only when its source is a
relative path to a local file (:func:`local_image`): Moodle's GIFT export carries no files
(``@@PLUGINFILE@@``) and the site loads nothing remote, so other images become their alt text and
the import says so. Pure Python (the standard library's HTML parser).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

DROPPED = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "noscript",
        "template",
        "form",
        "select",
        "textarea",
        "svg",
        "math",
        "head",
        "title",
    }
)
_EMPHASIS = {
    "strong": "**",
    "b": "**",
    "em": "*",
    "i": "*",
    "code": "`",
    "s": "~~",
    "del": "~~",
    "strike": "~~",
}
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "tr",
        "pre",
        "figure",
        "hr",
    }
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_LOCAL_IMAGE_RE = re.compile(
    r"^(?![a-zA-Z][a-zA-Z0-9+.-]*:)(?!/)(?!.*\.\.)[\w./-]+\.(png|jpe?g|gif|svg|webp)$"
)
_SPACES = re.compile(r"[ \t\r\n\f]+")


def local_image(src: str) -> bool:
    """Whether an image source is a relative path to a local file (no scheme, no ``..``)."""
    return bool(_LOCAL_IMAGE_RE.match(src.strip()))


class _ToMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.notes: list[str] = []
        self.dropping = 0
        self.lists: list[list[int]] = []  # per open list: [kind (0 bullets, 1 numbers), next number]
        self.links: list[str | None] = []
        self.pre = 0

    def _break(self, paragraph: bool) -> None:
        self.out.append("\n\n" if paragraph else "\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in DROPPED:
            self.dropping += 1
        elif self.dropping:
            return
        elif tag in _EMPHASIS:
            self.out.append(_EMPHASIS[tag])
        elif tag in _HEADINGS:
            self._break(True)
            self.out.append("**")
        elif tag in _BLOCKS:
            self.pre += tag == "pre"
            self._break(True)
        elif tag == "br":
            self._break(False)
        elif tag in ("ul", "ol"):
            self.lists.append([1 if tag == "ol" else 0, 1])
            self._break(len(self.lists) == 1)
        elif tag == "li":
            self._list_item()
        elif tag in ("td", "th"):
            self.out.append(" | ")
        elif tag == "a":
            self._open_link(values.get("href", "").strip())
        elif tag == "img":
            self._image(values.get("src", "").strip(), values.get("alt", "").strip())

    def _list_item(self) -> None:
        depth = max(len(self.lists), 1)
        current = self.lists[-1] if self.lists else [0, 1]
        marker = f"{current[1]}." if current[0] else "-"
        current[1] += 1
        self.out.append("\n" + "  " * (depth - 1) + marker + " ")

    def _open_link(self, href: str) -> None:
        if href.lower().startswith(_LINK_SCHEMES):
            self.out.append("[")
            self.links.append(href)
        else:
            if href:
                self.notes.append(f"link {href[:60]!r} dropped (only http, https and mailto links are kept)")
            self.links.append(None)

    def _image(self, src: str, alt: str) -> None:
        if local_image(src):
            self.out.append(f"![{alt}]({src})")
            return
        shown = src if len(src) <= 60 else src[:57] + "..."
        self.notes.append(
            f"image {shown!r} replaced by its alt text: Moodle's GIFT export carries no files and the site "
            "loads nothing remote; add the image as a local file"
        )
        if alt:
            self.out.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED:
            self.dropping = max(0, self.dropping - 1)
        elif self.dropping:
            return
        elif tag in _EMPHASIS:
            self.out.append(_EMPHASIS[tag])
        elif tag in _HEADINGS:
            self.out.append("**")
            self._break(True)
        elif tag in _BLOCKS:
            self.pre -= tag == "pre" and self.pre > 0
            self._break(True)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._break(not self.lists)
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href is not None:
                self.out.append(f"]({href})")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            data = data.replace("\xa0", " ")
            self.out.append(data if self.pre else _SPACES.sub(" ", data))


def html_to_markdown(html: str) -> tuple[str, list[str]]:
    """Markdown for an HTML fragment, and a note for each thing that could not be kept."""
    parser = _ToMarkdown()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(line if line.strip() else "" for line in lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    text = re.sub(r"(?m)^ (?=\S)", "", text)
    return text, parser.notes
