"""The anonymous worker survey at ``/s/<token>``."""

from flask import Blueprint

bp = Blueprint("survey", __name__, url_prefix="/s")

from . import views  # noqa: E402, F401  (routes attach themselves to bp)
