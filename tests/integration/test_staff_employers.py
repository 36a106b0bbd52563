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
    response = console.post(
        "/staff/waves/new",
        {
            "name": "Autumn",
            "opens_on": "2027-09-01",
            "closes_on": "2027-09-30",
            "instrument_version": "2",
            "require_codes": "no",
            "show_exit_button": "no",
            "min_group_size": "5",
        },
    )
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
