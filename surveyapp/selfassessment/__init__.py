"""The partnership self-assessment (issue 12; MEASUREMENT.md 3.3).

Once per round, partnership staff (signed in) and partners invited with a link
(training providers, unions, the workforce board) rate statements about the
partnership on the instrument ``partnership-v1``, one element a page. Staff close the
self-assessment of a round when they are ready; only then, and only from the answers
of respondents who sent theirs, are element scores shown.

* :mod:`.scores`: the scores, pure (no Flask, no database).
* :mod:`.service`: invitations, answers, sending, closing (SQLAlchemy, no Flask).
* :mod:`.figures`: :func:`self_assessment_figures` for pages and the sector brief.
* :mod:`.flow`, :mod:`.public`: the respondent's pages (Flask), by link and for staff.

Nothing is imported here until asked for, so that importing :mod:`.scores` (pure)
brings in neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

from typing import Any

__all__ = ["self_assessment_figures"]


def __getattr__(name: str) -> Any:
    # PEP 562: ``from surveyapp.selfassessment import self_assessment_figures`` loads
    # the database-side module only when someone asks for it.
    if name == "self_assessment_figures":
        from .figures import self_assessment_figures

        return self_assessment_figures
    raise AttributeError(name)
