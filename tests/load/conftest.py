"""A PostgreSQL server of the test's own, which the test may stop or kill -9."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import REQUIRE_POSTGRES, _migrate
from ..postgres import PostgresServer, PostgresUnavailable, running_server
from ..redis_server import RedisUnavailable, running_redis

#: SURVEYAPP_LOAD=long runs the load tests at full size (README, "Load tests").
LONG = os.environ.get("SURVEYAPP_LOAD") == "long"
#: CI (.ci/run) sets it: there a missing redis-server fails the production test.
REQUIRE_REDIS = os.environ.get("SURVEYAPP_REQUIRE_REDIS") == "1"


@pytest.fixture
def own_pg(tmp_path: Path) -> Iterator[tuple[PostgresServer, str]]:
    """A throwaway server (not the suite's shared one) and a migrated database on it."""
    try:
        with running_server() as server:
            server.psql("CREATE DATABASE surveyapp")
            url = server.url("surveyapp")
            _migrate(url, tmp_path / "migrate")
            yield server, url
    except PostgresUnavailable as exc:
        if REQUIRE_POSTGRES:
            pytest.fail(f"SURVEYAPP_REQUIRE_POSTGRES=1 but {exc}", pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture
def own_redis() -> Iterator[str]:
    """A throwaway Redis server; its redis:// URL."""
    try:
        with running_redis() as url:
            yield url
    except RedisUnavailable as exc:
        if REQUIRE_REDIS:
            pytest.fail(f"SURVEYAPP_REQUIRE_REDIS=1 but {exc}", pytrace=False)
        pytest.skip(str(exc))
