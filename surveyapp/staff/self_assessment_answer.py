"""A staff user's own answers to a round's self-assessment, signed in (no link).

The same pages as a partner's link (:mod:`surveyapp.selfassessment.flow`); each staff
user answers once per round, and their row is made when they save a first page.
"""

from __future__ import annotations

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.access import staff_required
from ..extensions import db
from ..models import SelfAssessmentRespondent, Wave
from ..selfassessment import flow
from ..selfassessment.service import assessment_of, staff_respondent
from . import bp
from .common import own
from .self_assessment import closed_error

_BASE = "/waves/<int(max=2147483647):wave_id>/self-assessment/answer"


def _place(wave_id: int) -> flow.Place:
    wave = own(Wave, wave_id)

    def find(create: bool) -> SelfAssessmentRespondent | None:
        assessment = assessment_of(db.session, wave)
        if assessment is None:
            return None
        return staff_respondent(db.session, assessment, current_user.user, create=create)

    return flow.Place(
        wave=wave,
        overview="staff.staff_self_assessment",
        page="staff.staff_self_assessment_page",
        send="staff.staff_self_assessment_send",
        args={"wave_id": wave.id},
        find=find,
        closed=closed_error,
        back=(
            url_for("staff.wave_self_assessment", wave_id=wave.id),
            _("Back to the round's self-assessment"),
        ),
    )


@bp.get(_BASE)
@staff_required
def staff_self_assessment(wave_id: int) -> ResponseReturnValue:
    return flow.overview(_place(wave_id))


@bp.route(_BASE + "/<int(max=99):number>", methods=["GET", "POST"])
@staff_required
def staff_self_assessment_page(wave_id: int, number: int) -> ResponseReturnValue:
    return flow.page(_place(wave_id), number)


@bp.post(_BASE + "/send")
@staff_required
def staff_self_assessment_send(wave_id: int) -> ResponseReturnValue:
    return flow.send(_place(wave_id))
