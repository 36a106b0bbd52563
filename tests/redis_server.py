"""A throwaway Redis server on loopback (Debian's redis-server), for the production test.

Where redis-server is missing the test is skipped with a message saying how to install
it, unless SURVEYAPP_REQUIRE_REDIS=1 (as in CI), where a missing server is a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .postgres import alive, free_port

INSTALL_HINT = (
    "redis-server was not found. Install it to run the production test, e.g. "
    "`apt-get install redis-server` on Debian/Ubuntu or `brew install redis` on macOS."
)


class RedisUnavailable(RuntimeError):
    pass


@contextlib.contextmanager
def running_redis() -> Iterator[str]:
    """A Redis server of its own, nothing saved to disk; yields its redis:// URL."""
    program = shutil.which("redis-server")
    if program is None:
        raise RedisUnavailable(INSTALL_HINT)
    folder = Path(tempfile.mkdtemp(prefix="surveyapp-redis-"))
    port = free_port()
    pidfile = folder / "redis.pid"
    started = subprocess.run(
        [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
        + ["no", "--daemonize", "yes", "--pidfile", str(pidfile), "--dir", str(folder)]
        + ["--logfile", str(folder / "redis.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    pid = 0
    try:
        deadline = time.monotonic() + 15
        while not pid:
            with contextlib.suppress(OSError, ValueError):
                pid = int(pidfile.read_text().strip())
            if not pid and (started.returncode or time.monotonic() > deadline):
                log = (folder / "redis.log").read_text()[-500:] if started.returncode == 0 else ""
                raise RedisUnavailable(f"redis-server did not start: {started.stderr}{log}")
            time.sleep(0.05)
        _wait_until_answering(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_answering(port: int) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)
    deadline = time.monotonic() + 15
    while True:
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise RedisUnavailable("redis-server did not answer") from None
            time.sleep(0.05)
        finally:
            client.close()
