"""Every staff console page in Chromium, on a 360-px phone and a laptop: axe-core
finds no violation at all (any impact), and the phone never scrolls sideways.

Screenshots land in test-artifacts/screenshots/staff/<width>/.
"""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Comment, DistributionLink, Employer, Wave
from surveyapp.waves import close_wave, ensure_links

from ..accounts_driver import make_user
from ..factories import add_responses, make_wave
from .axe import _describe as describe
from .axe import run_axe
from .harness import PHONE, LiveServer, reflow_problems, screenshot, sign_in_page

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}


def _console(live_server: LiveServer) -> tuple[str, dict[str, int]]:
    """A partnership with an open round that uses codes, a draft round, and a staff user."""
    app = live_server.app
    make_wave(app, require_codes=True, employers=3)
    with app.app_context():
        wave = db.session.scalar(select(Wave).order_by(Wave.id.desc()))
        partnership = wave.partnership_id
        employer = db.session.scalar(select(Employer).where(Employer.partnership_id == partnership))
        employer.frontline_headcount = 40
        link = db.session.scalar(
            select(DistributionLink).where(DistributionLink.wave_id == wave.id)
        )
        draft = Wave(partnership_id=partnership, name=f"Draft {wave.id}", status="draft")
        closed = Wave(partnership_id=partnership, name=f"Closed {wave.id}", status="open")
        db.session.add_all([draft, closed])
        db.session.flush()
        ensure_links(db.session, closed)
        db.session.commit()
        add_responses(closed, [9, 7, 6])
        close_wave(db.session, closed)
        for n, text in enumerate(("More staff on nights.", "Más personal en la noche.")):
            db.session.add(
                Comment(
                    id=secrets.token_hex(16),
                    wave_id=closed.id,
                    employer_id=employer.id,
                    item_id="CHANGE",
                    language=("en", "es")[n],
                    text=text,
                    approved=bool(n),
                    reviewed=bool(n),
                )
            )
        db.session.commit()
        ids = {
            "wave": wave.id,
            "draft": draft.id,
            "closed": closed.id,
            "employer": employer.id,
            "link": link.id,
        }
    email = make_user(app, f"staff{partnership}@browser.example.org", partnership)
    make_user(app, f"hr{partnership}@browser.example.org", partnership, employer_id=employer.id)
    return email, ids


def _pages(ids: dict[str, int]) -> list[tuple[str, str]]:
    wave, link = ids["wave"], ids["link"]
    return [
        ("home", "/staff/"),
        ("settings", "/staff/settings"),
        ("employers", "/staff/employers"),
        ("employer-new", "/staff/employers/new"),
        ("employer-edit", f"/staff/employers/{ids['employer']}"),
        ("waves", "/staff/waves"),
        ("wave-new", "/staff/waves/new"),
        ("wave", f"/staff/waves/{wave}"),
        ("wave-edit-locked", f"/staff/waves/{wave}/edit"),
        ("wave-edit-draft", f"/staff/waves/{ids['draft']}/edit"),
        ("wave-open", f"/staff/waves/{ids['draft']}/open"),
        ("wave-close", f"/staff/waves/{wave}/close"),
        ("codes", f"/staff/waves/{wave}/links/{link}/codes"),
        ("results", f"/staff/waves/{ids['closed']}/results"),
        ("results-not-closed", f"/staff/waves/{wave}/results"),
        ("closing-note", f"/staff/waves/{ids['closed']}/closing-note"),
        ("quotes", "/staff/quotes"),
        ("quotes-approved", "/staff/quotes/approved"),
        ("people", "/staff/people"),
        ("invite", "/staff/people/new"),
        ("account-events", "/staff/account-events"),
        ("second-factor", "/account/second-factor"),
        ("recovery-keys", "/account/second-factor/recovery-keys"),
    ]


def _sign_in(page: Page, live_server: LiveServer, email: str) -> None:
    sign_in_page(page, live_server, email)
    page.wait_for_url(f"{live_server.url}/staff/")


def _problems(page: Page, name: str, phone: bool) -> list[str]:
    results = run_axe(page)
    found = [f"{name}: {describe(v)}" for v in results["violations"]]
    if phone:
        found += [f"{name}: {problem}" for problem in reflow_problems(page)]
    return found


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_every_staff_page_passes_axe(size, new_context, live_server):
    email, ids = _console(live_server)
    phone = size == PHONE
    context = new_context("en", viewport=size, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    _sign_in(page, live_server, email)
    problems: list[str] = []
    folder = f"staff/{size['width']}"
    for name, path in _pages(ids):
        response = page.goto(live_server.url + path)
        assert response is not None
        assert response.status == 200, f"{name} answered {response.status}"
        if name == "wave":
            page.locator("details summary").first.click()  # show a QR code
        screenshot(page, f"{folder}/{name}")
        problems += _problems(page, name, phone)
    # Pages with errors: the settings form with k below 3, a new round with no dates.
    page.goto(live_server.url + "/staff/settings")
    page.fill("#min_group_size", "2")
    page.click("form[method=post] button[type=submit] >> nth=-1")
    assert page.title().startswith("Error:")
    screenshot(page, f"{folder}/settings-error")
    problems += _problems(page, "settings-error", phone)
    page.goto(live_server.url + "/staff/waves/new")
    page.fill("#name", "")
    page.click("main form[method=post] button[type=submit] >> nth=-1")
    assert page.title().startswith("Error:")
    screenshot(page, f"{folder}/wave-new-error")
    problems += _problems(page, "wave-new-error", phone)
    # The page that shows an invitation link once.
    page.goto(live_server.url + "/staff/people/new")
    page.fill("#email", f"new{ids['wave']}-{size['width']}@browser.example.org")
    page.click("main form[method=post] button[type=submit] >> nth=-1")
    expect(page.locator("main")).to_contain_text("set-password")
    problems += _problems(page, "person-link", phone)
    assert not problems, "\n".join(problems)
