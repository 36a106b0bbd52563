"""A page save reads without the write lock and stores with one conditional UPDATE:
nothing saved meanwhile is lost, and a wave closed meanwhile stores nothing."""

from __future__ import annotations

import threading

from sqlalchemy import event, text

from surveyapp.extensions import db

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


def test_a_wave_closed_between_reading_and_storing_stores_nothing(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.get("/p/1")
    before = draft_answers(app, client, token)
    with app.app_context():
        engine = db.engine
    closed = []

    def close_after_the_read(_conn, _cursor, statement, *_args) -> None:
        # Right after the page's one read, before its write: the wave closes.
        if statement.lstrip().startswith("SELECT") and "drafts" in statement and not closed:
            closed.append(True)
            with engine.connect() as other:
                other.execute(text("UPDATE waves SET status = 'closed'"))
                other.commit()

    event.listen(engine, "after_cursor_execute", close_after_the_read)
    try:
        page = driver.page_answers(1, default_answers(driver.instrument))
        response = driver.post("/p/1", {"action": "continue", **page})
    finally:
        event.remove(engine, "after_cursor_execute", close_after_the_read)
    assert closed == [True]
    assert response.status_code == 410
    with app.app_context():
        db.session.execute(text("UPDATE waves SET status = 'open'"))
        db.session.commit()
    assert draft_answers(app, client, token) == before
