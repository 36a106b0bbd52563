"""A database that cannot answer for now (SQLite locked past its busy timeout by
another connection, PostgreSQL stopped) gives a calm "please try again in a minute"
page, 503 with Retry-After, never a 500; a form posted meanwhile comes back filled in,
and sending it again once the database is back stores it. Survey page save, survey
send (English and Spanish), staff and employer pages, and the API (JSON)."""

from __future__ import annotations

import contextlib
import html
import re
import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from surveyapp.api.tokens import create_token
from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.models import Employer, EmployerAnswer, Response, User

from ..conftest import _make_app
from ..factories import make_wave
from ..sealed import draft_answers
from ..staff_driver import Console
from ..survey_driver import SurveyDriver, csrf_from, default_answers

TITLE = {"en": "Please try again in a minute", "es": "Por favor, inténtelo de nuevo en un minuto"}
_FORM = re.compile(r'<form method="post" action="([^"]*)">(.*?)</form>', re.S)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


def _calm(response, language: str = "en") -> list[tuple[str, str]] | None:
    """Check a 503 page; return the fields it would send again (None: no form)."""
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:800]
    assert response.headers["Retry-After"] == "60"
    assert response.headers["Cache-Control"] == "no-store"
    assert TITLE[language] in page
    assert "Traceback" not in page
    assert "OperationalError" not in page
    found = _FORM.search(page)
    if found is None:
        return None
    return [(html.unescape(n), html.unescape(v)) for n, v in _HIDDEN.findall(found.group(2))]


def _send_again(client, response, **kwargs):
    """Press "Send again" on a 503 page: post its form as it stands."""
    page = response.get_data(as_text=True)
    action, inner = _FORM.search(page).groups()
    fields = [(html.unescape(n), html.unescape(v)) for n, v in _HIDDEN.findall(inner)]
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return client.post(html.unescape(action), data=data, **kwargs)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _api_token(app, email: str) -> str:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        _row, token = create_token(db.session, user, "dashboard")
        db.session.commit()
        return token


# ------------------------------------------------------------------ SQLite, locked


@pytest.fixture
def busy_app(sqlite_url, tmp_path, monkeypatch):
    # Writers give up after 0.2 s instead of 30, so the test does not wait.
    yield from _make_app(sqlite_url, tmp_path / "instance", monkeypatch, SQLITE_BUSY_TIMEOUT=0.2)


@contextlib.contextmanager
def write_locked(app) -> Iterator[None]:
    """Another connection holds SQLite's write lock past the busy timeout."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


@pytest.mark.parametrize("language", ["en", "es"])
def test_locked_sqlite_keeps_a_survey_page_and_the_send(busy_app, language):
    app = busy_app
    token = make_wave(app)[0]
    driver = SurveyDriver(app.test_client(), token, language=language)
    driver.start()
    answers = default_answers(driver.instrument)
    answers["CHANGE"] = f"typed while locked ({language}) <&> ñ"
    pages = len(driver.instrument.pages)
    for number in range(1, pages):
        assert driver.answer_page(number, answers).status_code == 302
    last = driver.page_answers(pages, answers)
    driver.get(f"/p/{pages}")
    with write_locked(app):
        refused = driver.post(f"/p/{pages}", {"action": "continue", **last})
    kept = _calm(refused, language)
    # The page comes back with what was typed, ready to send again; nothing stored.
    assert dict(kept) == {
        "csrf_token": driver.csrf,
        "action": "continue",
        **{k: str(v) for k, v in last.items()},
    }
    assert not set(last) & set(draft_answers(app, driver.client, token))
    again = _send_again(driver.client, refused)
    assert again.status_code == 302
    assert draft_answers(app, driver.client, token)["CHANGE"] == answers["CHANGE"]

    driver.get("/check")
    with write_locked(app):
        refused = driver.post("/submit", {})
    assert _calm(refused, language) == [("csrf_token", driver.csrf)]
    assert _count(app, Response) == 0
    sent = _send_again(driver.client, refused)
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/s/{token}/thanks")
    assert _count(app, Response) == 1


def test_locked_sqlite_keeps_staff_and_employer_forms_and_the_api_says_503(busy_app):
    app = busy_app
    console = Console.make(app)
    form = console.get("/staff/employers/new")
    fields = {
        "csrf_token": csrf_from(form),
        "name": "Clinic typed while locked",
        "size_band": "50-249",
        "industry_code": "6211",
        "frontline_headcount": "120",
    }
    with write_locked(app):
        refused = console.client.post("/staff/employers/new", data=fields)
    kept = _calm(refused)
    assert dict(kept) == fields
    assert _send_again(console.client, refused).status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Employer).where(Employer.name == fields["name"])
            )
            == 1
        )

    employer = console.employer_user()
    wave = console.wave()
    pay = 1 + [page.id for page in get_instrument("employer", 1).pages].index("pay")
    url = f"/employer/waves/{wave}/survey/{pay}"
    page = employer.get(url, headers={"Accept-Language": "es"})
    data = {"csrf_token": csrf_from(page), "E1": "$15,50", "E2": "17"}
    with write_locked(app):
        refused = employer.post(url, data=data, headers={"Accept-Language": "es"})
    assert dict(_calm(refused, "es")) == data
    assert _send_again(employer, refused).status_code == 302
    with app.app_context():
        stored = db.session.scalars(select(EmployerAnswer.item_id)).all()
    assert sorted(stored) == ["E1", "E2"]

    # A token's first use of the day writes; locked, the API answers JSON 503.
    token = _api_token(app, console.email)
    with write_locked(app):
        refused = app.test_client().get(
            "/api/v1/partnership", headers={"Authorization": f"Bearer {token}"}
        )
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "60"
    assert refused.get_json()["error"]["status"] == 503
    assert refused.headers["Cache-Control"] == "no-store"
    ok = app.test_client().get("/api/v1/partnership", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200


def test_a_sign_in_refused_while_locked_never_echoes_the_password(busy_app):
    app = busy_app
    console = Console.make(app)
    client = app.test_client()
    csrf = csrf_from(client.get("/login"))
    with write_locked(app):
        refused = client.post(
            "/login",
            data={
                "email": console.email,
                "password": "correct horse battery staple",
                "csrf_token": csrf,
            },
        )
    kept = dict(_calm(refused))
    assert kept["email"] == console.email
    assert "password" not in kept
    assert "correct horse" not in refused.get_data(as_text=True)


# ------------------------------------------------------------- PostgreSQL, stopped


@pytest.mark.postgres
def test_stopped_postgres_gives_503_everywhere_and_keeps_what_was_typed(
    own_pg, tmp_path, monkeypatch
):
    server, url = own_pg
    app = next(_make_app(url, tmp_path / "instance", monkeypatch))
    console = Console.make(app)
    employer = console.employer_user()
    wave = console.wave()
    api_token = _api_token(app, console.email)
    token = console.links(wave)[0][1]
    workers = {}
    for language in ("en", "es"):
        driver = SurveyDriver(app.test_client(), token, language=language)
        driver.start()
        workers[language] = driver
    answers = default_answers(workers["en"].instrument)
    pages = len(workers["en"].instrument.pages)
    sender = workers["es"]
    for number in range(1, pages + 1):
        assert sender.answer_page(number, answers).status_code == 302
    sender.get("/check")
    saver = workers["en"]
    saver.get("/p/1")
    typed = saver.page_answers(1, answers)

    server.stop()
    try:
        refused_page = saver.post("/p/1", {"action": "continue", **typed})
        assert {(k, str(v)) for k, v in typed.items()} <= set(_calm(refused_page, "en"))
        refused_send = sender.post("/submit", {})
        assert _calm(refused_send, "es") == [("csrf_token", sender.csrf)]
        assert _calm(sender.get("/check"), "es") is None
        assert _calm(console.get("/staff/waves")) is None
        assert _calm(employer.get("/employer/", headers={"Accept-Language": "es"}), "es") is None
        api = app.test_client().get(
            "/api/v1/waves", headers={"Authorization": f"Bearer {api_token}"}
        )
        assert api.status_code == 503
        assert api.headers["Retry-After"] == "60"
        assert api.get_json()["error"]["status"] == 503
    finally:
        server.start()
    assert _send_again(saver.client, refused_page).status_code == 302
    assert set(typed) <= set(draft_answers(app, saver.client, token))
    assert _send_again(sender.client, refused_send).status_code == 302
    assert _count(app, Response) == 1
    assert console.get("/staff/waves").status_code == 200
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
