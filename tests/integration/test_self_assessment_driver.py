"""Helpers for the self-assessment tests (issue 12), and a check of the helpers.

Partners are driven as a browser would: a fresh client per link, each page posted with
its CSRF token; staff through :class:`tests.staff_driver.Console`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.models import (
    SelfAssessment,
    SelfAssessmentAnswer,
    SelfAssessmentRespondent,
    User,
    Wave,
)
from surveyapp.selfassessment import service

from ..staff_driver import Console, text
from ..survey_driver import csrf_from

SA = get_instrument("partnership", 1)
LINK = re.compile(r'<code id="link">https?://[^<]*/self-assessment/([A-Za-z0-9_-]+)</code>')


def sa_url(wave_id: int, tail: str = "") -> str:
    return f"/staff/waves/{wave_id}/self-assessment{tail}"


def invite(console: Console, wave_id: int, role: str = "union", label: str = "Local 5") -> str:
    """A new partner link made on the console; returns its token."""
    response = console.post(sa_url(wave_id, "/invite"), {"role": role, "label": label})
    assert response.status_code == 200, text(response)[:3000]
    found = LINK.search(text(response))
    assert found, text(response)[:3000]
    return found.group(1)


def page_form(levels: Mapping[str, int], notes: Mapping[str, str], number: int) -> dict[str, str]:
    form: dict[str, str] = {}
    for item_id in SA.pages[number - 1].items:
        if item_id in levels:
            form[item_id] = str(levels[item_id])
        form[f"{item_id}-note"] = notes.get(item_id, "")
    return form


def post(
    client: Any, url: str, data: dict[str, str], *, csrf: bool = True, page: str = ""
) -> TestResponse:
    """Post a form with the CSRF token of ``page`` (default: the same URL's GET)."""
    form = dict(data)
    if csrf:
        form["csrf_token"] = csrf_from(client.get(page or url))
    return client.post(url, data=form)


def every(level: int, **overrides: int) -> dict[str, int]:
    """Every statement at ``level``, some others as given (98 is "Don't know")."""
    return {item.id: overrides.get(item.id, level) for item in SA.items}


def answer(
    client: Any,
    base: str,
    levels: Mapping[str, int],
    notes: Mapping[str, str] | None = None,
    *,
    send: bool = True,
) -> None:
    """Fill every page at ``base`` (a link's or a staff user's overview URL), then send."""
    for number in range(1, len(SA.pages) + 1):
        response = post(client, f"{base}/{number}", page_form(levels, notes or {}, number))
        assert response.status_code == 302, text(response)[:3000]
    if send:
        response = post(client, f"{base}/send", {}, page=base)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("changed=sent")


def respond_by_link(
    console: Console,
    wave_id: int,
    levels: Mapping[str, int],
    notes: Mapping[str, str] | None = None,
    *,
    role: str = "union",
    label: str = "Local 5",
    send: bool = True,
) -> str:
    token = invite(console, wave_id, role, label)
    answer(console.app.test_client(), f"/self-assessment/{token}", levels, notes, send=send)
    return token


def stored_answers(app: Flask) -> list[tuple[Any, ...]]:
    """Every self-assessment row, to check that nothing changed."""
    with app.app_context():
        rows: list[tuple[Any, ...]] = []
        for model in (SelfAssessment, SelfAssessmentRespondent, SelfAssessmentAnswer):
            columns = model.__table__.columns
            rows += [
                tuple(r) for r in db.session.execute(select(*columns).order_by(*columns)).all()
            ]
        return rows


def seed(
    app: Flask,
    wave_id: int,
    respondents: list[Mapping[str, int]],
    *,
    unsent: list[Mapping[str, int]] = (),  # type: ignore[assignment]
    close: bool = True,
) -> None:
    """Respondents straight through the service (links), for tests about the scores."""
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        assessment = service.ensure_assessment(db.session, wave)
        for number, levels in enumerate([*respondents, *unsent]):
            row, _token = service.invite(db.session, assessment, "other", f"Partner {number}")
            service.save(db.session, row, {k: service.Rating(v) for k, v in levels.items()})
            if number < len(respondents):
                assert service.send(db.session, SA, row)
        if close:
            service.close(db.session, assessment)
        db.session.commit()


def add_wave(console: Console, name: str, partnership: int | None = None) -> int:
    with console.app.app_context():
        wave = Wave(partnership_id=partnership or console.partnership, name=name, status="closed")
        db.session.add(wave)
        db.session.commit()
        return wave.id


def staff_user_id(console: Console) -> int:
    with console.app.app_context():
        return db.session.scalar(select(User.id).where(User.email == console.email))


@pytest.fixture
def console(app):
    return Console.make(app, status="open", employers=2)


def test_a_partner_answers_every_page_at_their_link_and_sends(console):
    wave = console.wave()
    respond_by_link(console, wave, every(3, LVA1=4), {"LVA1": "Signed charter, 2027."})
    with console.app.app_context():
        row = db.session.scalar(select(SelfAssessmentRespondent))
        assert row.sent_at is not None
        assert (row.role, row.label) == ("union", "Local 5")
        answers = {a.item_id: (a.code, a.note) for a in row.answers}
    assert answers == {
        item.id: (
            4 if item.id == "LVA1" else 3,
            "Signed charter, 2027." if item.id == "LVA1" else None,
        )
        for item in SA.items
    }
