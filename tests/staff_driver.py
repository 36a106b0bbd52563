"""The staff console driven as a browser would: signed in, forms posted with their token.

``Console.make(app)`` makes two partnerships, A (whose staff user is signed in) and
B (another tenant, whose ids A's staff must never reach), each with two employers
and one open wave with links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from surveyapp.extensions import db
from surveyapp.models import DistributionLink, Employer, User, Wave

from .accounts_driver import employer_ids, make_user, partnership_ids, sign_in
from .factories import make_wave
from .survey_driver import csrf_from

#: Values no form should store: too long, markup, invisible characters, a NUL byte.
HOSTILE = {
    "long": "x" * 10_000,
    "markup": "<script>alert(1)</script>",
    "rtl": "\u202eevil name",
    "nul": "name\x00with nul",
}


def hostile(field: str, message: str) -> list[tuple[str, str, str]]:
    """(field, value, expected message) for each hostile value, for a parametrize table."""
    return [(field, value, message) for value in HOSTILE.values()]


@dataclass
class Console:
    app: Flask
    client: FlaskClient
    partnership: int
    other: int
    email: str

    @classmethod
    def make(cls, app: Flask, **wave: Any) -> Console:
        make_wave(app, **wave)
        make_wave(app)
        mine, other = partnership_ids(app)[-2:]
        email = make_user(app, "staff@a.example.org", mine)
        client = app.test_client()
        assert sign_in(client, email).status_code == 302
        return cls(app, client, mine, other, email)

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, **kwargs)

    def post(
        self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True
    ) -> TestResponse:
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = csrf_from(self.client.get("/staff/"))
        return self.client.post(url, data=form)

    def employers(self, partnership: int | None = None) -> list[int]:
        return employer_ids(self.app, partnership or self.partnership)

    def wave(self, partnership: int | None = None) -> int:
        with self.app.app_context():
            return db.session.scalar(
                select(Wave.id)
                .where(Wave.partnership_id == (partnership or self.partnership))
                .order_by(Wave.id.desc())
            )

    def links(self, wave_id: int) -> list[tuple[int, str]]:
        with self.app.app_context():
            return [
                (link.id, link.token)
                for link in db.session.scalars(
                    select(DistributionLink)
                    .where(DistributionLink.wave_id == wave_id)
                    .order_by(DistributionLink.id)
                )
            ]

    def employer_user(self) -> FlaskClient:
        """A signed-in client of a user of one of A's employers."""
        email = make_user(
            self.app, "hr@a.example.org", self.partnership, employer_id=self.employers()[0]
        )
        client = self.app.test_client()
        sign_in(client, email)
        return client

    def user_id(self, email: str) -> int:
        with self.app.app_context():
            return db.session.scalar(select(User.id).where(User.email == email))

    def read(self, model: type, ident: int, *names: str) -> tuple[Any, ...]:
        with self.app.app_context():
            row = db.session.get(model, ident)
            return tuple(getattr(row, name) for name in names)


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables the console changes, to check that nothing did."""
    from surveyapp.models import AccessCode, AccountToken, Partnership

    tables: dict[str, list[tuple[Any, ...]]] = {}
    with app.app_context():
        for model in (
            Partnership,
            Employer,
            Wave,
            DistributionLink,
            User,
            AccessCode,
            AccountToken,
        ):
            columns = model.__table__.columns
            rows = db.session.execute(select(*columns).order_by(*columns)).all()
            tables[model.__tablename__] = [tuple(row) for row in rows]
    return tables


def assert_refused(
    console: Console, response: TestResponse, field: str, message: str, before: dict[str, Any]
) -> None:
    """A form came back with a clear message for ``field`` and nothing was stored."""
    page = text(response)
    assert response.status_code == 400
    assert "<title>Error:" in page
    assert f'href="#{field}"' in page  # the error summary links to the field
    assert message in page
    assert "<script>alert" not in page
    assert snapshot(console.app) == before
