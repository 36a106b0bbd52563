"""Whole survey walks against surveyapp under gunicorn, and against a bare app, in one run.

Run:  python benchmarks/bench_walk.py            (SQLite and PostgreSQL, about 10 minutes)
      python benchmarks/bench_walk.py --quick    (shorter figures, about 5 minutes)

A walk is what a worker does: open the survey link (the anonymity receipt), start,
answer every page (each page GET carries its CSRF token, each POST sends it back with
the draft cookie and is answered by a redirect that is followed), the check page, send,
the thank-you page: 25 requests through 13 pages. The virtual workers are
tests/load_workers.py's (one thread, one cookie jar and one keep-alive connection
each, random valid answers parsed out of each page, free text a third of the time).

The baseline is benchmarks/bare_app.py with BARE_WALK: the same paths, the same number
of pages, each with the same radio groups and text boxes and padded to the same size
in bytes as surveyapp's (measured from one surveyapp walk in the same run), answers
kept between pages in a plain cookie, and one row inserted per walk at the send with
the same durability (SQLite WAL synchronous=FULL; PostgreSQL fsync and
synchronous_commit on). No CSRF, sessions, sealing, drafts or translations: the floor
of a walk on this stack, not a rival design.

Both run under gunicorn with 2 sync workers (as bench_pages.py serves them, rate limits
off in benchmarks/surveyapp_wsgi.py), on SQLite and then on a throwaway PostgreSQL
server (tests/postgres.py; skipped with a message where its programs are missing).

1. **Saturation**: workers with no pause between pages, as many as saturate the bare
   app (found by a short ramp on the bare app: the fewest workers within 5 % of the
   best walks/s), --rounds rounds alternating bare and surveyapp. Target: surveyapp's
   walks/s at least 0.7 of the bare app's (median of the per-round ratios).
2. **Paced**: 50 workers pausing 1 s before each answer (each page read for 1 s),
   arriving over the first second. Target: surveyapp's page p99 under 100 ms.

Every figure prints walks/s, the latency of every request (p50/p99; "page" latency),
the server's CPU milliseconds per walk, the load generator's CPU share (it is Python
and shares the 2 cores with the servers: at saturation it takes a large share, which
slows both apps alike), and stored == acknowledged: rows in the responses table (bare:
in its own table) added during the figure against walks whose send was answered.
A figure with any failed walk is printed INVALID.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_pages import (  # noqa: E402
    Gunicorn,
    gunicorn,
    on_throwaway_postgres,
    tree_cpu_seconds,
    verdict,
)

from tests.load_workers import (  # noqa: E402
    Plan,
    VirtualWorker,
    WorkerResult,
    create_demo,
    percentile,
    surveyapp_env,
)

RATIO_TARGET = 0.7
PACED_P99_TARGET_MS = 100.0
_RADIO = re.compile(r'<input type="radio"[^>]*\bname="([^"]+)" value="([^"]*)"')
_TEXTAREA = re.compile(r'<textarea[^>]*\bname="([^"]+)"')


@dataclass
class Figure:
    """One measurement: many workers walking for a while."""

    app: str
    workers: int
    walks: int  # completed (thank-you page reached after an answered send)
    failed: int
    details: list[str]
    seconds: float
    latencies: list[float]  # every request's, sorted
    client_cpu_share: float  # of the 2 cores
    server_cpu_ms_per_walk: float
    stored: int  # rows added during the figure

    @property
    def walks_per_second(self) -> float:
        return self.walks / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return 1000 * percentile(self.latencies, q)

    @property
    def valid(self) -> bool:
        return self.failed == 0 and self.stored == self.walks and self.walks > 0

    def line(self, label: str) -> str:
        problems = []
        if self.failed:
            problems.append(f"{self.failed} walks failed: {'; '.join(self.details)}")
        if self.stored != self.walks:
            problems.append(f"stored {self.stored} != acknowledged {self.walks}")
        return (
            f"   {label:<10}{self.app:<11}{self.workers:>4}{self.walks:>7}"
            f"{self.walks_per_second:>9.1f}{self.p(50):>8.1f}{self.p(99):>8.1f}"
            f"{self.server_cpu_ms_per_walk:>12.1f}{100 * self.client_cpu_share:>8.0f}%"
            f"  {'stored == acknowledged' if self.stored == self.walks else ''}"
            + (f"  INVALID: {' / '.join(problems)}" if problems else "")
        )


HEADER = (
    f"   {'figure':<10}{'app':<11}{'wkrs':>4}{'walks':>7}{'walks/s':>9}{'p50 ms':>8}"
    f"{'p99 ms':>8}{'CPU ms/walk':>12}{'client':>9}"
)


class Counter:
    """Rows stored so far, read straight from the database."""

    def __init__(self, url: str, table: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self.engine = create_engine(url, poolclass=NullPool)
        self.table = table

    def __call__(self) -> int:
        from sqlalchemy import text

        with self.engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {self.table}")).scalar_one())  # noqa: S608


def walk_for(
    server: Gunicorn,
    app: str,
    tokens: list[str],
    workers: int,
    seconds: float,
    pause: float,
    count: Counter,
    seed: int,
) -> Figure:
    """``workers`` threads each walk again and again for ``seconds`` (a walk under way at
    the end is finished and counted), pausing ``pause`` seconds before each answer."""
    stop = threading.Event()
    results: list[WorkerResult] = []
    lock = threading.Lock()
    plan = Plan(workers=workers, arrival_seconds=0, think_min=pause, think_max=pause, seed=seed)
    began = time.monotonic()
    end = began + seconds

    def body(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        # Paced workers arrive over the first pause, not all at once.
        arrival = began + (rng.uniform(0, pause) if pause else 0)
        n = 0
        while time.monotonic() < end and not stop.is_set():
            worker = VirtualWorker(
                "127.0.0.1", server.port, tokens[(index + n) % len(tokens)], plan, rng, stop
            )
            result = worker.run(arrival)
            arrival = 0
            n += 1
            with lock:
                results.append(result)
            if result.outcome != "completed":
                return  # a failing worker stops, as in the shift-change load

    stored_before = count()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    server_before = tree_cpu_seconds(server.process.pid)
    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        # A walk is 13 pages: bounded by its pauses and 20 s per request.
        thread.join(seconds + 13 * (pause + 60) + 30)
    stop.set()
    wall = time.monotonic() - began
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = tree_cpu_seconds(server.process.pid) - server_before
    client_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    stored = count() - stored_before
    completed = [r for r in results if r.outcome == "completed"]
    failures: dict[str, int] = {}
    for r in results:
        if r.outcome != "completed":
            key = re.sub(r"/s/[A-Za-z0-9_-]+", "/s/<token>", f"{r.outcome}: {r.detail}")
            failures[key] = failures.get(key, 0) + 1
    return Figure(
        app=app,
        workers=workers,
        walks=len(completed),
        failed=len(results) - len(completed),
        details=[f"{n} x {d}" for d, n in list(failures.items())[:3]],
        seconds=wall,
        latencies=sorted(s.seconds for r in results for s in r.samples if s.status),
        client_cpu_share=client_cpu / wall / 2,
        server_cpu_ms_per_walk=1000 * server_cpu / max(len(completed), 1),
        stored=stored,
    )


def describe_walk(port: int, token: str) -> dict[str, object]:
    """One walk of surveyapp, recording each page's size and fields (the bare app's spec)."""
    from tests.load_workers import Browser

    spec: dict[str, object] = {"token_length": len(token), "pages": []}
    pages: list[dict[str, object]] = []

    class Recorder(Browser):
        def request(self, method, path, form=None):
            status, location, body = super().request(method, path, form)
            if method == "GET" and status == 200:
                size = len(body.encode())
                tail = path.rsplit("/", 1)[-1]
                if re.fullmatch(r"\d+", tail) and "/p/" in path:
                    groups: dict[str, int] = {}
                    for name, _value in _RADIO.findall(body):
                        groups[name] = groups.get(name, 0) + 1
                    pages.append(
                        {
                            "bytes": size,
                            "radios": list(groups.values()),
                            "texts": len(_TEXTAREA.findall(body)),
                        }
                    )
                elif tail in ("check", "thanks"):
                    spec[tail] = size
                elif path == f"/s/{token}":
                    spec["start"] = size
            return status, location, body

    plan = Plan(workers=1, arrival_seconds=0, think_min=0, think_max=0)
    worker = VirtualWorker("127.0.0.1", port, token, plan, random.Random(7), threading.Event())
    worker.result.language = "en"
    worker.browser = Recorder("127.0.0.1", port, "en", worker.result)
    result = worker.run(0)
    if result.outcome != "completed":
        raise RuntimeError(f"describing a walk: {result.outcome}: {result.detail}")
    spec["pages"] = pages
    return spec


def saturating_workers(
    bare: Gunicorn, tokens: list[str], count: Counter, seconds: float, candidates: list[int]
) -> int:
    """The fewest workers within 5 % of the best walks/s of the bare app."""
    rates: dict[int, float] = {}
    for n in candidates:
        rates[n] = walk_for(bare, "bare", tokens, n, seconds, 0, count, seed=99).walks_per_second
    best = max(rates.values())
    chosen = min(n for n, rate in rates.items() if rate >= 0.95 * best)
    shown = ", ".join(f"{n} workers {rate:.1f}/s" for n, rate in rates.items())
    print(f"   ramp on the bare app ({seconds:g} s each): {shown} -> {chosen} workers")
    return chosen


@contextlib.contextmanager
def servers(
    instance: Path, survey_url: str | None, bare_url: str, args: argparse.Namespace
) -> Iterator[tuple[Gunicorn, Gunicorn, list[str]]]:
    tokens = create_demo(instance, survey_url)
    import bare_app

    with gunicorn(
        "surveyapp",
        "surveyapp_wsgi:app",
        args.port + 1,
        surveyapp_env(instance, survey_url),
        "/healthz",
        instance / "surveyapp-gunicorn.log",
    ) as survey_server:
        spec = describe_walk(survey_server.port, tokens[0])
        bare_env = {**os.environ, "BARE_DATABASE_URL": bare_url, "BARE_WALK": json.dumps(spec)}
        bare = bare_app.create(bare_url)
        with bare.app_context():
            bare_app.db.create_all()
            bare_app.db.engine.dispose()
        with gunicorn(
            "bare", "bare_app:create()", args.port, bare_env, "/p/1", instance / "bare.log"
        ) as bare_server:
            pages: list[dict[str, Any]] = spec["pages"]
            size = sum(p["bytes"] for p in pages) + sum(
                spec[k] for k in ("start", "check", "thanks")
            )
            groups = sum(len(p["radios"]) for p in pages)
            print(
                f"   a walk: {len(pages)} question pages ({groups} radio groups), start, check"
                f" and thank-you pages; {size:,} bytes of HTML (surveyapp, uncompressed; the"
                " bare app's pages are padded to the same sizes)"
            )
            yield bare_server, survey_server, tokens


def measure_database(
    label: str, instance: Path, survey_url: str | None, bare_url: str, args: argparse.Namespace
) -> dict[str, object]:
    print(f"\n== {label}: gunicorn, 2 sync workers each; load average {os.getloadavg()[0]:.2f}")
    survey_db = survey_url or f"sqlite:///{instance / 'surveyapp.sqlite3'}"
    counts = {"surveyapp": Counter(survey_db, "responses"), "bare": Counter(bare_url, "bare_walks")}
    with servers(instance, survey_url, bare_url, args) as (bare, survey, tokens):
        apps = {"bare": bare, "surveyapp": survey}
        for name, server in apps.items():  # warm: imports, templates, pools
            walk_for(server, name, tokens, 2, 2, 0, counts[name], seed=98)
        workers = args.workers or saturating_workers(
            bare, tokens, counts["bare"], args.ramp_seconds, [2, 4, 6, 8]
        )
        print(
            f"\n   1. saturation: {workers} workers without pauses, {args.seconds:g} s per figure"
        )
        print(HEADER)
        figures: dict[str, list[Figure]] = {"bare": [], "surveyapp": []}
        for round_no in range(1, args.rounds + 1):
            for name in ("bare", "surveyapp"):
                f = walk_for(
                    apps[name], name, tokens, workers, args.seconds, 0, counts[name], round_no
                )
                figures[name].append(f)
                print(f.line(f"round {round_no}"))
        ratios = [
            s.walks_per_second / b.walks_per_second
            for s, b in zip(figures["surveyapp"], figures["bare"], strict=True)
            if b.walks_per_second
        ]
        ratio = statistics.median(ratios) if ratios else 0.0
        valid = all(f.valid for fs in figures.values() for f in fs)
        cpu = {
            n: statistics.median(f.server_cpu_ms_per_walk for f in fs) for n, fs in figures.items()
        }
        print(
            f"   walks/s surveyapp/bare {ratio:.2f} (median per round; target >= {RATIO_TARGET})"
            f"  {verdict(ratio >= RATIO_TARGET) if valid else 'INVALID'}"
        )
        print(
            f"   server CPU per walk: bare {cpu['bare']:.1f} ms,"
            f" surveyapp {cpu['surveyapp']:.1f} ms"
            f" (bare/surveyapp {cpu['bare'] / cpu['surveyapp']:.2f}: the ratio an idle machine"
            " would show if both were CPU-bound)"
        )

        print(
            f"\n   2. paced: {args.paced_workers} workers pausing {args.pause:g} s before each"
            f" answer, {args.paced_seconds:g} s"
        )
        print(HEADER)
        paced: dict[str, Figure] = {}
        for name in ("bare", "surveyapp"):
            paced[name] = walk_for(
                apps[name],
                name,
                tokens,
                args.paced_workers,
                args.paced_seconds,
                args.pause,
                counts[name],
                seed=50,
            )
            print(paced[name].line("paced"))
        p99 = paced["surveyapp"].p(99)
        ok = paced["surveyapp"].valid
        print(
            f"   surveyapp page p99 {p99:.1f} ms (bare {paced['bare'].p(99):.1f} ms; target <"
            f" {PACED_P99_TARGET_MS:g} ms)"
            f"  {verdict(p99 < PACED_P99_TARGET_MS) if ok else 'INVALID'}"
            f"  load average {os.getloadavg()[0]:.2f}"
        )
        for counter in counts.values():
            counter.engine.dispose()
    return {"ratio": ratio, "p99": p99, "valid": valid and ok}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter figures, one round")
    parser.add_argument("--seconds", type=float, help="seconds per saturation figure (20)")
    parser.add_argument("--rounds", type=int, help="saturation rounds (3)")
    parser.add_argument("--workers", type=int, help="saturation workers (default: a ramp)")
    parser.add_argument("--paced-workers", type=int, default=50)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds before each answer")
    parser.add_argument("--paced-seconds", type=float, help="seconds of paced walks (40)")
    parser.add_argument("--port", type=int, default=22100, help="bare app; surveyapp on +1")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()
    args.seconds = args.seconds or (8 if args.quick else 20)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.paced_seconds = args.paced_seconds or (20 if args.quick else 40)
    args.ramp_seconds = 3 if args.quick else 5
    if not 1024 <= args.port < 32767:
        parser.error("--port must be below 32767 (below the ephemeral range)")
    try:
        import gunicorn as _gunicorn  # noqa: F401
    except ImportError:
        sys.exit("missing: gunicorn; `pip install -e '.[bench]'` (see benchmarks/README.md)")

    print(
        f"load average before: {os.getloadavg()[0]:.2f} (2 shared cores, the load generator"
        " among them: compare ratios)"
    )
    folder = Path(tempfile.mkdtemp(prefix="surveyapp-bench-walk-"))
    outcome: dict[str, dict[str, object]] = {}
    try:
        sqlite_dir = folder / "sqlite"
        sqlite_dir.mkdir()
        outcome["SQLite"] = measure_database(
            "SQLite (WAL, synchronous=FULL)",
            sqlite_dir,
            None,
            f"sqlite:///{sqlite_dir / 'bare.sqlite3'}",
            args,
        )
        if not args.no_postgres:
            measured = on_throwaway_postgres(
                folder,
                lambda pg_dir, url, bare_url: measure_database(
                    "PostgreSQL (fsync on, synchronous_commit on)", pg_dir, url, bare_url, args
                ),
            )
            if measured is not None:
                outcome["PostgreSQL"] = measured
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print("\nsummary:")
    for name, o in outcome.items():
        print(
            f"   {name:<11} walks/s ratio {o['ratio']:.2f} (>= {RATIO_TARGET})"
            f" {verdict(o['ratio'] >= RATIO_TARGET)}; paced p99 {o['p99']:.1f} ms"
            f" (< {PACED_P99_TARGET_MS:g}) {verdict(o['p99'] < PACED_P99_TARGET_MS)}"
            + ("" if o["valid"] else "  INVALID (see above)")
        )


if __name__ == "__main__":
    main()
