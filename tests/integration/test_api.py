"""Issue 12, JSON API: who may read what, and every kind of bad request.

Partnership A has a closed round (one employer below k, one hidden by complementary
suppression), an open round and a draft; partnership B is another tenant. Each test
reads with a staff token of A, an employer token of A's first employer, or B's staff
token. Helpers here are shared by the other test_api_* files.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from surveyapp.api.tokens import create_token
from surveyapp.extensions import db
from surveyapp.models import User, Wave
from surveyapp.waves import ensure_links

from ..accounts_driver import make_user
from ..employer_results_driver import K, make_round
from ..factories import add_responses
from ..staff_driver import Console

#: Responses per employer of A's closed round, by name: the third is hidden by
#: complementary suppression, the fourth is below k.
SIZES = [25, 8, 6, 3, 12]
OPEN_SIZES = [2, 7, 0, 0, 0]
MISSING = 2**31 - 1


def make_token(app: Flask, email: str, label: str = "test") -> str:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        _row, token = create_token(db.session, user, label)
        db.session.commit()
        return token


def get(client: FlaskClient, url: str, token: str | None, **kwargs: object) -> TestResponse:
    headers = dict(kwargs.pop("headers", None) or {})  # type: ignore[call-overload]
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.get(url, headers=headers, **kwargs)  # type: ignore[arg-type]


def error_of(response: TestResponse, status: int) -> str:
    """The error's message, after checking the response is that JSON error."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.content_type == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "message"}
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    assert "Set-Cookie" not in response.headers
    return body["error"]["message"]


def add_wave(app: Flask, partnership: int, name: str, status: str, sizes: list[int]) -> int:
    with app.app_context():
        wave = Wave(partnership_id=partnership, name=name, status=status, min_group_size=K)
        db.session.add(wave)
        db.session.flush()
        ensure_links(db.session, wave)
        db.session.commit()
        add_responses(wave, sizes, seed=7)
        return wave.id


@dataclass
class World:
    app: Flask
    console: Console
    closed: int
    open: int
    draft: int
    employers: list[int]
    staff: str
    employer: str
    other: str
    other_wave: int
    other_employer: int

    @property
    def client(self) -> FlaskClient:
        return self.app.test_client()

    def read(self, url: str, token: str | None, **kwargs: object) -> TestResponse:
        return get(self.client, url, token, **kwargs)


def make_world(app: Flask, sizes: list[int] | None = None) -> World:
    console, closed = make_round(app, sizes or SIZES)
    employers = console.employers()
    open_wave = add_wave(app, console.partnership, "Open round", "open", OPEN_SIZES)
    draft = add_wave(app, console.partnership, "Draft round", "draft", [])
    hr = make_user(app, "hr@a.example.org", console.partnership, employer_id=employers[0])
    other_staff = make_user(app, "staff@b.example.org", console.other)
    return World(
        app=app,
        console=console,
        closed=closed,
        open=open_wave,
        draft=draft,
        employers=employers,
        staff=make_token(app, console.email),
        employer=make_token(app, hr),
        other=make_token(app, other_staff),
        other_wave=console.wave(console.other),
        other_employer=console.employers(console.other)[0],
    )


@pytest.fixture
def world(app: Flask) -> World:
    return make_world(app)


def staff_urls(w: World) -> list[str]:
    """Every URL with an id of A that A's staff token may read."""
    return [
        f"/api/v1/waves/{w.closed}",
        f"/api/v1/waves/{w.open}",
        f"/api/v1/waves/{w.draft}",
        f"/api/v1/waves/{w.open}/response-counts",
        f"/api/v1/waves/{w.closed}/results",
        *(f"/api/v1/waves/{w.closed}/employers/{e}/results" for e in w.employers),
    ]


def all_urls(w: World) -> list[str]:
    return ["/api/v1/partnership", "/api/v1/employers", "/api/v1/waves", *staff_urls(w)]


# ------------------------------------------------------------------ tokens


def test_a_good_token_reads_everything_its_staff_user_may(world):
    for url in all_urls(world):
        response = world.read(url, world.staff)
        assert response.status_code == 200, url
        assert response.content_type == "application/json"
        assert response.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in response.headers


BAD_HEADERS = [
    (None, "missing"),
    ("", "empty"),
    ("Bearer", "no token"),
    ("Bearer ", "blank token"),
    ("Basic c3RhZmY6cGFzc3dvcmQ=", "another scheme"),
    ("Bearer sa_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "unknown"),
    ("Bearer sa_short", "malformed"),
    ("Bearer sa_\x00" + "a" * 42, "nul byte"),
    ("Bearer " + "x" * 5000, "huge"),
    ("Bearer {token} {token}", "two tokens"),
    ("Bearer {token}x", "one character more"),
    ("Bearer {token_without_prefix}", "without its prefix"),
]


def test_every_bad_token_kind_is_401_on_every_endpoint(world, caplog):
    caplog.set_level(logging.INFO)
    for header, kind in BAD_HEADERS:
        for url in all_urls(world):
            headers = {}
            if header is not None:
                headers["Authorization"] = header.format(
                    token=world.staff, token_without_prefix=world.staff[3:]
                )
            response = world.client.get(url, headers=headers)
            error_of(response, 401)
            assert response.headers["WWW-Authenticate"].startswith("Bearer"), kind
            assert "sa_" not in response.get_data(as_text=True)  # nothing echoed
    assert "security event: invalid API token" in caplog.text
    assert world.staff[3:] not in caplog.text
    assert "sa_aaaa" not in caplog.text


def test_revoked_and_switched_off_accounts_tokens_are_401(world):
    from surveyapp.api.tokens import revoke_token
    from surveyapp.models import ApiToken

    assert world.read("/api/v1/waves", world.employer).status_code == 200
    assert world.read("/api/v1/waves", world.staff).status_code == 200
    with world.app.app_context():
        hr = db.session.scalar(select(User).where(User.email == "hr@a.example.org"))
        hr.active = False
        staff_token = db.session.scalar(
            select(ApiToken).join(User).where(User.email == world.console.email)
        )
        revoke_token(db.session, staff_token)
        db.session.commit()
    for token in (world.employer, world.staff):
        response = world.read("/api/v1/waves", token)
        assert error_of(response, 401) == (
            "The API token is not valid: it may be mistyped or revoked."
        )
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_signed_in_browser_session_is_not_a_token(world):
    """The console's session cookie opens no API door, and the API sets no cookie."""
    browser = world.console.client
    assert browser.get("/staff/").status_code == 200
    error_of(browser.get("/api/v1/waves"), 401)
    response = get(browser, "/api/v1/waves", world.staff)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_a_token_in_the_query_string_is_refused(world):
    error_of(world.read(f"/api/v1/waves?access_token={world.staff}", None), 401)
    message = error_of(world.read(f"/api/v1/waves?access_token={world.staff}", world.staff), 400)
    assert world.staff not in message


# ------------------------------------------------------------ other tenants


def _missing_body(w: World, token: str) -> bytes:
    response = w.read(f"/api/v1/waves/{MISSING}", token)
    error_of(response, 404)
    return response.get_data()


def test_another_partnerships_token_finds_none_of_its_ids(world):
    """B's staff token on each of A's ids answers exactly as for an id that does not exist."""
    missing = _missing_body(world, world.other)
    urls = staff_urls(world) + [
        f"/api/v1/waves/{world.other_wave}/employers/{world.employers[0]}/results",
        f"/api/v1/waves/{MISSING}/employers/{world.other_employer}/results",
    ]
    for url in urls:
        response = world.read(url, world.other)
        assert response.status_code == 404, url
        assert response.get_data() == missing, url
    # And the other way round: A's token on B's ids.
    for url in (
        f"/api/v1/waves/{world.other_wave}",
        f"/api/v1/waves/{world.other_wave}/response-counts",
        f"/api/v1/waves/{world.closed}/employers/{world.other_employer}/results",
    ):
        assert world.read(url, world.staff).get_data() == missing, url
    # Lists hold only the token's own partnership.
    waves = world.read("/api/v1/waves", world.other).get_json()["items"]
    assert [w["id"] for w in waves] == [world.other_wave]
    employers = world.read("/api/v1/employers", world.other).get_json()["items"]
    assert world.other_employer in [e["id"] for e in employers]
    assert not set(world.employers) & {e["id"] for e in employers}
    assert world.read("/api/v1/partnership", world.other).get_json()["id"] == world.console.other


def test_an_employer_token_reads_only_what_its_pages_show(world):
    missing = _missing_body(world, world.employer)
    own = world.employers[0]
    for url in (
        f"/api/v1/waves/{world.open}/response-counts",
        f"/api/v1/waves/{world.closed}/response-counts",
        f"/api/v1/waves/{world.closed}/results",
        f"/api/v1/waves/{world.draft}",
        *(f"/api/v1/waves/{world.closed}/employers/{e}/results" for e in world.employers[1:]),
    ):
        response = world.read(url, world.employer)
        assert response.status_code == 404, url
        assert response.get_data() == missing, url
    employers = world.read("/api/v1/employers", world.employer).get_json()
    assert [e["id"] for e in employers["items"]] == [own]
    assert employers["pagination"]["total"] == 1
    waves = world.read("/api/v1/waves", world.employer).get_json()["items"]
    assert [w["id"] for w in waves] == [world.closed, world.open]  # no draft
    mine = world.read(f"/api/v1/waves/{world.closed}/employers/{own}/results", world.employer)
    assert mine.get_json()["state"] == "shown"


def test_staff_see_counts_of_an_open_round_even_below_k(world):
    counts = world.read(f"/api/v1/waves/{world.open}/response-counts", world.staff).get_json()
    assert counts["total"] == sum(OPEN_SIZES)
    assert [e["responses"] for e in counts["employers"]] == OPEN_SIZES
    assert [e["id"] for e in counts["employers"]] == world.employers
    for wave in (world.closed, world.draft):
        error_of(world.read(f"/api/v1/waves/{wave}/response-counts", world.staff), 409)


def test_results_of_rounds_not_closed_are_409(world):
    for wave in (world.open, world.draft):
        for url in (
            f"/api/v1/waves/{wave}/results",
            f"/api/v1/waves/{wave}/employers/{world.employers[0]}/results",
        ):
            message = error_of(world.read(url, world.staff), 409)
            assert message == "Results come when the round closes."


# ------------------------------------------------------------- bad requests


BAD_QUERIES = [
    "?lang=es",
    "?page=1&page=2",
    "?page=0",
    "?page=-1",
    "?page=abc",
    "?page=1.5",
    "?page=",
    "?page=99999999",
    "?per_page=0",
    "?per_page=101",
    "?per_page=%00",
    "?page=%EF%BC%91",  # a full-width digit one
]


def test_unknown_query_parameters_and_bad_page_values_are_400(world):
    for query in BAD_QUERIES:
        for url in ("/api/v1/waves", "/api/v1/employers"):
            error_of(world.read(url + query, world.staff), 400)
        for url in [*staff_urls(world), "/api/v1/partnership", "/api/v1/openapi.json"]:
            # Endpoints that take no parameters refuse paging too.
            error_of(world.read(url + query, world.staff), 400)


def test_other_methods_are_405_json(world):
    for method, url in itertools.product(
        ("POST", "PUT", "PATCH", "DELETE", "OPTIONS"), [*all_urls(world), "/api/v1/openapi.json"]
    ):
        for headers in (
            {"Authorization": f"Bearer {world.staff}"},
            {},
            # A cross-site browser form: refused by the CSRF defences before routing
            # is looked at; the API still answers 405 in JSON.
            {"Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded"},
        ):
            response = world.client.open(url, method=method, headers=headers, data="a=1")
            error_of(response, 405)
            assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD"}, url


def test_unknown_api_paths_are_json_404(world):
    for url in ("/api/v1/nothing", "/api/v2/waves", "/api", f"/api/v1/waves/{MISSING + 1}"):
        error_of(world.read(url, world.staff), 404)
    error_of(world.read("/api/v1/waves/-1", world.staff), 404)
    error_of(world.read("/api/v1/waves/0", world.staff), 404)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", json.dumps({"x": "y" * 200_000})),  # over MAX_CONTENT_LENGTH
        ("application/json", "{not json"),
        ("text/plain", "\x00\xff binary"),
        ("application/x-www-form-urlencoded", "a=" + "b" * 100_000),
        ("multipart/form-data; boundary=x", "--x\r\n" * 5000),
    ],
)
def test_bodies_on_get_are_ignored(world, content_type, body):
    url = f"/api/v1/waves/{world.closed}/results"
    plain = world.read(url, world.staff).get_json()
    response = world.read(url, world.staff, data=body, content_type=content_type)
    assert response.status_code == 200
    assert response.get_json() == plain


def test_a_chunked_oversized_body_on_get_is_ignored(world):
    response = world.read(
        "/api/v1/waves",
        world.staff,
        input_stream=io.BytesIO(b"x" * 200_000),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        # What a WSGI server sets once it has de-chunked the body (werkzeug #1096).
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 200
    assert response.get_json()["items"]


def test_pagination_links_and_totals(world):
    seen, url = [], "/api/v1/employers?per_page=2"
    while url:
        response = world.read(url, world.staff)
        body = response.get_json()
        assert body["pagination"]["total"] == len(SIZES)
        assert body["pagination"]["pages"] == 3
        assert body["pagination"]["per_page"] == 2
        if body["links"]["next"]:
            assert f'<{body["links"]["next"]}>; rel="next"' in response.headers["Link"]
        seen += [e["id"] for e in body["items"]]
        url = body["links"]["next"]
    assert sorted(seen) == sorted(world.employers)
    last = world.read("/api/v1/employers?per_page=2&page=3", world.staff).get_json()
    assert last["links"]["prev"] == "/api/v1/employers?page=2&per_page=2"
    beyond = world.read("/api/v1/employers?page=9", world.staff).get_json()
    assert beyond["items"] == []
    assert beyond["links"]["next"] is None
    assert beyond["links"]["prev"] == "/api/v1/employers?page=1&per_page=20"


def test_a_token_records_the_day_of_its_last_use_only(world):
    from datetime import UTC, datetime

    from surveyapp.models import ApiToken

    def last_used():
        with world.app.app_context():
            row = db.session.scalar(
                select(ApiToken).join(User).where(User.email == world.console.email)
            )
            return row.last_used_on, row.created_at

    assert last_used()[0] is None
    world.read("/api/v1/waves", world.staff)
    used, _made = last_used()
    assert used == datetime.now(UTC).date()
    assert type(used).__name__ == "date"  # a day, not a moment


# --------------------------------------------------------------- rate limits


@pytest.fixture
def limited(sqlite_url, tmp_path, monkeypatch):
    """The app with rate limits on (the test suite otherwise turns them off)."""
    from surveyapp import create_app
    from surveyapp.extensions import limiter

    from ..conftest import SECRET

    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))

    def make(**config):
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": sqlite_url,
                "SECRET_KEY": SECRET,
                "RATELIMIT_ENABLED": True,
                **config,
            }
        )
        with app.app_context():
            limiter.reset()
        return app

    yield make
    with make().app_context():
        db.engine.dispose()


def test_the_rate_limit_is_per_token(limited):
    app = limited(API_RATE_LIMIT="3/minute")
    console = Console.make(app)
    mine = make_token(app, console.email)
    theirs = make_token(app, make_user(app, "staff@b.example.org", console.other))
    client = app.test_client()
    statuses = [get(client, "/api/v1/waves", mine).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = get(client, "/api/v1/waves", mine)
    error_of(refused, 429)
    assert refused.headers["Retry-After"] == "60"
    assert get(client, "/api/v1/waves", theirs).status_code == 200


def test_made_up_tokens_share_their_addresses_limit(limited):
    app = limited(API_RATE_LIMIT_ADDRESS="5/minute")
    Console.make(app)
    client = app.test_client()
    statuses = [get(client, "/api/v1/waves", f"sa_{n:043d}").status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]


def test_a_limit_that_is_not_one_stops_the_app(limited, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_LIMIT_API", "lots")
    with pytest.raises(ValueError, match="SURVEYAPP_LIMIT_API='lots' is not a rate limit"):
        limited()
    monkeypatch.delenv("SURVEYAPP_LIMIT_API")  # for the fixture's clean-up
