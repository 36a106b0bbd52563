"""A worker answers the whole survey on a phone: English and Spanish, JavaScript on and off.

One walk covers what a worker meets: the language switch, a validation error (in
the summary at the top and beside the question), Back with answers kept, "Save and
finish later", finishing on a fresh browser with the resume code, a change from the
check-your-answers page, sending, and the "already answered" page. What the
database holds afterwards is checked through the app.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import current_app
from playwright.sync_api import expect
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Comment, Draft, PendingComment, Response
from surveyapp.sealing import pending_comment_key, unseal
from surveyapp.survey.drafts import SENT

from ..factories import link_for
from .harness import LOCALE, WORKER, Worker, page_answers, varied_answers

pytestmark = pytest.mark.browser

COMMENT = {
    "en": "More notice when the rota changes.\nAnd a chair at the front desk.",
    "es": "Más aviso cuando cambia el horario.\nY una silla en la recepción.",
}


def stored(worker: Worker) -> dict[str, Any]:
    """What the database holds for the worker's wave, read through the app."""
    with worker.live.db():
        link = link_for(worker.token)
        responses = db.session.scalars(select(Response).where(Response.wave_id == link.wave_id))
        rows = [
            {"language": r.language, "answers": {a.item_id: a.code for a in r.answers}}
            for r in responses
        ]
        key = pending_comment_key(current_app.config["SECRET_KEY"])
        texts = [
            (c.item_id, c.language, unseal(key, c.sealed_text, f"{c.id}:pending").decode())
            for c in db.session.scalars(
                select(PendingComment).where(PendingComment.wave_id == link.wave_id)
            )
        ] + [
            (c.item_id, c.language, c.text)
            for c in db.session.scalars(select(Comment).where(Comment.wave_id == link.wave_id))
        ]
        drafts = db.session.scalar(
            select(func.count())
            .select_from(Draft)
            .where(Draft.link_id == link.id, Draft.contents != SENT)
        )
    return {"responses": rows, "comments": texts, "drafts": drafts}


def expect_page(worker: Worker, number: int) -> None:
    page = WORKER.pages[number - 1]
    assert worker.heading() == page.title[worker.lang]
    step = worker.t("Step %(number)d of %(total)d", number=number, total=len(WORKER.pages))
    assert worker.page.locator(".step").inner_text().strip() == step
    assert worker.html_lang() == worker.lang


def expect_checked(worker: Worker, number: int, answers: dict[str, Any]) -> None:
    for item_id, value in page_answers(number, answers).items():
        if WORKER.item(item_id).kind == "choice":
            assert worker.checked(item_id) == str(value), item_id
        else:
            assert worker.page.locator(f"#{item_id}").input_value() == value


def shown_answer(worker: Worker, item_id: str) -> str:
    """The answer the check page shows beside a question."""
    question = worker.page.locator("dt").filter(
        has_text=re.compile("^" + re.escape(WORKER.item(item_id).text[worker.lang]) + "$")
    )
    assert question.count() == 1, item_id
    return question.locator("xpath=following-sibling::dd[1]").inner_text().strip()


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_worker_completes_the_survey_on_a_phone(lang: str, js: bool, worker_on, live_server):
    answers = varied_answers(comment=COMMENT[lang])
    token = live_server.make_wave()
    # The phone's own language is English: a Spanish speaker uses the switch. With
    # JavaScript on, a touch phone (taps); with it off, a 360-px window and a mouse.
    phone = worker_on(token, lang, js=js, locale=LOCALE["en"], has_touch=js)
    phone.open()
    assert phone.heading() == WORKER.title[lang]
    # The page itself reports whether it may run scripts (CSS media feature `scripting`).
    assert phone.page.evaluate("() => matchMedia('(scripting: enabled)').matches") is js

    phone.start()
    expect_page(phone, 1)

    # Continue with one question unanswered: the page comes back with an error.
    first = {k: v for k, v in page_answers(1, answers).items() if k != "PAY3"}
    phone.answer(1, first)
    response = phone.continue_()
    assert response.status == 200
    assert phone.page.title().startswith(phone.t("Error:"))
    summary = phone.page.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    assert summary.locator("h2").inner_text().strip() == phone.t("There is a problem")
    links = summary.locator("a")
    assert links.count() == 1
    assert links.first.get_attribute("href") == "#PAY3-1"
    fieldset = phone.page.locator("fieldset", has=phone.page.locator("#PAY3-1"))
    beside = phone.page.locator("#PAY3-error")
    assert beside.is_visible()
    # The same message beside the question (after a visually hidden "Error:").
    message = beside.inner_text().strip().removeprefix(phone.t("Error:")).strip()
    assert message
    # The summary says it in one short line: the question trimmed, the first sentence.
    assert message.split(". ")[0] in links.first.inner_text()
    for radio in fieldset.locator('input[type="radio"]').all():
        assert radio.get_attribute("aria-invalid") == "true"
    assert fieldset.locator("#PAY3-error").count() == 1
    assert "PAY3-error" in (fieldset.get_attribute("aria-describedby") or "").split()
    assert phone.page.locator(".error-message").count() == 1
    expect_checked(phone, 1, first)  # what was chosen is still chosen
    phone.press(links.first)  # the summary link leads to the question
    if js:  # survey.js shows the question and puts focus in it
        expect(phone.page.locator("#PAY3-1")).to_be_focused()
    else:
        assert phone.page.url.endswith("#PAY3-1")
    expect(phone.page.locator("#PAY3-1")).to_be_in_viewport()
    with live_server.db():
        drafts = select(func.count()).select_from(Draft)
        assert db.session.scalar(drafts.where(Draft.link_id == link_for(token).id)) == 1
    phone.choose("PAY3", answers["PAY3"])
    phone.continue_()
    expect_page(phone, 2)

    # Page 2, then Back from page 3: page 2 still shows the answers.
    phone.answer(2, answers)
    phone.continue_()
    expect_page(phone, 3)
    assert phone.page.locator("a.back").inner_text().strip() == phone.t("Back")
    phone.follow("a.back")
    expect_page(phone, 2)
    expect_checked(phone, 2, answers)
    phone.follow("a.back")
    expect_page(phone, 1)
    expect_checked(phone, 1, answers)
    phone.continue_()
    phone.continue_()
    expect_page(phone, 3)
    for number in (3, 4):
        phone.answer(number, answers)
        phone.continue_()

    # Page 5 half answered, then "Save and finish later".
    half = dict(list(page_answers(5, answers).items())[:2])
    phone.answer(5, half)
    saved = phone.save_for_later()
    assert saved.status == 200
    assert phone.heading() == phone.t("Your answers are saved")
    code = phone.resume_code()
    assert code not in phone.page.url
    phone.page.context.close()

    # Later, on a fresh browser: the link, the "I saved my answers before" link, the code.
    later = worker_on(token, lang, js=js, locale=LOCALE["en"], has_touch=js)
    later.open()
    later.follow(f'a[href$="/{token}/resume"]')
    assert later.heading() == later.t("Continue your saved answers")
    later.page.locator("#code").fill(code.lower().replace("-", " "))  # as people type it
    later.follow('form[action$="/resume"] button[type="submit"]')
    expect_page(later, 5)
    expect_checked(later, 5, half)
    later.answer(5, answers)
    later.continue_()
    for number in range(6, len(WORKER.pages) + 1):
        expect_page(later, number)
        later.answer(number, answers)
        later.continue_()

    # Check your answers: every answer is listed, one card per group; change one
    # through its group's Change link.
    assert later.heading() == later.t("Check your answers before sending them")
    shown = shown_answer(later, "SKL2")
    assert shown == WORKER.item("SKL2").option(answers["SKL2"]).label[lang]
    assert shown_answer(later, "CHANGE") == COMMENT[lang]
    assert shown_answer(later, "SCH2") == later.t("Not answered (optional)")
    later.follow("#group-5 .card-head a")
    expect_page(later, 5)
    expect_checked(later, 5, answers)
    answers["SKL2"] = 5 if answers["SKL2"] != 5 else 4
    later.choose("SKL2", answers["SKL2"])
    later.continue_()
    assert later.heading() == later.t("Check your answers before sending them")
    shown = shown_answer(later, "SKL2")
    assert shown == WORKER.item("SKL2").option(answers["SKL2"]).label[lang]

    sent = later.send()
    assert sent.status == 200
    assert later.page.url.endswith(f"/s/{token}/thanks")
    assert later.heading() == later.t("Thank you: your answers have been sent")

    held = stored(later)
    choices = {k: v for k, v in answers.items() if WORKER.item(k).kind == "choice"}
    assert held["responses"] == [{"language": lang, "answers": choices}]
    assert held["comments"] == [("CHANGE", lang, COMMENT[lang])]
    assert held["drafts"] == 0

    # The same browser opening the link again is told it has already answered.
    later.goto()
    assert later.heading() == later.t("You have already answered this survey")
    assert re.search(r"\S", later.page.locator("main").inner_text())
