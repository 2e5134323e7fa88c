"""Field checks shared by the manifest, competency and lesson readers; each reports to ``problems``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from trainer.content.source import LANGUAGES, Problems, check_localized, line_of, localized
from trainer.learn.course.model import frozen

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def valid_id(
    value: Any, path: Path, line: int, problems: Problems, where: str, pattern: str = ID_PATTERN.pattern
) -> bool:
    if not isinstance(value, str) or not re.match(pattern, value):
        problems.add(path, line, f"{where}: id {value!r} must be lowercase letters, digits and hyphens")
        return False
    return True


def string_list(value: Any, path: Path, line: int, problems: Problems, where: str) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add(path, line, f"{where}: expected a list of names")
        return None
    return [v.strip() for v in value]


def nonblank(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def localized_or_blank(
    mapping: Mapping[str, Any], key: str, path: Path, problems: Problems, where: str
) -> Mapping[str, str]:
    if key not in mapping:
        return frozen({lang: "" for lang in LANGUAGES})  # check_keys already reported it
    value = mapping[key]
    if check_localized(value, path=path, problems=problems, where=where, line=line_of(mapping, key)):
        return frozen(localized(value))
    return frozen(
        {lang: str(value.get(lang) or "") if isinstance(value, Mapping) else "" for lang in LANGUAGES}
    )
