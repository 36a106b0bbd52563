"""Setting up and using the second factor in Chromium, on a 360-px phone and a laptop:
axe-core finds no violation, the phone never scrolls sideways,
and the QR code and the key both fit the screen."""

from __future__ import annotations

import re
import secrets
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from ..accounts_driver import PASSWORD, make_user, partnership_ids
from ..factories import make_wave
from .axe import _describe as describe
from .axe import run_axe
from .harness import PHONE, LiveServer, reflow_problems, screenshot

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}


def _problems(page: Page, name: str, phone: bool) -> list[str]:
    found = [f"{name}: {describe(v)}" for v in run_axe(page)["violations"]]
    if phone:
        found += [f"{name}: {problem}" for problem in reflow_problems(page)]
    return found


def _password(page: Page, server: LiveServer, email: str) -> None:
    page.goto(f"{server.url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_staff_set_up_the_second_factor_then_sign_in_with_it(size, new_context, live_server):
    app = live_server.app
    make_wave(app)
    email = make_user(
        app,
        f"new-staff-{secrets.token_hex(4)}@browser.example.org",
        partnership_ids(app)[-1],
        second_factor=False,
    )
    phone = size == PHONE
    context = new_context("en", viewport=size, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    folder = f"second-factor/{size['width']}"
    _password(page, live_server, email)
    assert page.url == f"{live_server.url}/account/second-factor/enrol"
    qr = page.locator("svg.qr")
    assert qr.count() == 1
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 100
    assert box["x"] + box["width"] <= size["width"]
    screenshot(page, f"{folder}/enrol")
    problems = _problems(page, "enrol", phone)
    secret = page.locator("code.code-link").inner_text().replace(" ", "")
    page.fill("#code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.click("main button[type=submit]")
    # A form post's answer is read once it has loaded (expect waits; a bare read may not).
    expect(page).to_have_title(re.compile(r"^Error:"))
    problems += _problems(page, "enrol-error", phone)
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("main button[type=submit]")
    expect(page.locator("ul.recovery-codes li")).to_have_count(10)
    screenshot(page, f"{folder}/recovery-codes")
    problems += _problems(page, "recovery-codes", phone)
    page.click("main a.button")
    assert page.url == f"{live_server.url}/staff/"
    page.click("header form button[type=submit]")
    _password(page, live_server, email)
    assert page.url == f"{live_server.url}/login/code"
    screenshot(page, f"{folder}/code")
    problems += _problems(page, "code", phone)
    totp = pyotp.TOTP(secret)
    page.fill("#code", totp.at(0))  # a code of 1970
    page.click("main button[type=submit]")
    assert page.title().startswith("Error:")
    problems += _problems(page, "code-error", phone)
    # The step used at enrolment is spent; the next one is within the allowed drift.
    page.fill("#code", totp.at(time.time() + 30))
    page.click("main button[type=submit]")
    assert page.url == f"{live_server.url}/staff/"
    assert not problems, "\n".join(problems)
