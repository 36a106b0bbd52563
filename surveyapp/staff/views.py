"""Staff console pages."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.access import staff_required
from ..extensions import db
from ..models import Partnership, Response, Wave
from . import bp


@bp.get("/")
@staff_required
def home() -> ResponseReturnValue:
    partnership = db.session.get(Partnership, current_user.partnership_id)
    counts = dict(
        db.session.execute(
            select(Response.wave_id, func.count())
            .join(Wave, Wave.id == Response.wave_id)
            .where(Wave.partnership_id == current_user.partnership_id)
            .group_by(Response.wave_id)
        ).all()
    )
    waves = db.session.scalars(
        select(Wave).where(Wave.partnership_id == current_user.partnership_id).order_by(Wave.id)
    ).all()
    return render_template("staff/home.html", partnership=partnership, waves=waves, counts=counts)
