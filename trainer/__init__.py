"""Receivables Trainer (回款训练营).

The application factory lives in :mod:`trainer.factory`. It is looked up here on first use only, so that
the engine (``python -m trainer.sim``) and the pure rule modules import no Flask: this is the one
documented import made at call time in the package.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any


def __getattr__(name: str) -> Any:
    if name == "create_app":
        return import_module("trainer.factory").create_app
    raise AttributeError(f"module 'trainer' has no attribute {name!r}")
