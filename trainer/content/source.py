"""Reading plain-text content files with line numbers, so every problem can be reported as
``path:line: message`` (the format `flask content check` prints and the app refuses to start on).

Everything here is pure Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LANGUAGES: tuple[str, ...] = ("zh", "en")
"""Content languages. Every user-facing text in content is a mapping with exactly these keys."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a content file, located as precisely as we can."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Problems:
    """Collects problems across files so a check reports all of them at once, not the first."""

    items: list[Problem] = field(default_factory=list)

    def add(self, path: str | Path, line: int, message: str) -> None:
        self.items.append(Problem(str(path), max(int(line), 1), message))

    def extend(self, other: Iterable[Problem]) -> None:
        self.items.extend(other)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(sorted(self.items))


class ContentError(Exception):
    """Raised when content is invalid; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class LineMap(dict):  # type: ignore[type-arg]
    """A dict that remembers the line each key was written on (``.line_of(key)``, 1-based)."""

    start_line: int = 1
    key_lines: dict[str, int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines = {}

    def line_of(self, key: str | None = None) -> int:
        if key is None:
            return self.start_line
        return self.key_lines.get(key, self.start_line)


class LineList(list):  # type: ignore[type-arg]
    """A list that remembers the line each item starts on (``.line_of(index)``, 1-based)."""

    start_line: int = 1
    item_lines: list[int]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines = []

    def line_of(self, index: int | None = None) -> int:
        if index is None or index >= len(self.item_lines):
            return self.start_line
        return self.item_lines[index]


class _LineLoader(yaml.SafeLoader):
    """Pure-Python SafeLoader that builds LineMap/LineList so validators can point at the offending
    line. The reference: it words and places syntax errors, and runs when libyaml is missing."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineMap:
    result = LineMap()
    result.start_line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:  # a list or mapping as a key: a syntax problem, not a crash of the check
            raise yaml.constructor.ConstructorError(None, None, "found unhashable key", key_node.start_mark) from None
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.start_line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _with_line_constructors(loader: type[yaml.SafeLoader]) -> None:
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


_with_line_constructors(_LineLoader)

_CSafeLoader: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)
_FastLineLoader: type[yaml.SafeLoader] | None = None
if _CSafeLoader is not None:  # libyaml parses; the same constructors (and so the same lines) build values

    class _CLineLoader(_CSafeLoader):  # type: ignore[misc,valid-type]
        """libyaml's parser (about ten times faster) with _LineLoader's constructors: nodes carry the
        same start marks, so values and lines are identical (tests/unit/content/test_yaml_loader.py)."""

    _with_line_constructors(_CLineLoader)
    _FastLineLoader = _CLineLoader


def _load(text: str) -> Any:
    """Parse with libyaml when present. On any error parse again with the pure-Python loader so the
    message and its line are exactly the reference's (errors are rare; speed does not matter then)."""
    if _FastLineLoader is not None:
        try:
            return yaml.load(text, Loader=_FastLineLoader)  # noqa: S506 - CSafeLoader subclass
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass


def parse_yaml(text: str, path: str | Path, problems: Problems, line_offset: int = 0) -> Any:
    """Parse YAML text into LineMap/LineList values; on a syntax error record it and return None.

    ``line_offset`` shifts reported lines, for YAML embedded in a larger file (front matter).
    """
    try:
        data = _load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + 1 if mark else 1) + line_offset
        reason = getattr(exc, "problem", None) or str(exc)
        problems.add(path, line, f"unreadable YAML: {reason}")
        return None
    if line_offset:
        _shift_lines(data, line_offset)
    return data


def _shift_lines(value: Any, offset: int) -> None:
    if isinstance(value, LineMap):
        value.start_line += offset
        value.key_lines = {k: v + offset for k, v in value.key_lines.items()}
        for child in value.values():
            _shift_lines(child, offset)
    elif isinstance(value, LineList):
        value.start_line += offset
        value.item_lines = [v + offset for v in value.item_lines]
        for child in value:
            _shift_lines(child, offset)


def load_yaml_file(path: Path, problems: Problems) -> Any:
    """Read and parse a YAML file; unreadable bytes or syntax become problems, not exceptions."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path, 1, f"cannot read file as UTF-8: {exc}")
        return None
    return parse_yaml(text, path, problems)


@dataclass(frozen=True)
class FrontMatterDocument:
    """A Markdown file split into its YAML front matter and its body."""

    meta: Any
    body: str
    body_line: int  # 1-based line where the body starts, for error messages


def split_front_matter(text: str, path: str | Path, problems: Problems) -> FrontMatterDocument:
    """Split ``---``-delimited YAML front matter from a Markdown body, keeping line numbers."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        problems.add(path, 1, "missing front matter: the file must start with a '---' line")
        return FrontMatterDocument(None, text, 1)
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            meta_text = "".join(lines[1:index])
            meta = parse_yaml(meta_text, path, problems, line_offset=1)
            if meta is not None and not isinstance(meta, Mapping):
                problems.add(path, 2, "front matter must be a mapping of keys to values")
                meta = None
            return FrontMatterDocument(meta, "".join(lines[index + 1 :]), index + 2)
    problems.add(path, 1, "unterminated front matter: no closing '---' line")
    return FrontMatterDocument(None, "", len(lines) + 1)


def line_of(container: Any, key: Any = None, default: int = 1) -> int:
    """Best-known line of ``container[key]`` (or of the container itself)."""
    finder = getattr(container, "line_of", None)
    if finder is None:
        return default
    try:
        return int(finder(key))
    except (TypeError, ValueError):
        return default


def check_keys(
    mapping: Any,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    path: str | Path,
    problems: Problems,
    where: str,
) -> bool:
    """Report missing and unknown keys of a mapping. Returns False when it is not a mapping."""
    if not isinstance(mapping, Mapping):
        problems.add(path, line_of(mapping), f"{where}: expected a mapping")
        return False
    required = list(required)
    allowed = set(required) | set(optional)
    for key in required:
        if key not in mapping:
            problems.add(path, line_of(mapping), f"{where}: missing key '{key}'")
    for key in mapping:
        if key not in allowed:
            problems.add(
                path,
                line_of(mapping, key),
                f"{where}: unknown key '{key}' (allowed: {', '.join(sorted(allowed))})",
            )
    return True


def check_localized(
    value: Any, *, path: str | Path, problems: Problems, where: str, line: int | None = None
) -> bool:
    """A user-facing text must be ``{zh: ..., en: ...}`` with both non-empty strings."""
    at = line if line is not None else line_of(value)
    if not isinstance(value, Mapping):
        problems.add(path, at, f"{where}: expected a text in both languages ({{zh: ..., en: ...}})")
        return False
    ok = True
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.add(path, line_of(value, lang, at), f"{where}: missing {lang} text")
            ok = False
    for key in value:
        if key not in LANGUAGES:
            problems.add(path, line_of(value, key, at), f"{where}: unknown language '{key}'")
            ok = False
    return ok


def localized(value: Mapping[str, str]) -> dict[str, str]:
    """Freeze a validated ``{zh, en}`` mapping into a plain dict."""
    return {lang: str(value[lang]).strip() for lang in LANGUAGES}


def pick(texts: Mapping[str, str], lang: str) -> str:
    """The text in ``lang`` ('zh' or 'en', or a locale like 'zh_CN'), falling back to Chinese."""
    short = (lang or "zh").split("_")[0].split("-")[0].lower()
    return texts.get(short) or texts.get("zh") or next(iter(texts.values()), "")
