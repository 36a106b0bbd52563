"""The second factor (issue 13, "Accounts"): what it refuses, on both databases.

Each test would fail if its protection were removed: a replayed or wrong one-time
password, a used recovery code, skipping the code page, a half-signed-in state past
its lifetime, staff without a second factor, and hostile input in the code field.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from surveyapp.accounts import clock, second_factor
from surveyapp.extensions import db
from surveyapp.models import AccountEvent, AccountSession, User

from ..accounts_driver import (
    PASSWORD,
    employer_ids,
    enrol,
    enrol_in_browser,
    make_user,
    partnership_ids,
    post_password,
    sign_in,
    totp_secret,
    type_code,
)
from ..factories import make_wave
from ..survey_driver import csrf_from

STAFF = "staff@second.example.org"


@pytest.fixture
def partnership(app) -> int:
    make_wave(app)
    return partnership_ids(app)[-1]


@pytest.fixture
def staff(app, partnership) -> str:
    return make_user(app, STAFF, partnership)


@pytest.fixture
def fixed_clock(monkeypatch):
    """The accounts' clock, stopped at a moment the test moves on by hand."""
    moment = [datetime(2026, 12, 7, 9, 0, 5, tzinfo=UTC).replace(tzinfo=None)]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    return moment


def _code(app, email: str, offset_steps: int = 0) -> str:
    secret = totp_secret(app, email)
    return second_factor.code_at(secret, second_factor.current_step() + offset_steps)


def _events(app, kind: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(AccountEvent).where(AccountEvent.kind == kind)
        )


def _signed_in(client) -> bool:
    return client.get("/staff/").status_code == 200


def test_the_password_alone_opens_no_page(app, client, staff):
    assert post_password(client, staff).headers["Location"] == "/login/code"
    for url in ("/staff/", "/staff/people", "/staff/account-events", "/account/password"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url
    with app.app_context():
        stages = db.session.scalars(select(AccountSession.stage)).all()
    assert stages == ["code"]


def test_a_right_code_signs_in_and_goes_where_asked(app, client, staff):
    post = sign_in(client, staff, next="/staff/people")
    assert post.headers["Location"] == "/staff/people"
    assert _signed_in(client)
    assert _events(app, "sign_in") == 1


def test_a_replayed_one_time_password_is_refused(app, staff, fixed_clock):
    first = app.test_client()
    post_password(first, staff)
    code = _code(app, staff)
    assert type_code(first, code).status_code == 302
    # Someone who saw the code types it within the same 30 seconds.
    fixed_clock[0] += timedelta(seconds=10)
    thief = app.test_client()
    post_password(thief, staff)
    refused = type_code(thief, code)
    assert refused.status_code == 400
    assert "already used" in refused.get_data(as_text=True)
    assert not _signed_in(thief)
    # An earlier step's code is refused too once a later one was accepted.
    assert type_code(thief, _code(app, staff, -1)).status_code == 400
    # The next step's code is fresh: what was refused was the replay.
    assert type_code(thief, _code(app, staff, +1)).status_code == 302
    assert _signed_in(thief)


def test_a_wrong_code_is_refused_and_recorded(app, client, staff):
    post_password(client, staff)
    right = _code(app, staff)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = type_code(client, wrong)
    assert response.status_code == 400
    assert not _signed_in(client)
    assert _events(app, "code_failed") == 1
    # The half-signed-in state survives a typing mistake.
    assert type_code(client, right).status_code == 302


def test_codes_of_the_next_and_previous_step_pass_but_not_two_away(app, staff, fixed_clock):
    for offset, status in ((-2, 400), (2, 400), (-1, 302)):
        client = app.test_client()
        post_password(client, staff)
        assert type_code(client, _code(app, staff, offset)).status_code == status, offset
        with app.app_context():
            db.session.execute(User.__table__.update().values(totp_last_step=None))
            db.session.commit()


def test_a_recovery_code_works_once(app, partnership):
    email = make_user(app, "recover@second.example.org", partnership, second_factor=False)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        codes = enrol(user)
        db.session.commit()
    assert len(codes) == len(set(codes)) == 10
    client = app.test_client()
    post_password(client, email)
    # Typed the way people type: capitals and spaces instead of dashes.
    typed = codes[3].upper().replace("-", " ")
    assert type_code(client, typed).headers["Location"] == "/staff/"
    assert _events(app, "recovery_code_used") == 1
    again = app.test_client()
    post_password(again, email)
    assert type_code(again, codes[3]).status_code == 400
    assert not _signed_in(again)
    # Another unused one still works.
    assert type_code(again, codes[4]).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert second_factor.recovery_codes_left(db.session, user) == 8


def test_recovery_codes_are_stored_only_as_hashes(app, partnership):
    email = make_user(app, "hashes@second.example.org", partnership, second_factor=False)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        codes = enrol(user)
        db.session.commit()
        sealed = user.totp_secret
        secret = second_factor.secret_of(user)
        with db.engine.connect() as connection:
            stored = " ".join(
                str(value)
                for table in ("recovery_codes", "users")
                for row in connection.exec_driver_sql(f"SELECT * FROM {table}")  # noqa: S608
                for value in row
            )
    for code in codes:
        assert code not in stored
        assert code.replace("-", "") not in stored
    assert secret not in stored
    assert sealed in stored


def test_the_half_signed_in_state_expires(app, staff, fixed_clock):
    late = app.test_client()
    post_password(late, staff)
    in_time = app.test_client()
    post_password(in_time, staff)
    fixed_clock[0] += timedelta(minutes=4, seconds=59)
    assert type_code(in_time, _code(app, staff)).status_code == 302
    fixed_clock[0] += timedelta(seconds=31)  # 5 minutes 30 after the password; a new step
    page = late.get("/login/code")
    assert page.headers["Location"] == "/login?expired=1"
    token = csrf_from(late.get("/login"))
    response = late.post("/login/code", data={"code": _code(app, staff), "csrf_token": token})
    assert response.headers["Location"] == "/login?expired=1"
    assert not _signed_in(late)


def test_the_half_signed_in_state_is_bound_to_the_server(app, staff):
    """The cookie of a half-signed-in browser, once its row is gone, opens nothing."""
    client = app.test_client()
    post_password(client, staff)
    with app.app_context():
        db.session.execute(AccountSession.__table__.delete())
        db.session.commit()
    assert client.get("/login/code").headers["Location"] == "/login?expired=1"


def test_staff_without_a_second_factor_reach_no_console_page(app, partnership):
    email = make_user(app, "new@second.example.org", partnership, second_factor=False)
    client = app.test_client()
    signed = sign_in(client, email)
    assert signed.headers["Location"] == "/account/second-factor/enrol"
    rules = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("staff.", "employer."))
        and not rule.arguments
        and "GET" in (rule.methods or ())
    ]
    assert len(rules) > 10
    for url in [*rules, "/account/password", "/account/second-factor"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url


def test_removing_a_staff_second_factor_ends_their_console_at_once(app, client, staff):
    sign_in(client, staff)
    assert _signed_in(client)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == staff))
        second_factor.remove(db.session, user)
        db.session.commit()
    assert client.get("/staff/").status_code == 302
    # Their next sign-in sets a new one up.
    assert sign_in(client, staff).headers["Location"] == "/account/second-factor/enrol"


def test_staff_enrol_in_the_browser_then_sign_in_with_the_app(app, partnership):
    email = make_user(app, "browser@second.example.org", partnership, second_factor=False)
    client = app.test_client()
    post_password(client, email)
    page = client.get("/account/second-factor/enrol").get_data(as_text=True)
    assert "<svg" in page
    assert "<script" not in page
    done, secret, codes = enrol_in_browser(client)
    assert done.status_code == 200
    assert len(codes) == 10
    assert _signed_in(client)
    assert _events(app, "second_factor_enrolled") == 1
    # The key is never shown again once set up.
    assert secret not in client.get("/account/second-factor").get_data(as_text=True)
    again = client.get("/account/second-factor/enrol")
    assert again.headers["Location"] == "/account/second-factor"


def test_a_wrong_code_does_not_finish_enrolment(app, partnership):
    email = make_user(app, "wrong@second.example.org", partnership, second_factor=False)
    client = app.test_client()
    post_password(client, email)
    page = client.get("/account/second-factor/enrol")
    response = client.post(
        "/account/second-factor/enrol", data={"code": "000000", "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 400
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert not user.has_second_factor
    assert not _signed_in(client)


HOSTILE_CODES = {
    "missing": None,
    "empty": "",
    "spaces": "   ",
    "long": "1" * 10_000,
    "just-too-long": "1" * 41,
    "markup": "<script>alert(1)</script>",
    "nul": "123\x00456",
    "non-ascii-digits": "١٢٣٤٥٦",
    "sql": "' OR 1=1 --",
}


@pytest.mark.parametrize("value", HOSTILE_CODES.values(), ids=HOSTILE_CODES.keys())
def test_hostile_code_input_gets_a_clear_400_and_changes_nothing(app, client, staff, value):
    post_password(client, staff)
    with app.app_context():
        before = db.session.execute(
            select(User.totp_last_step, func.count(AccountEvent.id))
            .outerjoin(AccountEvent, AccountEvent.user_id == User.id)
            .group_by(User.id)
            .where(User.email == staff)
        ).one()
    data = {"csrf_token": csrf_from(client.get("/login/code"))}
    if value is not None:
        data["code"] = value
    response = client.post("/login/code", data=data)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "There is a problem" in text
    assert "<script>alert(1)" not in text
    with app.app_context():
        after = db.session.execute(
            select(User.totp_last_step, func.count(AccountEvent.id))
            .outerjoin(AccountEvent, AccountEvent.user_id == User.id)
            .group_by(User.id)
            .where(User.email == staff)
        ).one()
    assert after == before
    assert not _signed_in(client)
    # The half-signed-in state is still there: the right code works.
    assert type_code(client, _code(app, staff)).status_code == 302


def test_employer_users_sign_in_with_the_password_alone_until_they_opt_in(app, partnership):
    employer = employer_ids(app, partnership)[0]
    email = make_user(app, "hr@second.example.org", partnership, employer_id=employer)
    client = app.test_client()
    assert sign_in(client, email).headers["Location"] == "/employer/"
    _done, _secret, codes = enrol_in_browser(client)
    assert len(codes) == 10
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/account/second-factor"))})
    assert post_password(client, email).headers["Location"] == "/login/code"
    assert type_code(client, _code(app, email, +1)).headers["Location"] == "/employer/"
    # Switching it off needs the password and a code: each alone is refused.
    page = client.get("/account/second-factor")
    token = csrf_from(page)
    for data in (
        {"password": "not my password at all", "code": _code(app, email, -1)},
        {"password": PASSWORD, "code": "000000"},
        {"password": PASSWORD},
    ):
        refused = client.post("/account/second-factor/off", data={**data, "csrf_token": token})
        assert refused.status_code == 400
        with app.app_context():
            assert db.session.scalar(select(User).where(User.email == email)).has_second_factor
    off = client.post(
        "/account/second-factor/off",
        data={"password": PASSWORD, "code": codes[0], "csrf_token": token},
    )
    assert off.headers["Location"] == "/account/second-factor?changed=off"
    assert _events(app, "second_factor_removed") == 1
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert not user.has_second_factor
        assert user.totp_secret is None


def test_staff_cannot_switch_their_second_factor_off(app, client, staff):
    sign_in(client, staff)
    token = csrf_from(client.get("/account/second-factor"))
    response = client.post(
        "/account/second-factor/off",
        data={"password": PASSWORD, "code": _code(app, staff, +1), "csrf_token": token},
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == staff)).has_second_factor


def test_wrong_codes_count_towards_the_sign_in_limit_of_the_account(
    database_url, tmp_path, monkeypatch
):
    """Password and code attempts share the per-account limit: at 4 a minute, the
    password and three wrong codes are answered, the fifth attempt is not, even
    with the right code, and the block is recorded once."""
    from ..conftest import _make_app

    monkeypatch.setenv("SURVEYAPP_LIMIT_LOGIN_PER_ACCOUNT", "4/minute")
    limited = _make_app(database_url, tmp_path / "instance", monkeypatch, RATELIMIT_ENABLED=True)
    app = next(limited)
    make_wave(app)
    email = make_user(app, "limited@second.example.org", partnership_ids(app)[-1])
    client = app.test_client()
    assert post_password(client, email).status_code == 302
    statuses = [type_code(client, "000000").status_code for _ in range(3)]
    assert statuses == [400, 400, 400]
    assert type_code(client, _code(app, email)).status_code == 429
    assert type_code(client, _code(app, email)).status_code == 429
    assert not _signed_in(client)
    assert _events(app, "code_failed") == 3
    assert _events(app, "sign_in_limited") == 1
    with app.app_context():
        event = db.session.scalar(
            select(AccountEvent).where(AccountEvent.kind == "sign_in_limited")
        )
        assert event.user.email == email
    next(limited, None)


def _keys_on(page) -> list[str]:
    return re.findall(r"<code>([a-z0-9-]+)</code>", page.get_data(as_text=True))


def test_new_recovery_keys_replace_the_old_ones(app, client, staff, fixed_clock):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == staff))
        old = enrol(user)
        db.session.commit()
    sign_in(client, staff)
    page = client.get("/account/second-factor")
    assert "/account/second-factor/recovery-keys" in page.get_data(as_text=True)
    form = client.get("/account/second-factor/recovery-keys")
    assert form.status_code == 200
    assert "10 recovery keys left." in form.get_data(as_text=True)
    token = csrf_from(form)
    fixed_clock[0] += timedelta(seconds=30)
    # The password alone, a wrong password with a right code, or nothing, change nothing.
    for data in (
        {"password": PASSWORD, "code": "000000"},
        {"password": "not my password at all", "code": _code(app, staff)},
        {"password": PASSWORD},
        {"password": PASSWORD, "code": "<script>alert(1)</script>"},
        {"password": "x" * 1_000, "code": "1" * 500},
        {"password": "x" * 200_000, "code": "1"},  # past the size any form may have: 413
        {},
    ):
        refused = client.post(
            "/account/second-factor/recovery-keys", data={**data, "csrf_token": token}
        )
        too_big = len(data.get("password", "")) > 100_000
        assert refused.status_code == (413 if too_big else 400), data
        assert refused.get_data(as_text=True).count("<code>") == 0
    assert _events(app, "recovery_keys_renewed") == 0
    made = client.post(
        "/account/second-factor/recovery-keys",
        data={"password": PASSWORD, "code": old[0], "csrf_token": token},
    )
    assert made.status_code == 200
    new = _keys_on(made)
    assert len(new) == len(set(new)) == 10
    assert not set(new) & set(old)
    assert "The old ones no longer work." in made.get_data(as_text=True)
    assert _events(app, "recovery_keys_renewed") == 1
    # The old keys are gone (the unused ones too); a new one signs in once.
    for key, status in ((old[1], 400), (new[0], 302)):
        other = app.test_client()
        post_password(other, staff)
        assert type_code(other, key).status_code == status, key
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == staff))
        assert second_factor.recovery_codes_left(db.session, user) == 9


def test_no_recovery_keys_without_a_second_factor(app, partnership):
    employer = employer_ids(app, partnership)[0]
    email = make_user(app, "nokeys@second.example.org", partnership, employer_id=employer)
    client = app.test_client()
    sign_in(client, email)
    assert client.get("/account/second-factor/recovery-keys").headers["Location"] == (
        "/account/second-factor"
    )
    anonymous = app.test_client()
    assert anonymous.get("/account/second-factor/recovery-keys").status_code == 302
    assert _events(app, "recovery_keys_renewed") == 0
