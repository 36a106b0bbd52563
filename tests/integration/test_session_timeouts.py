"""Signed-in sessions end on the server (issue 13): a copied cookie stops working
after sign-out, after a password change, after 30 idle minutes and 12 hours after
sign-in however active. The accounts' clock is moved by hand; both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from surveyapp.accounts import clock
from surveyapp.extensions import db
from surveyapp.models import AccountSession

from ..accounts_driver import PASSWORD, make_user, partnership_ids, sign_in
from ..factories import make_wave
from ..survey_driver import csrf_from

NEW_PASSWORD = "a completely different passphrase"


@pytest.fixture
def moment(monkeypatch):
    now = [datetime(2026, 12, 7, 8, 0, 0, tzinfo=UTC).replace(tzinfo=None)]
    monkeypatch.setattr(clock, "now", lambda: now[0])
    return now


@pytest.fixture
def signed_in(app, moment):
    """A signed-in staff browser and a copy of its cookie in another browser."""
    make_wave(app)
    email = make_user(app, "staff@timeouts.example.org", partnership_ids(app)[-1])
    browser = app.test_client()
    assert sign_in(browser, email).headers["Location"] == "/staff/"
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = browser.get_cookie(name)
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie(name, cookie.value)
    assert _works(copy)
    return browser, copy


def _works(client) -> bool:
    response = client.get("/staff/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    return False


def test_a_copied_cookie_stops_working_after_sign_out(signed_in):
    browser, copy = signed_in
    browser.post("/logout", data={"csrf_token": csrf_from(browser.get("/staff/"))})
    assert not _works(browser)
    assert not _works(copy)


def test_a_copied_cookie_stops_working_after_a_password_change(signed_in):
    browser, copy = signed_in
    token = csrf_from(browser.get("/account/password"))
    changed = browser.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": token,
        },
    )
    assert changed.headers["Location"] == "/account/password?changed=1"
    assert not _works(copy)
    assert _works(browser)  # the browser that changed it goes on, with a new session


def test_idle_for_29_minutes_works_and_30_does_not(signed_in, moment):
    browser, copy = signed_in
    start = moment[0]
    moment[0] = start + timedelta(minutes=29)
    assert _works(copy)  # 29 idle minutes: still signed in (and seen now)
    moment[0] = start + timedelta(minutes=29 + 29, seconds=59)
    assert _works(copy)
    # The browser itself was idle since sign-in; the copy kept the session alive,
    # as both are the same session.
    assert _works(browser)
    moment[0] = start + timedelta(minutes=29 + 29 + 30, seconds=59)
    assert not _works(copy)
    assert not _works(browser)


def test_exactly_30_idle_minutes_end_the_session(signed_in, moment):
    _browser, copy = signed_in
    moment[0] += timedelta(minutes=30)
    assert not _works(copy)


def test_twelve_hours_end_a_session_even_when_active(signed_in, moment):
    browser, copy = signed_in
    start = moment[0]
    step = timedelta(minutes=20)
    while moment[0] + step < start + timedelta(hours=12):
        moment[0] += step
        assert _works(copy), moment[0] - start
    moment[0] = start + timedelta(hours=11, minutes=59, seconds=59)
    assert _works(copy)
    moment[0] = start + timedelta(hours=12)
    assert not _works(copy)
    assert not _works(browser)


def test_pages_write_the_last_seen_time_at_most_once_a_minute(app, signed_in, moment):
    _browser, copy = signed_in
    start = moment[0]

    def seen() -> datetime:
        with app.app_context():
            return db.session.scalar(select(AccountSession.seen_at))

    for seconds in (10, 30, 59):
        moment[0] = start + timedelta(seconds=seconds)
        assert _works(copy)
        assert seen() == start
    moment[0] = start + timedelta(seconds=61)
    assert _works(copy)
    assert seen() == start + timedelta(seconds=61)
