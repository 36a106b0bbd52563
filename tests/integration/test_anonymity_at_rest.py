"""A copy of the database files, taken at any moment, cannot pair free text with answers.

Workers write comments with unique markers; some save and leave, some send. Then
the raw bytes of every database file (SQLite's file, WAL and shared memory; the
whole PostgreSQL data folder, its WAL and its log) are searched for the markers.
A marker found in plain text there would sit next to the answers written with it.
As a control, the same search finds the markers once the comments are released
to staff (in a shuffled batch, apart from any response), so the search can see
what it looks for.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Wave
from surveyapp.waves import close_wave

from ..factories import make_wave
from ..survey_driver import SurveyDriver, default_answers

SENDERS = 4  # fewer than settle.BATCH: their comments stay pending
SAVERS = 3


def _walk_with_markers(app) -> list[bytes]:
    token = make_wave(app)[0]
    markers = []
    for index in range(SENDERS + SAVERS):
        marker = f"marker-{secrets.token_hex(8)}"
        markers.append(marker.encode())
        worker = SurveyDriver(app.test_client(), token)
        answers = default_answers(worker.instrument)
        answers["CHANGE"] = f"Please fix the lifts {marker} on the east wing"
        worker.start()
        if index < SENDERS:
            assert worker.complete_started(answers).status_code == 302
        else:
            pages = len(worker.instrument.pages)
            for number in range(1, pages + 1):
                worker.answer_page(number, answers)
            # Saved for later, comment included: the draft holds it with the answers.
            worker.answer_page(pages, answers, action="save")
    return markers


def _found(folder: Path, markers: list[bytes]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            data = path.read_bytes()
        except PermissionError:  # pragma: no cover - PostgreSQL's own lock files
            continue
        hits = [m.decode() for m in markers if m in data]
        if hits:
            found[str(path.relative_to(folder))] = hits
    return found


def _release(app) -> None:
    with app.app_context():
        wave = db.session.scalar(select(Wave))
        close_wave(db.session, wave)
        db.session.commit()


def test_sqlite_files_hold_no_comment_in_plain_text(sqlite_app, tmp_path):
    markers = _walk_with_markers(sqlite_app)
    database = Path(sqlite_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    copy = tmp_path / "stolen"
    copy.mkdir()
    # Copied while the app still has it open: the WAL is part of the copy.
    for path in database.parent.glob(database.name + "*"):
        shutil.copy(path, copy / path.name)
    assert (copy / (database.name + "-wal")).exists()
    assert _found(copy, markers) == {}

    _release(sqlite_app)
    released = tmp_path / "released"
    released.mkdir()
    for path in database.parent.glob(database.name + "*"):
        shutil.copy(path, released / path.name)
    # The control: released comments are readable, so the search works.
    assert sorted(h for hits in _found(released, markers).values() for h in hits) >= sorted(
        m.decode() for m in markers[:SENDERS]
    )


def test_postgres_data_folder_and_log_hold_no_comment_in_plain_text(
    postgres_app, pg_server, tmp_path
):
    markers = _walk_with_markers(postgres_app)
    # Write everything to the data files, as a backup taken now would see it.
    pg_server.psql("CHECKPOINT")
    copy = tmp_path / "pgdata"
    shutil.copytree(pg_server.datadir, copy, ignore=shutil.ignore_patterns("*.pid", ".s.PGSQL*"))
    assert _found(copy, markers) == {}

    _release(postgres_app)
    pg_server.psql("CHECKPOINT")
    found = _found(pg_server.datadir, markers)
    released = {h for hits in found.values() for h in hits}
    assert released >= {m.decode() for m in markers[:SENDERS]}


def test_sqlite_deletes_securely_and_keeps_the_wal_short(sqlite_app):
    with sqlite_app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_size_limit").scalar() == 0
