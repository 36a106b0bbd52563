"""Serving the app, sized for a shift change: waitress in one process, or gunicorn
processes, one per core (gunicorn_conf.py), which share these settings.

Forty to hundreds of phones arrive within a minute of each other and keep their
connections open between pages while their owners read. Waitress's defaults (100
connections, idle connections held for two minutes, ``select()`` limited to 1,024
sockets, bodies up to 1 GB spooled to disk) turn such a crowd away, so every
setting that matters is chosen here, on purpose.
"""

from __future__ import annotations

import errno
import importlib.util
import logging
import os
import resource
import socket
import sqlite3
import sys
import threading
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask

from .extensions import db
from .security import FIXED_HEADERS, HSTS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerSettings:
    #: Requests handled at once; the app is CPU-bound on a few cores, and SQLite
    #: takes one writer at a time, so more threads would only queue inside.
    threads: int = 8
    #: Open connections at once: phones idle between pages hold one each.
    connection_limit: int = 2000
    #: Seconds an idle connection is kept: longer than most pages take to answer,
    #: so a phone rarely reconnects, short enough to free the slot of one that left.
    channel_timeout: int = 60
    #: How often idle connections are looked at, in seconds.
    cleanup_interval: int = 10
    #: Connections waiting to be accepted.
    backlog: int = 2048


def error_headers(https: bool) -> list[tuple[str, str]]:
    """The headers every page carries, for answers the server writes without the app."""
    extra = [*FIXED_HEADERS.items(), ("Cache-Control", "no-store"), ("Pragma", "no-cache")]
    if https:
        extra.append(("Strict-Transport-Security", HSTS))
    return extra


def _error_channel(https: bool) -> type[Any]:
    """Waitress's connection class, answering its own errors with our headers.

    Waitress answers some requests without calling the app: a malformed request line
    (400), headers too large (431), a body over ``max_request_body_size`` (413,
    chunked too), an app failure after the response began (500). Its plain-text
    answers carry none of the app's headers; this adds them, so every response the
    server can send says no-store, nosniff, no referrer and the same CSP.
    """
    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    extra = error_headers(https)

    class HeaderedErrorTask(ErrorTask):
        def execute(self) -> None:
            # Before the body is written: the first write sends the headers.
            self.response_headers.extend(extra)
            super().execute()

    class Channel(HTTPChannel):
        error_task_class = HeaderedErrorTask

    return Channel


def _raise_open_file_limit(wanted: int) -> None:
    """Each connection is a file descriptor: lift the soft limit toward the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def waitress_options(app: Flask, settings: ServerSettings) -> dict[str, object]:
    return {
        "threads": settings.threads,
        "connection_limit": settings.connection_limit,
        "channel_timeout": settings.channel_timeout,
        "cleanup_interval": settings.cleanup_interval,
        "backlog": settings.backlog,
        # poll() instead of select(): select() cannot watch more than 1,024 sockets.
        "asyncore_use_poll": True,
        # Refuse an oversized body (chunked too) before it is spooled to a temp file.
        "max_request_body_size": int(app.config["MAX_CONTENT_LENGTH"]),
        "ident": "",
        "clear_untrusted_proxy_headers": True,
    }


class Checkpointer(threading.Thread):
    """Checkpoint SQLite's WAL and cut it to nothing, every few seconds.

    The WAL keeps old images of every page written (drafts as they were, rows
    since deleted) until a checkpoint lets it restart; truncating it regularly keeps
    a copy of the files from holding more than the last minute's changes.
    """

    def __init__(self, app: Flask, interval: float) -> None:
        super().__init__(name="wal-checkpoint", daemon=True)
        self.app = app
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            checkpoint(self.app)


def checkpoint(app: Flask) -> None:
    with app.app_context():
        database = db.engine.url.database
        timeout = float(app.config.get("SQLITE_BUSY_TIMEOUT", 30))
    # A connection of its own, closed at once, not one from the pool: under gunicorn
    # this runs in the master, and a pooled connection would be copied into every
    # worker forked later.
    connection = sqlite3.connect(str(database), timeout=timeout)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        # A busy database just waits for the next round.
        log.info("WAL checkpoint skipped: %s", type(exc).__name__)
    finally:
        connection.close()


def default_workers() -> int:
    """Processes for ``surveyapp serve``: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def gunicorn_missing() -> str | None:
    """Why several processes cannot serve here (None: gunicorn can)."""
    if os.name != "posix":
        return "gunicorn does not run on this platform"
    if importlib.util.find_spec("gunicorn") is None:
        return "gunicorn is not installed (pip install gunicorn)"
    return None


def serve(
    app: Flask, host: str, port: int, settings: ServerSettings | None = None, workers: int = 1
) -> None:
    """Serve until interrupted; a port in use is one line and exit status 1.

    One worker is waitress in this process; several are gunicorn processes, each
    with ``settings.threads`` threads, sharing ``settings.connection_limit``.
    """
    settings = settings or ServerSettings()
    with app.app_context():
        # Nothing opened by the command (migrations, demo data) may stay open while
        # serving: an idle read transaction would stop SQLite's WAL from ever
        # being checkpointed, and a forked worker must not share a connection.
        db.session.remove()
        db.engine.dispose()
        sqlite = db.engine.dialect.name == "sqlite"
    _raise_open_file_limit(settings.connection_limit + 256)
    if sqlite:
        Checkpointer(app, float(app.config["CHECKPOINT_SECONDS"])).start()
    if workers > 1:
        from .gunicorn_conf import serve_with_gunicorn

        serve_with_gunicorn(app, host, port, settings, workers)
        return
    _serve_with_waitress(app, host, port, settings)


def _serve_with_waitress(app: Flask, host: str, port: int, settings: ServerSettings) -> None:
    import waitress

    try:
        options = waitress_options(app, settings)
        server = waitress.create_server(app, host=host, port=port, **options)
    except OSError as exc:
        click.echo(_bind_error(exc, host, port), err=True)
        sys.exit(1)
    channel = _error_channel(bool(app.config["HTTPS"]))
    # One listening socket, or several (a host name with several addresses).
    for listener in [server, *getattr(server, "map", {}).values()]:
        if hasattr(listener, "channel_class"):
            listener.channel_class = channel
    click.echo(f"Serving surveyapp on http://{_shown_host(host)}:{port}/  (Ctrl+C to stop)")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _bind_error(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"error: port {port} on {host} is already in use (is surveyapp already running?). "
            f"Choose another port with --port, e.g. --port {port + 1}."
        )
    if exc.errno == errno.EACCES:
        return f"error: not allowed to listen on port {port}; choose one above 1024 with --port."
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        return f"error: {host} is not an address of this machine; try --host 127.0.0.1."
    return f"error: cannot listen on {host}:{port}: {exc.strerror or exc}"


def _shown_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def network_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback (for links a phone can open).

    Reads the addresses of the network interfaces (Linux) or resolves our own host
    name: no packet leaves the machine.
    """
    found: list[str] = []
    for address in [*_interface_addresses(), *_host_name_addresses()]:
        if not address.startswith("127.") and address not in found:
            found.append(address)
    return found


def _interface_addresses() -> list[str]:
    try:
        import fcntl
        import struct

        names = [name for _index, name in socket.if_nameindex()]
    except (ImportError, OSError, AttributeError):
        return []
    siocgifaddr = 0x8915  # Linux: the IPv4 address of an interface
    addresses = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for name in names:
            try:
                packed = fcntl.ioctl(
                    probe.fileno(), siocgifaddr, struct.pack("256s", name.encode()[:15])
                )
            except OSError:
                continue  # an interface without an IPv4 address
            addresses.append(socket.inet_ntoa(packed[20:24]))
    return addresses


def _host_name_addresses() -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]
