"""Fixtures for the role-play loader, state machine and debrief tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.roleplay.scenarios import Scenario, load_scenarios

FIXTURES = Path(__file__).parent / "fixtures"
COMPETENCIES = ["collection_communication", "negotiation_objections"]


@pytest.fixture(scope="session")
def good() -> Scenario:
    scenarios, problems = load_scenarios(FIXTURES, competency_ids=COMPETENCIES)
    assert not problems, [str(p) for p in problems]
    return scenarios["good"]
