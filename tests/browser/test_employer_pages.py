"""The employer results pages in Chromium, on a 360-px phone and a laptop: axe-core
finds no violation at all (any impact), and the phone never scrolls sideways.

Pages: an employer's full dashboard (profile against peers, gaps, trend, equity,
where to start), the page of an employer below k, a round still open, and the staff
view of the same dashboard. Screenshots land in
test-artifacts/screenshots/employer-results/<width>/.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Employer, Wave
from surveyapp.waves import close_wave, ensure_links

from ..accounts_driver import make_user
from ..employer_results_driver import send_survey
from ..factories import add_responses, make_wave
from .axe import _describe as describe
from .axe import run_axe
from .harness import PHONE, LiveServer, reflow_problems, screenshot, sign_in_page

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
K = 5
#: Sizes of the employers (by name) in the closed round: six at k or more (a percentile
#: rank needs five peers), one below k.
SIZES = [22, 14, 12, 11, 10, 9, K - 1]
ANSWERS = {"E4": Decimal(14), "E15_PAY2": 5, "E15_RES1": 3, "E3b_ft": 1, "E1": Decimal("25.00")}


def _close(wave: Wave) -> None:
    close_wave(db.session, wave)
    db.session.commit()


def _new_round(partnership: int, name: str) -> Wave:
    wave = Wave(partnership_id=partnership, name=name, status="open", min_group_size=K)
    db.session.add(wave)
    db.session.flush()
    ensure_links(db.session, wave)
    db.session.commit()
    return wave


def _rounds(live_server: LiveServer) -> tuple[dict[str, str], dict[str, int]]:
    """An earlier and a later closed round (so there is a trend), an open round; users."""
    app = live_server.app
    make_wave(app, employers=len(SIZES), k=K)
    with app.app_context():
        earlier = db.session.scalar(select(Wave).order_by(Wave.id.desc()))
        partnership = earlier.partnership_id
        employers = list(
            db.session.scalars(
                select(Employer.id)
                .where(Employer.partnership_id == partnership)
                .order_by(Employer.name)
            )
        )
        add_responses(earlier, [12, 10, 9, 8, 8, 7, 6], seed=5)
        _close(earlier)
        number = earlier.id  # names unique across the session's tests
        closed = _new_round(partnership, f"Closed {number}")
        add_responses(closed, SIZES)
        closed_id = closed.id
    send_survey(app, closed_id, employers[0], ANSWERS)
    with app.app_context():
        _close(db.session.get(Wave, closed_id))
        open_id = _new_round(partnership, f"Open {number}").id
    emails = {
        "shown": make_user(
            app, f"hr{closed_id}@browser.example.org", partnership, employer_id=employers[0]
        ),
        "hidden": make_user(
            app, f"small{closed_id}@browser.example.org", partnership, employer_id=employers[-1]
        ),
        "staff": make_user(app, f"staff{closed_id}@browser.example.org", partnership),
    }
    return emails, {"closed": closed_id, "open": open_id, "employer": employers[0]}


def _sign_in(page: Page, live_server: LiveServer, email: str) -> None:
    sign_in_page(page, live_server, email)


def _sign_out(page: Page) -> None:
    page.click("header form button[type=submit]")
    page.wait_for_load_state()


def _problems(page: Page, name: str, phone: bool) -> list[str]:
    found = [f"{name}: {describe(v)}" for v in run_axe(page)["violations"]]
    if phone:
        found += [f"{name}: {problem}" for problem in reflow_problems(page)]
    return found


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_employer_results_page_passes_axe(size, lang, new_context, live_server):
    emails, ids = _rounds(live_server)
    phone = size == PHONE
    context = new_context(lang, viewport=size, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    folder = f"employer-results/{size['width']}-{lang}"
    closed, still_open = ids["closed"], ids["open"]
    visits = {
        "shown": [
            ("dashboard", f"/employer/waves/{closed}"),
            ("open", f"/employer/waves/{still_open}"),
        ],
        "hidden": [("below-k", f"/employer/waves/{closed}")],
        "staff": [("staff-view", f"/staff/waves/{closed}/employers/{ids['employer']}")],
    }
    problems: list[str] = []
    for who, pages in visits.items():
        _sign_in(page, live_server, emails[who])
        for name, path in pages:
            response = page.goto(live_server.url + path)
            assert response is not None
            assert response.status == 200, f"{name} answered {response.status}"
            assert page.locator("html").get_attribute("lang") == lang
            screenshot(page, f"{folder}/{name}")
            problems += _problems(page, name, phone)
        _sign_out(page)
    assert not problems, "\n".join(problems)
