"""`surveyapp serve` and `surveyapp demo` as shipped, in real processes on real sockets."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

import pytest

from ..conftest import SECRET
from ..load_workers import create_demo, serve, surveyapp_env
from ..postgres import free_port

pytestmark = pytest.mark.slow

SURVEYAPP = str(Path(sys.executable).with_name("surveyapp"))
LINK = re.compile(r"(https?://\S+)/s/([A-Za-z0-9_-]+)")


@dataclass
class Served:
    port: int
    tokens: list[str]
    database: Path
    env: dict[str, str]
    process: subprocess.Popen[str]

    def connection(self, timeout: float = 10) -> HTTPConnection:
        return HTTPConnection("127.0.0.1", self.port, timeout=timeout)


def _environment(instance: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SURVEYAPP_", "DATABASE"))}
    return {**env, "SURVEYAPP_INSTANCE_PATH": str(instance), "SECRET_KEY": SECRET, **extra}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`surveyapp demo --no-serve`, then `surveyapp serve` checkpointing every second."""
    instance = tmp_path_factory.mktemp("served")
    tokens = create_demo(instance)
    with serve(instance, free_port(), extra_env={"SURVEYAPP_CHECKPOINT_SECONDS": "1"}) as server:
        yield Served(
            server.port,
            tokens,
            instance / "surveyapp.sqlite3",
            surveyapp_env(instance),
            server.process,
        )


def test_a_port_already_in_use_is_one_plain_line(served):
    result = subprocess.run(
        [SURVEYAPP, "serve", "--port", str(served.port)],
        env=served.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: port {served.port} on 127.0.0.1 is already in use (is surveyapp already "
        f"running?). Choose another port with --port, e.g. --port {served.port + 1}."
    ]
    assert "Traceback" not in result.stdout + result.stderr


def test_hundreds_of_idle_phones_do_not_lock_out_the_next_one(served):
    """Waitress's default of 100 connections left a crowd with no answer at all."""
    idle = []
    try:
        for _ in range(300):
            phone = socket.create_connection(("127.0.0.1", served.port), timeout=5)
            idle.append(phone)
        time.sleep(0.5)  # let the server accept them all
        started = time.monotonic()
        connection = served.connection(timeout=10)
        idle.append(connection)
        connection.request("GET", f"/s/{served.tokens[0]}")
        response = connection.getresponse()
        assert response.status == 200
        assert time.monotonic() - started < 5
    finally:
        for phone in idle:
            phone.close()


def test_an_oversized_chunked_body_is_refused_before_it_is_read(served):
    """Refused by the server at its body limit, not spooled to disk first (was 300 MB)."""
    sent = 0
    chunk = b"x" * 65536
    head = (
        f"POST /s/{served.tokens[0]}/p/1 HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(head)
        answer = b""
        try:
            while sent < 300 * 1024 * 1024:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                sock.setblocking(False)
                try:
                    answer = sock.recv(65536)
                except BlockingIOError:
                    answer = b""
                sock.setblocking(True)
                if answer:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        if not answer:
            sock.settimeout(5)
            answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 4 * 1024 * 1024, f"{sent} bytes were accepted before the refusal"


def _start_a_survey(served: Served) -> None:
    """GET the first page and POST its form, as a browser would (cookie and token)."""
    token = served.tokens[0]
    connection = served.connection()
    connection.request("GET", f"/s/{token}")
    page = connection.getresponse()
    html = page.read().decode()
    cookies = "; ".join(
        value.split(";")[0] for key, value in page.getheaders() if key.lower() == "set-cookie"
    )
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    connection.request(
        "POST",
        f"/s/{token}/start",
        body=f"csrf_token={csrf}",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies},
    )
    started = connection.getresponse()
    started.read()
    connection.close()
    assert started.status == 302


def test_the_write_ahead_log_is_cut_back_while_serving(served):
    """Old page images must not pile up in the WAL (it reached 6.8 MB under the demo)."""
    wal = served.database.with_name(served.database.name + "-wal")
    _start_a_survey(served)
    assert wal.exists()
    deadline = time.monotonic() + 10
    while wal.stat().st_size > 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert wal.stat().st_size == 0
    assert served.process.poll() is None


def test_demo_on_all_interfaces_prints_links_a_phone_can_open(tmp_path):
    env = _environment(tmp_path)
    result = subprocess.run(
        [SURVEYAPP, "demo", "--no-serve", "--host", "0.0.0.0", "--port", "8000"],  # noqa: S104
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    bases = {match.group(1) for match in LINK.finditer(result.stdout)}
    assert len(bases) == 1
    base = bases.pop()
    assert "0.0.0.0" not in base  # noqa: S104
    assert base.endswith(":8000")
    assert "SURVEYAPP_PUBLIC_URL" in result.stdout
    if base == "http://127.0.0.1:8000":
        assert "Could not find this machine's network address" in result.stdout
    else:
        assert "Phones on the same network can open the links below" in result.stdout


def test_demo_links_use_the_public_url_when_it_is_set(tmp_path):
    env = _environment(tmp_path, SURVEYAPP_PUBLIC_URL="https://survey.example.org/")
    result = subprocess.run(
        [SURVEYAPP, "demo", "--no-serve", "--host", "0.0.0.0"],  # noqa: S104
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    bases = {match.group(1) for match in LINK.finditer(result.stdout)}
    assert bases == {"https://survey.example.org"}


def test_a_limit_that_cannot_work_stops_the_server_with_one_line(tmp_path):
    env = _environment(tmp_path, SURVEYAPP_LIMIT_PAGE="lots")
    result = subprocess.run(
        [SURVEYAPP, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: SURVEYAPP_LIMIT_PAGE='lots' is not a rate limit; write it like '20000/hour'"
    ]


def test_the_connection_pool_has_room_for_every_server_thread(app):
    """With more threads than pooled connections, requests would queue for a connection."""
    from surveyapp.config import MAX_THREADS
    from surveyapp.extensions import db

    with app.app_context():
        pool = db.engine.pool
        assert pool.size() + pool._max_overflow >= MAX_THREADS + 1  # noqa: SLF001
    too_many = subprocess.run(
        [SURVEYAPP, "serve", "--threads", str(MAX_THREADS + 1)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_environment(Path(app.instance_path)),
    )
    assert too_many.returncode == 2
    assert "--threads" in too_many.stderr
