"""Shared by the writing services: the refusal, the task lookup, today's date and paragraphs."""

from __future__ import annotations

from datetime import date
from typing import Any

from trainer.core.content import catalog
from trainer.core.time import local_day, utcnow
from trainer.writing.checklist import Feedback, check, paragraphs
from trainer.writing.tasks import MAX_TEXT_CHARS, Task

__all__ = ["MAX_TEXT_CHARS", "WritingError", "feedback", "paragraphs", "task_of", "tasks", "today"]


class WritingError(Exception):
    """A refusal with a message for the user; ``status`` 404 hides whether the thing exists."""

    def __init__(self, message: Any, status: int = 400) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status


def tasks() -> list[Task]:
    return list(catalog().writing.tasks.values())


def task_of(task_id: str) -> Task:
    task = catalog().writing.tasks.get(task_id)
    if task is None:
        raise WritingError("no such task", 404)
    return task


def today() -> date:
    """Today in the site's time zone: a reply deadline must be after it."""
    return local_day(utcnow()) or date.today()


def feedback(task: Task, text: str) -> Feedback:
    return check(task, text, today())
