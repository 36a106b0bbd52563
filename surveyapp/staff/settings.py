"""Partnership settings: name, sector, region, living wage, k and the quote threshold."""

from __future__ import annotations

from decimal import Decimal

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.access import staff_required
from ..extensions import db
from ..forms import form_errors
from ..models import Partnership
from . import bp
from .common import partnership
from .forms import SettingsForm, whole_number


@bp.route("/settings", methods=["GET", "POST"])
@staff_required
def settings() -> ResponseReturnValue:
    current = partnership()
    form = SettingsForm()
    if request.method == "GET":
        form.name.data = current.name
        form.sector.data = current.sector
        form.region.data = current.region
        form.living_wage.data = f"{current.living_wage:.2f}"
        form.living_wage_basis.data = current.living_wage_basis
        form.min_group_size.data = str(current.min_group_size)
        form.quote_min_responses.data = str(current.quote_min_responses)
    elif form.validate_on_submit() and not _name_taken(form.name.data, current.id):
        current.name = form.name.data
        current.sector = form.sector.data
        current.region = form.region.data
        current.living_wage = Decimal(form.living_wage.data)
        current.living_wage_basis = form.living_wage_basis.data or ""
        current.min_group_size = whole_number(form.min_group_size.data) or 0
        current.quote_min_responses = whole_number(form.quote_min_responses.data) or 0
        db.session.commit()
        return redirect(url_for("staff.settings", saved=1))
    taken = form.is_submitted() and not form.errors
    return render_template(
        "staff/settings.html",
        form=form,
        errors=form_errors(
            form, name=_("Another partnership already has that name.") if taken else None
        ),
        saved=request.args.get("saved") == "1",
    ), (400 if request.method == "POST" else 200)


def _name_taken(name: str, own_id: int) -> bool:
    return (
        db.session.scalar(
            select(Partnership.id).where(
                func.lower(Partnership.name) == name.lower(), Partnership.id != own_id
            )
        )
        is not None
    )
