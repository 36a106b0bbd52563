"""The employer's home page: its survey rounds, the survey about its practices, results.

While a round is open, an employer sees how many of its workers answered only once
there are at least k of them (anonymity rule 9).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.access import employer_required
from ..extensions import db
from ..models import DistributionLink, Employer, EmployerSurvey, Response, Wave
from . import bp


@dataclass(frozen=True)
class RoundRow:
    wave: Wave
    survey: EmployerSurvey | None
    #: Responses so far, only when at least k (None: fewer, or not shown).
    responses: int | None


@bp.get("/")
@employer_required
def home() -> ResponseReturnValue:
    employer = db.session.get_one(Employer, current_user.employer_id)
    return render_template("employer/home.html", employer=employer, rounds=_rounds(employer))


def _rounds(employer: Employer) -> list[RoundRow]:
    """Rounds the employer takes part in (has a link in), newest first; drafts left out."""
    waves = db.session.scalars(
        select(Wave)
        .join(DistributionLink, DistributionLink.wave_id == Wave.id)
        .where(DistributionLink.employer_id == employer.id, Wave.status != "draft")
        .order_by(Wave.opens_on.desc(), Wave.id.desc())
    ).all()
    surveys = {
        s.wave_id: s
        for s in db.session.scalars(
            select(EmployerSurvey).where(EmployerSurvey.employer_id == employer.id)
        )
    }
    counts = dict(
        db.session.execute(
            select(Response.wave_id, func.count())
            .where(Response.employer_id == employer.id)
            .group_by(Response.wave_id)
        ).all()
    )
    rows = []
    for wave in waves:
        count = counts.get(wave.id, 0)
        shown = count if wave.status == "open" and count >= wave.min_group_size else None
        rows.append(RoundRow(wave, surveys.get(wave.id), shown))
    return rows
