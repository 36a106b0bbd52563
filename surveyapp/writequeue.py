"""Writers to one SQLite file wait their turn in a queue, not in SQLite's busy loop.

SQLite lets one writer at a time hold the write lock; the others retry after sleeping
1, 2, 5, 10, 15, 20, 25 ... ms (its default busy handler). A page save holds the lock
for about a millisecond, so a waiting save mostly sleeps past the moment the lock
came free: with two busy processes, saves took 6 ms at the median and 65 ms at p99.
Here a writer first takes a lock that hands over the moment it is released (a thread
lock inside the process, an ``flock`` on a file beside the database between
processes), so SQLite's own lock is almost always free at ``BEGIN IMMEDIATE``.

The queue is an optimisation, not the guard: SQLite's lock still keeps writers apart
(a writer that skipped the queue, another host on a network share), and the kernel
drops an ``flock`` when its process dies, so a killed writer never blocks the rest.
The queue is left when the transaction ends in any way: commit, rollback, the pool's
reset on check-in, an invalidated connection.
"""

from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path
from typing import IO, Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

try:
    import fcntl
except ImportError:  # Windows: the thread lock alone (one process serves there)
    fcntl = None  # type: ignore[assignment]

#: The file beside the database that writers ``flock``; it stays empty.
SUFFIX = "-writers"


class WriteQueue:
    """A lock shared by the threads of this process and, by ``flock``, other processes."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + SUFFIX)
        self._thread_lock = threading.Lock()
        self._file: IO[bytes] | None = None
        self._owner_pid = 0

    def acquire(self) -> None:
        self._thread_lock.acquire()
        try:
            if fcntl is not None:
                fcntl.flock(self._lock_file().fileno(), fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise

    def release(self) -> None:
        try:
            if fcntl is not None and self._file is not None:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def _lock_file(self) -> IO[bytes]:
        # A forked worker (gunicorn) opens its own: an flock belongs to the open file,
        # which a fork shares with its parent and siblings.
        if self._file is None or self._owner_pid != os.getpid():
            handle = open(self.path, "ab")  # noqa: SIM115 - kept open for the queue's life
            weakref.finalize(self, handle.close)
            self._file, self._owner_pid = handle, os.getpid()
        return self._file


_queues: weakref.WeakKeyDictionary[Engine, WriteQueue] = weakref.WeakKeyDictionary()
_queues_lock = threading.Lock()


def _queue_for(engine: Engine) -> WriteQueue | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    with _queues_lock:
        queue = _queues.get(engine)
        if queue is None:
            queue = _queues[engine] = WriteQueue(Path(database).resolve())
        return queue


def enter_write_queue(connection: Any) -> None:
    """Wait for this connection's turn to write (SQLite files only)."""
    queue = _queue_for(connection.engine)
    if queue is not None:
        queue.acquire()
        connection.connection._connection_record.info["write_queue"] = queue


def leave_write_queue(record: Any) -> None:
    queue = record.info.pop("write_queue", None) if record is not None else None
    if queue is not None:
        queue.release()


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(connection: Any) -> None:
    if connection.dialect.name == "sqlite" and not connection.invalidated:
        leave_write_queue(connection.connection._connection_record)


@event.listens_for(Pool, "checkin")
def _returned_to_pool(_dbapi_connection: Any, record: Any) -> None:
    leave_write_queue(record)


@event.listens_for(Pool, "invalidate")
def _invalidated(_dbapi_connection: Any, record: Any, _exception: Any) -> None:
    leave_write_queue(record)
