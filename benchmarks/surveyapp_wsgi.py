"""surveyapp as gunicorn serves it for bench_pages.py: ``gunicorn surveyapp_wsgi:app``.

Rate limits are off here, and only here: the page-save limit (60 a minute per draft)
would answer nearly every request of a throughput benchmark with 429, which measures
the limiter's refusal, not a page save. Everything else is
the app as shipped (CSRF, sessions, translations, the database settings of the
environment: SURVEYAPP_INSTANCE_PATH, DATABASE_URL).
"""

from __future__ import annotations

from surveyapp import create_app

app = create_app({"RATELIMIT_ENABLED": False})
