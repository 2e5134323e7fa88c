"""The competency framework (``courses/competencies.yaml``): ids and bilingual titles."""

from __future__ import annotations

from pathlib import Path

from trainer.content.source import (
    Problem,
    Problems,
    check_keys,
    check_localized,
    line_of,
    load_yaml_file,
    localized,
)
from trainer.learn.course.fields import valid_id
from trainer.learn.course.model import Competency, frozen


def load_competencies(path: Path) -> tuple[dict[str, Competency], list[Problem]]:
    """Read ``courses/competencies.yaml``: ``dimensions`` with an id and a bilingual title each.

    Dimensions may also carry ``description``, ``statements`` and ``levels`` (the self-assessment's
    material); their inner shape is validated by the scorecard, not here.
    """
    problems = Problems()
    result: dict[str, Competency] = {}
    data = load_yaml_file(path, problems)
    if data is None:
        if not problems:
            problems.add(path, 1, "empty file: expected a 'dimensions' list")
        return result, list(problems)
    if not check_keys(data, required=["dimensions"], path=path, problems=problems, where="competencies"):
        return result, list(problems)
    dimensions = data.get("dimensions")
    if not isinstance(dimensions, list) or not dimensions:
        problems.add(path, line_of(data, "dimensions"), "dimensions: expected a non-empty list")
        return result, list(problems)
    for index, item in enumerate(dimensions):
        where = f"dimension {index + 1}"
        line = line_of(dimensions, index)
        if not check_keys(
            item,
            required=["id", "title"],
            optional=["description", "statements", "levels"],
            path=path,
            problems=problems,
            where=where,
        ):
            continue
        dim_id = item.get("id")
        if not valid_id(dim_id, path, line_of(item, "id", line), problems, where, pattern=r"^[a-z][a-z_]*$"):
            continue
        if dim_id in result:
            problems.add(path, line_of(item, "id", line), f"duplicate competency id '{dim_id}'")
            continue
        if "title" in item and check_localized(
            item["title"], path=path, problems=problems, where=f"{where} title", line=line_of(item, "title")
        ):
            result[dim_id] = Competency(dim_id, frozen(localized(item["title"])))
    return result, list(problems)
