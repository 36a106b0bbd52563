"""A shared phone in a real browser: the save code survives a reload and a second
save, and a worker can delete unsent answers before handing the phone on."""

from __future__ import annotations

import pytest

from .harness import varied_answers

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "es"])
def test_save_code_survives_reload_and_a_second_save(lang, worker_on, live_server):
    phone = worker_on(live_server.make_wave(), lang)
    phone.start()
    answers = varied_answers()
    phone.answer(1, answers)
    saved = phone.save_for_later()
    # POST/redirect/GET: the code page is a plain address, so a reload re-sends nothing.
    assert saved.url.endswith(f"/s/{phone.token}/saved")
    first = phone.resume_code()
    reloaded = phone.page.reload()
    assert reloaded is not None
    assert reloaded.status == 200
    assert phone.resume_code() == first
    # Go on where the answers stop (page 2), answer it, and save again: the same code.
    going_on = phone.follow("main a.button")
    assert going_on.url.endswith(f"/s/{phone.token}/p/2")
    phone.answer(2, answers)
    phone.save_for_later()
    assert phone.resume_code() == first


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_a_worker_deletes_unsent_answers_before_handing_the_phone_on(js, worker_on, live_server):
    phone = worker_on(live_server.make_wave(), "es", js=js)
    phone.start()
    phone.answer(1, varied_answers())
    phone.continue_()
    phone.goto()
    delete = phone.page.get_by_role("button", name=phone.t("Delete my unsent answers"))
    phone.follow(delete)
    notice = phone.page.locator('[role="status"]')
    assert notice.inner_text().strip() == phone.t(
        "Your unsent answers were deleted from this phone or computer."
    )
    # The next person finds nothing to continue, and no way back into the answers.
    continue_link = phone.page.get_by_role("link", name=phone.t("Continue where you left off"))
    assert continue_link.count() == 0
    back_in = phone.goto("/p/2")
    assert back_in.url.endswith(f"/s/{phone.token}?expired=1")
