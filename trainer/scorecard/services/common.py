"""What every scorecard service shares: the framework from the content catalogue and the refusal."""

from __future__ import annotations

from typing import Any

from trainer.core.content import catalog
from trainer.scorecard.framework import Framework


class ScorecardError(Exception):
    """A request the rules refuse; ``message`` is shown to the user, ``status`` is the HTTP status."""

    def __init__(self, message: Any, status: int = 400) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status


def framework() -> Framework:
    """The competency framework (empty when the content has none)."""
    found = catalog().framework
    return found if found is not None else Framework(())
