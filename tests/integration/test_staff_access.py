"""Who reaches which staff page: every staff URL, tried by someone signed out, by an
employer user, with another partnership's ids, and without the form token."""

from __future__ import annotations

import pytest

from ..accounts_driver import make_user
from ..staff_driver import Console, snapshot

#: Every staff page and form, with {employer}, {wave}, {link} and {user} to fill in.
PAGES = [
    ("GET", "/staff/"),
    ("GET", "/staff/settings"),
    ("POST", "/staff/settings"),
    ("GET", "/staff/employers"),
    ("GET", "/staff/employers/new"),
    ("POST", "/staff/employers/new"),
    ("GET", "/staff/employers/{employer}"),
    ("POST", "/staff/employers/{employer}"),
    ("POST", "/staff/employers/{employer}/archive"),
    ("GET", "/staff/waves"),
    ("GET", "/staff/waves/new"),
    ("POST", "/staff/waves/new"),
    ("GET", "/staff/waves/{wave}"),
    ("GET", "/staff/waves/{wave}/edit"),
    ("POST", "/staff/waves/{wave}/edit"),
    ("GET", "/staff/waves/{wave}/open"),
    ("POST", "/staff/waves/{wave}/open"),
    ("GET", "/staff/waves/{wave}/close"),
    ("POST", "/staff/waves/{wave}/close"),
    ("POST", "/staff/waves/{wave}/links/{link}/rotate"),
    ("POST", "/staff/waves/{wave}/links/{link}/active"),
    ("GET", "/staff/waves/{wave}/links/{link}/codes"),
    ("POST", "/staff/waves/{wave}/links/{link}/codes"),
    ("GET", "/staff/people"),
    ("GET", "/staff/people/new"),
    ("POST", "/staff/people/new"),
    ("POST", "/staff/people/{user}/reset"),
    ("POST", "/staff/people/{user}/active"),
]
WITH_IDS = [(method, url) for method, url in PAGES if "{" in url]
#: Values that would change something if the request were allowed.
DATA = {
    "archived": "yes",
    "active": "no",
    "count": "5",
    "name": "Taken over",
    "size_band": "1-49",
    "email": "intruder@example.org",
    "access": "staff",
    "opens_on": "2027-01-01",
    "closes_on": "2027-02-01",
    "instrument_version": "2",
    "require_codes": "yes",
    "show_exit_button": "no",
    "min_group_size": "5",
    "sector": "Any",
    "region": "Any",
    "living_wage": "1",
    "quote_min_responses": "5",
}


@pytest.fixture
def console(app):
    return Console.make(app, require_codes=True)


def _ids(console: Console, partnership: int) -> dict[str, int]:
    wave = console.wave(partnership)
    email = make_user(console.app, f"staff{partnership}@b.example.org", partnership)
    return {
        "employer": console.employers(partnership)[0],
        "wave": wave,
        "link": console.links(wave)[0][0],
        "user": console.user_id(email),
    }


def _call(console: Console, method: str, url: str, csrf: bool = True):
    if method == "GET":
        return console.get(url)
    return console.post(url, DATA, csrf=csrf)


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_signed_out_goes_to_sign_in(app, method, url):
    url = url.format(employer=1, wave=1, link=1, user=1)
    client = app.test_client()
    response = client.get(url) if method == "GET" else client.post(url)
    if method == "POST":
        # No form token either: refused before anything else, with nothing to sign out.
        assert response.status_code in (302, 400)
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_an_employer_user_gets_404_everywhere(console, method, url):
    ids = _ids(console, console.partnership)
    hr = console.employer_user()
    before = snapshot(console.app)
    helper = Console(console.app, hr, console.partnership, console.other, "")
    if method == "POST":
        # The employer user's own token from their own home page.
        from ..survey_driver import csrf_from

        token = csrf_from(hr.get("/employer/"))
        response = hr.post(url.format(**ids), data={**DATA, "csrf_token": token})
    else:
        response = helper.get(url.format(**ids))
    assert response.status_code == 404
    assert snapshot(console.app) == before


@pytest.mark.parametrize(("method", "url"), WITH_IDS)
def test_another_partnerships_ids_answer_404_and_change_nothing(console, method, url):
    theirs = _ids(console, console.other)
    mine = _ids(console, console.partnership)
    before = snapshot(console.app)
    tries = [theirs, {"employer": 999_999, "wave": 999_999, "link": 999_999, "user": 999_999}]
    if "{link}" in url:
        tries += [{**mine, "link": theirs["link"]}, {**mine, "link": 999_999}]
    for ids in tries:
        response = _call(console, method, url.format(**ids))
        assert response.status_code == 404, ids
    assert snapshot(console.app) == before


@pytest.mark.parametrize(("method", "url"), [(m, u) for m, u in PAGES if m == "POST"])
def test_a_form_without_its_token_is_refused(console, method, url):
    ids = _ids(console, console.partnership)
    before = snapshot(console.app)
    response = _call(console, method, url.format(**ids), csrf=False)
    assert response.status_code == 400
    after = snapshot(console.app)
    assert after == before
