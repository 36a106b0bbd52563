"""Accounts for tests: users made through the app's own service, sign-in as a browser."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from surveyapp.accounts.passwords import hash_password
from surveyapp.accounts.service import create_user
from surveyapp.extensions import db
from surveyapp.models import Employer, Partnership

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
) -> str:
    """A user with a password already set; returns the email."""
    with app.app_context():
        employer = db.session.get(Employer, employer_id) if employer_id else None
        user = create_user(db.session, email, partnership_id=partnership_id, employer=employer)
        user.password_hash = hash_password(password) if password else ""
        db.session.commit()
        return user.email


def sign_in(
    client: FlaskClient, email: str, password: str = PASSWORD, **query: str
) -> TestResponse:
    """Sign in the way a browser does: open the form, post it with its CSRF token."""
    token = csrf_from(client.get("/login"))
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        query_string=query,
    )
