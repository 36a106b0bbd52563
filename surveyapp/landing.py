"""The landing page at ``/``: what this is, and where a worker's survey is."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

bp = Blueprint("landing", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("landing.html")
