"""A throwaway PostgreSQL server for the test suite (initdb + pg_ctl on loopback).

On a machine without the server binaries the PostgreSQL tests are skipped with a
message saying how to install them, unless SURVEYAPP_REQUIRE_POSTGRES=1 (as in CI),
where a missing server is a failure.
"""

from __future__ import annotations

import contextlib
import glob
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them to run the "
    "PostgreSQL tests, e.g. `apt-get install postgresql` on Debian/Ubuntu or "
    "`brew install postgresql` on macOS, or put their folder on PATH."
)


class PostgresUnavailable(RuntimeError):
    pass


@dataclass
class PostgresServer:
    bindir: Path
    datadir: Path
    port: int
    run_as: str | None

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    @property
    def _prefix(self) -> list[str]:
        return ["runuser", "-u", self.run_as, "--"] if self.run_as else []

    def start(self) -> None:
        """Start the server on its data folder (again, after a stop or a kill -9)."""
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.datadir} "
            "-c fsync=on -c synchronous_commit=on -c max_connections=60"
        )
        subprocess.run(
            [
                *self._prefix,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "-l",
                str(self.datadir / "server.log"),
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            [*self._prefix, str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast"]
            + ["-w", "stop"],
            check=False,
            capture_output=True,
        )

    def kill(self) -> None:
        """kill -9 the postmaster and every backend, as a crash would; wait until gone."""
        pid = int((self.datadir / "postmaster.pid").read_text().split()[0])
        pids = [pid, *children(pid)]
        for each in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(each, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(alive(each) for each in pids):
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL processes survived kill -9")
            time.sleep(0.05)
        # Where nothing reaps the killed postmaster (PID 1 of some containers), its
        # zombie keeps its pid "in use" and the lock files would refuse a restart.
        for lock in ("postmaster.pid", f".s.PGSQL.{self.port}.lock", f".s.PGSQL.{self.port}"):
            (self.datadir / lock).unlink(missing_ok=True)

    def psql(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        ) as connection:
            connection.execute(sql)


def alive(pid: int) -> bool:
    """Whether a process still runs (a zombie waiting to be reaped does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def children(pid: int) -> list[int]:
    """A process's children (Linux /proc), read before they are killed."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def kill_tree(process: subprocess.Popen[Any]) -> int:
    """kill -9 a process and its children at once (a gunicorn master and its workers:
    killing the master alone leaves workers answering); return how many were killed."""
    pids = [process.pid, *children(process.pid)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(15)
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in pids[1:]):
        if time.monotonic() > deadline:
            raise RuntimeError(f"children of {process.pid} survived kill -9")
        time.sleep(0.05)
    return len(pids)


def find_bindir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidate = Path(out.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def free_port(low: int = 20000, high: int = 32000) -> int:
    """A free port below the ephemeral range (load leaves it full of TIME-WAIT sockets)."""
    for _ in range(200):
        port = random.randint(low, high)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {low} and {high}")


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailable(INSTALL_HINT)
    # PostgreSQL refuses to run as root; CI and these machines run tests as root.
    run_as = "postgres" if os.geteuid() == 0 else None
    prefix = ["runuser", "-u", run_as, "--"] if run_as else []
    tmp = Path(tempfile.mkdtemp(prefix="surveyapp-pg-"))
    datadir = tmp / "data"
    datadir.mkdir()
    if run_as:
        shutil.chown(tmp, run_as)
        shutil.chown(datadir, run_as)
    try:
        port = free_port()
    except RuntimeError as exc:
        raise PostgresUnavailable(str(exc)) from exc
    server = PostgresServer(bindir, datadir, port, run_as)
    try:
        subprocess.run(
            [
                *prefix,
                str(bindir / "initdb"),
                "-D",
                str(datadir),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
            ],
            check=True,
            capture_output=True,
        )
        server.start()
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        detail = (exc.stderr or b"").decode(errors="replace").strip()[-500:]
        raise PostgresUnavailable(f"PostgreSQL did not start: {detail}") from exc
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
