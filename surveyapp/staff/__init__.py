"""The partnership staff console."""

from __future__ import annotations

from flask import Blueprint

from ..extensions import console_limit

bp = Blueprint("staff", __name__, url_prefix="/staff")
console_limit(bp)

# The modules register their routes on bp.
from . import (  # noqa: E402, F401
    account_events,
    briefs,
    closing_note,
    codes,
    employer_results,
    employers,
    exports,
    links,
    people,
    posters,
    quotes,
    results,
    rounds,
    self_assessment,
    self_assessment_answer,
    self_assessment_invite,
    settings,
    tokens,
    views,
)
