"""One employer's results of a round (issue 10): ``/employer/waves/<id>``.

The same page is shown to partnership staff at
``/staff/waves/<id>/employers/<employer_id>`` (:mod:`surveyapp.staff.employer_results`);
both render with :func:`render_employer_results`. Every figure comes from the release
stored when the round closed (anonymity rule 3); nothing is scored per request.

What the page may say about the employer's responses:

* round not closed: only that results come at close, no count at all (rule 9 allows
  counts of k or more while open; none is simpler and safer);
* closed, employer hidden (fewer than k responses, or hidden by complementary
  suppression): that results need at least k responses and nothing else, so 0, 1 and
  k-1 responses read the same (rules 2 and 8);
* otherwise the dashboard of :func:`~.dashboard.employer_dashboard`.
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..accounts.access import employer_required
from ..extensions import db
from ..models import Employer, Wave
from ..results import NoStoredRelease, WaveNotClosed, stored_release, stored_release_row
from . import bp
from .dashboard import employer_dashboard, is_hidden

TEMPLATE = "employer/results.html"


def _entry(wave: Wave, employer: Employer) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The release's figures and this employer's entry in them (None if it has none).

    The stored parameters list employer ids in the order of ``figures["employers"]``;
    an employer added after the round closed has no entry and reads as hidden.
    """
    figures = stored_release(db.session, wave)
    parameters = json.loads(stored_release_row(db.session, wave).parameters)
    ids = [int(i) for i in parameters.get("employer_ids", [])]
    entries = figures.get("employers", [])
    if employer.id not in ids or ids.index(employer.id) >= len(entries):
        return figures, None
    return figures, entries[ids.index(employer.id)]


def render_employer_results(
    wave: Wave, employer: Employer, *, page_url: str, back_url: str, for_staff: bool
) -> ResponseReturnValue:
    """The results page of ``employer`` in ``wave``; the caller has checked access."""
    common = {
        "wave": wave,
        "employer": employer,
        "page_url": page_url,
        "back_url": back_url,
        "for_staff": for_staff,
    }
    try:
        figures, entry = _entry(wave, employer)
    except WaveNotClosed:
        return render_template(TEMPLATE, state="not_closed", **common)
    except NoStoredRelease:
        return render_template(TEMPLATE, state="missing", **common)
    if entry is None or is_hidden(entry):
        return render_template(TEMPLATE, state="hidden", k=figures.get("k"), **common)
    shown = employer_dashboard(figures, entry)
    return render_template(TEMPLATE, state="shown", k=figures.get("k"), **shown, **common)


@bp.get("/waves/<int:wave_id>")
@employer_required
def results(wave_id: int) -> ResponseReturnValue:
    employer = db.session.get(Employer, current_user.employer_id)
    wave = db.session.get(Wave, wave_id)
    # Another partnership's round answers exactly like a round that does not exist.
    if employer is None or wave is None or wave.partnership_id != employer.partnership_id:
        abort(404)
    return render_employer_results(
        wave,
        employer,
        page_url=url_for("employer.results", wave_id=wave.id),
        back_url=url_for("employer.home"),
        for_staff=False,
    )
