"""The course glossary (``courses/glossary.yaml``): one terminology for lessons, questions, scenarios
and the UI. ``loader`` validates the file, ``model`` holds the frozen terms, ``marking`` marks terms in
rendered lessons. Pure Python: no Flask, no database."""

from __future__ import annotations

from trainer.learn.glossary.loader import load_glossary
from trainer.learn.glossary.model import Glossary, Term

__all__ = ["Glossary", "Term", "load_glossary"]
