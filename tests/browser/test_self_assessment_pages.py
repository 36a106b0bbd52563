"""The partnership self-assessment in Chromium, on a 360-px phone and a laptop.

A staff user invites a partner (once with an error), the partner walks every element at
the link in a fresh browser (once with an error) and sends, staff answer too and close,
and the round's page shows the scores. axe-core finds no violation at all on any of
these pages, and the phone never scrolls sideways. In Spanish on the phone, English on
the laptop.

Screenshots land in test-artifacts/screenshots/self-assessment/<width>/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.models import SelfAssessmentRespondent, Wave
from surveyapp.selfassessment import service

from ..accounts_driver import make_user
from ..factories import make_wave
from .axe import _describe as describe
from .axe import run_axe
from .harness import PHONE, LiveServer, reflow_problems, screenshot, sign_in_page

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
SA = get_instrument("partnership", 1)


def _staff(live_server: LiveServer) -> tuple[str, int]:
    """A partnership with an open round, two partners who already sent, and a staff user."""
    app = live_server.app
    make_wave(app, employers=1)
    with app.app_context():
        wave = db.session.scalar(select(Wave).order_by(Wave.id.desc()))
        assessment = service.ensure_assessment(db.session, wave)
        for number, level in enumerate((1, 4)):
            row, _token = service.invite(
                db.session, assessment, "workforce_board", f"Board {number}"
            )
            service.save(db.session, row, {i.id: service.Rating(level) for i in SA.items})
            service.send(db.session, SA, row)
        db.session.commit()
        ids = (wave.id, wave.partnership_id)
    return make_user(app, f"staff{ids[0]}@sa.example.org", ids[1]), ids[0]


def _problems(page: Page, name: str, phone: bool) -> list[str]:
    found = [f"{name}: {describe(v)}" for v in run_axe(page)["violations"]]
    if phone:
        found += [f"{name}: {problem}" for problem in reflow_problems(page)]
    return found


def _rate_page(page: Page, level: int) -> None:
    for item_id in page.locator("main fieldset input[value='1']").evaluate_all(
        "inputs => inputs.map(i => i.name)"
    ):
        page.click(f'label[for="{item_id}-{level}"]')


@pytest.mark.parametrize(("size", "lang"), [(PHONE, "es"), (LAPTOP, "en")], ids=["phone", "laptop"])
def test_the_self_assessment_walks_and_passes_axe(size, lang, new_context, live_server):
    email, wave_id = _staff(live_server)
    phone = size == PHONE
    base = live_server.url
    folder = f"self-assessment/{size['width']}"
    staff = new_context(lang, viewport=size, is_mobile=phone, has_touch=phone).new_page()
    sign_in_page(staff, live_server, email, query=f"?lang={lang}")
    staff.wait_for_url(f"{base}/staff/")
    staff.click("a[href='/staff/self-assessment']")
    problems = _problems(staff, "list", phone)
    staff.click(f"a[href='/staff/waves/{wave_id}/self-assessment']")
    problems += _problems(staff, "round-open", phone)
    staff.click(f"a[href='/staff/waves/{wave_id}/self-assessment/invite']")
    problems += _problems(staff, "invite", phone)
    staff.click("main button[type=submit]")  # no role chosen
    assert staff.title().startswith("Error")
    assert staff.locator("#role-error").count()
    screenshot(staff, f"{folder}/invite-error")
    problems += _problems(staff, "invite-error", phone)
    staff.click('label[for="role-3"]')
    staff.fill("#label", "Local 5")
    staff.click("main button[type=submit]")
    link = staff.locator("#link").inner_text()
    assert re.fullmatch(rf"{re.escape(base)}/self-assessment/[A-Za-z0-9_-]{{43}}", link)
    screenshot(staff, f"{folder}/invited")
    problems += _problems(staff, "invited", phone)

    partner = new_context(lang, viewport=size, is_mobile=phone, has_touch=phone).new_page()
    partner.goto(link)
    problems += _problems(partner, "partner-overview", phone)
    partner.click("main a.button")
    partner.fill("#LVA1-note", "x" * 501)
    partner.click("main button[value=continue]")
    assert partner.title().startswith("Error")
    screenshot(partner, f"{folder}/page-error")
    problems += _problems(partner, "page-error", phone)
    for number in range(1, len(SA.pages) + 1):
        partner.goto(f"{link}/{number}")
        problems += _problems(partner, f"page-{number}", phone)
        _rate_page(partner, 3)
        if number == 1:
            partner.fill("#LVA1-note", "Charter signed in March.")
        partner.click("main button[value=continue]")
        assert not partner.title().startswith("Error"), partner.content()[:2000]
    problems += _problems(partner, "partner-complete", phone)
    partner.click("main form button[type=submit]")
    screenshot(partner, f"{folder}/partner-sent")
    problems += _problems(partner, "partner-sent", phone)
    with live_server.app.app_context():
        row = db.session.scalar(
            select(SelfAssessmentRespondent).where(SelfAssessmentRespondent.label == "Local 5")
        )
        assert row is not None
        assert row.sent_at is not None

    staff.goto(f"{base}/staff/waves/{wave_id}/self-assessment/answer")
    problems += _problems(staff, "staff-overview", phone)
    staff.goto(f"{base}/staff/waves/{wave_id}/self-assessment")
    staff.click("main form button[type=submit]:not(.button--secondary)")  # close
    staff.wait_for_selector("svg.chart")
    screenshot(staff, f"{folder}/round-closed")
    problems += _problems(staff, "round-closed", phone)
    # Board 0 (all Not yet), Board 1 (all Established), Local 5 (all Developing):
    # every element (0 + 100 + 66.7) / 3 = 55.6, lowest 0, highest 100 (under the score).
    cells = staff.locator("main table caption + thead + tbody tr").first.locator("td")
    assert [" ".join(t.split()) for t in cells.all_inner_texts()] == ["56 0–100", "3"]
    assert not problems, "\n".join(problems)
