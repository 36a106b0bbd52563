"""`surveyapp serve --workers`: how many processes, which server, and what production
refuses; the rate-limit key several processes share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveyapp import create_app, serving
from surveyapp.cli import main
from surveyapp.ratelimit import anonymous_client_key

from ..conftest import SECRET
from ..postgres import free_port

KEY = "production-key-0123456789abcdefghijklmnopqrstuvwxyz"
PRODUCTION = {"SURVEYAPP_ENV": "production", "SECRET_KEY": KEY, "SURVEYAPP_HTTPS": "1"}
REFUSED = (
    "error: SURVEYAPP_ENV=production with {n} processes needs a shared rate-limit store:"
    " set RATELIMIT_STORAGE_URI=redis://host:6379 (memory:// counts in each process on its"
    " own){hint}"
)


@pytest.fixture
def upgraded(tmp_path: Path) -> dict[str, str]:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SURVEYAPP_INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": SECRET,
    }
    result = CliRunner().invoke(main, ["db", "upgrade"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return env


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """What serving.serve was asked for (the number of processes), instead of serving."""
    calls: list[int] = []
    monkeypatch.setattr(serving, "serve", lambda *_args, workers=1, **_kw: calls.append(workers))
    return calls


def _serve(env: dict[str, str], *args: str):
    return CliRunner().invoke(main, ["serve", *args], env=env, catch_exceptions=False)


def test_by_default_one_process_per_core(upgraded, served, monkeypatch):
    monkeypatch.setattr(serving, "default_workers", lambda: 3)
    assert _serve(upgraded).exit_code == 0
    assert served == [3]


def test_workers_chooses_the_number(upgraded, served):
    assert _serve(upgraded, "--workers", "1").exit_code == 0
    assert _serve(upgraded, "--workers", "5").exit_code == 0
    assert served == [1, 5]


def test_without_gunicorn_one_waitress_process_says_so_in_one_line(upgraded, served, monkeypatch):
    monkeypatch.setattr(serving, "gunicorn_missing", lambda: "gunicorn does not run here")
    result = _serve(upgraded, "--workers", "4")
    assert result.exit_code == 0
    assert (
        result.output
        == "gunicorn does not run here: serving with waitress in one process (one core).\n"
    )
    assert served == [1]


@pytest.mark.parametrize(("workers", "refused"), [("1", False), ("2", True), ("3", True)])
def test_production_refuses_memory_counters_for_several_serve_processes(
    upgraded, served, workers, refused
):
    result = _serve({**upgraded, **PRODUCTION}, "--workers", workers)
    if refused:
        line = REFUSED.format(n=workers, hint=" or serve with --workers 1")
        assert (result.exit_code, result.output) == (1, line + "\n")
        assert served == []
    else:
        assert (result.exit_code, served) == (0, [1])


def test_production_with_a_shared_store_serves_several_processes(upgraded, served):
    env = {**upgraded, **PRODUCTION, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"}
    assert _serve(env, "--workers", "4").exit_code == 0
    assert served == [4]


def test_default_workers_is_the_cores_this_process_may_use():
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert serving.default_workers() == expected


def test_gunicorn_refuses_memory_counters_with_workers_set_in_a_config_file(tmp_path):
    """The count only gunicorn knows (a configuration file's) is checked before any worker."""
    conf = tmp_path / "conf.py"
    conf.write_text("from surveyapp.gunicorn_conf import *  # noqa: F403\nworkers = 2\n")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SURVEYAPP_", "DATABASE_URL", "RATELIMIT_", "WEB_CONCURRENCY"))
    }
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(conf), "--bind"]
        + [f"127.0.0.1:{free_port()}", "surveyapp.wsgi:app"],
        env={**env, **PRODUCTION, "SURVEYAPP_INSTANCE_PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    # After gunicorn's own "Starting gunicorn" line, ours, and no traceback.
    assert result.stderr.splitlines()[-1] == REFUSED.format(n=2, hint="")
    assert "Traceback" not in result.stderr
    assert "Booting worker" not in result.stderr


def _key(storage: str, secret: str, address: str) -> str:
    app = create_app({"SECRET_KEY": secret, "RATELIMIT_STORAGE_URI": storage})
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        return anonymous_client_key()


def test_with_a_shared_store_every_process_keys_a_client_alike(sqlite_app):
    shared = "redis://127.0.0.1:1/0"
    # Two apps stand for two processes or hosts: the same key, under the same SECRET_KEY.
    assert _key(shared, SECRET, "192.0.2.1") == _key(shared, SECRET, "192.0.2.1")
    assert _key(shared, SECRET, "192.0.2.1") != _key(shared, SECRET, "192.0.2.2")
    assert _key(shared, SECRET, "192.0.2.1") != _key(shared, SECRET + "x", "192.0.2.1")
    # memory:// keeps the process's own random salt, unrelated to SECRET_KEY.
    assert _key("memory://", SECRET, "192.0.2.1") != _key(shared, SECRET, "192.0.2.1")
