"""Survey page view and page save against a bare Flask + SQLAlchemy app, in the same run.

Run:  python benchmarks/bench_pages.py               (SQLite, about 2 minutes)
      python benchmarks/bench_pages.py --postgres    (also PostgreSQL, about 4 minutes)

Both apps run under gunicorn with 2 sync workers on 127.0.0.1, on the same database
kind, and wrk drives them (benchmarks/wrk_sessions.lua, one connection per wrk thread):

- GET: a mid-survey page (page 5 of 10 by default, 5 questions) of a survey in
  progress; the bare app renders a radio form with a plain Jinja loop
  (benchmarks/bare_app.py; both page sizes are printed): PERFORMANCE.md's 40-question
  form by default, the baseline issue 8's targets were set against, or with
  --baseline same one with as many questions as the survey page (stricter).
- save: POST of that page with valid answers, answered by a redirect (wrk does not
  follow it, so the next page's GET is not counted). Each connection has its own draft,
  session cookie and CSRF token (a survey started per connection beforehand); the bare
  app validates the integers by hand and inserts one row through the ORM.

Every response's status is checked (200 for GET, 302 for save); a run with any other
answer or socket error is marked INVALID instead of being trusted.

surveyapp runs as shipped except for its rate limits, which are off in
benchmarks/surveyapp_wsgi.py: each connection saves its one draft far more often than
the per-draft limit (60 a minute) allows, so nearly every request would be a 429. So
these figures leave out the limiter's cost.

Measurements alternate between the two apps (bare GET, surveyapp GET, bare save,
surveyapp save) for --rounds rounds; the summary takes each figure's median, and the
ratio is the median of the per-round ratios (each pair measured back to back). Targets
(PASS/FAIL): surveyapp/bare req/s at least 0.6 for GET and 0.7 for save.

wrk shares the machine's 2 cores with the servers (and with other people's work): its
CPU share is printed with each figure. Compare ratios, never absolute numbers
(PERFORMANCE.md: repeated runs spread +-10-20 %, an A/A run gives 1.03-1.05).

Then the app runs in-process once (Flask test client) with a SQLAlchemy
before_cursor_execute listener to count SQL statements per GET and per save. Target: a
page save costs at most one read (SELECT) and one write (INSERT/UPDATE/DELETE)
statement; transaction control (BEGIN, COMMIT) is printed apart.

Last (SQLite run only; --no-weights leaves it out), benchmarks/page_weights.py: the
bytes of every worker, staff and employer page, raw and gzip-compressed (target: worker
pages at most 15 KB raw and 5 KB compressed), and the cost of each staff and employer
page in-process against the bare app's page GET (see that module).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.load_workers import (  # noqa: E402
    Browser,
    WorkerResult,
    answering,
    create_demo,
    pick_answers,
    surveyapp_env,
    tree_cpu_seconds,
)

LUA = HERE / "wrk_sessions.lua"
TARGETS = {"GET": 0.6, "save": 0.7}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_RADIO_NAME = re.compile(r'<input type="radio"[^>]*\bname="([^"]+)"')


#: PERFORMANCE.md's bare app renders and saves a 40-question radio form.
PERFORMANCE_QUESTIONS = 40


T = TypeVar("T")


def on_throwaway_postgres(folder: Path, measure: Callable[[Path, str, str], T]) -> T | None:
    """``measure(folder, surveyapp_url, bare_url)`` on a throwaway PostgreSQL server
    (tests/postgres.py) with a database for each app; None, with the reason printed,
    where PostgreSQL's programs are missing."""
    from tests.postgres import PostgresUnavailable, running_server

    try:
        with running_server() as pg:
            pg.psql("CREATE DATABASE surveyapp_bench")
            pg.psql("CREATE DATABASE bare_bench")
            pg_dir = folder / "postgres"
            pg_dir.mkdir()
            return measure(pg_dir, pg.url("surveyapp_bench"), pg.url("bare_bench"))
    except PostgresUnavailable as exc:
        print(f"\nPostgreSQL skipped: {exc}")
        return None


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


@dataclass
class Gunicorn:
    name: str
    port: int
    process: subprocess.Popen[bytes]


@contextlib.contextmanager
def gunicorn(
    name: str, app: str, port: int, env: dict[str, str], ready_path: str, log: Path
) -> Iterator[Gunicorn]:
    """gunicorn with 2 sync workers on 127.0.0.1:port; stopped on exit."""
    with open(log, "wb") as handle:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--chdir",
                str(HERE),
                "--log-level",
                "warning",
                "--timeout",
                "60",
                app,
            ],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    with answering(process, port, log, ready_path):
        yield Gunicorn(name, port, process)


Session = tuple[str, str, str, str]  # path, Cookie header, save body A, save body B


def surveyapp_sessions(
    port: int, tokens: list[str], page: int, n: int, rng: random.Random
) -> tuple[list[Session], int, int]:
    """Start n surveys over HTTP and answer pages 1..page-1 in each (a mid-survey draft).

    Returns one session per connection, the measured page's size in bytes and its
    number of questions (radio groups).
    """
    lines: list[Session] = []
    size = questions = 0
    for i in range(n):
        browser = Browser("127.0.0.1", port, "en", WorkerResult())
        base = f"/s/{tokens[i % len(tokens)]}"
        status, _, html = browser.request("GET", base)
        csrf = _CSRF.search(html).group(1)
        status, _, _ = browser.request("POST", f"{base}/start", {"csrf_token": csrf})
        if status != 302:
            raise RuntimeError(f"starting a survey answered {status}")
        for number in range(1, page + 1):
            status, _, html = browser.request("GET", f"{base}/p/{number}")
            if status != 200:
                raise RuntimeError(f"GET page {number} answered {status}")
            form = {"csrf_token": _CSRF.search(html).group(1), "action": "continue"}
            form.update(pick_answers(html, "en", rng))
            other = dict(form)
            while other == form:  # a second, different set of answers (see the Lua script)
                other = {**form, **pick_answers(html, "en", rng)}
            if number < page:  # earlier pages saved: a realistic mid-survey draft
                status, _, _ = browser.request("POST", f"{base}/p/{number}", form)
                if status != 302:
                    raise RuntimeError(f"saving page {number} answered {status}")
        size = len(html.encode())
        questions = len(set(_RADIO_NAME.findall(html)))
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        lines.append(
            (
                f"{base}/p/{page}",
                cookie,
                urllib.parse.urlencode(form),
                urllib.parse.urlencode(other),
            )
        )
        browser.close()
    return lines, size, questions


def bare_sessions(
    port: int, page: int, n: int, questions: int, rng: random.Random, options: int = 6
) -> tuple[list[Session], int]:
    """One session per connection for the bare app (no cookies), and its page's size."""
    with contextlib.closing(http.client.HTTPConnection("127.0.0.1", port, 10)) as c:
        c.request("GET", f"/p/{page}")
        size = len(c.getresponse().read())

    def body() -> str:
        answers = {f"q{q}": rng.randint(1, options) for q in range(1, questions + 1)}
        return urllib.parse.urlencode(answers)

    lines = [(f"/p/{page}", "", body(), body()) for _ in range(n)]
    return lines, size


def write_sessions(lines: list[Session], path: Path) -> Path:
    path.write_text("".join("\t".join(line) + "\n" for line in lines))
    return path


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    wrk_cpu_share: float  # of the 2 cores
    server_cpu_share: float
    server_cpu_ms: float  # server CPU per request: steadier than req/s on a busy machine
    problems: str  # empty when every answer was the expected one

    @property
    def valid(self) -> bool:
        return not self.problems


def run_wrk(
    server: Gunicorn, method: str, sessions: Path, connections: int, seconds: float
) -> WrkResult:
    expected = 200 if method == "GET" else 302
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = tree_cpu_seconds(server.process.pid)
    wall = time.monotonic()
    out = subprocess.run(  # noqa: S603 - wrk with fixed arguments
        [
            shutil.which("wrk") or "wrk",
            "-t",
            str(connections),
            "-c",
            str(connections),
            "-d",
            f"{seconds:g}s",
            "--timeout",
            "5s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{server.port}",
            "--",
            method,
            str(sessions),
            str(expected),
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    wall = time.monotonic() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = tree_cpu_seconds(server.process.pid) - server_before
    wrk_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout[-1500:]}{out.stderr}")
    r = json.loads(line.removeprefix("WRKJSON "))
    problems = []
    if r["unexpected"]:
        problems.append(f"{r['unexpected']} of {r['checked']} answers not HTTP {expected}")
    errors = {k: r[k] for k in ("connect", "read", "write", "timeout") if r[k]}
    if errors:
        problems.append(f"socket errors {errors}")
    if not r["requests"]:
        problems.append("no request completed")
    return WrkResult(
        rps=r["requests"] / (r["duration_us"] / 1e6),
        p50_ms=r["p50_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
        wrk_cpu_share=wrk_cpu / wall / 2,
        server_cpu_share=server_cpu / wall / 2,
        server_cpu_ms=1000 * server_cpu / max(r["requests"], 1),
        problems="; ".join(problems),
    )


def count_statements(instance: Path, database_url: str | None, token: str, page: int) -> None:
    """Run surveyapp in-process once and count SQL statements per GET and per save."""
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)  # its secret key and database
    from sqlalchemy import event

    from surveyapp import create_app
    from surveyapp.extensions import db

    overrides: dict[str, object] = {"RATELIMIT_ENABLED": False}
    if database_url:
        overrides["SQLALCHEMY_DATABASE_URI"] = database_url
    app = create_app(overrides)
    client = app.test_client()
    statements: list[str] = []
    commits: list[int] = []

    def on_execute(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        statements.append(" ".join(str(statement).split()))

    def on_commit(_conn) -> None:
        commits.append(1)

    base = f"/s/{token}"

    def csrf(html: str) -> str:
        return _CSRF.search(html).group(1)

    html = client.get(base).get_data(as_text=True)
    client.post(f"{base}/start", data={"csrf_token": csrf(html)})
    rng = random.Random(5)
    forms: list[dict[str, str]] = []
    for number in range(1, page + 1):
        html = client.get(f"{base}/p/{number}").get_data(as_text=True)
        forms = [{"csrf_token": csrf(html), "action": "continue"}]
        forms.append({**forms[0], **pick_answers(html, "en", rng)})
        while forms[-1] == forms[1]:  # a different set, so the counted save writes
            forms.append({**forms[0], **pick_answers(html, "en", rng)})
        if number < page:
            client.post(f"{base}/p/{number}", data=forms[1])
    with app.app_context():
        engine = db.engine
    # Requests are made outside any app context: inside one, Flask would reuse it for
    # every request, keeping one session (and its transaction and identity map) across
    # requests, which hides statements a real request makes.
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        results = {}
        for label, warm, counted in (
            ("GET", lambda: client.get(f"{base}/p/{page}"), None),
            (
                "save",
                lambda: client.post(f"{base}/p/{page}", data=forms[1]),
                lambda: client.post(f"{base}/p/{page}", data=forms[-1]),
            ),
        ):
            warm()  # a pooled connection, warm caches
            statements.clear()
            commits.clear()
            status = (counted or warm)().status_code
            results[label] = (status, list(statements), len(commits))
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)
        engine.dispose()

    print(f"\nSQL statements per request (surveyapp in-process, page {page}, warm):")
    save_ok = False
    for label, (status, stmts, n_commits) in results.items():
        kinds = [s.split(" ", 1)[0].upper() for s in stmts]
        reads = sum(k == "SELECT" for k in kinds)
        writes = sum(k in ("INSERT", "UPDATE", "DELETE") for k in kinds)
        other = len(stmts) - reads - writes
        print(
            f"  {label:<5} HTTP {status}: {len(stmts)} statements: {reads} read, {writes} write, "
            f"{other} transaction control/other; {n_commits} commit(s)"
        )
        for s in stmts:
            print(f"        {s[:110]}")
        if label == "save":
            save_ok = status == 302 and reads <= 1 and writes <= 1
    print(f"  target: a page save at most one read and one write statement      {verdict(save_ok)}")


def measure_database(
    label: str,
    instance: Path,
    survey_url: str | None,
    bare_url: str,
    args: argparse.Namespace,
) -> None:
    rng = random.Random(args.seed)
    tokens = create_demo(instance, survey_url)
    sys.path.insert(0, str(HERE))
    import bare_app

    bare = bare_app.create(bare_url)
    with bare.app_context():
        bare_app.db.create_all()
        bare_app.db.engine.dispose()

    survey_env = surveyapp_env(instance, survey_url)
    # surveyapp first: with --baseline same, the bare app is then given as many
    # questions as the survey page; by default it has PERFORMANCE.md's 40.
    with gunicorn(
        "surveyapp",
        "surveyapp_wsgi:app",
        args.port + 1,
        survey_env,
        "/healthz",
        instance / "surveyapp-gunicorn.log",
    ) as survey_server:
        s_lines, s_size, questions = surveyapp_sessions(
            survey_server.port, tokens, args.page, args.connections, rng
        )
        if args.baseline == "performance":
            questions = PERFORMANCE_QUESTIONS
        bare_env = {
            **os.environ,
            "BARE_DATABASE_URL": bare_url,
            "BARE_QUESTIONS": str(questions),
            "BARE_STYLE": args.baseline,
        }
        with gunicorn(
            "bare", "bare_app:create()", args.port, bare_env, "/p/1", instance / "bare.log"
        ) as bare_server:
            b_lines, b_size = bare_sessions(
                bare_server.port,
                args.page,
                args.connections,
                questions,
                rng,
                options=5 if args.baseline == "performance" else 6,
            )
            files = {
                "surveyapp": write_sessions(s_lines, instance / "surveyapp-sessions.tsv"),
                "bare": write_sessions(b_lines, instance / "bare-sessions.tsv"),
            }
            sizes = {"surveyapp": s_size, "bare": b_size}
            measure_pair(bare_server, survey_server, files, sizes, label, args)
    count_statements(instance, survey_url, tokens[0], args.page)
    if not args.no_weights and survey_url is None:  # bytes do not depend on the database
        import page_weights

        page_weights.report(instance, survey_url, tokens[1], bare_url, args.weight_repeats)


def measure_pair(
    bare_server: Gunicorn,
    survey_server: Gunicorn,
    files: dict[str, Path],
    sizes: dict[str, int],
    label: str,
    args: argparse.Namespace,
) -> None:
    """Warm both apps, then alternate wrk runs between them; print figures and ratios."""
    servers = {"bare": bare_server, "surveyapp": survey_server}
    print(
        f"\n== {label}: gunicorn, 2 sync workers each; wrk {args.connections} connections, "
        f"{args.duration:g} s per figure, {args.rounds} round(s)"
    )
    print(f"   page {args.page}: surveyapp {sizes['surveyapp']} bytes, bare {sizes['bare']} bytes")
    for name in ("bare", "surveyapp"):  # warm both: imports, templates, pools
        for method in ("GET", "POST"):
            run_wrk(servers[name], method, files[name], args.connections, 2)

    figures: dict[tuple[str, str], list[WrkResult]] = {}
    print(
        f"   {'round':<6}{'request':<8}{'app':<11}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'wrk CPU':>9}{'server CPU':>11}{'CPU ms/req':>11}"
    )
    for round_no in range(1, args.rounds + 1):
        for kind, method in (("GET", "GET"), ("save", "POST")):
            for name in ("bare", "surveyapp"):
                r = run_wrk(servers[name], method, files[name], args.connections, args.duration)
                figures.setdefault((kind, name), []).append(r)
                print(
                    f"   {round_no:<6}{kind:<8}{name:<11}{r.rps:>8.0f}{r.p50_ms:>8.1f}"
                    f"{r.p99_ms:>8.1f}{100 * r.wrk_cpu_share:>8.0f}%"
                    f"{100 * r.server_cpu_share:>10.0f}%{r.server_cpu_ms:>11.2f}"
                    + (f"  INVALID: {r.problems}" if r.problems else "")
                )
    print(
        f"   summary (medians over rounds; CPU as a share of the 2 cores), load average "
        f"{os.getloadavg()[0]:.2f}:"
    )
    for kind in ("GET", "save"):
        bare_runs, survey_runs = figures[(kind, "bare")], figures[(kind, "surveyapp")]
        valid = all(r.valid for r in bare_runs + survey_runs)
        b = statistics.median(r.rps for r in bare_runs)
        s = statistics.median(r.rps for r in survey_runs)
        # The median of per-round ratios: each pair was measured back to back, so a
        # slow spell of the shared machine hits both sides of a ratio alike.
        ratio = statistics.median(
            sv.rps / bv.rps for sv, bv in zip(survey_runs, bare_runs, strict=True)
        )
        b_cpu = statistics.median(r.server_cpu_ms for r in bare_runs)
        s_cpu = statistics.median(r.server_cpu_ms for r in survey_runs)
        print(
            f"   {kind:<5} bare {b:>6.0f} req/s p50 "
            f"{statistics.median(r.p50_ms for r in bare_runs):.1f} / p99 "
            f"{statistics.median(r.p99_ms for r in bare_runs):.1f} ms;"
            f" surveyapp {s:>6.0f} req/s p50 "
            f"{statistics.median(r.p50_ms for r in survey_runs):.1f} / p99 "
            f"{statistics.median(r.p99_ms for r in survey_runs):.1f} ms;"
            f" ratio {ratio:.2f} (median per round; target >= {TARGETS[kind]})"
            f"  {verdict(valid and ratio >= TARGETS[kind]) if valid else 'INVALID'}"
        )
        print(
            f"         server CPU per request: bare {b_cpu:.2f} ms, surveyapp {s_cpu:.2f} ms,"
            f" bare/surveyapp {b_cpu / s_cpu:.2f} (the req/s ratio an idle machine would"
            " show if both were CPU-bound)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=5, help="seconds per figure")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--page", type=int, default=5, help="the survey page measured")
    parser.add_argument("--port", type=int, default=22000, help="bare app; surveyapp on +1")
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL")
    parser.add_argument(
        "--baseline",
        choices=["performance", "same"],
        default="performance",
        help=(
            "the bare app's page: PERFORMANCE.md's 40-question form, which issue 8's "
            "targets were set against (default), or as many questions as the survey page"
        ),
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-weights", action="store_true", help="leave out the bytes and cost of every page"
    )
    parser.add_argument(
        "--weight-repeats", type=int, default=30, help="requests per staff/employer page timed"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()
    if not 1024 <= args.port < 32767:
        parser.error("--port must be below 32767 (below the ephemeral range)")
    if args.connections < 1 or args.duration <= 0 or args.rounds < 1:
        parser.error("--connections, --duration and --rounds must be positive")
    missing = [tool for tool in ("wrk",) if shutil.which(tool) is None]
    try:
        import gunicorn as _gunicorn  # noqa: F401
    except ImportError:
        missing.append("gunicorn")
    if missing:
        sys.exit(
            f"missing: {', '.join(missing)}; install with `apt-get install wrk` and "
            "`pip install -e '.[bench]'` (see benchmarks/README.md)"
        )

    print(f"load average before: {os.getloadavg()[0]:.2f} (2 shared cores: figures are noisy)")
    folder = Path(tempfile.mkdtemp(prefix="surveyapp-bench-pages-"))
    try:
        sqlite_dir = folder / "sqlite"
        sqlite_dir.mkdir()
        measure_database(
            "SQLite (WAL, synchronous=FULL)",
            sqlite_dir,
            None,
            f"sqlite:///{sqlite_dir / 'bare.sqlite3'}",
            args,
        )
        if args.postgres:
            on_throwaway_postgres(
                folder,
                lambda pg_dir, url, bare_url: measure_database(
                    "PostgreSQL (fsync on, synchronous_commit on)", pg_dir, url, bare_url, args
                ),
            )
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
