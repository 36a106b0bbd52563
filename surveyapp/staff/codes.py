"""Single-use codes for a stricter round: a batch for one employer, as a CSV download.

Only the codes' hashes are stored (the survey's own hashing,
:func:`surveyapp.survey.services.new_access_codes`), so the download is the one and
only time anyone sees them; the page says so.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..accounts.access import staff_required
from ..errors import render_error
from ..extensions import db
from ..forms import form_errors
from ..models import Wave
from ..survey.services import new_access_codes
from . import bp
from .common import own, own_link
from .forms import CodesForm, whole_number


@bp.route("/waves/<int:wave_id>/links/<int:link_id>/codes", methods=["GET", "POST"])
@staff_required
def codes(wave_id: int, link_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    link = own_link(wave, link_id)
    if not wave.require_codes or wave.status == "closed":
        return render_error(
            409,
            _("That cannot be done"),
            _("This round does not use single-use codes.")
            if not wave.require_codes
            else _("This round is closed."),
        )
    form = CodesForm()
    if form.validate_on_submit():
        made = new_access_codes(db.session, link, whole_number(form.count.data) or 0)
        db.session.commit()
        day = datetime.now(UTC).date().isoformat()
        return Response(
            "".join(f"{code}\r\n" for code in made),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="codes-{wave.id}-{link.employer_id}'
                f'-{day}.csv"'
            },
        )
    return render_template(
        "staff/codes.html", form=form, wave=wave, link=link, errors=form_errors(form)
    ), (400 if form.is_submitted() else 200)
