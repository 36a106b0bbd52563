"""Every page a worker can reach stays readable with the browser's minimum font size raised.

The browser here has Chromium's own "Minimum font size" setting at 24 px (its
highest), so all text is at least 24 px, on a 360 x 740 phone. Each page must then
still fit the screen's width with no text cut off. When one does not, its
screenshot is saved as test-artifacts/screenshots/large-text/<lang>/<page>.png.
"""

from __future__ import annotations

import pytest

from .harness import reflow_problems, screenshot
from .pages import WORKER_PAGES, PageCase

pytestmark = pytest.mark.browser

MINIMUM_FONT_PX = 24


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("case", WORKER_PAGES, ids=str)
def test_page_with_large_text(case: PageCase, lang: str, minfont_worker, live_server):
    worker = minfont_worker(live_server.make_wave(), lang)
    response = case.reach(worker)
    assert response.status == case.status, f"{case.name} answered {response.status}"
    page = worker.page
    # The setting is really in force: the smallest text on the page is now 24 px.
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('body *')]
             .filter(el => el.offsetParent !== null && el.childNodes.length &&
                     [...el.childNodes].some(n => n.nodeType === 3 && n.data.trim()))
             .map(el => parseFloat(getComputedStyle(el).fontSize)))"""
    )
    assert smallest >= MINIMUM_FONT_PX, f"text of {smallest}px: the setting did not apply"
    problems = reflow_problems(page)
    if problems:
        screenshot(page, f"large-text/{lang}/{case.name}")
    assert not problems, f"{lang}/{case.name} ({page.url}):\n" + "\n".join(problems)
