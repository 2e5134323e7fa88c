"""All content, loaded and validated once at start-up. An invalid file stops the app with every
problem listed as ``path:line: message``; ``flask content check`` runs the same loading."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainer.content.source import (
    ContentError,
    Problem,
    Problems,
    check_keys,
    check_localized,
    line_of,
    load_yaml_file,
    localized,
)


@dataclass(frozen=True)
class Competency:
    id: str
    title: dict[str, str]


@dataclass
class ContentRegistry:
    """Immutable-by-convention bundle of everything under courses/, quizzes/, scenarios/."""

    root: Path
    competencies: dict[str, Competency] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def load_competency_list(path: Path, problems: Problems) -> dict[str, Competency]:
    data = load_yaml_file(path, problems)
    if data is None:
        return {}
    if not check_keys(data, required=["dimensions"], path=path, problems=problems, where="framework"):
        return {}
    result: dict[str, Competency] = {}
    for index, item in enumerate(data.get("dimensions") or []):
        where = f"dimension {index + 1}"
        if not check_keys(item, required=["id", "title"], optional=["statements", "levels"], path=path,
                          problems=problems, where=where) or "id" not in item or "title" not in item:
            continue
        cid = str(item["id"])
        if cid in result:
            problems.add(path, line_of(item, "id"), f"duplicate competency id '{cid}'")
        if check_localized(item["title"], path=path, problems=problems, where=f"{cid}.title"):
            result[cid] = Competency(cid, localized(item["title"]))
    return result


def load_content(root: Path) -> tuple[ContentRegistry, list[Problem]]:
    """Load every kind of content below ``root``; returns the registry and all problems found."""
    problems = Problems()
    registry = ContentRegistry(root=root)
    registry.competencies = load_competency_list(root / "courses" / "competencies.yaml", problems)
    return registry, list(problems)


def install_content(app) -> None:  # type: ignore[no-untyped-def]
    """Load content into ``app.extensions['content']``; refuse to start on any problem."""
    preloaded = app.config.get("CONTENT_REGISTRY")
    if preloaded is not None:  # tests load content once per session and hand it in
        app.extensions["content"] = preloaded
        return
    root = Path(app.config["CONTENT_ROOT"])
    registry, problems = load_content(root)
    if problems:
        raise ContentError(problems)
    app.extensions["content"] = registry
