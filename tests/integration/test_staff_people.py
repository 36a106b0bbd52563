"""People in the staff console: invitations and reset links shown once to copy,
accounts switched off (every session ends) and on again."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AccountSession, User

from ..accounts_driver import PASSWORD, make_user, sign_in
from ..staff_driver import Console, assert_refused, hostile, snapshot, text
from ..survey_driver import csrf_from

LINK = re.compile(r'href="(http://localhost/account/set-password/[^"]+)"')


@pytest.fixture
def console(app):
    return Console.make(app)


def _set_password(console: Console, url: str, password: str):
    client = console.app.test_client()
    path = url.removeprefix("http://localhost")
    page = client.get(path)
    assert page.status_code == 200
    data = {"csrf_token": csrf_from(page), "password": password, "confirm": password}
    return client.post(path, data=data)


def test_the_list_shows_the_partnerships_people_only(console):
    make_user(console.app, "someone@b.example.org", console.other)
    page = text(console.get("/staff/people"))
    assert "staff@a.example.org" in page
    assert "someone@b.example.org" not in page


@pytest.mark.parametrize("access", ["staff", "employer"])
def test_an_invitation_link_is_shown_once_and_sets_a_password(console, access):
    employer = console.employers()[0]
    value = "staff" if access == "staff" else f"employer-{employer}"
    response = console.post("/staff/people/new", {"email": " New@Example.org ", "access": value})
    assert response.status_code == 200
    (url,) = LINK.findall(text(response))
    with console.app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@example.org"))
        assert (user.role, user.employer_id, user.partnership_id) == (
            access,
            employer if access == "employer" else None,
            console.partnership,
        )
    assert _set_password(console, url, "a fresh long passphrase").status_code == 302
    assert (
        sign_in(console.app.test_client(), "new@example.org", "a fresh long passphrase").status_code
        == 302
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "", "Enter their email address"),
        ("email", "not-an-email", "right form"),
        ("email", "staff@a.example.org", "already has an account"),
        ("access", "", "Choose partnership staff"),
        ("access", "employer-999999", "Choose partnership staff"),
        ("access", "admin", "Choose partnership staff"),
        *hostile("email", "right form"),
        *hostile("access", "Choose partnership staff"),
    ],
)
def test_a_bad_invitation_is_refused_and_nothing_changes(console, field, value, message):
    before = snapshot(console.app)
    data = {"email": "new@example.org", "access": "staff", field: value}
    assert_refused(console, console.post("/staff/people/new", data), field, message, before)


def test_another_partnerships_employer_cannot_be_given_access(console):
    theirs = console.employers(console.other)[0]
    before = snapshot(console.app)
    response = console.post(
        "/staff/people/new", {"email": "new@example.org", "access": f"employer-{theirs}"}
    )
    assert_refused(console, response, "access", "Choose partnership staff", before)


def test_a_reset_link_replaces_the_password(console):
    email = make_user(console.app, "colleague@a.example.org", console.partnership)
    response = console.post(f"/staff/people/{console.user_id(email)}/reset")
    assert response.status_code == 200
    (url,) = LINK.findall(text(response))
    assert "2 hours" in text(response)
    assert _set_password(console, url, "another long passphrase").status_code == 302
    assert sign_in(console.app.test_client(), email, PASSWORD).status_code == 400


def test_switching_an_account_off_ends_every_copy_of_its_cookie(console):
    email = make_user(console.app, "colleague@a.example.org", console.partnership)
    theirs = console.app.test_client()
    sign_in(theirs, email)
    thief = console.app.test_client()
    thief.set_cookie("session", theirs.get_cookie("session").value)
    assert thief.get("/staff/").status_code == 200
    ident = console.user_id(email)
    assert console.post(f"/staff/people/{ident}/active", {"active": "no"}).status_code == 302
    assert thief.get("/staff/").status_code == 302
    assert theirs.get("/staff/").status_code == 302
    with console.app.app_context():
        sessions = db.session.scalars(
            select(AccountSession).where(AccountSession.user_id == ident)
        ).all()
        assert sessions == []
    assert sign_in(console.app.test_client(), email).status_code == 400
    assert console.post(f"/staff/people/{ident}/reset").status_code == 409
    assert console.post(f"/staff/people/{ident}/active", {"active": "yes"}).status_code == 302
    assert sign_in(console.app.test_client(), email).status_code == 302


def test_nobody_switches_off_their_own_account(console):
    before = snapshot(console.app)
    ident = console.user_id(console.email)
    response = console.post(f"/staff/people/{ident}/active", {"active": "no"})
    assert response.status_code == 409
    assert snapshot(console.app) == before
    assert console.get("/staff/").status_code == 200
