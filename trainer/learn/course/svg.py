"""Course images must be self-contained SVGs: no scripts, event handlers or outside links."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from trainer.content.source import Problems

_SVG_NS_HREFS = ("href", "{http://www.w3.org/1999/xlink}href")


def check_svgs(images_dir: Path, problems: Problems) -> None:
    """Served images must be self-contained: well-formed, no scripts, handlers or outside links."""
    if not images_dir.is_dir():
        return
    for path in sorted(images_dir.glob("*.svg")):
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError) as exc:
            problems.add(path, getattr(exc, "position", (1, 0))[0], f"not a well-formed SVG: {exc}")
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            if tag in ("script", "foreignObject"):
                problems.add(path, _line_in_text(text, f"<{tag}"), f"SVG must not contain <{tag}>")
            for attribute, value in element.attrib.items():
                name = attribute.rsplit("}", 1)[-1]
                if name.lower().startswith("on"):
                    problems.add(path, _line_in_text(text, name), f"SVG must not use event handler '{name}'")
                elif attribute in _SVG_NS_HREFS and not value.startswith("#"):
                    problems.add(
                        path, _line_in_text(text, value), f"SVG must not reference outside itself: {value!r}"
                    )
                elif "url(" in value and "url(#" not in value.replace(" ", ""):
                    problems.add(path, _line_in_text(text, value), "SVG must not load outside resources")


def _line_in_text(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1
