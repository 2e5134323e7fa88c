"""Read scenario files from disk; a file with errors is left out, one with warnings only loads."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from trainer.content.source import Problems, load_yaml_file
from trainer.roleplay.scenarios.model import Scenario, is_warning
from trainer.roleplay.scenarios.validator import ScenarioValidator


def load_scenarios(
    directory: str | Path, *, competency_ids: Iterable[str]
) -> tuple[dict[str, Scenario], Problems]:
    """Read every ``*.yaml`` in ``directory``. Returns the valid scenarios by id and all problems.

    A scenario with an error is left out; one with warnings only is included.
    """
    problems = Problems()
    scenarios: dict[str, Scenario] = {}
    folder = Path(directory)
    if not folder.is_dir():
        problems.add(folder, 1, "scenario folder not found")
        return scenarios, problems
    competencies = frozenset(competency_ids)
    for path in sorted(folder.glob("*.yaml")):
        scenario = load_scenario(path, competency_ids=competencies, problems=problems)
        if scenario is not None:
            scenarios[scenario.id] = scenario
    return scenarios, problems


def load_scenario(path: Path, *, competency_ids: Iterable[str], problems: Problems) -> Scenario | None:
    """Read and validate one scenario file, adding its problems to ``problems``."""
    own = Problems()
    data = load_yaml_file(path, own)
    scenario = None
    if data is not None:
        scenario = ScenarioValidator(path, frozenset(competency_ids), own).run(data)
    problems.extend(own.items)
    if any(not is_warning(p) for p in own.items):
        return None
    return scenario
