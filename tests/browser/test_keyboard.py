"""A worker completes the survey with the keyboard alone, and always sees where focus is.

Only Tab, Shift+Tab, the arrow keys, Space and Enter move around and choose answers
(the comment is typed, as it must be). After every key that does not load a new page,
the focused element must show a focus style (see harness.FOCUS_JS) and be on screen.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from .harness import WORKER, Worker, focus_state, option_codes, page_answers, varied_answers
from .test_worker_flow import stored

pytestmark = pytest.mark.browser

COMMENT = "Fair breaks.\nMore notice of shifts."


class Keys:
    """The keyboard, checking visible focus after each key press."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.pressed = 0

    def press(self, key: str) -> dict[str, Any]:
        self.page.keyboard.press(key)
        self.pressed += 1
        state = focus_state(self.page)
        assert state["ok"], f"after {key}, focus on {state['what']} cannot be seen: {state}"
        assert state["inView"], f"after {key}, focus on {state['what']} is off screen"
        return state

    def focused(self, selector: str) -> bool:
        return self.page.evaluate("s => document.activeElement.matches(s)", selector)

    def tab_to(self, selector: str, key: str = "Tab", limit: int = 80) -> None:
        for _ in range(limit):
            self.press(key)
            if self.focused(selector):
                return
        raise AssertionError(f"{key} never reached {selector}")

    def enter(self) -> None:
        """Enter on a link or button that loads the next page."""
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.pressed += 1

    def focused_value(self) -> str:
        return self.page.evaluate("() => document.activeElement.value")


def choose(keys: Keys, item_id: str, value: int) -> None:
    """Focus is in the item's radio group: pick ``value`` with Space or the arrows."""
    codes = option_codes(WORKER.item(item_id))
    here = codes.index(int(keys.focused_value()))
    target = codes.index(value)
    already = keys.page.evaluate("() => document.activeElement.checked")
    if here == target and not already:
        keys.press("Space")
    down = (target - here) % len(codes)
    up = (here - target) % len(codes)
    for _ in range(down if down <= up else up):
        keys.press("ArrowDown" if down <= up else "ArrowUp")
        assert keys.page.evaluate("() => document.activeElement.checked"), "arrows select"
    assert keys.focused(f'input[name="{item_id}"][value="{value}"]:checked')


def answer_page(keys: Keys, number: int, answers: dict[str, Any]) -> None:
    """From the top of a question page, answer it and land on Continue."""
    items = WORKER.pages[number - 1].items
    first = WORKER.item(items[0])
    keys.tab_to(f'[name="{first.id}"]')
    for index, item_id in enumerate(items):
        if index:
            keys.press("Tab")
            assert keys.focused(f'[name="{item_id}"]'), f"Tab did not reach {item_id}"
        value = answers.get(item_id)
        if value is None:
            continue  # an optional question: Tab goes past it and chooses nothing
        if WORKER.item(item_id).kind == "choice":
            choose(keys, item_id, value)
        else:
            keys.page.keyboard.type(value)
    keys.press("Tab")
    assert keys.focused('button[value="continue"]'), "Tab after the last question: Continue"


def test_keyboard_only_completion_with_visible_focus(worker_on, live_server):
    answers = varied_answers(comment=COMMENT)
    del answers["FTPT"]  # left empty by tabbing past it
    token = live_server.make_wave()
    worker: Worker = worker_on(token, "en", has_touch=False)
    keys = Keys(worker.page)
    worker.goto()

    keys.tab_to('form[action$="/start"] button')
    keys.enter()
    assert worker.heading() == WORKER.pages[0].title["en"]

    # Page 1, then back up with Shift+Tab to change the last answer.
    answer_page(keys, 1, answers)
    keys.press("Shift+Tab")
    assert keys.focused('input[name="PAY4"]:checked')
    choose(keys, "PAY4", option_codes(WORKER.item("PAY4"))[0])
    answers["PAY4"] = option_codes(WORKER.item("PAY4"))[0]
    keys.press("Tab")
    keys.enter()

    # Page 2; then the Back link on page 3: page 2 kept its answers. Shift+Tab from
    # the top of the page wraps round to its end, where Continue is.
    answer_page(keys, 2, answers)
    keys.enter()
    keys.tab_to("a.back")
    keys.enter()
    assert worker.heading() == WORKER.pages[1].title["en"]
    for item_id, value in page_answers(2, answers).items():
        assert worker.checked(item_id) == str(value)
    keys.tab_to('button[value="continue"]', key="Shift+Tab")
    keys.enter()

    for number in range(3, len(WORKER.pages) + 1):
        assert worker.heading() == WORKER.pages[number - 1].title["en"]
        answer_page(keys, number, answers)
        keys.enter()

    # Check your answers: Tab through one Change link per group to the send button.
    assert worker.heading() == worker.t("Check your answers before sending them")
    keys.tab_to('form[action$="/submit"] button', limit=len(WORKER.pages) + 4)
    keys.enter()
    assert worker.heading() == worker.t("Thank you: your answers have been sent")
    keys.press("Tab")  # the skip link shows itself when focused
    assert keys.focused("a.skip")

    held = stored(worker)
    choices = {k: v for k, v in answers.items() if WORKER.item(k).kind == "choice"}
    assert held["responses"] == [{"language": "en", "answers": choices}]
    assert [text for _, _, text in held["comments"]] == [COMMENT]


def test_focus_check_notices_a_focus_that_cannot_be_seen(worker_on, live_server):
    """The check above is not vacuous: without the focus styles it fails."""
    worker = worker_on(live_server.make_wave(), "en", has_touch=False)
    worker.begin()
    worker.goto("/p/1")
    keys = Keys(worker.page)
    keys.tab_to('[name="PAY1"]')
    worker.page.add_style_tag(
        content="*:focus, *:focus + label::before { outline: none !important; "
        "box-shadow: none !important; background: inherit !important; "
        "border-width: 2px !important; }"
    )
    state = focus_state(worker.page)
    assert state["inView"]
    assert not state["ok"], state
    worker.page.keyboard.press("Tab")
    assert not focus_state(worker.page)["ok"]
