"""The declarative base, constraint naming, and SQLite connection settings."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import MetaData, Table, event, orm
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, scoped_session

from .writequeue import enter_write_queue, leave_write_queue

# Stable constraint names keep Alembic diffs and downgrades predictable (Indico).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: What code that queries takes: a SQLAlchemy session, or ``db.session``, the
#: request-scoped proxy Flask-SQLAlchemy hands out, which has the same methods but
#: is not a Session subclass. Modules import this in place of SQLAlchemy's name.
Session: TypeAlias = orm.Session | scoped_session[FlaskSession]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    if TYPE_CHECKING:
        # Every model maps one table (no joined or selectable mappings), so core
        # insert/update/delete can take ``Model.__table__``; SQLAlchemy can only
        # promise a FromClause.
        __table__: ClassVar[Table]


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL mode and foreign keys for every SQLite connection.

    The busy timeout comes from the driver's ``timeout`` (see config.py).
    ``synchronous=FULL``: a response acknowledged to a worker survives power loss.
    ``secure_delete`` and ``journal_size_limit``: what was deleted does not stay in
    the files (anonymity of the files at rest).
    Autocommit at the driver level lets :func:`_begin_sqlite` issue BEGIN itself, so
    write transactions can take the write lock up front (``BEGIN IMMEDIATE``).
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    # Deleted rows (sent drafts, released comments) are overwritten with zeros, not
    # left readable in free pages of the file.
    cursor.execute("PRAGMA secure_delete=ON")
    # When the WAL restarts after a checkpoint it is cut back to nothing, so old
    # page images do not linger in it (see checkpoint.py for the regular checkpoint).
    cursor.execute("PRAGMA journal_size_limit=0")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection: Any) -> None:
    if connection.dialect.name != "sqlite":
        return
    # A transaction that reads and then writes cannot wait for the lock in WAL mode
    # (SQLITE_BUSY at once); writers ask for it at BEGIN via this execution option.
    if not connection.get_execution_options().get("sqlite_immediate"):
        connection.exec_driver_sql("BEGIN")
        return
    enter_write_queue(connection)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        leave_write_queue(connection.connection._connection_record)
        raise


def begin_write(session: Any) -> None:
    """Start ``session``'s transaction holding SQLite's write lock from its first
    statement (call it before anything else in the transaction)."""
    session.connection(execution_options={"sqlite_immediate": True})
