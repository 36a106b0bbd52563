"""The app for a WSGI server: ``gunicorn -c python:surveyapp.gunicorn_conf surveyapp.wsgi:app``
(several processes, PostgreSQL, Redis for rate limits; README, "Running in production").
``surveyapp serve`` runs the same gunicorn setup inside its own process."""

from __future__ import annotations

from . import create_app

app = create_app()
