"""Accounts for tests: users made through the app's own service, sign-in as a browser."""

from __future__ import annotations

import re

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from surveyapp.accounts import second_factor
from surveyapp.accounts.passwords import hash_password
from surveyapp.accounts.service import create_user, now
from surveyapp.extensions import db
from surveyapp.models import Employer, Partnership, User

from .survey_driver import csrf_from

PASSWORD = "correct horse battery staple"


def partnership_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Partnership.id).order_by(Partnership.id)))


def employer_ids(app: Flask, partnership_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Employer.id)
                .where(Employer.partnership_id == partnership_id)
                .order_by(Employer.id)
            )
        )


def make_user(
    app: Flask,
    email: str,
    partnership_id: int,
    *,
    employer_id: int | None = None,
    password: str = PASSWORD,
    second_factor: bool | None = None,
) -> str:
    """A user with a password already set; returns the email.

    Staff get a second factor already set up (as they must have one) unless
    ``second_factor=False``; employer users only with ``second_factor=True``.
    """
    with app.app_context():
        employer = db.session.get(Employer, employer_id) if employer_id else None
        user = create_user(db.session, email, partnership_id=partnership_id, employer=employer)
        user.password_hash = hash_password(password) if password else ""
        if second_factor if second_factor is not None else employer is None:
            enrol(user)
        db.session.commit()
        return user.email


def enrol(user: User) -> list[str]:
    """Set up ``user``'s second factor directly; the recovery codes."""
    user.totp_secret = second_factor.seal_secret(user, second_factor.new_secret())
    user.totp_enabled_at = now()
    return second_factor.new_recovery_codes(db.session, user)


def totp_secret(app: Flask, email: str) -> str:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        assert user is not None
        secret = second_factor.secret_of(user)
        assert secret is not None, f"{email} has no second factor"
        return secret


def fresh_code(app: Flask, email: str) -> str:
    """A one-time password the app will accept now for ``email``.

    Tests sign the same account in many times within one 30-second step, which a
    person cannot; the code of a later step within the accepted drift is used, and
    when none is left the account's last accepted step is cleared (a test shortcut).
    """
    secret = totp_secret(app, email)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        assert user is not None
        step = second_factor.current_step()
        last = user.totp_last_step
        for candidate in (step, step + second_factor.DRIFT_STEPS):
            if last is None or candidate > last:
                return second_factor.code_at(secret, candidate)
        user.totp_last_step = None
        db.session.commit()
        return second_factor.code_at(secret, step)


def sign_in(
    client: FlaskClient, email: str, password: str = PASSWORD, **query: str
) -> TestResponse:
    """Sign in the way a browser does: open the form, post it with its CSRF token,
    then type a one-time password if the account asks for one.

    The last response: the sign-in page's own if the password was refused (or the
    account must still set up a second factor), else the code page's.
    """
    token = csrf_from(client.get("/login"))
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        query_string=query,
    )
    if response.status_code != 302 or not response.location.startswith("/login/code"):
        return response
    # Signing in clears the session, so the code page has a CSRF token of its own.
    token = csrf_from(client.get(response.location))
    return client.post(
        response.location,
        data={"code": fresh_code(client.application, email), "csrf_token": token},
    )


def type_code(client: FlaskClient, code: str, **query: str) -> TestResponse:
    """Post ``code`` on the code page, with the page's CSRF token."""
    token = csrf_from(client.get("/login/code"))
    return client.post("/login/code", data={"code": code, "csrf_token": token}, query_string=query)


def post_password(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    """Only the first step of signing in: the password."""
    token = csrf_from(client.get("/login"))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def enrol_in_browser(client: FlaskClient) -> tuple[TestResponse, str, list[str]]:
    """Set up the second factor on the enrolment page as a person would: read the key
    off the page, type the app's code. The response, the secret and the recovery codes."""
    page = client.get("/account/second-factor/enrol")
    assert page.status_code == 200, page.status_code
    match = re.search(r'<code class="code-link">([A-Z2-7 ]+)</code>', page.get_data(as_text=True))
    assert match, "the enrolment page shows no key"
    secret = match.group(1).replace(" ", "")
    done = client.post(
        "/account/second-factor/enrol",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_from(page)},
    )
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.get_data(as_text=True))
    return done, secret, codes
