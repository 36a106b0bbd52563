"""Virtual workers that take the survey over real HTTP, for the shift-change load test.

Shared by ``tests/integration/test_shift_change.py`` (short form, in the suite) and
``benchmarks/bench_shift_change.py`` (full form). Everything goes through HTTP against a
``surveyapp serve`` subprocess started exactly as shipped; nothing here imports
surveyapp, so the instrument keeps working whatever the server's internals become.

One virtual worker is one phone: its own keep-alive connection (HTTP/1.1, kept open
while the worker reads a page, as phones do), its own cookies, its own language. Like a
browser it reconnects transparently when the server closed an idle connection before
the next request was sent, and it retries a request once when a *reused* connection
fails before any byte of the answer came back (what Chromium does). It follows
redirects, parses the radio inputs out of each page and picks valid random answers.

Every request is bounded: a 20 s deadline (``REQUEST_TIMEOUT``), at most
``MAX_REQUESTS_PER_WORKER`` requests per worker, and a worker stops at its first failure
(a 429, a timeout or any unexpected answer), which it reports as its outcome.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import re
import resource
import select
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: "No answer within 20 s" counts as a timeout (the issue's definition).
REQUEST_TIMEOUT = 20.0
#: Start page + 10 question pages + check + thanks, each a GET and most a POST, plus
#: redirects: about 25. Anything beyond this is a loop, not a worker.
MAX_REQUESTS_PER_WORKER = 60
#: Accept-Language a phone set to each language sends.
ACCEPT_LANGUAGE = {"en": "en-US,en;q=0.9", "es": "es-MX,es;q=0.9"}

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_RADIO = re.compile(r'<input type="radio"[^>]*\bname="([^"]+)" value="([^"]*)"')
_TEXTAREA = re.compile(r'<textarea[^>]*\bname="([^"]+)"')
_LINK = re.compile(r"/s/([A-Za-z0-9_-]{20,})")
_COMMENTS = {
    "en": ["More notice of schedule changes.", "Fix the broken lift in ward B.", "Better pay."],
    "es": ["Más aviso de cambios de horario.", "Arreglar el elevador.", "Mejor sueldo."],
}


class WorkerFailed(Exception):
    """Ends a worker's run; ``outcome`` is how the worker's attempt is counted."""

    def __init__(self, outcome: str, detail: str) -> None:
        super().__init__(f"{outcome}: {detail}")
        self.outcome = outcome
        self.detail = detail


@dataclass
class Sample:
    """One HTTP request: its method, its status (0 when none came) and its latency."""

    method: str
    status: int
    seconds: float


@dataclass
class WorkerResult:
    outcome: str = "unfinished"  # completed | rate_limited | timeout | error | unfinished
    detail: str = ""
    language: str = "en"
    samples: list[Sample] = field(default_factory=list)
    reconnects: int = 0
    retries: int = 0


class Browser:
    """One phone's HTTP client: one keep-alive connection and a cookie jar.

    http.client keeps the connection open between requests (HTTP/1.1). The cookie jar
    ignores cookie paths: a virtual worker only ever visits its own survey link.
    """

    def __init__(self, host: str, port: int, language: str, result: WorkerResult) -> None:
        self.host = host
        self.port = port
        self.language = language
        self.result = result
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def _peer_closed(self) -> bool:
        """True when the server has closed our idle connection (readable with EOF)."""
        sock = self.connection.sock if self.connection is not None else None
        if sock is None:
            return True
        # poll(), not select(): select() cannot watch a descriptor numbered 1024 or more,
        # which a crowd of over a thousand workers in one client process reaches.
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        if not poller.poll(0):
            return False
        try:
            return sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _store_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = header.partition(";")
            name, _, value = pair.strip().partition("=")
            attrs = attributes.lower().replace(" ", "")
            if not value or "max-age=0" in attrs or "expires=thu,01jan1970" in attrs:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        """Send one request; return (status, Location header, body text).

        Raises WorkerFailed("timeout") when no complete answer came within
        REQUEST_TIMEOUT, WorkerFailed("error") on a connection failure.
        """
        if len(self.result.samples) >= MAX_REQUESTS_PER_WORKER:
            raise WorkerFailed("error", f"more than {MAX_REQUESTS_PER_WORKER} requests")
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Accept-Language": ACCEPT_LANGUAGE[self.language], "Accept": "text/html"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        began = time.monotonic()
        for attempt in range(2):
            if self.connection is not None and self._peer_closed():
                # The server closed the idle connection: a browser just opens a new one.
                self.close()
                self.result.reconnects += 1
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=REQUEST_TIMEOUT
                )
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except TimeoutError as exc:
                self.close()
                self._sample(method, 0, began)
                raise WorkerFailed("timeout", f"{method} {path}: no answer in time") from exc
            except (ConnectionError, http.client.BadStatusLine) as exc:
                # RemoteDisconnected, ConnectionResetError, BrokenPipeError: the request
                # may not have reached the application. On a reused connection a
                # browser retries once on a fresh one; on a fresh one it is an error.
                self.close()
                if reused and attempt == 0:
                    self.result.retries += 1
                    continue
                self._sample(method, 0, began)
                raise WorkerFailed("error", f"{method} {path}: {exc!r}") from exc
            except OSError as exc:
                self.close()
                self._sample(method, 0, began)
                raise WorkerFailed("error", f"{method} {path}: {exc!r}") from exc
            self._sample(method, response.status, began)
            if time.monotonic() - began > REQUEST_TIMEOUT:
                # Each recv() had its own timeout; the whole answer must fit in one.
                raise WorkerFailed("timeout", f"{method} {path}: answer took too long")
            self._store_cookies(response)
            if response.will_close:
                self.close()
            return response.status, response.getheader("Location", ""), data.decode()
        raise AssertionError("unreachable")  # pragma: no cover

    def _sample(self, method: str, status: int, began: float) -> None:
        self.result.samples.append(Sample(method, status, time.monotonic() - began))


def _path_of(location: str) -> str:
    """A redirect's target as a path (waitress/Flask may send absolute URLs)."""
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pick_answers(html: str, language: str, rng: random.Random) -> dict[str, str]:
    """Valid random answers for one survey page, parsed out of its HTML.

    Every radio group gets one of its own values (including "prefer not to say",
    which is a valid answer); a free-text box is filled about a third of the time.
    """
    groups: dict[str, list[str]] = {}
    for name, value in _RADIO.findall(html):
        groups.setdefault(name, []).append(value)
    answers = {name: rng.choice(values) for name, values in groups.items()}
    for name in _TEXTAREA.findall(html):
        if rng.random() < 0.3:
            answers[name] = rng.choice(_COMMENTS[language])
    return answers


@dataclass
class Plan:
    """What the virtual workers do: how many, when they arrive, how long they read."""

    workers: int
    arrival_seconds: float
    think_min: float
    think_max: float
    spanish_share: float = 0.3
    seed: int = 1


class VirtualWorker:
    """One worker: opens the survey link, answers every page, submits."""

    def __init__(
        self,
        host: str,
        port: int,
        token: str,
        plan: Plan,
        rng: random.Random,
        stop: threading.Event,
    ) -> None:
        self.token = token
        self.plan = plan
        self.rng = rng
        self.stop = stop
        language = "es" if rng.random() < plan.spanish_share else "en"
        self.result = WorkerResult(language=language)
        self.browser = Browser(host, port, language, self.result)
        self.path = ""  # the path of the page the worker is looking at

    def _think(self) -> None:
        # A worker reading and answering several questions; Event.wait so a stop
        # request (Ctrl+C, overall deadline) ends the pause at once.
        if self.stop.wait(self.rng.uniform(self.plan.think_min, self.plan.think_max)):
            raise WorkerFailed("unfinished", "stopped")

    def _get(self, path: str) -> str:
        for _ in range(5):  # follow redirects, a few at most
            status, location, html = self.browser.request("GET", path)
            if status in (301, 302, 303, 307, 308) and location:
                path = _path_of(location)
                continue
            self._expect(status, 200, "GET", path)
            self.path = path
            return html
        raise WorkerFailed("error", f"GET {path}: too many redirects")

    def _post(self, path: str, form: dict[str, str]) -> str:
        """POST a form; it must answer with a redirect, which is followed."""
        status, location, _html = self.browser.request("POST", path, form)
        if status not in (302, 303) or not location:
            self._expect(status, 302, "POST", path)
        return self._get(_path_of(location))

    @staticmethod
    def _expect(status: int, wanted: int, method: str, path: str) -> None:
        if status == 429:
            raise WorkerFailed("rate_limited", f"{method} {path}: 429")
        if status != wanted:
            raise WorkerFailed("error", f"{method} {path}: HTTP {status}, wanted {wanted}")

    def _csrf(self, html: str) -> str:
        match = _CSRF.search(html)
        if not match:
            raise WorkerFailed("error", f"{self.path}: page has no CSRF token")
        return match.group(1)

    def run(self, arrival: float) -> WorkerResult:
        try:
            if self.stop.wait(max(0.0, arrival - time.monotonic())):
                raise WorkerFailed("unfinished", "stopped before arriving")
            base = f"/s/{self.token}"
            html = self._get(base)
            self._think()  # reads the anonymity receipt
            html = self._post(f"{base}/start", {"csrf_token": self._csrf(html)})
            while re.fullmatch(rf"{re.escape(base)}/p/\d+", self.path):
                answers = pick_answers(html, self.result.language, self.rng)
                self._think()
                form = {"csrf_token": self._csrf(html), "action": "continue", **answers}
                html = self._post(self.path, form)
            if self.path != f"{base}/check":
                raise WorkerFailed("error", f"after the last page: {self.path}, wanted /check")
            self._think()  # checks the answers
            html = self._post(f"{base}/submit", {"csrf_token": self._csrf(html)})
            if self.path != f"{base}/thanks":
                raise WorkerFailed("error", f"after submitting: {self.path}, wanted /thanks")
            self.result.outcome = "completed"
        except WorkerFailed as failed:
            self.result.outcome = failed.outcome
            self.result.detail = failed.detail
        except Exception as exc:  # noqa: BLE001 - a bug in one worker must not hang the run
            self.result.outcome = "error"
            self.result.detail = f"client bug: {exc!r}"
        finally:
            self.browser.close()
        return self.result


@dataclass
class RunReport:
    plan: Plan
    results: list[WorkerResult]
    wall_seconds: float
    client_cpu_seconds: float

    def __repr__(self) -> str:  # short, for assertion messages
        return f"RunReport({self.plan.workers} workers, {self.wall_seconds:.0f} s)"

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def samples(self) -> list[Sample]:
        return [s for r in self.results for s in r.samples]

    def status_count(self, status: int) -> int:
        return sum(1 for s in self.samples if s.status == status)

    def latencies(self, method: str | None = None) -> list[float]:
        """Latencies of requests that got an answer (timeouts are counted apart)."""
        return sorted(
            s.seconds for s in self.samples if s.status and (method is None or s.method == method)
        )

    def details(self, limit: int = 5) -> list[str]:
        """The first few distinct failure details, for the printout."""
        seen: dict[str, int] = {}
        for r in self.results:
            if r.outcome not in ("completed",) and r.detail:
                key = re.sub(r"/s/[A-Za-z0-9_-]+", "/s/<token>", r.detail)
                seen[key] = seen.get(key, 0) + 1
        return [f"{n} x {d}" for d, n in sorted(seen.items(), key=lambda kv: -kv[1])[:limit]]


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (nan when empty)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def run_workers(
    host: str, port: int, tokens: list[str], plan: Plan, deadline_seconds: float | None = None
) -> RunReport:
    """Run ``plan.workers`` virtual workers on threads; return when all have stopped.

    Arrivals are spread uniformly at random over ``plan.arrival_seconds``; each worker
    takes a survey link of the demo employers in turn. Threads, not asyncio: the
    workers spend nearly all their time asleep, and a blocking client per worker is the
    simplest faithful model of one phone. The run stops by itself: each worker is
    bounded in requests and time, and an overall deadline (default: the longest a
    worker could take) stops any thread still running.
    """
    stop = threading.Event()
    master = random.Random(plan.seed)
    start = time.monotonic() + 0.5
    arrivals = sorted(start + master.uniform(0, plan.arrival_seconds) for _ in range(plan.workers))
    workers = [
        VirtualWorker(
            host, port, tokens[i % len(tokens)], plan, random.Random(master.random()), stop
        )
        for i in range(plan.workers)
    ]
    results: list[WorkerResult | None] = [None] * plan.workers

    def body(index: int) -> None:
        results[index] = workers[index].run(arrivals[index])

    # 13 pages read, each bounded by its think time and two requests of REQUEST_TIMEOUT
    # (plus a redirect each); then a margin.
    longest = plan.arrival_seconds + 13 * (plan.think_max + 3 * REQUEST_TIMEOUT) + 30
    deadline = time.monotonic() + (deadline_seconds or longest)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    wall_before = time.monotonic()
    threads = [
        threading.Thread(target=body, args=(i,), name=f"worker-{i}", daemon=True)
        for i in range(plan.workers)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
    finally:
        stop.set()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT + 5)
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.monotonic() - wall_before
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    final = [r if r is not None else workers[i].result for i, r in enumerate(results)]
    return RunReport(plan, final, wall, cpu)


def surveyapp_env(instance: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of a surveyapp command: this instance folder, SQLite in it unless
    ``database_url`` is given (an inherited DATABASE_URL or SECRET_KEY is dropped)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def create_demo(instance: Path, database_url: str | None = None) -> list[str]:
    """`surveyapp demo --no-serve` in a fresh instance folder; the survey link tokens."""
    out = subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "surveyapp.cli", "demo", "--no-serve"],
        env=surveyapp_env(instance, database_url),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    tokens = _LINK.findall(out.stdout)
    if not tokens:
        raise RuntimeError(f"surveyapp demo printed no survey links:\n{out.stdout}")
    return tokens


def open_wave_responses(instance: Path) -> int:
    """Rows in the responses table for the open wave (read straight from SQLite)."""
    with contextlib.closing(sqlite3.connect(instance / "surveyapp.sqlite3", timeout=30)) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM responses JOIN waves ON waves.id = responses.wave_id"
            " WHERE waves.status = 'open'"
        ).fetchone()
    return int(count)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (Linux /proc), 0 where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU of a process and its children (a gunicorn master and its workers)."""
    total = process_cpu_seconds(pid)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            total += process_cpu_seconds(int(stat.parent.name))
    return total


def warm_up(port: int, tokens: list[str], rounds: int = 2) -> None:
    """GET every survey link's first page a few times, outside any measurement.

    A fresh process compiles its templates and loads the instrument on its first
    requests; without this the baseline's p99 is the cold start. GETs only: they do not
    use up any rate limit.
    """
    for _ in range(rounds):
        for token in tokens:
            with contextlib.closing(
                http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
            ) as connection:
                for language in ACCEPT_LANGUAGE.values():
                    connection.request("GET", f"/s/{token}", headers={"Accept-Language": language})
                    connection.getresponse().read()


@dataclass
class Server:
    port: int
    process: subprocess.Popen[str]
    log: Path

    @property
    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.process.pid)


@contextlib.contextmanager
def answering(
    process: subprocess.Popen[Any],
    port: int,
    log: Path,
    ready_path: str = "/healthz",
    timeout: float = 60,
) -> Iterator[None]:
    """Wait until a server process answers ``ready_path`` on 127.0.0.1; stop it on exit."""
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args!r} exited: {log.read_text()[-2000:]}")
            try:
                with contextlib.closing(
                    http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                ) as probe:
                    probe.request("GET", ready_path)
                    if probe.getresponse().status in (200, 302):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{process.args!r} did not answer on port {port}")
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextlib.contextmanager
def serve(
    instance: Path,
    port: int,
    startup_timeout: float = 60,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """`surveyapp serve --port P` exactly as shipped, as a subprocess; stopped on exit."""
    log = instance / f"serve-{port}.log"
    with open(log, "w") as handle:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "surveyapp.cli", "serve", "--port", str(port)],
            env={**surveyapp_env(instance), **(extra_env or {})},
            stdout=handle,
            stderr=subprocess.STDOUT,
            text=True,
        )
    with answering(process, port, log, timeout=startup_timeout):
        yield Server(port, process, log)


@contextlib.contextmanager
def fresh_instance(keep: bool = False) -> Iterator[Path]:
    """A new instance folder (removed afterwards unless ``keep``)."""
    folder = Path(tempfile.mkdtemp(prefix="surveyapp-load-"))
    try:
        yield folder
    finally:
        if not keep:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
