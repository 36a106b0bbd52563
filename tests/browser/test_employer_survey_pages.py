"""The employer survey in Chromium, on a 360-px phone and a laptop: an employer user
walks it with the keyboard-free defaults of a real browser (no JavaScript needed), and
axe-core finds no violation on any of its pages, with and without errors; the phone
never scrolls sideways.

Screenshots land in test-artifacts/screenshots/employer-survey/<width>/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.models import Employer, EmployerSurvey, Wave

from ..accounts_driver import PASSWORD, make_user
from ..factories import make_wave
from .axe import _describe as describe
from .axe import run_axe
from .harness import PHONE, LiveServer, reflow_problems, screenshot

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
EMPLOYER = get_instrument("employer", 1)


def _employer_user(live_server: LiveServer) -> tuple[str, int, int]:
    app = live_server.app
    make_wave(app, employers=2)
    with app.app_context():
        wave = db.session.scalar(select(Wave).order_by(Wave.id.desc()))
        employer = db.session.scalar(
            select(Employer).where(Employer.partnership_id == wave.partnership_id)
        )
        ids = (wave.id, employer.id, wave.partnership_id)
    email = make_user(app, f"hr{ids[0]}@browser.example.org", ids[2], employer_id=ids[1])
    return email, ids[0], ids[1]


def _problems(page: Page, name: str, phone: bool) -> list[str]:
    found = [f"{name}: {describe(v)}" for v in run_axe(page)["violations"]]
    if phone:
        found += [f"{name}: {problem}" for problem in reflow_problems(page)]
    return found


def _answer_page(page: Page) -> None:
    """Answer every question on the page shown: a number, or the first real option."""
    for box in page.locator("main input[type=text]").all():
        box.fill("15.50" if box.get_attribute("id") in ("E1", "E2") else "20")
    for group in page.locator("main fieldset").all():
        radios = group.locator("div:not(.aside) > input[type=radio]")
        if radios.count():
            page.click(f'label[for="{radios.first.get_attribute("id")}"]')


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_employer_survey_walks_and_passes_axe(size, new_context, live_server):
    email, wave_id, employer_id = _employer_user(live_server)
    phone = size == PHONE
    context = new_context("en", viewport=size, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/employer/")
    folder = f"employer-survey/{size['width']}"
    problems = _problems(page, "home", phone)
    screenshot(page, f"{folder}/home")
    page.click(f"a[href='/employer/waves/{wave_id}/survey']")
    problems += _problems(page, "overview-empty", phone)
    # A page sent with an impossible number comes back with its errors.
    page.goto(f"{live_server.url}/employer/waves/{wave_id}/survey/1")
    page.fill("#E13", "0")
    page.click("main button[value=continue]")
    assert page.title().startswith("Error:")
    screenshot(page, f"{folder}/page-error")
    problems += _problems(page, "page-error", phone)
    for number in range(1, len(EMPLOYER.pages) + 1):
        page.goto(f"{live_server.url}/employer/waves/{wave_id}/survey/{number}")
        screenshot(page, f"{folder}/page-{number}")
        problems += _problems(page, f"page-{number}", phone)
        _answer_page(page)
        page.click("main button[value=continue]")
        assert not page.title().startswith("Error:"), f"page {number}: {page.content()[:2000]}"
    problems += _problems(page, "overview-complete", phone)
    page.click("main form button[type=submit]")
    # The send redirects; wait for the page it lands on before reading it.
    page.wait_for_url(lambda url: url.endswith("?changed=sent"))
    expect(page.locator("main")).to_contain_text("Your answers are sent")
    screenshot(page, f"{folder}/overview-sent")
    problems += _problems(page, "overview-sent", phone)
    with live_server.app.app_context():
        survey = db.session.get(EmployerSurvey, (wave_id, employer_id))
        assert survey is not None
        assert survey.sent_at is not None
    assert not problems, "\n".join(problems)
