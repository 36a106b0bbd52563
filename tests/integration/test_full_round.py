"""A new partnership runs a whole round from the browser, as issue 9's "done when" asks:
its first staff member sets a password from the link, sets the partnership up, adds
employers, sets up and opens a round, workers answer through the links shown on the
round's page, staff watch the counts, close the round and read the results, where the
employer below k is "not enough responses" and the others have their figures."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from surveyapp.accounts.service import create_user, issue_link
from surveyapp.extensions import db
from surveyapp.models import Partnership

from ..accounts_driver import enrol_in_browser
from ..survey_driver import SurveyDriver, csrf_from

PASSPHRASE = "our partnership runs its own round"


def _post(client, url, data):
    token = csrf_from(client.get(url))
    return client.post(url, data={**data, "csrf_token": token})


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_new_partnership_runs_a_whole_round_from_the_browser(app):
    with app.app_context():  # what `surveyapp partnerships create` makes
        partnership = Partnership(
            name="Metro Manufacturing",
            sector="Manufacturing",
            region="Metro",
            living_wage=Decimal("22.00"),
            min_group_size=5,
            quote_min_responses=10,
        )
        db.session.add(partnership)
        db.session.flush()
        invite = issue_link(
            db.session, create_user(db.session, "lead@metro.example", partnership_id=partnership.id)
        )
        db.session.commit()
    staff = app.test_client()
    assert (
        _post(
            staff,
            f"/account/set-password/{invite}",
            {"password": PASSPHRASE, "confirm": PASSPHRASE},
        ).status_code
        == 302
    )
    signed = _post(staff, "/login", {"email": "lead@metro.example", "password": PASSPHRASE})
    # Staff set up their second factor before anything else.
    assert signed.headers["Location"] == "/account/second-factor/enrol"
    enrolled, _secret, codes = enrol_in_browser(staff)
    assert enrolled.status_code == 200
    assert len(codes) == 10

    settings = {
        "name": "Metro Manufacturing Partnership",
        "sector": "Manufacturing",
        "region": "Metro",
        "living_wage": "23.50",
        "living_wage_basis": "MIT calculator, 1 adult",
        "min_group_size": "5",
        "quote_min_responses": "10",
    }
    assert _post(staff, "/staff/settings", settings).status_code == 302
    for name, headcount in (("Anvil Works", "40"), ("Bolt & Sons", "20"), ("Crane Tools", "")):
        employer = {
            "name": name,
            "size_band": "1-49",
            "industry_code": "",
            "frontline_headcount": headcount,
        }
        assert _post(staff, "/staff/employers/new", employer).status_code == 302

    today = datetime.now(UTC).date()
    round_form = {
        "name": "First round",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
        "instrument_version": "2",
        "require_codes": "no",
        "show_exit_button": "no",
        "min_group_size": "5",
    }
    created = _post(staff, "/staff/waves/new", round_form)
    assert created.status_code == 302
    wave_id = int(re.search(r"/staff/waves/(\d+)", created.headers["Location"]).group(1))
    assert _post(staff, f"/staff/waves/{wave_id}/open", {}).status_code == 302

    page = _text(staff.get(f"/staff/waves/{wave_id}"))
    sections = re.split(r'<h3 id="link-\d+-name">', page)[1:]
    links = {
        section.split("</h3>", 1)[0]: re.search(r"/s/([\w-]{32})", section).group(1)
        for section in sections
    }
    assert len(links) == 3
    answered = {"Anvil Works": 6, "Bolt &amp; Sons": 5, "Crane Tools": 4}
    for name, count in answered.items():
        for _ in range(count):
            assert SurveyDriver(app.test_client(), links[name]).complete().status_code == 302

    live = _text(staff.get(f"/staff/waves/{wave_id}"))
    assert "15%" in live  # Anvil Works: 6 of 40
    assert "25%" in live  # Bolt & Sons: 5 of 20

    assert _post(staff, f"/staff/waves/{wave_id}/close", {}).status_code == 302
    results = _text(staff.get(f"/staff/waves/{wave_id}/results"))
    rows = {
        name: re.sub(r"<[^>]+>", " ", cells)
        for name, cells in re.findall(
            r'<tr><th scope="row"><a [^>]*>([^<]+)</a></th>(.*?)</tr>', results, re.S
        )
    }
    assert "not enough responses" in rows["Crane Tools"]
    assert not re.search(r"\d", rows["Crane Tools"])
    for name, count in (("Anvil Works", 6), ("Bolt &amp; Sons", 5)):
        assert str(count) in rows[name].split()
        assert re.search(r"\d+\.\d", rows[name])
    # A worker who comes back to the link after the close reads "What you told us".
    worker = app.test_client()
    told = worker.get(f"/s/{links['Anvil Works']}", follow_redirects=True)
    assert told.status_code == 200
    assert "What you told us" in told.get_data(as_text=True)
    assert worker.get(f"/s/{links['Anvil Works']}/p/1").status_code == 410
