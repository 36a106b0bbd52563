"""No acknowledged answer lost: a crowd walks the survey under gunicorn (several
processes) while every server process is killed with -9 and started again, and, on
PostgreSQL, while the database server itself is killed with -9 and started again.

Every worker whose answers were acknowledged (the thank-you page, or, when that page
was lost, "your answers were already sent") is stored exactly once, found by the unique
marker in their free text; no response is partial; every draft saved before the crash
opens with its save code on another phone, its answers all there. Short form here
(80 workers); ``SURVEYAPP_LOAD=long`` runs 400 (README, "Load tests").
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.instruments import get_instrument

from ..conftest import SECRET
from ..factories import make_wave
from ..load_workers import surveyapp_env
from ..postgres import PostgresServer, free_port
from .conftest import LONG
from .crowd import CrowdPlan, Outcome, run_crowd
from .servers import Gunicorn
from .stored import Stored, read_stored

pytestmark = pytest.mark.slow

WORKERS = 400 if LONG else 80
ARRIVAL_SECONDS = 40.0 if LONG else 8.0
#: Choice questions a worker answers (every radio group on every page).
CHOICES = sum(1 for item in get_instrument("worker", 2).items if item.kind == "choice")


def _setup(url: str, instance: Path) -> list[str]:
    """Survey links of a wave with four employers, made through the app itself."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    tokens = make_wave(app, employers=4)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return tokens


def _env(instance: Path, url: str) -> dict[str, str]:
    return {
        **surveyapp_env(instance, url),
        "SECRET_KEY": SECRET,
        # The whole crowd comes from one address (a shift on the break-room Wi-Fi),
        # and a quarter of it opens a save code within the same minute.
        "SURVEYAPP_LIMIT_RESUME": "100000/hour",
    }


def _responses(url: str) -> int:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM responses")).scalar_one())
    except Exception:  # noqa: BLE001 - the database may be down on purpose
        return -1
    finally:
        engine.dispose()


def _wait_for(url: str, share: float, timeout: float) -> None:
    """Until a share of the crowd has been stored (a crash mid-crowd, not before)."""
    deadline = time.monotonic() + timeout
    while _responses(url) < share * WORKERS and time.monotonic() < deadline:
        time.sleep(0.1)


def _summary(outcomes: list[Outcome], found: Stored, seconds: float, kills: str) -> str:
    results = Counter(o.result for o in outcomes)
    stored, responses = found.markers, len(found.per_response)
    return (
        f"{len(outcomes)} workers in {seconds:.0f} s ({kills}): thanked {results['thanked']}, "
        f"told already sent {results['told_already']}, failed {results['failed']}; "
        f"responses stored {responses}, markers stored {sum(stored.values())} "
        f"({sum(1 for n in stored.values() if n > 1)} more than once); "
        f"sends lost {sum(o.send_lost for o in outcomes)}; "
        f"retries {sum(o.retries for o in outcomes)}; saved before the crash "
        f"{sum(o.saved_before_crash for o in outcomes)}, resumed "
        f"{sum(o.resumed for o in outcomes)}; requests {sum(o.requests for o in outcomes)}; "
        f"failures {Counter(o.detail for o in outcomes if o.detail).most_common(3)}"
    )


def _check(outcomes: list[Outcome], found: Stored) -> None:
    stored, per_response = found.markers, found.per_response
    markers = {o.marker for o in outcomes}
    acknowledged = [o for o in outcomes if o.result in ("thanked", "told_already")]
    # Every acknowledged worker stored exactly once; nothing stored twice or unknown.
    assert all(stored[o.marker] == 1 for o in acknowledged)
    assert set(stored) <= markers
    assert max(stored.values()) == 1
    # No partial response: one per marker, each with every answer, no stray answers.
    assert len(per_response) == len(stored)
    assert set(per_response) == {CHOICES}
    assert found.orphans == 0
    # Every draft saved before the crash opened with its save code, answers intact.
    savers = [o for o in outcomes if o.saved_before_crash]
    assert savers
    assert all(o.resumed for o in savers)
    # Each worker kept trying until acknowledged.
    assert len(acknowledged) == len(outcomes)


def _crowd(port: int, tokens: list[str], crashed, restarted, into: list) -> threading.Thread:
    plan = CrowdPlan(workers=WORKERS, arrival_seconds=ARRIVAL_SECONDS)
    thread = threading.Thread(
        target=lambda: into.extend(run_crowd(port, tokens, plan, crashed, restarted)),
        daemon=True,
    )
    thread.start()
    return thread


def _crowd_through_crashes(
    server: Gunicorn, url: str, tokens: list[str], share: float, more: Callable[[], None]
) -> tuple[list[Outcome], int, float]:
    """A crowd walks while every gunicorn process is killed with -9 once ``share`` of it
    is stored, then started again; ``more`` runs after the restart (another crash).
    The workers' outcomes, the processes killed and the seconds it took."""
    crashed, restarted = threading.Event(), threading.Event()
    outcomes: list[Outcome] = []
    began = time.monotonic()
    server.start()
    try:
        crowd = _crowd(server.port, tokens, crashed, restarted, outcomes)
        _wait_for(url, share, 60)
        crashed.set()
        killed = server.kill()
        time.sleep(1.0)
        server.start()
        restarted.set()
        more()
        crowd.join(300)
    finally:
        crashed.set()
        restarted.set()
        server.stop()
    return outcomes, killed, time.monotonic() - began


def test_kill_9_of_every_gunicorn_process_on_sqlite_loses_nothing(
    sqlite_template, tmp_path, monkeypatch
):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    instance = tmp_path / "instance"
    instance.mkdir()
    database = instance / "surveyapp.sqlite3"
    shutil.copyfile(sqlite_template, database)
    url = f"sqlite:///{database}"
    tokens = _setup(url, instance)
    server = Gunicorn(free_port(), _env(instance, url), tmp_path / "gunicorn.log")
    outcomes, killed, seconds = _crowd_through_crashes(server, url, tokens, 0.3, lambda: None)
    with contextlib.closing(sqlite3.connect(database)) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    found = read_stored(url)
    print(_summary(outcomes, found, seconds, f"sqlite, kill -9 of {killed} processes"))  # noqa: T201
    _check(outcomes, found)


@pytest.mark.postgres
def test_kill_9_of_gunicorn_and_of_postgres_loses_nothing(own_pg, tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    pg, url = own_pg
    instance = tmp_path / "instance"
    instance.mkdir()
    tokens = _setup(url, instance)
    server = Gunicorn(free_port(), _env(instance, url), tmp_path / "gunicorn.log")

    def database_crash() -> None:
        # Then the database server itself, mid-crowd, started again after a moment.
        _wait_for(url, 0.55, 90)
        _assert_durable_settings(pg)
        pg.kill()
        time.sleep(1.0)
        pg.start()

    outcomes, killed, seconds = _crowd_through_crashes(server, url, tokens, 0.25, database_crash)
    found = read_stored(url)
    kills = f"postgresql, kill -9 of {killed} gunicorn processes, then of postgres"
    print(_summary(outcomes, found, seconds, kills))  # noqa: T201 - the figures, with -s
    _check(outcomes, found)


def _assert_durable_settings(pg: PostgresServer) -> None:
    """A commit acknowledged to a worker survives a server crash only with these on."""
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="postgres") as c:
        assert c.execute("SHOW synchronous_commit").fetchone() == ("on",)
        assert c.execute("SHOW fsync").fetchone() == ("on",)
