"""Staff and employer accounts, tried as an outsider would: wrong and hostile input,
copied cookies, reused links, another role's pages, and the CLI that makes accounts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from surveyapp.accounts.passwords import MIN_LENGTH
from surveyapp.accounts.service import issue_link
from surveyapp.extensions import db
from surveyapp.models import AccountSession, AccountToken, User

from ..accounts_driver import PASSWORD, employer_ids, make_user, partnership_ids, sign_in
from ..factories import make_wave
from ..survey_driver import csrf_from

GENERIC = "The email address or password is not right"


@pytest.fixture
def partnership(app: Flask) -> int:
    make_wave(app)
    return partnership_ids(app)[-1]


@pytest.fixture
def staff(app: Flask, partnership: int) -> str:
    return make_user(app, "Staff@Example.org", partnership)


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _copy_cookies(source: FlaskClient, target: FlaskClient) -> None:
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


def test_staff_sign_in_reaches_their_console(app, client, staff):
    response = sign_in(client, "  STAFF@example.ORG ", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    home = client.get("/staff/")
    assert home.status_code == 200
    assert "Test Partnership" in home.get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "password"),
    [("staff@example.org", "wrong password here"), ("nobody@example.org", PASSWORD)],
    ids=["wrong password", "unknown email"],
)
def test_a_wrong_email_or_password_gets_one_generic_message(app, client, staff, email, password):
    response = sign_in(client, email, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert GENERIC in page
    assert "<title>Error:" in page
    assert _count(app, AccountSession) == 0
    assert client.get("/staff/").status_code == 302


def test_the_password_is_stored_as_argon2id(app, staff):
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_sign_in_gives_a_new_session_and_the_old_cookie_grants_nothing(app, client, staff):
    client.get("/login")
    before = client.get_cookie("session").value
    sign_in(client, staff)
    after = client.get_cookie("session").value
    assert after != before
    old = app.test_client()
    old.set_cookie("session", before)
    assert old.get("/staff/").status_code == 302


def test_sign_out_ends_the_session_for_every_copy_of_the_cookie(app, client, staff):
    sign_in(client, staff)
    thief = app.test_client()
    _copy_cookies(client, thief)
    assert thief.get("/staff/").status_code == 200
    token = csrf_from(client.get("/staff/"))
    out = client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 302
    assert "signed_out=1" in out.headers["Location"]
    assert thief.get("/staff/").status_code == 302
    assert client.get("/staff/").status_code == 302
    assert _count(app, AccountSession) == 0


def test_a_form_without_its_token_is_refused_and_signs_out_every_copy(app, client, staff):
    """As in SecureDrop, a failed form check ends the session (here on the server too)."""
    sign_in(client, staff)
    thief = app.test_client()
    _copy_cookies(client, thief)
    response = client.post("/account/password", data={"current": PASSWORD})
    assert response.status_code == 400
    assert "signed out" in response.get_data(as_text=True)
    assert thief.get("/staff/").status_code == 302
    assert _count(app, AccountSession) == 0


def _change_password(client: FlaskClient, current: str, new: str, confirm: str | None = None):
    token = csrf_from(client.get("/account/password"))
    return client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": current,
            "password": new,
            "confirm": new if confirm is None else confirm,
        },
    )


def test_a_password_change_signs_out_every_other_copy(app, client, staff):
    sign_in(client, staff)
    thief = app.test_client()
    _copy_cookies(client, thief)
    new = "a different long passphrase"
    response = _change_password(client, PASSWORD, new)
    assert response.status_code == 302
    assert thief.get("/staff/").status_code == 302
    assert client.get("/staff/").status_code == 200  # this browser goes on
    assert sign_in(app.test_client(), staff, PASSWORD).status_code == 400
    assert sign_in(app.test_client(), staff, new).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("not my password at all", "a different long passphrase", None, "not your current"),
        (PASSWORD, "x" * (MIN_LENGTH - 1), None, f"at least {MIN_LENGTH}"),
        (PASSWORD, "passwordpassword", None, "most common"),
        (PASSWORD, "leavemealone", None, "most common"),
        (PASSWORD, "2024qwerty123456!", None, "most common"),
        (PASSWORD, "staff-staff-2027", None, "email address"),
        (PASSWORD, "a different long passphrase", "a different passphrase", "not the same"),
        (PASSWORD, "", None, "Enter a new password"),
    ],
)
def test_a_refused_password_change_changes_nothing(
    app, client, staff, current, new, confirm, message
):
    sign_in(client, staff)
    with app.app_context():
        before = db.session.scalar(select(User.password_hash))
    response = _change_password(client, current, new, confirm)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.password_hash)) == before
    assert client.get("/staff/").status_code == 200


def test_the_shortest_allowed_password_is_accepted(app, client, staff):
    sign_in(client, staff)
    assert _change_password(client, PASSWORD, "kq7 vmz 2pw w").status_code == 302
    assert len("kq7 vmz 2pw w") == MIN_LENGTH + 1
    assert _change_password(client, "kq7 vmz 2pw w", "kq7vmz2pwzxt").status_code == 302


def _set_password_via(client: FlaskClient, url: str, password: str, confirm: str | None = None):
    page = client.get(url)
    if page.status_code != 200:
        return page
    return client.post(
        url,
        data={
            "csrf_token": csrf_from(page),
            "password": password,
            "confirm": password if confirm is None else confirm,
        },
    )


def _link(app: Flask, email: str, purpose: str = "invite") -> str:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        token = issue_link(db.session, user, purpose)
        db.session.commit()
    return f"/account/set-password/{token}"


def test_an_invite_link_sets_the_password_once(app, client, partnership):
    email = make_user(app, "new@example.org", partnership, password="")
    url = _link(app, email)
    assert sign_in(app.test_client(), email, "").status_code == 400
    response = _set_password_via(client, url, "my own long passphrase")
    assert response.status_code == 302
    assert "password_set=1" in response.headers["Location"]
    assert sign_in(app.test_client(), email, "my own long passphrase").status_code == 302
    again = app.test_client().get(url)
    assert again.status_code == 404
    assert "does not work" in again.get_data(as_text=True)
    assert _count(app, AccountToken) == 0


@pytest.mark.parametrize(
    ("age", "usable"),
    [(timedelta(days=3) - timedelta(minutes=1), True), (timedelta(days=3, seconds=1), False)],
    ids=["a minute before it expires", "a second after"],
)
def test_an_invite_works_for_three_days(app, client, partnership, age, usable):
    email = make_user(app, "late@example.org", partnership, password="")
    url = _link(app, email)
    with app.app_context():  # as if the link had been made ``age`` ago
        row = db.session.scalar(select(AccountToken))
        row.expires_at -= age
        db.session.commit()
    assert client.get(url).status_code == (200 if usable else 404)


@pytest.mark.parametrize("token", ["nope", "x" * 500, "%00", "..%2F..%2Fetc"])
def test_a_made_up_link_does_not_work(client, token):
    assert client.get(f"/account/set-password/{token}").status_code == 404


def test_a_new_link_replaces_the_earlier_one(app, client, partnership):
    email = make_user(app, "twice@example.org", partnership, password="")
    first = _link(app, email)
    second = _link(app, email, "reset")
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_a_refused_password_leaves_the_link_usable(app, client, partnership):
    email = make_user(app, "weak@example.org", partnership, password="")
    url = _link(app, email)
    response = _set_password_via(client, url, "short")
    assert response.status_code == 400
    assert f"at least {MIN_LENGTH}" in response.get_data(as_text=True)
    assert _set_password_via(client, url, "long enough passphrase").status_code == 302


def test_setting_a_password_by_reset_link_signs_out_every_session(app, client, staff):
    sign_in(client, staff)
    assert (
        _set_password_via(
            app.test_client(), _link(app, staff, "reset"), "brand new passphrase"
        ).status_code
        == 302
    )
    assert client.get("/staff/").status_code == 302


def test_not_signed_in_goes_to_sign_in_and_back(app, client, staff):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    signed = sign_in(client, staff, next="/staff/")
    assert signed.headers["Location"] == "/staff/"


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_sign_in_never_redirects_off_the_site(app, client, staff, target):
    response = sign_in(client, staff, next=target)
    assert response.headers["Location"] == "/staff/"


def test_an_employer_user_gets_404_on_staff_pages_and_staff_on_employer_pages(
    app, partnership, staff
):
    employer = employer_ids(app, partnership)[0]
    email = make_user(app, "hr@example.org", partnership, employer_id=employer)
    hr = app.test_client()
    assert sign_in(hr, email).headers["Location"] == "/employer/"
    assert hr.get("/employer/").status_code == 200
    assert hr.get("/staff/").status_code == 404
    boss = app.test_client()
    sign_in(boss, staff)
    assert boss.get("/employer/").status_code == 404


def test_an_inactive_user_cannot_sign_in_and_is_signed_out(app, client, staff):
    sign_in(client, staff)
    with app.app_context():
        db.session.execute(update(User).values(active=False))
        db.session.commit()
    assert client.get("/staff/").status_code == 302
    assert sign_in(app.test_client(), staff).status_code == 400


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("a" * 10_000 + "@example.org", PASSWORD),
        ("staff@example.org", "p" * 10_000),
        ("<script>alert(1)</script>", PASSWORD),
        ("staff@example.org\x00", PASSWORD),
        ("\u202estaff@example.org", PASSWORD),
        ("", ""),
    ],
    ids=["long email", "long password", "markup", "nul", "rtl mark", "empty"],
)
def test_hostile_sign_in_input_gets_a_plain_refusal(app, client, staff, email, password):
    response = sign_in(client, email, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in page
    assert _count(app, AccountSession) == 0


def test_sign_in_without_the_form_token_is_refused(app, client, staff):
    response = client.post("/login", data={"email": staff, "password": PASSWORD})
    assert response.status_code == 400
    assert _count(app, AccountSession) == 0


def test_the_sign_in_page_is_in_spanish(client):
    page = client.get("/login", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert 'lang="es"' in page
    assert "Iniciar sesión" in page


def test_the_landing_page_links_to_sign_in(client):
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<a [^>]*href="/login"', page)
