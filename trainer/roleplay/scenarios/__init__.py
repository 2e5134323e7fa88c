"""Role-play scenarios: read ``scenarios/roleplay/*.yaml`` into immutable :class:`Scenario` objects.

Validation collects every problem as ``path:line: message`` and names the node or ending concerned:
unknown or missing keys, texts missing a language, undeclared variables, conditions that do not
parse, effects that are not numbers, unknown techniques and outcomes, nodes that cannot be reached
from the start, nodes from which no ending can be reached, choices that point nowhere. Choices whose
condition can never be true are reported as warnings (message starting with ``warning:``); a file
with warnings only still loads, a file with any error does not.

The format is documented in ``docs/content-formats.md``. Pure Python: no Flask, no database.
Modules: ``model`` (objects, vocabularies), ``loader``, ``validator``, ``reach`` (interval
analysis), ``mermaid``.
"""

from __future__ import annotations

from trainer.roleplay.scenarios.loader import load_scenario, load_scenarios
from trainer.roleplay.scenarios.mermaid import mermaid
from trainer.roleplay.scenarios.model import (
    FEEDBACK_MODES,
    OUTCOMES,
    QUALITIES,
    TECHNIQUES,
    Choice,
    Ending,
    Node,
    Scenario,
    Text,
    Variable,
    is_warning,
)
from trainer.roleplay.scenarios.reach import reachable_ranges

__all__ = [
    "Choice",
    "Ending",
    "FEEDBACK_MODES",
    "Node",
    "OUTCOMES",
    "QUALITIES",
    "Scenario",
    "TECHNIQUES",
    "Text",
    "Variable",
    "is_warning",
    "load_scenario",
    "load_scenarios",
    "mermaid",
    "reachable_ranges",
]
