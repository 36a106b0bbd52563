"""A round's self-assessment figures, for the staff page and the sector brief.

Scores exist only for a closed self-assessment and come only from respondents who
sent their answers: while it is open, a score that moved each time someone sent
would tell staff, by difference, what that person answered.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from ..db import Session
from ..models import SelfAssessment, Wave
from .scores import MIN_FOR_SPREAD, ElementScore, element_scores
from .service import instrument_of, sent_answers


def self_assessment_figures(session: Session, wave: Wave) -> dict[str, Any]:
    """The self-assessment of ``wave``, and its history over the partnership's rounds.

    Numbers are unrounded scores on 0-100. The shape::

        {
          "wave_id": 12,
          "status": "not_started" | "open" | "closed",
          "instrument": "partnership-v1",        # None when not started
          "closed_on": "2027-05-02",             # ISO date; None unless closed
          "invited": 7,                          # respondents: staff who began, links made
          "sent": 5,                             # of whom sent their answers
          "roles": {"staff": 2, "union": 1, ...},  # sent respondents by role
          "min_for_spread": 3,
          "elements": [                          # [] unless closed; instrument order
            {"id": "leadership", "group": "element" | "centre",
             "name": {"en": "...", "es": "..."},
             "n": 5,                             # respondents with a score here
             "mean": 61.1,                       # None when n == 0
             "lowest": 33.3, "highest": 100.0},  # None when n < min_for_spread
            ...
          ],
          "history": [                           # closed self-assessments of this
            {"wave_id": 9, "wave_name": "Spring 2027",  # partnership's rounds up to
             "closed_on": "2027-05-02",                 # this one, oldest first
             "respondents": 4,
             "means": {"leadership": 50.0, "resources": None, ...}},
            ...
          ],
        }

    ``roles`` keys are :data:`surveyapp.models.RESPONDENT_ROLES`. With fewer than
    ``min_for_spread`` respondents show only ``n`` and the mean. Nothing in it says
    who gave which answer.
    """
    assessment = session.get(SelfAssessment, wave.id)
    figures: dict[str, Any] = {
        "wave_id": wave.id,
        "status": status(assessment),
        "instrument": None,
        "closed_on": None,
        "invited": 0,
        "sent": 0,
        "roles": {},
        "min_for_spread": MIN_FOR_SPREAD,
        "elements": [],
        "history": history(session, wave),
    }
    if assessment is None:
        return figures
    instrument = instrument_of(assessment)
    sent = [r for r in assessment.respondents if r.sent_at]
    figures.update(
        instrument=f"{instrument.key}-v{instrument.version}",
        invited=len(assessment.respondents),
        sent=len(sent),
        roles=dict(sorted(Counter(r.role for r in sent).items())),
    )
    if assessment.closed_at is not None:
        figures["closed_on"] = assessment.closed_at.date().isoformat()
        figures["elements"] = [
            _element(score, instrument.dimension(score.dimension).name)
            for score in element_scores(instrument, sent_answers(assessment))
        ]
    return figures


def status(assessment: SelfAssessment | None) -> str:
    if assessment is None:
        return "not_started"
    return "closed" if assessment.is_closed else "open"


def history(session: Session, wave: Wave) -> list[dict[str, Any]]:
    """Element means of every closed self-assessment of the partnership up to ``wave``."""
    closed = session.scalars(
        select(SelfAssessment)
        .join(Wave, Wave.id == SelfAssessment.wave_id)
        .where(
            Wave.partnership_id == wave.partnership_id,
            Wave.id <= wave.id,
            SelfAssessment.closed_at.is_not(None),
        )
        .order_by(Wave.id)
    )
    points = []
    for assessment in closed:
        answers = sent_answers(assessment)
        scores = element_scores(instrument_of(assessment), answers)
        points.append(
            {
                "wave_id": assessment.wave_id,
                "wave_name": assessment.wave.name,
                "closed_on": assessment.closed_at.date().isoformat()
                if assessment.closed_at
                else None,
                "respondents": len(answers),
                "means": {score.dimension: score.mean for score in scores},
            }
        )
    return points


def _element(score: ElementScore, name: Any) -> dict[str, Any]:
    return {
        "id": score.dimension,
        "group": score.group,
        "name": dict(name),
        "n": score.n,
        "mean": score.mean,
        "lowest": score.lowest,
        "highest": score.highest,
    }
