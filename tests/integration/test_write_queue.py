"""The SQLite write queue (surveyapp/writequeue.py) hands the turn on however a write
transaction ends, between threads and between processes, and a killed writer never
blocks the others. Each test would hang or fail if the queue leaked its lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import surveyapp.db  # noqa: F401 - registers the SQLite settings and the queue
from surveyapp.writequeue import SUFFIX

#: Generous: a leaked lock would block for the whole busy timeout instead.
PROMPT = 5.0


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'q.sqlite3'}", connect_args={"timeout": 30})
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    yield engine
    engine.dispose()


def _writer(engine: Engine) -> sa.Connection:
    return engine.connect().execution_options(sqlite_immediate=True)


def _write_in_thread(engine: Engine) -> tuple[threading.Thread, threading.Event]:
    """A second writer; its event is set once it holds the write transaction."""
    started = threading.Event()

    def run() -> None:
        with _writer(engine) as connection, connection.begin():
            started.set()
            connection.exec_driver_sql("INSERT INTO t VALUES (2)")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, started


def test_a_second_writer_waits_for_the_first_and_goes_on_after_commit(engine: Engine) -> None:
    with _writer(engine) as first:
        first.begin()
        first.exec_driver_sql("INSERT INTO t VALUES (1)")
        thread, started = _write_in_thread(engine)
        assert not started.wait(0.3), "two writers held the write transaction at once"
        first.commit()
        assert started.wait(PROMPT)
    thread.join(PROMPT)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT n FROM t ORDER BY n").scalars().all() == [1, 2]


@pytest.mark.parametrize("ending", ["rollback", "close", "invalidate", "error"])
def test_the_turn_passes_on_however_the_transaction_ends(engine: Engine, ending: str) -> None:
    first = _writer(engine)
    first.begin()
    thread, started = _write_in_thread(engine)
    assert not started.wait(0.3)
    if ending == "rollback":
        first.rollback()
    elif ending == "close":  # returned to the pool with the transaction open
        first.close()
    elif ending == "invalidate":
        first.invalidate()
    else:
        with pytest.raises(sa.exc.OperationalError):
            first.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")
        first.rollback()
    assert started.wait(PROMPT), f"the queue stayed locked after {ending}"
    thread.join(PROMPT)
    first.close()


def test_readers_never_queue(engine: Engine) -> None:
    with _writer(engine) as writer, writer.begin():
        writer.exec_driver_sql("INSERT INTO t VALUES (1)")
        with engine.connect() as reader:  # WAL: a reader goes on beside the writer
            assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0


_HOLDER = textwrap.dedent(
    """
    import sys, time
    import sqlalchemy as sa
    import surveyapp.db
    engine = sa.create_engine("sqlite:///" + sys.argv[1])
    connection = engine.connect().execution_options(sqlite_immediate=True)
    connection.begin()
    connection.exec_driver_sql("INSERT INTO t VALUES (9)")
    print("holding", flush=True)
    time.sleep(600)
    """
)


def test_a_writer_in_another_process_holds_the_turn_until_it_is_killed(
    engine: Engine, tmp_path: Path
) -> None:
    database = tmp_path / "q.sqlite3"
    holder = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", _HOLDER, str(database)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        assert (tmp_path / f"q.sqlite3{SUFFIX}").exists()
        thread, started = _write_in_thread(engine)
        assert not started.wait(0.5), "a writer went on while another process held the turn"
        began = time.monotonic()
        holder.send_signal(signal.SIGKILL)
        assert started.wait(PROMPT), "a killed process left the queue locked"
        assert time.monotonic() - began < PROMPT
        thread.join(PROMPT)
    finally:
        holder.kill()
        holder.communicate()
    with engine.connect() as connection:  # the killed writer's row never landed
        assert connection.exec_driver_sql("SELECT n FROM t").scalars().all() == [2]
