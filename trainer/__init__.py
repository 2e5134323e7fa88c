"""Receivables Trainer (回款训练营).

The application factory lives in :mod:`trainer.factory`. It is looked up here on first use only, so that
the engine (``python -m trainer.sim``) and the pure rule modules import no Flask: this is the one
documented import made at call time in the package. The import runs with the cyclic garbage
collector paused (see :mod:`trainer.core.gcpause`): importing the app's modules allocates hundreds of
thousands of long-lived objects, and the collector's passes over them were a sixth of the start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from trainer.core.gcpause import collector_paused


def __getattr__(name: str) -> Any:
    if name == "create_app":
        with collector_paused():
            return import_module("trainer.factory").create_app
    raise AttributeError(f"module 'trainer' has no attribute {name!r}")
