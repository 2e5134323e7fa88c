"""Fixtures for the competency-framework loader and the scorecard maths."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.scorecard.framework import Framework, load_framework

FIXTURE = Path(__file__).parent / "fixtures" / "framework.yaml"


@pytest.fixture(scope="session")
def framework() -> Framework:
    loaded, problems = load_framework(FIXTURE)
    assert not problems, [str(p) for p in problems]
    return loaded
