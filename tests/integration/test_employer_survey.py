"""Issue 10: the employer survey, filled by an employer's users once per round.

Pages are walked the way a browser does (each form with its CSRF token); what is
stored is read back from the database; bad input is refused with a message and
changes nothing.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.models import EmployerAnswer, EmployerSurvey, Wave
from surveyapp.results import stored_release, stored_release_row
from surveyapp.waves import close_wave

from ..accounts_driver import make_user, sign_in
from ..factories import add_responses
from ..staff_driver import Console, text
from ..survey_driver import csrf_from

EMPLOYER = get_instrument("employer", 1)
PAGES = {page.id: n for n, page in enumerate(EMPLOYER.pages, start=1)}


@pytest.fixture
def console(app):
    return Console.make(app, status="open", employers=3)


def _hr(console: Console, employer_index: int = 0, email: str = "hr@a.example.org"):
    address = make_user(
        console.app, email, console.partnership, employer_id=console.employers()[employer_index]
    )
    client = console.app.test_client()
    assert sign_in(client, address).status_code == 302
    return client


def _url(wave: int, number: int | None = None) -> str:
    base = f"/employer/waves/{wave}/survey"
    return base if number is None else f"{base}/{number}"


def _post(client: FlaskClient, url: str, data: dict[str, str], *, csrf: bool = True):
    form = dict(data)
    if csrf:
        form["csrf_token"] = csrf_from(client.get("/employer/"))
    return client.post(url, data=form)


def _stored(console: Console, employer_index: int = 0) -> dict[str, tuple]:
    employer = console.employers()[employer_index]
    with console.app.app_context():
        rows = db.session.scalars(
            select(EmployerAnswer).where(EmployerAnswer.employer_id == employer)
        ).all()
        return {a.item_id: (a.code, a.number) for a in rows}


def _survey_row(console: Console, employer_index: int = 0) -> EmployerSurvey | None:
    employer = console.employers()[employer_index]
    with console.app.app_context():
        found = db.session.scalar(
            select(EmployerSurvey).where(EmployerSurvey.employer_id == employer)
        )
        if found is not None:
            db.session.expunge(found)
        return found


#: A whole survey, page by page: every required question answered.
def _complete_answers() -> dict[int, dict[str, str]]:
    answers: dict[int, dict[str, str]] = {}
    for number, page in enumerate(EMPLOYER.pages, start=1):
        form: dict[str, str] = {}
        for item_id in page.items:
            item = EMPLOYER.item(item_id)
            if item.kind == "number":
                form[item_id] = (
                    "15.50"
                    if item.unit == "dollars_per_hour"
                    else str(int(item.min_value or 0) + 1)
                )
            elif item.kind == "choice":
                form[item_id] = str(next(o.code for o in item.options if not o.missing))
        answers[number] = form
    return answers


def test_a_page_saves_and_reads_back_as_typed(console):
    client = _hr(console)
    wave = console.wave()
    pay = PAGES["pay"]
    response = _post(client, _url(wave, pay), {"E1": "$15,50", "E2": "17"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_url(wave, pay + 1))
    assert _stored(console) == {"E1": (None, Decimal("15.50")), "E2": (None, Decimal("17.00"))}
    page = text(client.get(_url(wave, pay)))
    assert 'value="15.50"' in page
    assert 'value="17.00"' in page
    overview = text(client.get(_url(wave)))
    assert "$15.50 an hour" in overview


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1,200", Decimal(1200)),
        ("1.200", Decimal(1200)),
        ("1 200", Decimal(1200)),
        ("100000", Decimal(100000)),  # the most the question takes
        ("1", Decimal(1)),  # the least
    ],
)
def test_counts_are_read_the_way_people_type_them(console, typed, stored):
    client = _hr(console)
    wave = console.wave()
    response = _post(client, _url(wave, PAGES["staff"]), {"E13": typed, "E14": "3"})
    assert response.status_code == 302
    assert _stored(console)["E13"] == (None, stored)


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("E13", "", "Enter a number."),
        ("E13", "0", "Enter a number from 1 to 100,000."),  # just below the least
        ("E13", "100001", "Enter a number from 1 to 100,000."),  # just above the most
        ("E13", "twelve", "Enter a whole number, like 12."),
        ("E13", "12.5", "Enter a whole number, like 12."),
        ("E13", "-3", "Enter a whole number, like 12."),
        ("E14", "-1", "Enter a whole number, like 12."),  # negative turnover
        ("E13", "1e3", "Enter a whole number, like 12."),
        ("E13", "١٢", "Enter a whole number, like 12."),  # digits of another script
        ("E13", "9" * 5000, "Enter a whole number, like 12."),
        ("E13", "<script>alert(1)</script>", "Enter a whole number, like 12."),
    ],
)
def test_bad_numbers_are_refused_and_nothing_is_stored(console, field, typed, message):
    client = _hr(console)
    wave = console.wave()
    form = {"E13": "40", "E14": "3"} | {field: typed}
    response = _post(client, _url(wave, PAGES["staff"]), form)
    page = text(response)
    assert response.status_code == 400
    assert "<title>Error:" in page
    assert message in page
    assert f'href="#{field}"' in page
    assert "<script>alert" not in page
    assert _stored(console) == {}
    assert _survey_row(console) is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("11.999", "Enter a number from"),  # read as 11,999: above the most
        ("abc", "Enter an amount in dollars, like 15 or 15.50."),
        ("1000", "Enter a number from"),  # above the wage question's most
    ],
)
def test_bad_wages_are_refused(console, typed, message):
    client = _hr(console)
    response = _post(client, _url(console.wave(), PAGES["pay"]), {"E1": typed, "E2": "17"})
    assert response.status_code == 400
    assert message in text(response)
    assert _stored(console) == {}


def test_not_sure_beside_a_number_is_stored_as_its_code_and_both_is_refused(console):
    client = _hr(console)
    wave = console.wave()
    url = _url(wave, PAGES["staff"])
    both = _post(client, url, {"E13": "40", "E14": "3", "E14-way-out": "98"})
    assert both.status_code == 400
    assert "not both" in text(both)
    assert _stored(console) == {}
    ok = _post(client, url, {"E13": "40", "E14-way-out": "98"})
    assert ok.status_code == 302
    assert _stored(console)["E14"] == (98, None)


@pytest.mark.parametrize("code", ["7", "0", "-1", "99999", "1; DROP TABLE", "²"])
def test_a_choice_not_among_the_options_is_refused(console, code):
    client = _hr(console)
    page = EMPLOYER.pages[PAGES["skills"] - 1]
    choice = next(i for i in page.items if EMPLOYER.item(i).kind == "choice")
    form = _complete_answers()[PAGES["skills"]] | {choice: code}
    response = _post(client, _url(console.wave(), PAGES["skills"]), form)
    assert response.status_code == 400
    assert "Choose one of the answers shown." in text(response)
    assert _stored(console) == {}


def test_missing_csrf_changes_nothing(console):
    client = _hr(console)
    response = _post(client, _url(console.wave(), PAGES["pay"]), {"E1": "15"}, csrf=False)
    assert response.status_code == 400
    assert _stored(console) == {}


def test_the_whole_survey_is_sent_and_stays_editable_until_close(console):
    client = _hr(console)
    wave = console.wave()
    early = _post(client, f"{_url(wave)}/send", {})
    assert early.status_code == 302
    assert "changed=incomplete" in early.headers["Location"]
    assert _survey_row(console) is None
    for number, form in _complete_answers().items():
        assert _post(client, _url(wave, number), form).status_code == 302, number
    assert _survey_row(console).sent_at is None
    assert _post(client, f"{_url(wave)}/send", {}).status_code == 302
    sent = _survey_row(console)
    assert sent.sent_at is not None
    # A colleague at the same employer sees the same answers and can change them.
    colleague = _hr(console, email="owner@a.example.org")
    assert _post(colleague, _url(wave, PAGES["pay"]), {"E1": "16", "E2": "18"}).status_code == 302
    assert _stored(console)["E1"] == (None, Decimal("16.00"))


def test_after_close_answers_cannot_change_and_the_claims_are_in_the_release(console):
    client = _hr(console)
    wave_id = console.wave()
    for number, form in _complete_answers().items():
        _post(client, _url(wave_id, number), form)
    _post(client, _url(wave_id, PAGES["skills"]), _complete_answers()[PAGES["skills"]])
    _post(client, f"{_url(wave_id)}/send", {})
    with console.app.app_context():
        wave = db.session.get(Wave, wave_id)
        add_responses(wave, [12, 10, 9])
        close_wave(db.session, wave)
        db.session.commit()
    before = _stored(console)
    refused = _post(client, _url(wave_id, PAGES["pay"]), {"E1": "30", "E2": "31"})
    assert refused.status_code == 409
    assert "can no longer change" in text(refused)
    assert client.get(_url(wave_id, PAGES["pay"])).status_code == 409
    assert _post(client, f"{_url(wave_id)}/send", {}).status_code == 409
    assert _stored(console) == before
    overview = text(client.get(_url(wave_id)))
    assert "results were worked out with" in overview
    assert "Send your answers" not in overview
    with console.app.app_context():
        wave = db.session.get(Wave, wave_id)
        import json

        claims = json.loads(stored_release_row(db.session, wave).parameters)["claims"]
        figures = stored_release(db.session, wave)
    assert claims is not None
    assert any(g["claim"] is not None for e in figures["employers"] for g in e["gaps"])


def test_other_employers_and_partnerships_rounds_answer_404(console):
    client = _hr(console)
    other_wave = console.wave(console.other)
    missing = client.get(_url(10_000))
    assert missing.status_code == 404
    for url in (_url(other_wave), _url(other_wave, 1)):
        response = client.get(url)
        assert response.status_code == 404
        assert text(response) == text(missing)
    assert _post(client, _url(other_wave, PAGES["pay"]), {"E1": "15"}).status_code == 404
    assert _post(client, f"{_url(other_wave)}/send", {}).status_code == 404


def test_each_employer_sees_only_its_own_answers(console):
    first, second = _hr(console, 0), _hr(console, 1, email="hr@b.example.org")
    wave = console.wave()
    _post(first, _url(wave, PAGES["pay"]), {"E1": "15.25", "E2": "17"})
    assert "$15.25" not in text(second.get(_url(wave)))
    assert "$15.25" in text(first.get(_url(wave)))
    assert _stored(console, 1) == {}


def test_staff_and_signed_out_visitors_cannot_open_the_employer_survey(console):
    wave = console.wave()
    assert console.get(_url(wave)).status_code == 404  # staff: not their page
    anonymous = console.app.test_client().get(_url(wave))
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]


def test_a_page_number_out_of_range_is_404(console):
    client = _hr(console)
    for number in (0, len(EMPLOYER.pages) + 1):
        assert client.get(_url(console.wave(), number)).status_code == 404


def test_hostile_text_in_any_field_is_escaped(console):
    client = _hr(console)
    hostile = '"><script>alert(1)</script>\u202e' + "x" * 10_000
    form = dict.fromkeys(EMPLOYER.pages[PAGES["pay"] - 1].items, hostile)
    response = _post(client, _url(console.wave(), PAGES["pay"]), form)
    assert response.status_code == 400
    assert "<script>alert" not in text(response)
    assert _stored(console) == {}


def test_spanish_pages_and_decimal_comma(console):
    client = _hr(console)
    wave = console.wave()
    _post(client, _url(wave, PAGES["pay"]) + "?lang=es", {"E1": "15,50", "E2": "17"})
    page = text(client.get(_url(wave) + "?lang=es"))
    assert 'lang="es"' in page
    assert re.search(r"15,50", page)


def test_staff_see_which_employers_sent_their_survey(console):
    wave = console.wave()
    first = _hr(console, 0)
    _hr(console, 1, email="hr@b.example.org")
    for number, form in _complete_answers().items():
        _post(first, _url(wave, number), form)
    page = text(console.get(f"/staff/waves/{wave}"))
    assert page.count("Employer survey: started, not sent.") == 1
    assert page.count("Employer survey: not started.") == 2
    _post(first, f"{_url(wave)}/send", {})
    page = text(console.get(f"/staff/waves/{wave}"))
    assert page.count("Employer survey: sent on") == 1
    assert page.count("Employer survey: not started.") == 2


def test_the_home_page_leads_to_a_closed_rounds_results(console):
    client = _hr(console)
    wave_id = console.wave()
    results = f"/employer/waves/{wave_id}"
    assert f'href="{results}"' not in text(client.get("/employer/"))  # open: no results yet
    with console.app.app_context():
        wave = db.session.get(Wave, wave_id)
        add_responses(wave, [12, 10, 9])
        close_wave(db.session, wave)
        db.session.commit()
    assert f'href="{results}"' in text(client.get("/employer/"))
    assert client.get(results).status_code == 200
