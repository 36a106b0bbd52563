"""Writes are all-or-nothing, and a busy SQLite database says "try again", not 500."""

from __future__ import annotations

import sqlite3

from sqlalchemy import func, select

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import Answer, Response

from ..conftest import SECRET
from ..factories import make_wave
from ..survey_driver import SurveyDriver


def test_locked_sqlite_gives_503_with_retry_after_and_stores_nothing(
    sqlite_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": sqlite_url,
            "SECRET_KEY": SECRET,
            "RATELIMIT_ENABLED": False,
            "SQLITE_BUSY_TIMEOUT": 0.2,
        }
    )
    token = make_wave(app)[0]
    driver = SurveyDriver(app.test_client(), token)
    driver.start()
    driver.answer_all()
    driver.get("/check")
    blocker = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        response = driver.post("/submit", {})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "Please try again in a minute" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    # Once the lock is gone the same submission goes through.
    assert driver.post("/submit", {}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        db.session.remove()
        db.engine.dispose()


def test_a_failure_midway_through_submission_stores_nothing(app, client, monkeypatch):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.answer_all()
    driver.get("/check")

    from surveyapp.survey import views

    real = views.submit_response

    def failing(session, link, draft, instrument):
        real(session, link, draft, instrument)
        session.flush()
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(views, "submit_response", failing)
    app.testing = False
    response = driver.post("/submit", {})
    assert response.status_code == 500
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    monkeypatch.setattr(views, "submit_response", real)
    app.testing = True
    assert driver.post("/submit", {}).status_code == 302
