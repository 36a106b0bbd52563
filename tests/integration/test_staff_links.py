"""Survey links in the staff console: full address and QR code, a new address, off
and on; single-use code batches as a CSV download, each code good for one answer."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AccessCode
from surveyapp.survey.services import access_code_hash

from ..staff_driver import HOSTILE, Console, snapshot, text
from ..survey_driver import SurveyDriver


@pytest.fixture
def console(app):
    return Console.make(app, require_codes=True)


def _first_link(console: Console) -> tuple[int, int, str]:
    wave = console.wave()
    link, token = console.links(wave)[0]
    return wave, link, token


def _worker(console: Console, token: str):
    return console.app.test_client().get(f"/s/{token}")


def test_the_round_page_shows_each_full_link_and_its_qr_code(console):
    wave = console.wave()
    page = text(console.get(f"/staff/waves/{wave}"))
    for _link, token in console.links(wave):
        assert f'href="http://localhost/s/{token}"' in page
    assert page.count('<svg class="qr"') == 2
    assert 'aria-label="QR code for the survey link of Employer' in page


def test_links_use_the_public_address_when_it_is_set(console):
    console.app.config["PUBLIC_URL"] = "https://survey.example.org/"
    wave, _link, token = _first_link(console)
    assert f"https://survey.example.org/s/{token}" in text(console.get(f"/staff/waves/{wave}"))


def test_a_new_address_retires_the_old_token(console):
    wave, link, old = _first_link(console)
    assert _worker(console, old).status_code == 200
    response = console.post(f"/staff/waves/{wave}/links/{link}/rotate")
    assert response.status_code == 302
    new = dict(console.links(wave))[link]
    assert new != old
    assert len(new) >= 32
    assert _worker(console, old).status_code == 404
    assert _worker(console, new).status_code == 200
    assert "old address no longer works" in text(console.get(response.headers["Location"]))


def test_a_switched_off_link_answers_404_until_switched_on(console):
    wave, link, token = _first_link(console)
    assert (
        console.post(f"/staff/waves/{wave}/links/{link}/active", {"active": "no"}).status_code
        == 302
    )
    assert _worker(console, token).status_code == 404
    assert "Switched off" in text(console.get(f"/staff/waves/{wave}"))
    console.post(f"/staff/waves/{wave}/links/{link}/active", {"active": "yes"})
    assert _worker(console, token).status_code == 200


@pytest.mark.parametrize("value", ["", "off", HOSTILE["nul"], HOSTILE["long"]])
def test_a_bad_switch_value_changes_nothing(console, value):
    wave, link, _token = _first_link(console)
    before = snapshot(console.app)
    response = console.post(f"/staff/waves/{wave}/links/{link}/active", {"active": value})
    assert response.status_code == 400
    assert snapshot(console.app) == before


def _codes(console: Console, wave: int, link: int, count: str):
    return console.post(f"/staff/waves/{wave}/links/{link}/codes", {"count": count})


def test_a_batch_of_codes_downloads_once_and_each_code_works_once(console):
    wave, link, token = _first_link(console)
    page = text(console.get(f"/staff/waves/{wave}/links/{link}/codes"))
    assert "the only time they can be seen" in page
    response = _codes(console, wave, link, "3")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    codes = text(response).splitlines()
    assert len(codes) == 3
    assert all(len(code) == 11 and code[5] == "-" for code in codes)
    with console.app.app_context():
        stored = set(
            db.session.scalars(select(AccessCode.code_hash).where(AccessCode.link_id == link))
        )
    assert stored == {access_code_hash(code) for code in codes}
    assert not any(code in str(stored) for code in codes)
    first = SurveyDriver(console.app.test_client(), token)
    assert first.complete(code=codes[0]).status_code == 302
    again = SurveyDriver(console.app.test_client(), token)
    refused = again.start(codes[0])
    assert refused.status_code != 302
    assert "That one-time code does not work" in text(refused)
    second = SurveyDriver(console.app.test_client(), token)
    assert second.complete(code=codes[1].lower().replace("-", " ")).status_code == 302


def test_2000_codes_is_the_most_in_one_batch(console):
    wave, link, _token = _first_link(console)
    assert len(text(_codes(console, wave, link, "2000")).splitlines()) == 2000


@pytest.mark.parametrize("count", ["0", "2001", "-1", "", "ten", "1.5", *HOSTILE.values()])
def test_a_bad_number_of_codes_is_refused_and_none_are_made(console, count):
    wave, link, _token = _first_link(console)
    before = snapshot(console.app)
    response = _codes(console, wave, link, count)
    assert response.status_code == 400
    assert "from 1 to 2000" in text(response)
    assert 'href="#count"' in text(response)
    assert snapshot(console.app) == before


def test_no_codes_for_a_round_without_them(app):
    console = Console.make(app, require_codes=False)
    wave, link, _token = _first_link(console)
    assert console.get(f"/staff/waves/{wave}/links/{link}/codes").status_code == 409
    assert _codes(console, wave, link, "5").status_code == 409
    with console.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccessCode)) == 0
    assert "/codes" not in text(console.get(f"/staff/waves/{wave}"))
