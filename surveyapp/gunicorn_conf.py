"""gunicorn for surveyapp: several processes, one per core.

Two ways in, the same settings and the same worker:

* ``surveyapp serve --workers N`` (N > 1) runs gunicorn inside its own process
  (:func:`serve_with_gunicorn`).
* In production, gunicorn's own command reads this module as its configuration:
  ``gunicorn -c python:surveyapp.gunicorn_conf --workers 4 --bind 127.0.0.1:8000
  surveyapp.wsgi:app`` (README, "Running in production").

What it changes from gunicorn's defaults, on purpose:

* No access log, whatever ``--access-logfile`` says, and the warning gunicorn writes
  about a malformed request names no client address (anonymity rule 1).
* The answers gunicorn writes itself (a malformed request line, headers too large)
  carry the headers every page carries, as waitress's do (serving.py).
* A new connection waits for its request in the event loop, not in a thread, so
  phones that connect and stay quiet cannot take every thread (waitress does the same).
* No control socket: it would be a file in the home folder, shared by every
  gunicorn on the host.
"""

from __future__ import annotations

import errno
import selectors
import socket
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.glogging import Logger
from gunicorn.sock import TCP6Socket, TCPSocket
from gunicorn.workers.gthread import TConn, ThreadWorker

from .config import ConfigError, check_shared_limits, load_settings
from .extensions import db
from .serving import ServerSettings, _bind_error, _shown_host, error_headers


class _HeaderedSocket:
    """The client socket, adding headers to the one answer gunicorn writes itself."""

    def __init__(self, sock: socket.socket, headers: bytes) -> None:
        self._sock = sock
        self._headers = headers

    def sendall(self, data: bytes) -> None:
        # gunicorn writes its whole error answer in one call: status line first.
        status, crlf, rest = data.partition(b"\r\n")
        self._sock.sendall(status + crlf + self._headers + rest)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class SurveyWorker(ThreadWorker):
    """gunicorn's threaded worker, with surveyapp's error headers and no addresses."""

    def init_process(self) -> None:
        https = load_settings().https
        lines = "".join(f"{name}: {value}\r\n" for name, value in error_headers(https))
        self._error_headers = lines.encode("latin-1")
        super().init_process()

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        # No address: gunicorn would write it into its warning about a bad request.
        super().handle_error(req, _HeaderedSocket(client, self._error_headers), None, exc)

    def accept(self, listener: socket.socket) -> None:
        if not hasattr(self, "pending_conns"):  # a gunicorn without the waiting list
            super().accept(listener)
            return
        try:
            client, address = listener.accept()
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return  # another worker took it, or it was gone before we did
            raise
        self.nr_conns += 1
        conn = TConn(self.cfg, client, address, listener.getsockname())
        # As gunicorn does with a connection that sent nothing for a while: wait in
        # the event loop, dropped after the keep-alive time if still quiet.
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(
            conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn)
        )


class NoAccessLog(Logger):
    """gunicorn's logger without an access log: each line would name a client address."""

    def access(self, *_args: Any, **_kwargs: Any) -> None:
        return None

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        # SurveyWorker passes no address, which would leave "from ip=: " behind.
        super().warning(
            msg.replace("Invalid request from ip=: ", "Invalid request: "), *args, **kwargs
        )


def on_starting(server: Arbiter) -> None:
    """Refuse, before any worker starts, what the app would refuse in each of them."""
    try:
        settings = load_settings()
        processes = max(settings.processes, int(server.cfg.workers))
        check_shared_limits(settings, settings.ratelimit_storage_uri, processes)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


def post_fork(server: Arbiter, _worker: ThreadWorker) -> None:
    app = getattr(server.app, "flask_app", None)
    if app is not None:
        # Made before the fork (surveyapp serve): connections are the worker's own.
        with app.app_context():
            db.engine.dispose(close=False)


# gunicorn reads these names from this module (`-c python:surveyapp.gunicorn_conf`).
worker_class = "surveyapp.gunicorn_conf.SurveyWorker"
logger_class = "surveyapp.gunicorn_conf.NoAccessLog"
accesslog = None
control_socket_disable = True
# Threads per process: the app is CPU-bound, and a thread waiting for the database
# lets another run. Idle connections are kept as long as waitress keeps them.
threads = ServerSettings.threads
keepalive = ServerSettings.channel_timeout
backlog = ServerSettings.backlog


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.flask_app = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            if name in self.cfg.settings:  # older gunicorns lack some (control socket)
                self.cfg.set(name, value)

    def load(self) -> Callable[..., Any]:
        return self.flask_app


def serve_with_gunicorn(
    app: Flask, host: str, port: int, settings: ServerSettings, workers: int
) -> None:
    """``surveyapp serve`` with ``workers`` gunicorn processes; returns when stopped."""
    hooks: dict[str, Any] = {"on_starting": on_starting, "post_fork": post_fork}
    options = {
        "worker_class": worker_class,
        "logger_class": logger_class,
        "accesslog": accesslog,
        "control_socket_disable": control_socket_disable,
        "workers": workers,
        "threads": settings.threads,
        # Per process: the limit is for all of them together.
        "worker_connections": max(settings.threads + 10, settings.connection_limit // workers),
        "keepalive": settings.channel_timeout,
        "backlog": settings.backlog,
        # Our own line says where it serves; gunicorn says only what goes wrong.
        "loglevel": "warning",
        **hooks,
    }
    application = _Gunicorn(app, options)
    try:
        listener = socket.create_server((host, port), backlog=settings.backlog)
    except OSError as exc:
        click.echo(_bind_error(exc, host, port), err=True)
        sys.exit(1)
    arbiter = Arbiter(application)
    kind = TCP6Socket if listener.family == socket.AF_INET6 else TCPSocket
    # Bound here, so a port in use is our one line, not five retries.
    arbiter.LISTENERS = [kind((host, port), application.cfg, arbiter.log, fd=listener.detach())]
    click.echo(
        f"Serving surveyapp on http://{_shown_host(host)}:{port}/ with {workers} processes"
        "  (Ctrl+C to stop)"
    )
    arbiter.run()
