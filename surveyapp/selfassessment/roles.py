"""What each kind of respondent is called on the pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Every role of :data:`surveyapp.models.RESPONDENT_ROLES`, in that order.
ROLE_LABELS = {
    "staff": _l("Partnership staff"),
    "workforce_board": _l("Workforce board"),
    "training_provider": _l("Training provider"),
    "union": _l("Union or worker organization"),
    "community": _l("Community organization"),
    "employer": _l("Employer"),
    "other": _l("Other partner"),
}

#: The roles a link can be made for (staff answer signed in).
PARTNER_ROLES = tuple(role for role in ROLE_LABELS if role != "staff")


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))
