"""Fixtures: an app on a freshly migrated database, on SQLite and on PostgreSQL.

The schema comes only from the Alembic migrations. One migrated template database
is made per test session (a SQLite file, a PostgreSQL template database); each test
gets its own copy, so tests never see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp import create_app
from surveyapp.extensions import db, limiter

from .postgres import PostgresServer, PostgresUnavailable, running_server

SECRET = "test-secret-key-0123456789abcdef-0123456789"
REQUIRE_POSTGRES = os.environ.get("SURVEYAPP_REQUIRE_POSTGRES") == "1"


def _config(url: str, **extra: object) -> dict[str, object]:
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": SECRET,
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        **extra,
    }


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    previous = os.environ.get("SURVEYAPP_INSTANCE_PATH")
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app(_config(url))
    finally:
        if previous is None:
            os.environ.pop("SURVEYAPP_INSTANCE_PATH")
        else:
            os.environ["SURVEYAPP_INSTANCE_PATH"] = previous
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    _migrate(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    try:
        with running_server() as server:
            yield server
    except PostgresUnavailable as exc:
        if REQUIRE_POSTGRES:
            pytest.fail(f"SURVEYAPP_REQUIRE_POSTGRES=1 but {exc}", pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def pg_template(pg_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    pg_server.psql("CREATE DATABASE surveyapp_template")
    _migrate(pg_server.url("surveyapp_template"), tmp_path_factory.mktemp("pg-template"))
    return "surveyapp_template"


_pg_counter = itertools.count()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database for one test, on each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    yield request.getfixturevalue("postgres_url")


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh migrated PostgreSQL database, for tests about PostgreSQL itself."""
    server: PostgresServer = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    name = f"test_{os.getpid()}_{next(_pg_counter)}"
    server.psql(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield server.url(name)
    server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def postgres_app(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    yield from _make_app(postgres_url, tmp_path / "instance", monkeypatch)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def _make_app(
    url: str, instance: Path, monkeypatch: pytest.MonkeyPatch, **extra: object
) -> Iterator[Flask]:
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(instance))
    app = create_app(_config(url, **extra))
    if app.config["RATELIMIT_ENABLED"]:
        with app.app_context():
            limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The app on each database backend in turn."""
    yield from _make_app(database_url, tmp_path / "instance", monkeypatch)


@pytest.fixture
def sqlite_app(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The app on SQLite only, for tests about pages rather than storage."""
    yield from _make_app(sqlite_url, tmp_path / "instance", monkeypatch)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
