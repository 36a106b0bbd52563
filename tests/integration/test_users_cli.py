"""`surveyapp users` and the demo's sign-ins, run as a newcomer runs them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import User

from ..accounts_driver import employer_ids, post_password, sign_in, type_code
from ..conftest import SECRET
from ..load_workers import surveyapp_env
from ..survey_driver import csrf_from

LINK = re.compile(r"http://127\.0\.0\.1:5000(/account/set-password/[\w-]+)")
#: The demo's printed sign-ins (passwords have no spaces; employer names do).
STAFF_LINE = re.compile(r"^staff (\S+) (\S+)$", re.M)
EMPLOYER_LINE = re.compile(r"^employer (\S+) (\S+) (\S.*)$", re.M)
TOTP_LINE = re.compile(r"^staff-totp ([A-Z2-7]{32})$", re.M)


def _run(instance: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "surveyapp.cli", *args],
        env={**surveyapp_env(instance), "SECRET_KEY": SECRET},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    instance = tmp_path_factory.mktemp("demo")
    result = _run(instance, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    return instance, result.stdout


def _app(instance: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(instance))
    return create_app({"SECRET_KEY": SECRET, "RATELIMIT_ENABLED": False})


def test_the_demo_prints_sign_ins_that_work(demo, monkeypatch):
    instance, out = demo
    staff_lines = STAFF_LINE.findall(out)
    employer_lines = EMPLOYER_LINE.findall(out)
    assert len(staff_lines) == 1
    # One line per demo employer: `employer EMAIL PASSWORD EMPLOYER-NAME`.
    assert len(employer_lines) == 12
    assert len({name for _email, _password, name in employer_lines}) == 12
    # The staff user's second factor, on one line, as a newcomer's script reads it.
    assert len(TOTP_LINE.findall(out)) == 1
    assert len([line for line in out.splitlines() if line.startswith("staff-totp")]) == 1
    secret = TOTP_LINE.search(out).group(1)
    app = _app(instance, monkeypatch)
    staff = app.test_client()
    assert post_password(staff, *staff_lines[0]).headers["Location"] == "/login/code"
    assert type_code(staff, pyotp.TOTP(secret).now()).headers["Location"] == "/staff/"
    assert "Valley Health" in staff.get("/staff/").get_data(as_text=True)
    for email, password, _name in employer_lines:
        employer = app.test_client()
        assert sign_in(employer, email, password).headers["Location"] == "/employer/", email
        assert employer.get("/employer/").status_code == 200
    with app.app_context():
        users = db.session.scalars(select(User).where(User.role == "employer")).all()
        # One user per employer, and each printed name is that user's employer.
        assert sorted(u.employer_id for u in users) == employer_ids(app, users[0].partnership_id)
        assert {(u.email, u.employer.name) for u in users} == {
            (email, name) for email, _password, name in employer_lines
        }


def test_create_staff_prints_a_link_that_sets_a_password(demo, monkeypatch):
    instance, _out = demo
    result = _run(
        instance, "users", "create-staff", "--partnership", "1", "--email", "New@Example.org"
    )
    assert result.returncode == 0, result.stderr
    path = LINK.search(result.stdout).group(1)
    app = _app(instance, monkeypatch)
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200
    done = client.post(
        path,
        data={
            "csrf_token": csrf_from(page),
            "password": "a long new passphrase",
            "confirm": "a long new passphrase",
        },
    )
    assert done.status_code == 302
    # A new staff user sets up the second factor before reaching the console.
    signed = sign_in(app.test_client(), "new@example.org", "a long new passphrase")
    assert signed.headers["Location"] == "/account/second-factor/enrol"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("create-staff", "--partnership", "999", "--email", "x@example.org"),
            "no partnership 999",
        ),
        (("create-staff", "--partnership", "1", "--email", "not-an-email"), "not an email"),
        (("create-employer", "--employer", "999", "--email", "x@example.org"), "no employer 999"),
        (("reset-link", "--email", "nobody@example.org"), "no account"),
    ],
)
def test_users_commands_refuse_bad_input_in_one_line(demo, args, message):
    instance, _out = demo
    result = _run(instance, "users", *args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_second_account_with_the_same_email_is_refused(demo):
    instance, _out = demo
    args = ("users", "create-staff", "--partnership", "1", "--email", "twice@example.org")
    assert _run(instance, *args).returncode == 0
    again = _run(instance, *args[:-1], "TWICE@example.org")
    assert again.returncode == 1
    assert "already has an account" in again.stderr


def test_a_new_partnership_then_its_first_staff_user(tmp_path):
    created = _run(
        tmp_path,
        "partnerships",
        "create",
        "--name",
        "Metro Manufacturing Partnership",
        "--sector",
        "Manufacturing",
        "--region",
        "Metro",
        "--living-wage",
        "22.5",
    )
    assert created.returncode == 0, created.stderr
    partnership_id = re.search(r"Created partnership (\d+)", created.stdout).group(1)
    staff = _run(
        tmp_path, "users", "create-staff", "--partnership", partnership_id, "--email", "a@b.org"
    )
    assert staff.returncode == 0, staff.stderr
    assert LINK.search(staff.stdout)
    again = _run(
        tmp_path,
        "partnerships",
        "create",
        "--name",
        "metro manufacturing partnership",
        "--sector",
        "X",
        "--region",
        "Y",
        "--living-wage",
        "20",
    )
    assert again.returncode == 1
    assert "already exists" in again.stderr


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--living-wage", "abc", "hourly amount"),
        ("--living-wage", "-3", "hourly amount"),
        ("--living-wage", "NaN", "hourly amount"),
        ("--k", "2", "below 3"),
        ("--name", "x" * 300, "printable"),
        ("--name", "bad\x07name", "printable"),
    ],
)
def test_partnerships_create_refuses_bad_values_in_one_line(tmp_path, option, value, message):
    values = {"--name": "P", "--sector": "S", "--region": "R", "--living-wage": "20", "--k": "5"}
    values[option] = value
    args = [part for pair in values.items() for part in pair]
    result = _run(tmp_path, "partnerships", "create", *args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
