"""The app for a WSGI server: ``gunicorn 'surveyapp.wsgi:app'`` (several processes,
PostgreSQL, Redis for rate limits; see the README). ``surveyapp serve`` uses waitress."""

from __future__ import annotations

from . import create_app

app = create_app()
