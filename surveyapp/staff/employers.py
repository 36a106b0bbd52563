"""The partnership's employers: list, add, edit, archive and unarchive.

Employers are never deleted here: their past responses stay, and archiving is
enough to keep them out of new rounds (an archived employer gets no link when a
round opens). An employer added while a round is being set up or running gets its
link in that round at once.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.access import staff_required
from ..extensions import db
from ..forms import form_errors
from ..models import Employer
from ..waves import link_employer_to_running_waves
from . import bp
from .common import name_taken, own, posted_yes_no
from .forms import SIZE_BANDS, EmployerForm, whole_number


@bp.get("/employers")
@staff_required
def employers() -> ResponseReturnValue:
    rows = db.session.scalars(
        select(Employer)
        .where(Employer.partnership_id == current_user.partnership_id)
        .order_by(Employer.archived, func.lower(Employer.name))
    ).all()
    return render_template(
        "staff/employers.html",
        employers=rows,
        changed=next((e for e in rows if str(e.id) == request.args.get("changed")), None),
    )


@bp.route("/employers/new", methods=["GET", "POST"])
@staff_required
def new_employer() -> ResponseReturnValue:
    return _edit(None)


@bp.route("/employers/<int:employer_id>", methods=["GET", "POST"])
@staff_required
def edit_employer(employer_id: int) -> ResponseReturnValue:
    return _edit(own(Employer, employer_id))


def _edit(employer: Employer | None) -> ResponseReturnValue:
    form = EmployerForm()
    if request.method == "GET" and employer is not None:
        form.name.data = employer.name
        form.size_band.data = employer.size_band
        form.industry_code.data = employer.industry_code or ""
        form.frontline_headcount.data = str(employer.frontline_headcount or "")
    duplicate = None
    if form.validate_on_submit():
        if name_taken(Employer, form.name.data, employer.id if employer else None):
            duplicate = _("The partnership already has an employer with that name.")
        else:
            if employer is None:
                employer = Employer(partnership_id=current_user.partnership_id, archived=False)
                db.session.add(employer)
            employer.name = form.name.data
            employer.size_band = form.size_band.data
            employer.industry_code = form.industry_code.data or None
            employer.frontline_headcount = whole_number(form.frontline_headcount.data)
            db.session.flush()
            link_employer_to_running_waves(db.session, employer)
            db.session.commit()
            return redirect(url_for("staff.employers", changed=employer.id))
    return render_template(
        "staff/employer.html",
        form=form,
        employer=employer,
        bands=[(band, band) for band in SIZE_BANDS],
        errors=form_errors(form, name=duplicate),
    ), (400 if form.is_submitted() else 200)


@bp.post("/employers/<int:employer_id>/archive")
@staff_required
def archive_employer(employer_id: int) -> ResponseReturnValue:
    employer = own(Employer, employer_id)
    employer.archived = posted_yes_no("archived")
    link_employer_to_running_waves(db.session, employer)
    db.session.commit()
    return redirect(url_for("staff.employers", changed=employer.id))
