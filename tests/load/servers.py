"""gunicorn serving ``surveyapp.wsgi:app`` with several processes, killed with -9."""

from __future__ import annotations

import contextlib
import http.client
import subprocess
import sys
import time
from pathlib import Path

from ..postgres import kill_tree

#: Processes and threads: several of each, as a PostgreSQL install runs.
GUNICORN_WORKERS = 3
GUNICORN_THREADS = 4


class Gunicorn:
    """gunicorn answering on 127.0.0.1:port; ``arguments`` (its command line after
    ``gunicorn``, binding that port) replace the default ones."""

    def __init__(
        self, port: int, env: dict[str, str], log: Path, arguments: list[str] | None = None
    ) -> None:
        self.port = port
        self.env = env
        self.log = log
        # By default the configuration production runs (README, "Running in production").
        self.arguments = arguments or [
            "-c",
            "python:surveyapp.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--threads",
            str(GUNICORN_THREADS),
            "surveyapp.wsgi:app",
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        with open(self.log, "ab") as handle:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
                [sys.executable, "-m", "gunicorn", *self.arguments],
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer")
            time.sleep(0.1)

    def _answers(self) -> bool:
        try:
            with contextlib.closing(
                http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            ) as probe:
                probe.request("GET", "/healthz")
                return probe.getresponse().status == 200
        except OSError:
            return False

    def kill(self) -> int:
        """kill -9 the master and every worker process at once; return how many."""
        assert self.process is not None
        return kill_tree(self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
