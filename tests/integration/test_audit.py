"""The audit table of account events (issue 13): what it records, what it never
holds, and who may read it. Both databases.

The scenario runs every recorded kind of event through the pages, from browsers
with a recognisable client address and browser name, and then searches every
column of every audit row for each secret the test used.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from surveyapp.accounts import audit
from surveyapp.accounts.service import now
from surveyapp.extensions import db
from surveyapp.models import AccountEvent, User

from ..accounts_driver import (
    PASSWORD,
    enrol_in_browser,
    make_user,
    post_password,
    sign_in,
    totp_secret,
    type_code,
)
from ..staff_driver import Console, text
from ..survey_driver import csrf_from

ADDRESS = "203.0.113.77"
BROWSER = "CanaryBrowser/7.7 audit-canary"
UNKNOWN_EMAIL = "nobody-typed-this@ghost.example"
WRONG_PASSWORD = "a wrong password typed on purpose"
UNKNOWN_PASSWORD = "the password of nobody at all"
NEW_PASSWORD = "the employer's brand new passphrase"
LINK = re.compile(r"/account/set-password/([\w-]+)")
TOKEN = re.compile(r'<code id="token">(sa_[A-Za-z0-9_-]{43})</code>')


def _client(app):
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=BROWSER)
    return client


def _rows(app) -> list[AccountEvent]:
    with app.app_context():
        rows = db.session.scalars(select(AccountEvent).order_by(AccountEvent.id)).all()
        db.session.expunge_all()
        return list(rows)


def _kinds(app, email: str | None) -> list[str]:
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email)) if email else None
        where = (
            AccountEvent.user_id.is_(None) if user_id is None else AccountEvent.user_id == user_id
        )
        return list(
            db.session.scalars(select(AccountEvent.kind).where(where).order_by(AccountEvent.id))
        )


def test_account_events_are_recorded_without_any_secret(app):
    console = Console.make(app)
    secrets: list[str] = [PASSWORD, WRONG_PASSWORD, UNKNOWN_PASSWORD, NEW_PASSWORD]
    secrets += [UNKNOWN_EMAIL, ADDRESS, BROWSER, totp_secret(app, console.email)]

    # Sign-in refused: a known account with a wrong password, an unknown one.
    assert sign_in(_client(app), console.email, WRONG_PASSWORD).status_code == 400
    assert sign_in(_client(app), UNKNOWN_EMAIL, UNKNOWN_PASSWORD).status_code == 400
    # A wrong one-time password.
    wrong = _client(app)
    post_password(wrong, console.email)
    right = pyotp.TOTP(totp_secret(app, console.email)).now()
    wrong_code = f"{(int(right) + 1) % 1_000_000:06d}"
    assert type_code(wrong, wrong_code).status_code == 400
    secrets.append(wrong_code)

    # Invite and reset links, made in the console.
    invited = console.post("/staff/people/new", {"email": "new@a.example.org", "access": "staff"})
    secrets += sorted(set(LINK.findall(text(invited))))
    reset = console.post(f"/staff/people/{console.user_id('new@a.example.org')}/reset")
    secrets += sorted(set(LINK.findall(text(reset))))
    assert len(secrets) == 11

    # An API token made and revoked in the console.
    made = console.post(
        "/staff/tokens/new", {"label": "nightly", "owner": str(console.user_id(console.email))}
    )
    token = TOKEN.search(text(made)).group(1)
    secrets += [token, token[3:]]
    listing = text(console.get("/staff/tokens"))
    (revoke_url,) = re.findall(r'action="(/staff/tokens/\d+/revoke)"', listing)
    assert console.post(revoke_url).status_code == 302

    # An employer user sets up a second factor, signs in with a recovery code,
    # changes their password, and switches the second factor off.
    hr = make_user(app, "hr@a.example.org", console.partnership, employer_id=console.employers()[0])
    employer = _client(app)
    sign_in(employer, hr)
    _done, hr_secret, codes = enrol_in_browser(employer)
    secrets += [hr_secret, *codes, pyotp.TOTP(hr_secret).now()]
    employer.post("/logout", data={"csrf_token": csrf_from(employer.get("/employer/"))})
    post_password(employer, hr)
    assert type_code(employer, codes[0]).headers["Location"] == "/employer/"
    changed = employer.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_from(employer.get("/account/password")),
        },
    )
    assert changed.status_code == 302
    off = employer.post(
        "/account/second-factor/off",
        data={
            "password": NEW_PASSWORD,
            "code": codes[1],
            "csrf_token": csrf_from(employer.get("/account/second-factor")),
        },
    )
    assert off.status_code == 302

    # What was recorded, about whom, by whom.
    assert _kinds(app, console.email) == [
        "sign_in",
        "sign_in_failed",
        "code_failed",
        "api_token_made",
        "api_token_revoked",
    ]
    assert _kinds(app, None) == ["sign_in_failed"]  # the unknown account
    assert _kinds(app, "new@a.example.org") == ["invite_link_made", "reset_link_made"]
    assert _kinds(app, hr) == [
        "sign_in",
        "second_factor_enrolled",
        "recovery_code_used",
        "sign_in",
        "password_changed",
        "second_factor_removed",
    ]
    rows = _rows(app)
    staff_id = console.user_id(console.email)
    for row in rows:
        if row.kind in ("invite_link_made", "reset_link_made", "api_token_made"):
            assert row.actor_id == staff_id
        if row.user_id is None:
            assert row.partnership_id is None
        else:
            assert row.partnership_id == console.partnership

    # No secret in any column of any audit row.
    with app.app_context(), db.engine.connect() as connection:
        stored = [
            str(value)
            for row in connection.exec_driver_sql("SELECT * FROM account_events")
            for value in row
        ]
    assert len(stored) == len(rows) * len(AccountEvent.__table__.columns)
    for secret in secrets:
        assert not any(secret.lower() in value.lower() for value in stored), secret
    # Not even a column where an address or a browser could go.
    assert {c.name for c in AccountEvent.__table__.columns} == {
        "id",
        "occurred_at",
        "kind",
        "user_id",
        "actor_id",
        "partnership_id",
        "via",
    }


def test_staff_see_only_their_own_partnership_s_events(app):
    console = Console.make(app)
    other_staff = make_user(app, "staff@b.example.org", console.other)
    other = app.test_client()
    sign_in(other, other_staff)
    sign_in(app.test_client(), other_staff, WRONG_PASSWORD)
    sign_in(app.test_client(), UNKNOWN_EMAIL, WRONG_PASSWORD)

    mine = text(console.get("/staff/account-events"))
    assert console.email in mine
    assert "Signed in" in mine
    assert other_staff not in mine
    assert UNKNOWN_EMAIL not in mine
    theirs = text(other.get("/staff/account-events"))
    assert other_staff in theirs
    assert "Sign-in refused: wrong email address or password" in theirs
    assert console.email not in theirs
    # Linked from the console's home page.
    assert 'href="/staff/account-events"' in text(console.get("/staff/"))


def test_employers_cannot_open_the_audit_page(app):
    console = Console.make(app)
    employer = console.employer_user()
    assert employer.get("/employer/").status_code == 200
    assert employer.get("/staff/account-events").status_code == 404
    assert app.test_client().get("/staff/account-events").status_code == 302


def test_the_audit_page_is_paginated_newest_first_in_english_and_spanish(app):
    console = Console.make(app)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == console.email))
        start = now() - timedelta(days=1)
        for minute in range(60):
            db.session.add(
                AccountEvent(
                    occurred_at=start + timedelta(minutes=minute),
                    kind="password_changed" if minute == 59 else "api_token_made",
                    user_id=user.id,
                    actor_id=user.id,
                    partnership_id=user.partnership_id,
                    via="web",
                )
            )
        db.session.commit()
    first = text(console.get("/staff/account-events"))
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>", first)
    assert len(rows) == 50
    times = [when for when, _what in rows]
    assert times == sorted(times, reverse=True)
    # The newest: the sign-in of Console.make, then the last event made above.
    assert rows[0][1] == "Signed in"
    assert rows[1][1] == "Password changed"
    assert 'href="/staff/account-events?page=2"' in first
    second = text(console.get("/staff/account-events?page=2"))
    assert len(re.findall(r"<tr>\s*<td>", second)) == 11
    assert "page=1" in second
    for bad in ("0", "-1", "abc", "9" * 20):
        assert console.get(f"/staff/account-events?page={bad}").status_code == 200
    assert console.get("/staff/account-events?page=99").status_code == 200
    spanish = text(console.get("/staff/account-events", headers={"Accept-Language": "es"}))
    assert "Eventos de las cuentas" in spanish
    assert "Inició sesión" in spanish


def test_an_unknown_kind_cannot_be_recorded(app):
    with app.app_context(), pytest.raises(ValueError, match="hunter2"):
        audit.record(db.session, "password_was_hunter2", None)


def test_command_line_links_tokens_and_removals_are_recorded_as_such(app):
    from surveyapp.accounts.cli import users
    from surveyapp.api.cli import tokens

    console = Console.make(app)
    runner = app.test_cli_runner()
    printed = ""
    for group, args in (
        (users, ["reset-link", "--email", console.email]),
        (tokens, ["create", "--email", console.email]),
        (users, ["remove-second-factor", "--email", console.email]),
    ):
        result = runner.invoke(group, args)
        assert result.exit_code == 0, result.output
        printed += result.output
    assert _kinds(app, console.email)[-3:] == [
        "reset_link_made",
        "api_token_made",
        "second_factor_removed",
    ]
    rows = [row for row in _rows(app) if row.via == "command_line"]
    assert len(rows) == 3
    assert all(row.actor_id is None for row in rows)
    # What the commands printed (a link, a token) is not in the table.
    secrets = [*LINK.findall(printed), printed.strip().splitlines()[-2]]
    with app.app_context(), db.engine.connect() as connection:
        stored = " ".join(
            str(value)
            for row in connection.exec_driver_sql("SELECT * FROM account_events")
            for value in row
        )
    for secret in secrets:
        assert secret not in stored
    # Removing a staff member's second factor ends their console session at once.
    assert console.get("/staff/").status_code == 302
