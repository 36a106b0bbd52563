"""Employers in the staff console: add, change, archive; duplicate names and hostile
input refused; archived employers get no link in a round that opens later."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import DistributionLink, Employer

from ..staff_driver import HOSTILE, Console, assert_refused, hostile, snapshot, text

GOOD = {
    "name": "Riverside Clinic",
    "size_band": "50-249",
    "industry_code": "6211",
    "frontline_headcount": "120",
}

ROUND = {
    "name": "Autumn",
    "opens_on": "2027-09-01",
    "closes_on": "2027-09-30",
    "instrument_version": "2",
    "require_codes": "no",
    "show_exit_button": "no",
    "min_group_size": "5",
}


@pytest.fixture
def console(app):
    return Console.make(app)


def _employer(console: Console, name: str) -> Employer | None:
    with console.app.app_context():
        employer = db.session.scalar(
            select(Employer).where(
                Employer.partnership_id == console.partnership, Employer.name == name
            )
        )
        if employer is not None:
            db.session.expunge(employer)
        return employer


def test_the_list_shows_each_employer(console):
    page = text(console.get("/staff/employers"))
    assert page.count("/staff/employers/") >= 2
    assert "Add an employer" in page


def test_an_employer_is_added(console):
    response = console.post("/staff/employers/new", GOOD)
    assert response.status_code == 302
    employer = _employer(console, "Riverside Clinic")
    assert employer is not None
    assert (employer.size_band, employer.industry_code, employer.frontline_headcount) == (
        "50-249",
        "6211",
        120,
    )
    assert not employer.archived
    assert "Saved: Riverside Clinic" in text(console.get(response.headers["Location"]))


def test_optional_fields_may_be_left_empty(console):
    response = console.post(
        "/staff/employers/new", {**GOOD, "industry_code": "", "frontline_headcount": ""}
    )
    assert response.status_code == 302
    employer = _employer(console, "Riverside Clinic")
    assert (employer.industry_code, employer.frontline_headcount) == (None, None)


def test_an_employer_is_changed(console):
    ident = console.employers()[0]
    response = console.post(f"/staff/employers/{ident}", {**GOOD, "size_band": "1000+"})
    assert response.status_code == 302
    assert console.read(Employer, ident, "name", "size_band") == ("Riverside Clinic", "1000+")


@pytest.mark.parametrize("name", ["employer 1-1", "  EMPLOYER   1-1 ", "Employer 1-1"])
def test_a_duplicate_name_is_refused_whatever_its_case_and_spaces(console, name):
    existing = console.read(Employer, console.employers()[0], "name")[0]
    name = name.replace("1-1", existing.split(" ")[1])
    before = snapshot(console.app)
    response = console.post("/staff/employers/new", {**GOOD, "name": name})
    assert response.status_code == 400
    assert "already has an employer with that name" in text(response)
    assert snapshot(console.app) == before


def test_an_employer_may_keep_its_own_name(console):
    ident = console.employers()[0]
    (name,) = console.read(Employer, ident, "name")
    assert console.post(f"/staff/employers/{ident}", {**GOOD, "name": name}).status_code == 302


def test_another_partnerships_name_is_no_duplicate(console):
    (name,) = console.read(Employer, console.employers(console.other)[0], "name")
    assert console.post("/staff/employers/new", {**GOOD, "name": name}).status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter the employer"),
        ("size_band", "", "Choose how many"),
        ("size_band", "10-20", "Choose how many"),
        ("industry_code", "62A1", "2 to 6 digits"),
        ("industry_code", "1234567", "2 to 6 digits"),
        ("frontline_headcount", "0", "whole number"),
        ("frontline_headcount", "-3", "whole number"),
        ("frontline_headcount", "12.5", "whole number"),
        ("frontline_headcount", "99999999999", "whole number"),
        *hostile("name", ""),
        *hostile("size_band", "Choose how many"),
        *hostile("industry_code", "2 to 6 digits"),
        *hostile("frontline_headcount", "whole number"),
    ],
)
def test_bad_employer_values_are_refused_and_nothing_changes(console, field, value, message):
    before = snapshot(console.app)
    for url in ("/staff/employers/new", f"/staff/employers/{console.employers()[0]}"):
        response = console.post(url, {**GOOD, field: value})
        assert_refused(console, response, field, message, before)


def test_archive_and_unarchive(console):
    ident = console.employers()[0]
    assert console.post(f"/staff/employers/{ident}/archive", {"archived": "yes"}).status_code == 302
    assert console.read(Employer, ident, "archived") == (True,)
    assert "Archived" in text(console.get("/staff/employers"))
    assert console.post(f"/staff/employers/{ident}/archive", {"archived": "no"}).status_code == 302
    assert console.read(Employer, ident, "archived") == (False,)


@pytest.mark.parametrize("value", ["", "maybe", HOSTILE["nul"]])
def test_a_bad_archive_value_changes_nothing(console, value):
    ident = console.employers()[0]
    before = snapshot(console.app)
    assert console.post(f"/staff/employers/{ident}/archive", {"archived": value}).status_code == 400
    assert snapshot(console.app) == before


def test_an_archived_employer_gets_no_link_in_a_new_round(console):
    archived, kept = console.employers()
    console.post(f"/staff/employers/{archived}/archive", {"archived": "yes"})
    response = console.post("/staff/waves/new", ROUND)
    assert response.status_code == 302
    wave = console.wave()
    console.post(f"/staff/waves/{wave}/open")
    with console.app.app_context():
        linked = set(
            db.session.scalars(
                select(DistributionLink.employer_id).where(DistributionLink.wave_id == wave)
            )
        )
    assert linked == {kept}


def test_employers_count_on_the_home_page(console):
    with console.app.app_context():
        count = db.session.scalar(
            select(func.count()).where(Employer.partnership_id == console.partnership)
        )
    assert f"{count} taking part" in text(console.get("/staff/"))


def _linked(console: Console, wave: int) -> dict[int, bool]:
    with console.app.app_context():
        return dict(
            db.session.execute(
                select(DistributionLink.employer_id, DistributionLink.active).where(
                    DistributionLink.wave_id == wave
                )
            ).all()
        )


def _worker_status(console: Console, wave: int, employer: int) -> int:
    """What a worker opening the employer's survey link of the round is answered."""
    with console.app.app_context():
        token = db.session.scalar(
            select(DistributionLink.token).where(
                DistributionLink.wave_id == wave, DistributionLink.employer_id == employer
            )
        )
    return console.app.test_client().get(f"/s/{token}").status_code


def _add(console: Console, name: str) -> int:
    assert console.post("/staff/employers/new", dict(GOOD, name=name)).status_code == 302
    employer = _employer(console, name)
    assert employer is not None
    return employer.id


def test_an_employer_added_while_a_round_runs_gets_a_working_link_in_it(app):
    console = Console.make(app, status="open")
    wave = console.wave()
    added = _add(console, "Joined Late Ltd")
    assert _linked(console, wave)[added] is True
    assert _worker_status(console, wave, added) == 200
    assert "Joined Late Ltd" in text(console.get(f"/staff/waves/{wave}"))


def test_an_employer_added_after_a_round_closed_gets_no_link_in_it(app):
    console = Console.make(app, status="closed")
    wave = console.wave()
    before = _linked(console, wave)
    added = _add(console, "Joined Later Ltd")
    assert _linked(console, wave) == before
    assert added not in before


def test_an_employer_archived_while_the_round_was_a_draft_is_left_out_when_it_opens(app):
    console = Console.make(app, status="draft", employers=3)
    wave = console.wave()
    archived, *kept = console.employers()
    assert set(_linked(console, wave)) == {archived, *kept}  # the draft made every link
    console.post(f"/staff/employers/{archived}/archive", {"archived": "yes"})
    assert console.post(f"/staff/waves/{wave}/open").status_code == 302
    assert _linked(console, wave) == {archived: False, **dict.fromkeys(kept, True)}
    assert _worker_status(console, wave, archived) == 404
    assert all(_worker_status(console, wave, employer) == 200 for employer in kept)


def test_an_employer_brought_back_during_a_round_gets_a_link(console):
    archived, _kept = console.employers()
    console.post(f"/staff/employers/{archived}/archive", {"archived": "yes"})
    console.post("/staff/waves/new", dict(ROUND, name="Winter"))
    wave = console.wave()
    assert console.post(f"/staff/waves/{wave}/open").status_code == 302
    assert archived not in _linked(console, wave)
    console.post(f"/staff/employers/{archived}/archive", {"archived": "no"})
    assert _linked(console, wave)[archived] is True
    assert _worker_status(console, wave, archived) == 200
