"""The anonymous worker survey at ``/s/<token>``."""

from flask import Blueprint

from .markup import radio_options

bp = Blueprint("survey", __name__, url_prefix="/s")
# Built once per question and language (markup.py), used by the page template.
bp.add_app_template_global(radio_options)

from . import views  # noqa: E402, F401  (routes attach themselves to bp)
