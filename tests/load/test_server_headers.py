"""The protective headers are the same on every response `surveyapp serve` can send,
over a real socket: pages, 404, 405, 413 (by Content-Length and chunked), 429, 503
(PostgreSQL stopped), and what the server answers by itself without the app (a
malformed request line, headers too large, a body over its limit; gunicorn also a
request line too long). Both servers: waitress (``--workers 1``) and gunicorn (more).
None of them writes the client's address into the server's output."""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from surveyapp import create_app
from surveyapp.extensions import db

from ..conftest import SECRET
from ..factories import make_wave
from ..load_workers import answering, surveyapp_env
from ..postgres import free_port

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SAME = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Cache-Control",
    "Referrer-Policy",
    "X-Frame-Options",
)


#: The tests' client address: loopback, but not the address the server listens on,
#: so finding it in the server's output can only mean a client address was written.
CLIENT = "127.0.0.2"


def _exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], str]:
    """Send raw bytes; read the first answer: (status, headers, body)."""
    with socket.create_connection(
        ("127.0.0.1", port), timeout=20, source_address=(CLIENT, 0)
    ) as sock:
        # The server may answer and close before taking everything.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < _length(data):
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body.decode("utf-8", "replace")


def _length(data: bytes) -> int:
    head, _, _ = data.partition(b"\r\n\r\n")
    found = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    return len(head) + 4 + int(found.group(1)) if found else 1 << 30


def _get(path: str, headers: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n".encode()


def _post(path: str, body: bytes, headers: str = "") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n{headers}\r\n"
    ).encode() + body


def _chunked(path: str, size: int) -> bytes:
    piece = b"a=" + b"x" * 8190
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(size // len(piece)))
    return (
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
        ).encode()
        + chunks
        + b"0\r\n\r\n"
    )


@contextlib.contextmanager
def _serve(instance: Path, workers: int, env: dict[str, str]) -> Iterator[tuple[int, Path]]:
    """`surveyapp serve --workers N` as shipped; yields its port and the file of its output."""
    port = free_port()
    log = instance / f"serve-{port}.log"
    with open(log, "w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "surveyapp.cli", "serve", "--port", str(port)]
            + ["--workers", str(workers)],
            env={**surveyapp_env(instance), **env},
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    with answering(process, port, log):
        yield port, log


@pytest.mark.parametrize("workers", [1, 2], ids=["waitress", "gunicorn"])
def test_every_response_carries_the_same_headers(own_pg, tmp_path, monkeypatch, workers):
    pg, url = own_pg
    instance = tmp_path / "instance"
    instance.mkdir()
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(instance))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    token = make_wave(app)[0]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "SURVEYAPP_LIMIT_RESUME": "2/minute"}
    answers: dict[str, tuple[int, dict[str, str], str]] = {}
    with _serve(instance, workers, env) as (port, log):
        answers["page"] = _exchange(port, _get(f"/s/{token}"))
        answers["404"] = _exchange(port, _get("/no/such/page"))
        answers["405"] = _exchange(
            port,
            f"DELETE /s/{token} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode(),
        )
        answers["413"] = _exchange(port, _post(f"/s/{token}/resume", b"a=" + b"x" * 70_000))
        answers["413 chunked"] = _exchange(port, _chunked(f"/s/{token}/resume", 100_000))
        answers["400 request line"] = _exchange(port, b"NONSENSE\x01 / HTTP/9\r\n\r\n")
        answers["431"] = _exchange(port, _get("/", f"X-Big: {'b' * 300_000}\r\n"))
        if workers > 1:
            answers["414"] = _exchange(port, _get("/" + "u" * 9000))
        # Over the resume limit (2 a minute here): 429, with a session and its token.
        status, headers, body = _exchange(port, _get(f"/s/{token}/resume"))
        cookie = headers["set-cookie"].split(";", 1)[0]
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
        # memory:// counts in each process: 2 * workers + 1 tries reach 3 in one of them.
        for _ in range(2 * workers + 1):
            answers["429"] = _exchange(
                port,
                _post(
                    f"/s/{token}/resume",
                    f"csrf_token={csrf}&code=ABCD-EFGH-JKMN".encode(),
                    f"Cookie: {cookie}\r\n",
                ),
            )
            if answers["429"][0] == 429:
                break
        pg.stop()
        try:
            answers["503"] = _exchange(port, _get(f"/s/{token}"))
        finally:
            pg.start()
    output = log.read_text("utf-8")
    statuses = {name: answer[0] for name, answer in answers.items()}
    assert statuses == ({"414": 414} if workers > 1 else {}) | {
        "page": 200,
        "404": 404,
        "405": 405,
        "413": 413,
        "413 chunked": 413,
        "400 request line": 400,
        "431": 431,
        "429": 429,
        "503": 503,
    }
    expected = {name.lower(): answers["page"][1][name.lower()] for name in SAME}
    assert expected["cache-control"] == "no-store"
    assert "default-src 'none'" in expected["content-security-policy"]
    for name, (_status, headers, body) in answers.items():
        assert {h: headers.get(h) for h in expected} == expected, name
        assert "Traceback" not in body, name
        assert "etag" not in headers, name
    # The server's own answers (no app page) were among them.
    own = ["400 request line", "431", "414"] if workers > 1 else ["400 request line", "431"]
    signature = "<h1><p>" if workers > 1 else "generated by"
    for name in own:
        assert signature in answers[name][2], name
    if workers > 1:
        # Refused by gunicorn, and said so in its log, without the client's address.
        assert "Invalid request: " in output
        assert "Invalid request from ip" not in output
    assert CLIENT not in output
    assert "/no/such/page" not in output
