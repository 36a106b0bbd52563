"""Employer pages. The survey for employers and their dashboard are planned."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..accounts.access import employer_required
from ..extensions import db
from ..models import Employer
from . import bp


@bp.get("/")
@employer_required
def home() -> ResponseReturnValue:
    employer = db.session.get(Employer, current_user.employer_id)
    return render_template("employer/home.html", employer=employer)
