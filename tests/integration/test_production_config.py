"""The real `surveyapp` command refuses a configuration that cannot work: one line, exit 1.

Run as shipped, in a subprocess, so the test sees exactly what an operator sees: the
status, and stderr with nothing but the line (no traceback).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..load_workers import serve
from ..postgres import free_port

pytestmark = pytest.mark.slow

SURVEYAPP = str(Path(sys.executable).with_name("surveyapp"))
KEY = "production-key-0123456789abcdefghijklmnopqrstuvwxyz"
PRODUCTION = {"SURVEYAPP_ENV": "production", "SECRET_KEY": KEY, "SURVEYAPP_HTTPS": "1"}
#: Variables of the machine running the tests that would change what is checked.
_INHERITED = (
    "SURVEYAPP_",
    "DATABASE_URL",
    "SECRET_KEY",
    "RATELIMIT_",
    "WEB_CONCURRENCY",
    "GUNICORN",
)


def _environment(instance: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED)}
    return {**env, "SURVEYAPP_INSTANCE_PATH": str(instance), **settings}


def _surveyapp(instance: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SURVEYAPP, *args],
        env=_environment(instance, **settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("settings", "line"),
    [
        (
            {**PRODUCTION, "SECRET_KEY": ""},
            "error: SURVEYAPP_ENV=production needs SECRET_KEY: at least 32 random characters,"
            " the same on every host",
        ),
        (
            {**PRODUCTION, "SURVEYAPP_HTTPS": "0"},
            "error: SURVEYAPP_ENV=production needs SURVEYAPP_HTTPS=1: serve it over HTTPS"
            " (directly or behind a TLS proxy)",
        ),
        (
            {**PRODUCTION, "SURVEYAPP_PROCESSES": "2"},
            "error: SURVEYAPP_ENV=production with 2 processes needs a shared rate-limit store:"
            " set RATELIMIT_STORAGE_URI=redis://host:6379 (memory:// counts in each process on"
            " its own)",
        ),
        (
            {**PRODUCTION, "WEB_CONCURRENCY": "3", "RATELIMIT_STORAGE_URI": "memory://"},
            "error: SURVEYAPP_ENV=production with 3 processes needs a shared rate-limit store:"
            " set RATELIMIT_STORAGE_URI=redis://host:6379 (memory:// counts in each process on"
            " its own)",
        ),
        (
            {"SURVEYAPP_ENV": "prod"},
            "error: SURVEYAPP_ENV='prod' is not one of: development, production",
        ),
        (
            {"SURVEYAPP_DRAFT_DAYS": "fourteen"},
            "error: SURVEYAPP_DRAFT_DAYS='fourteen' is not a whole number; write it like '14'",
        ),
        (
            {"SURVEYAPP_LIMIT_LOGIN": "ten/minute"},
            "error: SURVEYAPP_LIMIT_LOGIN='ten/minute' is not a rate limit;"
            " write it like '10/minute;100/hour'",
        ),
        (
            {"RATELIMIT_STORAGE_URI": "memcached://cache:11211"},
            "error: RATELIMIT_STORAGE_URI: 'pymemcache' prerequisite not available. See"
            " https://limits.readthedocs.io/en/stable/storage.html#supported-versions for more"
            " details.",
        ),
    ],
    ids=[
        "no-secret-key",
        "https-off",
        "memory-store-2-processes",
        "memory-store-web-concurrency",
        "unknown-env",
        "draft-days-not-a-number",
        "bad-rate-limit",
        "store-without-its-library",
    ],
)
def test_serve_refuses_with_one_line(tmp_path, settings, line):
    result = _surveyapp(tmp_path, "serve", "--port", str(free_port()), **settings)
    assert (result.returncode, result.stderr.splitlines()) == (1, [line])
    assert result.stdout == ""
    if settings.get("SURVEYAPP_ENV") == "production":
        assert not (tmp_path / "secret_key").exists()


def test_unknown_variables_are_named_at_start(tmp_path):
    result = _surveyapp(tmp_path, "routes", SURVEYAPP_HTTP="1", SURVEYAPP_WIBBLE="x")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "warning: SURVEYAPP_HTTP is not a surveyapp setting and is ignored;"
        " did you mean SURVEYAPP_HTTPS?",
        "warning: SURVEYAPP_WIBBLE is not a surveyapp setting and is ignored",
    ]


def test_production_with_a_key_https_and_a_shared_store_serves(tmp_path):
    """Four processes and Redis: the store is not reached to start (only to count)."""
    upgrade = _surveyapp(tmp_path, "db", "upgrade", **PRODUCTION)
    assert upgrade.returncode == 0, upgrade.stderr
    settings = {
        **PRODUCTION,
        "SURVEYAPP_PROCESSES": "4",
        # Nothing listens there: starting must not need the store.
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0",
    }
    with serve(tmp_path, free_port(), extra_env=settings) as server:
        log = server.log.read_text("utf-8")
    assert log.startswith("Serving surveyapp on http://127.0.0.1:")
    assert "error" not in log
    assert "warning" not in log
    assert not (tmp_path / "secret_key").exists()


def test_outside_production_the_demo_conveniences_still_start(tmp_path):
    result = _surveyapp(tmp_path, "routes", SURVEYAPP_PROCESSES="4")
    assert (result.returncode, result.stderr) == (0, "")
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
