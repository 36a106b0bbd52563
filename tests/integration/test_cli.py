"""The surveyapp command: demo, serve, db upgrade and instrument checks."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from surveyapp import create_app
from surveyapp.cli import main
from surveyapp.extensions import db
from surveyapp.models import Answer, Comment, Employer, Response, Wave

from ..conftest import SECRET

ROOT = Path(__file__).resolve().parents[2]


def _run(url: str, instance: Path, *args: str):
    from click.testing import CliRunner

    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "SURVEYAPP_INSTANCE_PATH": str(instance)}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def empty_url(request, tmp_path):
    """An empty database (no tables): SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server = request.getfixturevalue("pg_server")
    name = f"empty_{os.getpid()}_{tmp_path.name[-8:]}".replace("-", "_").lower()
    server.psql(f"CREATE DATABASE {name}")
    yield server.url(name)
    server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.parametrize(
    "empty_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_demo_creates_a_realistic_partnership_once(empty_url, tmp_path, monkeypatch):
    first = _run(empty_url, tmp_path, "demo", "--no-serve", "--port", "8123")
    assert first.exit_code == 0, first.output
    assert "created" in first.output
    links = re.findall(r"http://127\.0\.0\.1:8123/s/[A-Za-z0-9_-]{32}", first.output)
    assert len(links) == 12
    second = _run(empty_url, tmp_path, "demo", "--no-serve", "--port", "8123")
    assert "already present" in second.output
    assert re.findall(r"http://127\.0\.0\.1:8123/s/[A-Za-z0-9_-]{32}", second.output) == links

    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_url, "SECRET_KEY": SECRET})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Employer)) == 12
        statuses = sorted(db.session.scalars(select(Wave.status)))
        assert statuses == ["closed", "closed", "open"]
        closed = db.session.scalar(select(Wave).where(Wave.name == "Spring wave"))
        per_employer = dict(
            db.session.execute(
                select(Response.employer_id, func.count())
                .where(Response.wave_id == closed.id)
                .group_by(Response.employer_id)
            ).all()
        )
        assert 1400 <= sum(per_employer.values()) <= 1600
        assert min(per_employer.values()) < 5  # one employer below k, to show suppression
        # Answers differ by employer: mean agreement with "Overall, this is a good job".
        rows = db.session.execute(
            select(Response.employer_id, Answer.code)
            .join(Answer)
            .where(Answer.item_id == "G1", Answer.code <= 5)
        ).all()
        by_employer: dict[int, list[int]] = {}
        for employer_id, code in rows:
            by_employer.setdefault(employer_id, []).append(code)
        means = [np.mean(v) for v in by_employer.values() if len(v) >= 30]
        assert max(means) - min(means) > 0.8
        # Some honest "prefer not to say" / "not sure" answers, and some comments.
        missing = db.session.scalar(
            select(func.count()).select_from(Answer).where(Answer.code >= 98)
        )
        assert missing > 500
        assert db.session.scalar(select(func.count()).select_from(Comment)) > 50
        db.session.remove()
        db.engine.dispose()


def test_serve_refuses_a_database_that_is_not_set_up(tmp_path):
    result = _run(f"sqlite:///{tmp_path / 'nothing.sqlite3'}", tmp_path, "serve", "--port", "8124")
    assert result.exit_code == 1
    assert "Run `surveyapp db upgrade` first" in result.output


def test_db_upgrade_then_serve_answers_http_without_logging_addresses(tmp_path):
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    assert _run(url, tmp_path, "db", "upgrade").exit_code == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1] % 10000 + 20000
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "SURVEYAPP_INSTANCE_PATH": str(tmp_path),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "surveyapp.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                    body = reply.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert body == "ok"
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/s/{'C' * 32}", timeout=2)
        info.value.close()
        assert info.value.code == 404
        assert "waitress" not in info.value.headers.get("Server", "")
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "127.0.0.1 -" not in output  # no access log line
    assert "/s/CCCC" not in output


def test_instruments_check_accepts_the_shipped_files(tmp_path):
    result = _run(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, "instruments", "check")
    assert result.exit_code == 0
    assert re.search(r"ok: .*worker-v1\.toml: worker v1, 43 items", result.output)
    assert re.search(r"ok: .*worker-v2\.toml: worker v2, 43 items", result.output)


def test_instruments_check_names_the_problem(tmp_path):
    broken = tmp_path / "worker-v9.toml"
    text = (ROOT / "instruments" / "worker-v1.toml").read_text("utf-8")
    broken.write_text(text.replace('id = "SAF2"\n', 'id = "SAF2"\nrequired = "maybe"\n'), "utf-8")
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["instruments", "check", str(broken)])
    assert result.exit_code == 1
    assert "item 'SAF2': field 'required'" in result.output


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    first = create_app({"SQLALCHEMY_DATABASE_URI": url}).config["SECRET_KEY"]
    second = create_app({"SQLALCHEMY_DATABASE_URI": url}).config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_short_secret_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ValueError, match="SECRET_KEY is too short"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "abc"})


def test_database_url_chooses_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'chosen.sqlite3'}")
    app = create_app({"SECRET_KEY": SECRET})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("chosen.sqlite3")
    monkeypatch.delenv("DATABASE_URL")
    default = create_app({"SECRET_KEY": SECRET})
    assert (
        default.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'surveyapp.sqlite3'}"
    )


@pytest.mark.parametrize(
    "empty_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
@pytest.mark.parametrize(
    "args",
    [
        ["waves"],
        ["partnerships", "list"],
        ["results", "recompute", "--wave", "1"],
        ["export", "--wave", "1", "--out", "{tmp}/x.csv", "--codebook", "{tmp}/c.csv"],
    ],
)
def test_commands_on_a_database_without_tables_say_how_to_set_it_up(empty_url, tmp_path, args):
    result = _run(empty_url, tmp_path, *(a.format(tmp=tmp_path) for a in args))
    assert result.exit_code == 1, result.output
    assert "Run `surveyapp db upgrade` first." in result.output
    assert "Traceback" not in result.output
    assert "SELECT" not in result.output


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://nobody@127.0.0.1:{port}/none"
    result = _run(url, tmp_path, "waves")
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("error: the database failed:"), result.output
    assert "Traceback" not in result.output
