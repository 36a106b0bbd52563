"""Every page a worker can reach, on a 360 x 740 phone, in English and in Spanish.

For each page (the list is pages.WORKER_PAGES):
- axe-core finds no serious or critical problem;
- the page does not scroll sideways at 360 px, nor at 200% zoom;
- screenshots are saved under test-artifacts/screenshots/{phone,zoom200}/<lang>/.

200% zoom: browser zoom makes each CSS pixel twice as wide, so a 360-px-wide screen
zoomed to 200% lays the page out in 180 CSS pixels (media queries, rem sizes and line
wrapping all see 180 px). Playwright cannot press the zoom keys, so the test resizes
the page's viewport to exactly that, which makes Chromium lay the page out again.
The screenshot then shows it as a 200%-zoomed phone would, at 2 device pixels per
CSS pixel.
"""

from __future__ import annotations

import pytest

from .axe import accessibility_problems
from .harness import PHONE, reflow_problems, screenshot
from .pages import WORKER_PAGES, PageCase

pytestmark = pytest.mark.browser

ZOOM_200 = {"width": PHONE["width"] // 2, "height": PHONE["height"] // 2}


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("case", WORKER_PAGES, ids=str)
def test_page_on_a_phone(case: PageCase, lang: str, phone_worker, live_server, axe_source):
    worker = phone_worker(live_server.make_wave(), lang)
    response = case.reach(worker)
    assert response.status == case.status, f"{case.name} answered {response.status}"
    assert worker.html_lang() == lang
    page = worker.page
    name = f"{lang}/{case.name}"
    screenshot(page, f"phone/{name}")
    problems = [f"at 360 px: {problem}" for problem in reflow_problems(page)]
    problems += accessibility_problems(page, name)

    page.set_viewport_size(ZOOM_200)
    assert page.evaluate("() => document.documentElement.clientWidth") == ZOOM_200["width"]
    problems += [f"at 200% zoom: {problem}" for problem in reflow_problems(page)]
    screenshot(page, f"zoom200/{name}", scale="device")

    assert not problems, f"{name} ({page.url}):\n" + "\n".join(f"- {p}" for p in problems)
