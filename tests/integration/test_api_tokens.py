"""Issue 12, API tokens: made by staff in the console or with ``surveyapp tokens``,
shown once, stored only as a hash, revoked at once."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from surveyapp.cli import main
from surveyapp.extensions import db
from surveyapp.models import ApiToken, User

from ..accounts_driver import make_user, sign_in
from ..conftest import SECRET
from ..staff_driver import Console, text
from .test_api import error_of, get, make_token

TOKEN = re.compile(r'<code id="token">(sa_[A-Za-z0-9_-]{43})</code>')


def _make_in_console(console: Console, owner_email: str, label: str = "nightly copy") -> str:
    response = console.post(
        "/staff/tokens/new", {"label": label, "owner": str(console.user_id(owner_email))}
    )
    assert response.status_code == 200
    found = TOKEN.search(text(response))
    assert found
    return found.group(1)


def _everything_stored(app) -> str:
    """Every value in every table of the database, as text."""
    with app.app_context():
        values = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(table.select()):
                values.extend(str(value) for value in row)
        return "\n".join(values)


def test_a_token_is_shown_once_and_stored_only_as_its_hash(app):
    console = Console.make(app)
    token = _make_in_console(console, console.email)
    secret = token[len("sa_") :]
    # It works...
    assert get(app.test_client(), "/api/v1/partnership", token).status_code == 200
    # ...is never shown again...
    listing = text(console.get("/staff/tokens"))
    assert "nightly copy" in listing
    assert secret not in listing
    assert secret not in text(console.get("/staff/tokens/new"))
    # ...and is nowhere in the database but as its SHA-256.
    stored = _everything_stored(app)
    assert secret not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                assert secret.encode() not in file.read_bytes(), file


def test_revoking_in_the_console_stops_the_token_at_once(app):
    console = Console.make(app)
    token = _make_in_console(console, console.email)
    client = app.test_client()
    assert get(client, "/api/v1/waves", token).status_code == 200
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    # Without the form's CSRF token nothing happens (and the browser is signed out).
    assert console.post(f"/staff/tokens/{token_id}/revoke", csrf=False).status_code == 400
    assert get(client, "/api/v1/waves", token).status_code == 200
    assert sign_in(console.client, console.email).status_code == 302
    response = console.post(f"/staff/tokens/{token_id}/revoke")
    assert response.status_code == 302
    error_of(get(client, "/api/v1/waves", token), 401)
    listing = text(console.get("/staff/tokens?changed=revoked"))
    assert "Revoked on" in listing
    assert "it has stopped working" in listing


def test_staff_make_tokens_only_for_active_accounts_of_their_partnership(app):
    console = Console.make(app)
    other = make_user(app, "staff@b.example.org", console.other)
    off = make_user(app, "off@a.example.org", console.partnership)
    with app.app_context():
        db.session.scalar(select(User).where(User.email == off)).active = False
        db.session.commit()
    form = text(console.get("/staff/tokens/new"))
    assert console.email in form
    assert other not in form
    assert off not in form
    for owner in (console.user_id(other), console.user_id(off), "x", "", 2**40):
        response = console.post("/staff/tokens/new", {"label": "x", "owner": str(owner)})
        assert response.status_code == 400
        assert "Choose one of the accounts." in text(response)
    for label in ("", "<script>alert(1)</script>", "x" * 101, "bad\u202elabel"):
        response = console.post(
            "/staff/tokens/new", {"label": label, "owner": str(console.user_id(console.email))}
        )
        assert response.status_code == 400
        assert "<script>alert" not in text(response)
    with app.app_context():
        assert db.session.scalar(select(ApiToken.id)) is None


def test_another_partnerships_token_cannot_be_revoked_or_seen(app):
    console = Console.make(app)
    other = make_user(app, "staff@b.example.org", console.other)
    token = make_token(app, other, label="their own script")
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    assert "their own script" not in text(console.get("/staff/tokens"))
    assert console.post(f"/staff/tokens/{token_id}/revoke").status_code == 404
    assert console.post(f"/staff/tokens/{2**31 - 1}/revoke").status_code == 404
    assert console.post("/staff/tokens/99999999999999999999/revoke").status_code == 404
    assert get(app.test_client(), "/api/v1/waves", token).status_code == 200


def test_employer_users_have_no_token_pages(app):
    console = Console.make(app)
    employer = console.employer_user()
    for url in ("/staff/tokens", "/staff/tokens/new"):
        assert employer.get(url).status_code == 404
    assert 'href="/staff/tokens"' in text(console.get("/staff/"))


def _cli(app, *args: str):
    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": SECRET}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_the_tokens_command_makes_lists_and_revokes(app):
    console = Console.make(app)
    made = _cli(app, "tokens", "create", "--email", console.email.upper(), "--label", "cron")
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    assert re.fullmatch(r"sa_[A-Za-z0-9_-]{43}", token)
    assert get(app.test_client(), "/api/v1/waves", token).status_code == 200
    listed = _cli(app, "tokens", "list")
    assert listed.exit_code == 0
    assert "cron" in listed.output
    assert console.email in listed.output
    assert token[3:] not in listed.output
    token_id = listed.output.split()[0]
    revoked = _cli(app, "tokens", "revoke", "--id", token_id)
    assert revoked.exit_code == 0, revoked.output
    error_of(get(app.test_client(), "/api/v1/waves", token), 401)
    assert "revoked" in _cli(app, "tokens", "list").output


def test_the_tokens_command_refuses_in_one_line(app):
    console = Console.make(app)
    off = make_user(app, "off@a.example.org", console.partnership)
    with app.app_context():
        db.session.scalar(select(User).where(User.email == off)).active = False
        db.session.commit()
    made = _cli(app, "tokens", "create", "--email", console.email)
    token_id = _cli(app, "tokens", "list").output.split()[0]
    assert made.exit_code == 0
    assert _cli(app, "tokens", "revoke", "--id", token_id).exit_code == 0
    for args, message in (
        (("create", "--email", "nobody@example.org"), "error: there is no account"),
        (("create", "--email", off), "error: the account off@a.example.org is switched off"),
        (("create", "--email", console.email, "--label", ""), "error: a label is needed"),
        (("create", "--email", console.email, "--label", "<b>"), "error: a label has"),
        (("revoke", "--id", "999"), "error: there is no token 999"),
        (("revoke", "--id", str(2**40)), "error: there is no token"),
        (("revoke", "--id", token_id), f"error: token {token_id} was already revoked"),
    ):
        result = _cli(app, "tokens", *args)
        assert result.exit_code == 1, args
        assert result.output.startswith(message), result.output
        assert len(result.output.strip().splitlines()) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1
