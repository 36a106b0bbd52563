"""Pages for employer users."""

from __future__ import annotations

from flask import Blueprint

from ..extensions import console_limit

bp = Blueprint("employer", __name__, url_prefix="/employer")
console_limit(bp)

from . import briefs, results, survey, views  # noqa: E402, F401  (routes register on bp)
