"""The staff console's home: where to go next, and the partnership's rounds."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.access import staff_required
from ..extensions import db
from ..models import Employer
from . import bp
from .common import partnership, partnership_waves, wave_counts


@bp.get("/")
@staff_required
def home() -> ResponseReturnValue:
    waves = partnership_waves()
    employers = db.session.scalar(
        select(func.count()).where(
            Employer.partnership_id == current_user.partnership_id, Employer.archived.is_(False)
        )
    )
    return render_template(
        "staff/home.html",
        partnership=partnership(),
        waves=waves,
        counts=wave_counts(),
        employers=employers or 0,
    )
