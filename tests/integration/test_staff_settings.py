"""Partnership settings from the staff console: every value checked, k never below 3,
the quote threshold never below k, hostile input refused with nothing stored."""

from __future__ import annotations

from decimal import Decimal

import pytest

from surveyapp.models import Partnership

from ..staff_driver import Console, assert_refused, hostile, snapshot, text

GOOD = {
    "name": "Valley Care Partnership",
    "sector": "Healthcare",
    "region": "North Valley",
    "living_wage": "25.75",
    "living_wage_basis": "MIT calculator, 1 adult, 2026",
    "min_group_size": "6",
    "quote_min_responses": "12",
}


@pytest.fixture
def console(app):
    return Console.make(app)


def test_the_settings_page_shows_the_current_values(console):
    page = text(console.get("/staff/settings"))
    assert 'value="24.00"' in page
    assert "rounds that have not opened yet" in page


def test_settings_are_saved(console):
    response = console.post("/staff/settings", GOOD)
    assert response.status_code == 302
    assert console.read(
        Partnership,
        console.partnership,
        "name",
        "region",
        "living_wage",
        "living_wage_basis",
        "min_group_size",
        "quote_min_responses",
    ) == (
        "Valley Care Partnership",
        "North Valley",
        Decimal("25.75"),
        "MIT calculator, 1 adult, 2026",
        6,
        12,
    )
    assert "The settings are saved" in text(console.get(response.headers["Location"]))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_group_size", "2", "k must be at least 3"),
        ("min_group_size", "0", "k must be at least 3"),
        ("min_group_size", "-5", "whole number"),
        ("min_group_size", "five", "whole number"),
        ("min_group_size", "", "Enter the smallest group"),
        ("min_group_size", "101", "100 or fewer"),
        ("quote_min_responses", "5", "at least k (6)"),
        ("quote_min_responses", "1.5", "whole number"),
        ("living_wage", "0", "amount in dollars"),
        ("living_wage", "NaN", "amount in dollars"),
        ("living_wage", "1e3", "amount in dollars"),
        ("living_wage", "", "Enter the hourly living wage"),
        ("name", "", "Enter the partnership"),
        ("sector", "   ", "Enter the sector"),
        *hostile("name", ""),
        *hostile("region", ""),
        *hostile("living_wage", "amount in dollars"),
        *hostile("min_group_size", "whole number"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(console, field, value, message):
    before = snapshot(console.app)
    response = console.post("/staff/settings", {**GOOD, field: value})
    assert_refused(console, response, field, message, before)


def test_values_are_kept_on_error(console):
    page = text(console.post("/staff/settings", {**GOOD, "min_group_size": "2"}))
    assert 'value="Valley Care Partnership"' in page
    assert 'value="2"' in page


def test_k_of_3_and_a_quote_threshold_of_k_are_accepted(console):
    response = console.post(
        "/staff/settings", {**GOOD, "min_group_size": "3", "quote_min_responses": "3"}
    )
    assert response.status_code == 302
    assert console.read(
        Partnership, console.partnership, "min_group_size", "quote_min_responses"
    ) == (3, 3)


def test_another_partnerships_name_is_refused(console):
    (other,) = console.read(Partnership, console.other, "name")
    response = console.post("/staff/settings", {**GOOD, "name": other.upper()})
    assert response.status_code == 400
    assert "Another partnership already has that name" in text(response)


def test_settings_without_the_form_token_are_refused(console):
    before = snapshot(console.app)
    assert console.post("/staff/settings", GOOD, csrf=False).status_code == 400
    assert snapshot(console.app) == before
