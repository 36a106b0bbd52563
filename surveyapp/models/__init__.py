"""All models, imported here so Alembic and the app see every table."""

from .account import ROLES, AccountSession, AccountToken, RecoveryCode, User
from .account_event import EVENT_KINDS, AccountEvent
from .api_token import ApiToken
from .draft import Draft
from .employer_survey import EmployerAnswer, EmployerSurvey
from .partnership import MIN_GROUP_SIZE_FLOOR, Employer, Partnership
from .release import StoredRelease
from .response import Answer, Comment, PendingComment, Response
from .self_assessment import (
    RESPONDENT_ROLES,
    SelfAssessment,
    SelfAssessmentAnswer,
    SelfAssessmentRespondent,
)
from .wave import WAVE_STATUSES, AccessCode, DistributionLink, Wave

__all__ = [
    "ROLES",
    "EVENT_KINDS",
    "AccountEvent",
    "AccountSession",
    "AccountToken",
    "ApiToken",
    "RecoveryCode",
    "StoredRelease",
    "User",
    "MIN_GROUP_SIZE_FLOOR",
    "WAVE_STATUSES",
    "AccessCode",
    "Answer",
    "Comment",
    "DistributionLink",
    "Draft",
    "Employer",
    "EmployerAnswer",
    "EmployerSurvey",
    "Partnership",
    "PendingComment",
    "Response",
    "RESPONDENT_ROLES",
    "SelfAssessment",
    "SelfAssessmentAnswer",
    "SelfAssessmentRespondent",
    "Wave",
]
