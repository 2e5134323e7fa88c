"""Writing practice: tasks tied to case files (content in ``writing/``), drafts that autosave,
instant checklist feedback (the pure :mod:`trainer.writing.checklist`), submissions kept with their
history, and reviews by a manager or an invited peer with the task's rubric and inline comments."""
