"""ORM models, one module per area; importing this package registers every table."""

from trainer.models.accounts import AuditLog, LoginAttempt, Role, Team, User, team_managers, team_members
from trainer.models.base import utcnow
from trainer.models.learning import Certificate, LessonProgress  # noqa: F401
from trainer.models.quiz import Assignment, Attempt, AttemptAnswer, ReviewCard, assignment_teams  # noqa: F401
from trainer.models.roleplay import Participant, Play, PlayChoice, RubricScore, WorkshopSession  # noqa: F401
from trainer.models.scorecard import SelfAssessment  # noqa: F401
from trainer.models.simulation import SimJob, SimRun, SimWorkshop  # noqa: F401

__all__ = [
    "AuditLog",
    "LoginAttempt",
    "Role",
    "Team",
    "User",
    "team_managers",
    "team_members",
    "utcnow",
]
