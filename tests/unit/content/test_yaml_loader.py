"""The libyaml loader gives exactly the values and lines of the pure-Python reference loader, on every
content file and fixture, and reports bad YAML with the reference's message and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from trainer.content import source
from trainer.content.source import LineList, LineMap, Problems, parse_yaml

ROOT = Path(__file__).resolve().parents[3]
CONTENT_FILES = sorted(
    path
    for folder in ("courses", "quizzes", "scenarios", "tests")
    for pattern in ("*.yaml", "*.yml", "*.md")
    for path in (ROOT / folder).rglob(pattern)
    if folder != "tests" or "fixtures" in path.parts
)

BAD_YAML = [
    "a: [1, 2\nb: 3\n",
    "a: 1\n  b: 2\n",
    "a: 1\na: 2\n",
    "- a\nb: 1\n",
    "key: 'unterminated\nother: 1\n",
    "a:\n\t- tab\n",
    "a: b: c\n",
    "a: *missing\n",
    "x: 1\n---\ny: 2\n",
    "a: {b: 1, b: 2}\n",
    "ctrl: \x07\n",
    "a: !!python/object:os.system x\n",
    "? [1, 2]\n: x\n",
    "a: |\n b\n  c\n d: 1\n",
]

# Odd but possibly valid input where two parsers could disagree: scalars' types, characters, anchors.
EDGE_YAML = [
    "a: 0o17\nb: 0x1F\nc: 1_000\nd: 2001-12-14\ne: .inf\nf: ~\ng: yes\nh: 1.5e3\ni: '007'\n",
    "a: x\x7fy\n",
    "\ufeffa: 1\n",
    "a: \ufeffb\n",
    "a: b\u2028c\n",
    "a: 😀 回款\n",
    "a: 'x\r\ny'\r\nb: 2\r\n",
    "a: !!binary aGVsbG8=\n",
    "a: &x [1, {b: 2}]\nc: *x\n",
    "<<: {a: 1}\nb: 2\n",
    "a: >-\n  folded\n  text\n\n  para\nb: |+\n  kept\n\n",
    "- - 1\n  - 2\n-\n  - {x: [3]}\n",
    "",
    "# only a comment\n",
]


def snapshot(value: Any) -> Any:
    """Every value with its type and every line a validator could ask for."""
    if isinstance(value, LineMap):
        items = [(key, snapshot(child)) for key, child in value.items()]
        return ("map", value.start_line, dict(value.key_lines), items)
    if isinstance(value, LineList):
        return ("seq", value.start_line, list(value.item_lines), [snapshot(child) for child in value])
    return (type(value).__name__, value)


def yaml_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".md":
        return text
    lines = text.splitlines(keepends=True)
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    return "".join(lines[1:end])


def test_libyaml_is_used_here() -> None:
    assert source._FastLineLoader is not None, "PyYAML without libyaml: start-up is 5x slower"


def test_the_fixtures_and_content_are_all_found() -> None:
    folders = {path.relative_to(ROOT).parts[0] for path in CONTENT_FILES}
    assert folders == {"courses", "quizzes", "scenarios", "tests"}
    assert len(CONTENT_FILES) > 40


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_values_and_lines_as_the_reference_loader(path: Path) -> None:
    text = yaml_text(path)
    reference = yaml.load(text, Loader=source._LineLoader)  # noqa: S506 - SafeLoader subclass
    fast = yaml.load(text, Loader=source._FastLineLoader)  # noqa: S506 - CSafeLoader subclass
    assert snapshot(fast) == snapshot(reference)


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_parse_yaml_matches_with_and_without_libyaml(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text, offset = yaml_text(path), (1 if path.suffix == ".md" else 0)
    fast_problems, slow_problems = Problems(), Problems()
    fast = parse_yaml(text, path, fast_problems, line_offset=offset)
    monkeypatch.setattr(source, "_FastLineLoader", None)
    slow = parse_yaml(text, path, slow_problems, line_offset=offset)
    assert snapshot(fast) == snapshot(slow)
    assert list(fast_problems) == list(slow_problems) == []


@pytest.mark.parametrize("text", BAD_YAML + EDGE_YAML)
def test_bad_yaml_is_reported_as_the_reference_reports_it(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_problems, slow_problems = Problems(), Problems()
    fast = parse_yaml(text, "bad.yaml", fast_problems, line_offset=3)
    monkeypatch.setattr(source, "_FastLineLoader", None)
    slow = parse_yaml(text, "bad.yaml", slow_problems, line_offset=3)
    assert snapshot(fast) == snapshot(slow)
    assert list(fast_problems) == list(slow_problems)


@pytest.mark.parametrize("text", BAD_YAML + EDGE_YAML)
def test_libyaml_rejects_what_the_reference_rejects(text: str) -> None:
    def outcome(loader: Any) -> Any:
        try:
            return snapshot(yaml.load(text, Loader=loader))  # noqa: S506 - SafeLoader subclasses
        except yaml.YAMLError:
            return "error"

    assert outcome(source._FastLineLoader) == outcome(source._LineLoader)
