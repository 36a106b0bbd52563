"""What a worker sees first, and how errors are announced, on a 360 x 740 phone.

- The first page's "What we keep, and what we do not" list starts on the first screen.
- A first question page sent with nothing answered keeps its first question on the
  first screen: the error summary stays compact.
- Every invalid field is marked invalid and described by its error message, as the
  browser's accessibility tree computes it.
- With JavaScript on, the error summary has focus when the page comes back; with it
  off, the page is the same and still works.
- The check-your-answers page needs few Tab presses to reach "Send my answers".
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Employer, Partnership

from ..factories import link_for
from .harness import PHONE, WORKER, Worker, varied_answers

pytestmark = pytest.mark.browser

#: Names as long as real ones (the demo partnership's, and a long employer name).
PARTNERSHIP = "Valley Health Careers Partnership"
EMPLOYER = "Cedar Grove Assisted Living and Memory Care"

#: The top of an element in the page (not the viewport), in CSS pixels.
TOP_JS = "el => el.getBoundingClientRect().top + window.scrollY"


def _realistic_names(worker: Worker) -> str:
    """Give the worker's partnership and employer real-length names; the partnership's."""
    name = f"{PARTNERSHIP} {worker.token[:4]}"  # partnership names are unique
    with worker.live.db():
        link = link_for(worker.token)
        partnership = db.session.scalar(
            select(Partnership).where(Partnership.id == link.wave.partnership_id)
        )
        partnership.name = name
        employer = db.session.scalar(select(Employer).where(Employer.id == link.employer_id))
        employer.name = EMPLOYER
        db.session.commit()
    return name


@pytest.mark.parametrize("exit_button", [False, True], ids=["plain", "exit-button"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_what_we_keep_starts_on_the_first_screen(lang, exit_button, phone_worker, live_server):
    worker = phone_worker(live_server.make_wave(show_exit_button=exit_button), lang)
    name = _realistic_names(worker)
    worker.open()
    assert name in worker.page.locator("main").inner_text()
    heading = worker.page.get_by_role("heading", name=worker.t("What we keep, and what we do not"))
    top = heading.evaluate(TOP_JS)
    first_item = worker.page.locator("ul.receipt li").first.evaluate(TOP_JS)
    print(f"\n{lang} {exit_button}: list heading at {top:.0f}px, first item at {first_item:.0f}px")
    assert top < first_item < PHONE["height"], (top, first_item)
    # ...and its first line can be read there, not only its top edge.
    assert first_item + 30 < PHONE["height"], first_item


@pytest.mark.parametrize("lang", ["en", "es"])
def test_first_question_stays_on_the_first_screen_with_every_error(lang, phone_worker, live_server):
    worker = phone_worker(live_server.make_wave(), lang)
    worker.begin()
    worker.goto("/p/1")
    worker.continue_()  # nothing answered
    required = [i for i in WORKER.page_items(WORKER.pages[0]) if i.required]
    summary = worker.page.locator(".error-summary")
    assert summary.locator("li").count() == len(required) >= 4
    first_question = worker.page.locator("fieldset legend").first
    top = first_question.evaluate(TOP_JS)
    print(f"\n{lang}: the first question starts at {top:.0f}px")
    assert top < PHONE["height"], f"the first question starts {top}px down"
    # Each line still names its question (trimmed) and says what to do.
    for item, link in zip(required, summary.locator("a").all(), strict=True):
        text = link.inner_text()
        assert text.startswith(item.text[lang][:15]), text
        assert not re.search(r"[,;:]…", text), text  # trimmed at a word, not after a comma
        assert worker.t("Choose an answer.").rstrip(".") in text, text


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_invalid_fields_are_marked_and_described(js, worker_on, live_server):
    worker = worker_on(live_server.make_wave(), "en", js=js)
    worker.begin()
    worker.goto("/p/9")
    worker.page.locator("#CHANGE").fill("a" * 1010)
    worker.continue_()  # G1 not answered, the comment too long
    page = worker.page
    g1 = WORKER.item("G1")
    group = page.get_by_role("group", name=g1.text["en"])
    expect(group).to_have_accessible_description(re.compile("Choose an answer"))
    radios = group.get_by_role("radio")
    assert radios.count() == len(g1.options)
    for radio in radios.all():
        expect(radio).to_have_attribute("aria-invalid", "true")
    comment = page.get_by_role("textbox", name=WORKER.item("CHANGE").text["en"])
    expect(comment).to_have_attribute("aria-invalid", "true")
    expect(comment).to_have_accessible_description(re.compile("1010 characters long"))
    # Every link in the summary leads to a field that is marked invalid.
    for href in page.locator(".error-summary a").evaluate_all("a => a.map(x => x.hash)"):
        expect(page.locator(href)).to_have_attribute("aria-invalid", "true")

    # Answered correctly, nothing is marked invalid any more.
    worker.choose("G1", g1.options[0].code)
    page.locator("#CHANGE").fill("Fair breaks.")
    worker.continue_()
    worker.goto("/p/9")
    assert page.locator("[aria-invalid]").count() == 0


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_code_fields_are_marked_and_described(js, worker_on, live_server):
    worker = worker_on(live_server.make_wave(require_codes=True), "en", js=js)
    worker.open()
    worker.page.locator("#code").fill("WRONG-12345")
    worker.follow('form[action$="/start"] button[type="submit"]')
    code = worker.page.get_by_role("textbox", name=worker.t("One-time code from your slip"))
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(code).to_have_accessible_description(re.compile("That one-time code does not work"))

    worker.goto("/resume")
    worker.follow('form[action$="/resume"] button[type="submit"]')  # no code typed
    code = worker.page.get_by_role("textbox", name=worker.t("Save code"))
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(code).to_have_accessible_description(re.compile(worker.t("Enter your save code.")))


def _focused_is_summary(worker: Worker) -> bool:
    return worker.page.evaluate(
        "() => document.activeElement === document.querySelector('.error-summary')"
    )


@pytest.mark.parametrize("lang", ["en", "es"])
def test_error_summary_gets_focus_with_javascript(lang, worker_on, live_server):
    worker = worker_on(live_server.make_wave(), lang, js=True)
    worker.begin()
    worker.goto("/p/1")
    assert worker.page.locator("script").count() == 0  # no error, no script
    worker.continue_()
    summary = worker.page.locator(".error-summary")
    expect(summary).to_be_focused()
    # In the accessibility tree: an alert named by its heading (what is announced).
    alert = worker.page.get_by_role("alert", name=worker.t("There is a problem"))
    expect(alert).to_be_visible()
    expect(alert).to_have_count(1)
    # The script is ours, from our origin, deferred; no inline script anywhere.
    scripts = worker.page.locator("script")
    assert scripts.count() == 1
    assert scripts.first.get_attribute("src") == "/static/survey.js"
    assert scripts.first.get_attribute("defer") is not None
    assert worker.page.evaluate("() => document.querySelectorAll('script:not([src])').length") == 0
    # Tab from the summary reaches its first link.
    worker.page.keyboard.press("Tab")
    assert worker.page.evaluate("() => document.activeElement.hash") == "#PAY1-1"

    # The check page with questions not answered: the same.
    worker.goto("/check")
    worker.send()
    expect(worker.page.locator(".error-summary")).to_be_focused()


def test_summary_link_shows_the_whole_question_with_javascript(worker_on, live_server):
    worker = worker_on(live_server.make_wave(), "en", js=True)
    worker.begin()
    worker.goto("/p/3")
    worker.continue_()  # every required question on the page is missing
    page = worker.page
    last = page.locator(".error-summary a").last
    assert last.get_attribute("href") == "#SCH6-1"
    worker.press(last)
    expect(page.locator("#SCH6-1")).to_be_focused()
    legend = page.locator("fieldset", has=page.locator("#SCH6-1")).locator("legend")
    box = legend.bounding_box()
    assert box is not None
    assert -1 < box["y"] < PHONE["height"] / 2, box  # the question is on screen, at the top
    # Space now answers the question the link led to.
    page.keyboard.press("Space")
    assert worker.checked("SCH6") == "1"


def test_without_javascript_the_error_page_works_the_same(worker_on, live_server):
    worker = worker_on(live_server.make_wave(), "es", js=False)
    worker.begin()
    worker.goto("/p/1")
    worker.continue_()
    assert not _focused_is_summary(worker)
    summary = worker.page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.get_attribute("role") == "alert"
    assert worker.page.title().startswith(worker.t("Error:"))
    answers = varied_answers()
    worker.answer(1, answers)
    worker.continue_()
    assert worker.heading() == WORKER.pages[1].title["es"]


def test_check_page_reaches_send_in_few_tab_presses(worker_on, live_server):
    """Before the redesign: 47 presses (one Change link per question). Now one per group."""
    worker = worker_on(live_server.make_wave(), "en", has_touch=False)
    worker.seed(varied_answers(comment="Fair breaks."))
    worker.goto("/check")
    send = 'form[action$="/submit"] button'
    presses = 0
    while not worker.page.evaluate("s => document.activeElement.matches(s)", send):
        worker.page.keyboard.press("Tab")
        presses += 1
        assert presses <= 60, "Tab never reached Send"
    # Skip link, language switch, Back, one Change link per group, Send.
    assert presses == 3 + len(WORKER.pages) + 1 == 14
    changes = worker.page.locator(".card-head a")
    assert changes.count() == len(WORKER.pages)
    for number, link in enumerate(changes.all(), start=1):
        title = WORKER.pages[number - 1].title["en"]
        expect(link).to_have_accessible_name(f"{worker.t('Change')} {title}")
        assert link.get_attribute("href").endswith(f"/p/{number}?check=1")
