"""Saves of one draft from several tabs at once: nothing saved by any is lost.

SQLite serializes them with its write lock; PostgreSQL (read committed) lets them
interleave, and the conditional UPDATE turns a clash into a merge."""

from __future__ import annotations

import threading

from ..factories import make_wave
from ..sealed import draft_answers
from ..survey_driver import SurveyDriver, default_answers


def test_simultaneous_saves_of_different_pages_lose_nothing(app, client):
    """Ten tabs of one draft saving ten different pages at once: every page's answers
    end up in the draft (without the check, the last writer would erase the others)."""
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.get("/p/1")
    answers = default_answers(driver.instrument)
    pages = range(1, len(driver.instrument.pages) + 1)
    cookies = [(c.key, c.value, c.path) for c in client._cookies.values()]  # noqa: SLF001
    barrier = threading.Barrier(len(pages))
    statuses: list[int] = []

    def save(number: int) -> None:
        tab = app.test_client()
        for key, value, path in cookies:
            tab.set_cookie(key, value, path=path)
        data = {"csrf_token": driver.csrf, "action": "save", **driver.page_answers(number, answers)}
        barrier.wait()
        statuses.append(tab.post(f"/s/{token}/p/{number}", data=data).status_code)

    threads = [threading.Thread(target=save, args=(number,)) for number in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [302] * len(pages)
    stored = draft_answers(app, client, token)
    expected = {
        k: v for k, v in answers.items() if any(k in p.items for p in driver.instrument.pages)
    }
    assert stored == expected
