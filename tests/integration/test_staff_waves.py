"""Survey rounds in the staff console: set up, change while a draft, open, close.

Anonymity rule 10 from the page: once a round opens, k, single-use codes and the
survey version cannot change, whatever the request sends."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import DistributionLink, Employer, StoredRelease, Wave

from ..staff_driver import Console, assert_refused, hostile, snapshot, text
from ..survey_driver import SurveyDriver

GOOD = {
    "name": "Autumn 2027",
    "opens_on": "2027-09-01",
    "closes_on": "2027-09-30",
    "instrument_version": "2",
    "require_codes": "yes",
    "show_exit_button": "yes",
    "min_group_size": "6",
}
SETTINGS = ("name", "status", "opens_on", "closes_on", "worker_instrument_version")
LOCKED = ("min_group_size", "require_codes", "worker_instrument_version")


@pytest.fixture
def console(app):
    return Console.make(app, status="draft")


def _new(console: Console, **changes: str) -> int:
    response = console.post("/staff/waves/new", {**GOOD, **changes})
    assert response.status_code == 302, text(response)[:3000]
    return console.wave()


def test_a_round_is_set_up_as_a_draft_with_a_link_per_employer(console):
    wave = _new(console)
    assert console.read(Wave, wave, *SETTINGS, "require_codes", "show_exit_button") == (
        "Autumn 2027",
        "draft",
        date(2027, 9, 1),
        date(2027, 9, 30),
        2,
        True,
        True,
    )
    assert console.read(Wave, wave, "min_group_size") == (6,)
    assert len(console.links(wave)) == 2
    page = text(console.get(f"/staff/waves/{wave}"))
    assert "Autumn 2027" in page
    assert "only take answers once the round opens" in page
    # A draft's links answer 404 to workers.
    token = console.links(wave)[0][1]
    assert console.app.test_client().get(f"/s/{token}").status_code == 404


def test_the_form_offers_the_versions_in_the_instruments_folder(console):
    page = text(console.get("/staff/waves/new"))
    assert 'name="instrument_version" value="1"' in page
    assert 'name="instrument_version" value="2" checked' in page
    assert (
        'name="min_group_size" type="text" autocomplete="off" spellcheck="false" value="5"' in page
    )


def test_the_closing_date_may_be_the_opening_day(console):
    wave = _new(console, closes_on=GOOD["opens_on"])
    assert console.read(Wave, wave, "opens_on")[0] == console.read(Wave, wave, "closes_on")[0]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("closes_on", "2027-08-31", "same day as the opening date or later"),
        ("opens_on", "2027-02-30", "real date"),
        ("opens_on", "tomorrow", "real date"),
        ("opens_on", "", "Enter the opening date"),
        ("closes_on", "", "Enter the closing date"),
        ("instrument_version", "99", "versions listed"),
        ("instrument_version", "", "versions listed"),
        ("require_codes", "perhaps", "single-use code"),
        ("show_exit_button", "", "Exit this page"),
        ("min_group_size", "2", "at least 3"),
        ("min_group_size", "4", "partnership's k (5)"),
        ("min_group_size", "", "whole number"),
        ("name", "", "Enter a name"),
        *hostile("name", ""),
        *hostile("opens_on", "real date"),
        *hostile("instrument_version", "versions listed"),
        *hostile("min_group_size", "whole number"),
    ],
)
def test_bad_round_settings_are_refused_and_nothing_changes(console, field, value, message):
    before = snapshot(console.app)
    response = console.post("/staff/waves/new", {**GOOD, field: value})
    assert_refused(console, response, field, message, before)


def test_k_of_3_is_accepted_when_the_partnership_allows_it(app):
    console = Console.make(app, status="draft", k=3)
    assert console.read(Wave, _new(console, min_group_size="3"), "min_group_size") == (3,)


def test_a_duplicate_round_name_is_refused(console):
    _new(console)
    before = snapshot(console.app)
    response = console.post("/staff/waves/new", {**GOOD, "name": " autumn   2027 "})
    assert response.status_code == 400
    assert "already has a survey round with that name" in text(response)
    assert snapshot(console.app) == before


def test_a_draft_round_can_change_everything(console):
    wave = _new(console)
    changed = {**GOOD, "instrument_version": "1", "require_codes": "no", "min_group_size": "8"}
    assert console.post(f"/staff/waves/{wave}/edit", changed).status_code == 302
    assert console.read(Wave, wave, *LOCKED) == (8, False, 1)


def _open(console: Console, wave: int):
    return console.post(f"/staff/waves/{wave}/open")


def test_opening_asks_first_then_opens(console):
    wave = _new(console)
    confirm = console.get(f"/staff/waves/{wave}/open")
    assert confirm.status_code == 200
    assert "become fixed" in text(confirm)
    assert console.read(Wave, wave, "status") == ("draft",)
    response = _open(console, wave)
    assert response.status_code == 302
    assert console.read(Wave, wave, "status") == ("open",)
    token = console.links(wave)[0][1]
    assert console.app.test_client().get(f"/s/{token}").status_code == 200


def test_opening_gives_links_to_employers_added_since(console):
    wave = _new(console)
    console.post("/staff/employers/new", {"name": "Late Joiner", "size_band": "1-49"})
    _open(console, wave)
    assert len(console.links(wave)) == 3


def test_opening_an_open_round_is_refused_and_changes_nothing(console):
    wave = _new(console)
    _open(console, wave)
    before = snapshot(console.app)
    for response in (console.get(f"/staff/waves/{wave}/open"), _open(console, wave)):
        assert response.status_code == 409
        assert "already been opened" in text(response)
    assert snapshot(console.app) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("min_group_size", "9"), ("require_codes", "no"), ("instrument_version", "1")],
)
def test_rule_10_locked_settings_cannot_change_once_open(console, field, value):
    wave = _new(console)
    _open(console, wave)
    page = text(console.get(f"/staff/waves/{wave}/edit"))
    assert "cannot change once a round has opened" in page
    assert 'name="min_group_size"' not in page  # shown read only
    before = snapshot(console.app)
    response = console.post(f"/staff/waves/{wave}/edit", {**GOOD, field: value})
    assert response.status_code == 400
    assert "cannot change once a round has opened" in text(response)
    assert 'href="#locked"' in text(response)
    assert snapshot(console.app) == before
    assert console.read(Wave, wave, *LOCKED) == (6, True, 2)


def test_an_open_round_may_change_its_name_dates_and_exit_button(console):
    wave = _new(console)
    _open(console, wave)
    response = console.post(
        f"/staff/waves/{wave}/edit",
        {
            "name": "Autumn",
            "opens_on": "2027-09-02",
            "closes_on": "2027-10-15",
            "show_exit_button": "no",
        },
    )
    assert response.status_code == 302
    assert console.read(Wave, wave, "name", "show_exit_button", *LOCKED) == (
        "Autumn",
        False,
        6,
        True,
        2,
    )


def test_closing_asks_first_then_closes_and_stores_the_results(console):
    wave = _new(console, require_codes="no")
    _open(console, wave)
    token = console.links(wave)[0][1]
    assert SurveyDriver(console.app.test_client(), token).complete().status_code == 302
    confirm = text(console.get(f"/staff/waves/{wave}/close"))
    assert "Results are computed and stored" in confirm
    assert "released" in confirm
    response = console.post(f"/staff/waves/{wave}/close")
    assert response.status_code == 302
    assert console.read(Wave, wave, "status") == ("closed",)
    with console.app.app_context():
        assert db.session.scalar(select(StoredRelease).where(StoredRelease.wave_id == wave))
    assert console.app.test_client().get(f"/s/{token}/p/1").status_code == 410
    assert console.app.test_client().get(f"/s/{token}").headers["Location"].endswith("/told")


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_closing_a_round_that_is_not_open_is_refused(console, status):
    wave = _new(console)
    if status == "closed":
        _open(console, wave)
        console.post(f"/staff/waves/{wave}/close")
    before = snapshot(console.app)
    for response in (
        console.get(f"/staff/waves/{wave}/close"),
        console.post(f"/staff/waves/{wave}/close"),
    ):
        assert response.status_code == 409
        assert "already closed" in text(response) or "not opened yet" in text(response)
    assert snapshot(console.app) == before


def test_live_counts_and_response_rates_while_open(console):
    wave = _new(console, require_codes="no")
    _open(console, wave)
    first, second = console.employers()
    console.post(
        f"/staff/employers/{first}",
        {"name": "Counted Clinic", "size_band": "1-49", "frontline_headcount": "10"},
    )
    console.post(
        f"/staff/employers/{second}",
        {"name": "Busy Clinic", "size_band": "1-49", "frontline_headcount": "2"},
    )
    with console.app.app_context():
        tokens = {
            link.employer_id: link.token
            for link in db.session.scalars(
                select(DistributionLink).where(DistributionLink.wave_id == wave)
            )
        }
    SurveyDriver(console.app.test_client(), tokens[first]).complete()
    SurveyDriver(console.app.test_client(), tokens[second]).complete()
    page = text(console.get(f"/staff/waves/{wave}"))
    assert page.count("1 response;") == 2
    assert "response rate 10% of 10 frontline workers" in page
    assert "response rate 50% of 2 frontline workers" in page
    assert page.count("Rate below 30%: read with care.") == 1


def test_the_rounds_list_and_home_link_to_each_round(console):
    wave = _new(console)
    for url in ("/staff/waves", "/staff/"):
        assert f'href="/staff/waves/{wave}"' in text(console.get(url))
    assert console.read(Employer, console.employers()[0], "archived") == (False,)
