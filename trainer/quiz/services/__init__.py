"""Quiz use cases: attempts (start, autosave, check, submit once, time limits), spaced repetition,
refresher assignments, gates for the course, item statistics, home-page steps and demo data.

Modules:
    common       registry access, :class:`QuizError`, time helpers
    attempts     taking a quiz
    present      what the attempt and review pages show
    progress     kept grades, locks, and the course gates
    cards        FSRS cards in the database
    assignments  refresher campaigns and their results
    stats        content health and item statistics
    reports      what other features read: results, answers, assignments (plain records)
    home         next steps on the trainee's home page
    demo         deterministic demo activity
"""

from trainer.quiz.services.common import AnswersError, QuizError
from trainer.quiz.services.progress import final_exam_passed, module_quiz_passed

__all__ = ["AnswersError", "QuizError", "final_exam_passed", "module_quiz_passed"]
