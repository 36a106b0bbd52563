"""One employer's results page as staff see it (issue 10).

The very page the employer's own users see at ``/employer/waves/<id>``, for any
employer of the staff member's partnership; another partnership's wave or employer
answers 404 exactly like an id that does not exist.
"""

from __future__ import annotations

from flask import url_for
from flask.typing import ResponseReturnValue

from ..accounts.access import staff_required
from ..employer.results import render_employer_results
from ..models import Employer, Wave
from . import bp
from .common import own


@bp.get("/waves/<int:wave_id>/employers/<int:employer_id>")
@staff_required
def employer_results(wave_id: int, employer_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    employer = own(Employer, employer_id)
    return render_employer_results(
        wave,
        employer,
        page_url=url_for("staff.employer_results", wave_id=wave.id, employer_id=employer.id),
        back_url=url_for("staff.wave", wave_id=wave.id),
        for_staff=True,
    )
