"""surveyapp: anonymous job-quality surveys for regional sector partnerships.

This module stays free of Flask imports so that ``surveyapp.scoring`` and
``surveyapp.instruments`` can be used offline with only numpy and scipy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application (see :func:`surveyapp.app.create_app`)."""
    from .app import create_app as _create_app

    return _create_app(config)
