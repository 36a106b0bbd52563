"""Pages for employer users."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("employer", __name__, url_prefix="/employer")

from . import briefs, results, survey, views  # noqa: E402, F401  (routes register on bp)
