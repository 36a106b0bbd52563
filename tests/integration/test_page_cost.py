"""Each survey request does its work once: statements counted at the database driver."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import event

from surveyapp.extensions import db

from ..factories import make_wave
from ..survey_driver import SurveyDriver, default_answers


@contextlib.contextmanager
def statements(app) -> Iterator[list[str]]:
    """Every SQL statement sent to the database while the block runs, by verb."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _reads_and_writes(seen: list[str]) -> tuple[int, int]:
    reads = sum(verb == "SELECT" for verb in seen)
    writes = sum(verb in ("INSERT", "UPDATE", "DELETE") for verb in seen)
    return reads, writes


def test_a_page_is_one_read(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    with statements(app) as seen:
        assert driver.get("/p/2").status_code == 200
    assert _reads_and_writes(seen) == (1, 0)


def test_a_page_save_is_one_read_and_one_write(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    answers = default_answers(driver.instrument)
    driver.get("/p/1")
    with statements(app) as seen:
        saved = driver.post("/p/1", {"action": "continue", **driver.page_answers(1, answers)})
    assert saved.status_code == 302
    assert _reads_and_writes(seen) == (1, 1)


def test_save_and_finish_later_is_one_read_and_one_write(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.get("/p/1")
    with statements(app) as seen:
        assert driver.post("/p/1", {"action": "save"}).status_code == 302
    assert _reads_and_writes(seen) == (1, 1)


def test_a_page_with_errors_writes_nothing(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.get("/p/1")
    with statements(app) as seen:
        assert driver.post("/p/1", {"action": "continue"}).status_code == 200
    assert _reads_and_writes(seen) == (1, 0)
