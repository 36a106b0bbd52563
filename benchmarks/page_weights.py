"""The bytes and the cost of every worker, staff and employer page (bench_pages.py).

surveyapp runs in-process (Flask test client) on a demo instance; the bare app's page
GET (bare_app.py, the same run's baseline) is timed the same way, in the same
process, alternating, so a page's cost is printed as a ratio to it.

- Worker pages: one walk of the survey (start, every question page, check, thank-you),
  then the save code page, the resume page and the "already answered" page.
- Staff and employer pages: signed in (staff with their second factor), every GET page
  reachable by links from the console's home, one of each kind (route), PDFs and CSV
  exports left out (bench_briefs.py measures the PDFs).

Bytes are the HTML as sent uncompressed, and gzip-compressed at level 6 (what
Flask-Compress sends to a browser that accepts gzip; brotli is smaller still).
Target: every worker page at most 15 KB raw and 5 KB compressed.
"""

from __future__ import annotations

import gzip
import os
import random
import re
import secrets
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tests.load_workers import pick_answers

WORKER_RAW_LIMIT = 15 * 1024
WORKER_GZIP_LIMIT = 5 * 1024
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_HREF = re.compile(r'href="(/(?:staff|employer)/[^"#?]*)"')
_SKIP = re.compile(r"\.(pdf|csv|png|zip)$|/logout")
PASSWORD = "bench passphrase for page weights"  # noqa: S105 - a throwaway instance


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    if match is None:
        raise RuntimeError("page has no CSRF token")
    return match.group(1)


def _accounts(app: Any) -> tuple[str, str, str]:
    """A staff user with a second factor and an employer user; (staff, employer, TOTP)."""
    from sqlalchemy import select

    from surveyapp.accounts import second_factor
    from surveyapp.accounts.passwords import hash_password
    from surveyapp.accounts.service import create_user, now
    from surveyapp.db import begin_write
    from surveyapp.extensions import db
    from surveyapp.models import Employer, Partnership

    suffix = secrets.token_hex(4)
    staff_email, employer_email = (
        f"bench-staff-{suffix}@example.org",
        f"bench-hr-{suffix}@example.org",
    )
    with app.app_context():
        begin_write(db.session)
        partnership = db.session.scalars(select(Partnership).order_by(Partnership.id)).first()
        employer = db.session.scalars(
            select(Employer).where(Employer.partnership_id == partnership.id).order_by(Employer.id)
        ).first()
        staff = create_user(db.session, staff_email, partnership_id=partnership.id)
        hr = create_user(
            db.session, employer_email, partnership_id=partnership.id, employer=employer
        )
        totp = second_factor.new_secret()
        for user in (staff, hr):
            user.password_hash = hash_password(PASSWORD)
        staff.totp_secret = second_factor.seal_secret(staff, totp)
        staff.totp_enabled_at = now()
        db.session.commit()
        db.engine.dispose()
    return staff_email, employer_email, totp


def _sign_in(client: Any, email: str, totp: str | None) -> None:
    html = client.get("/login").get_data(as_text=True)
    answer = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(html)}
    )
    if answer.status_code != 302:
        raise RuntimeError(f"signing in {email} answered {answer.status_code}")
    if "/login/code" in answer.headers.get("Location", ""):
        if totp is None:
            raise RuntimeError(f"{email} was asked for a second factor")
        html = client.get("/login/code").get_data(as_text=True)
        code = pyotp.TOTP(totp).now()
        answer = client.post("/login/code", data={"code": code, "csrf_token": _csrf(html)})
        if answer.status_code != 302:
            raise RuntimeError(f"the second factor of {email} answered {answer.status_code}")


def _crawl(app: Any, client: Any, home: str, limit: int = 60) -> list[tuple[str, str]]:
    """(endpoint, path) of every GET page linked from ``home``, one path per endpoint."""
    adapter = app.url_map.bind("localhost")
    seen: dict[str, str] = {}
    queue = [home]
    visited: set[str] = set()
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in visited or _SKIP.search(path):
            continue
        visited.add(path)
        try:
            endpoint, _args = adapter.match(path, method="GET")
        except (HTTPException, RequestRedirect):  # a link that is not a GET route, or a redirect
            continue
        if endpoint in seen:
            continue
        answer = client.get(path)
        if answer.status_code != 200 or answer.mimetype != "text/html":
            continue
        seen[endpoint] = path
        queue += _HREF.findall(answer.get_data(as_text=True))
    return sorted(seen.items(), key=lambda item: item[1])


def _worker_pages(client: Any, token: str) -> list[tuple[str, bytes]]:
    """Walk the survey once; (name, body) of each worker page as the walk saw it."""
    rng = random.Random(3)
    base = f"/s/{token}"
    pages: list[tuple[str, bytes]] = []

    def get(name: str, path: str) -> str:
        answer = client.get(path)
        if answer.status_code != 200:
            raise RuntimeError(f"{name}: GET {path} answered {answer.status_code}")
        pages.append((name, answer.data))
        return str(answer.get_data(as_text=True))

    html = get("start (anonymity receipt)", base)
    path = client.post(f"{base}/start", data={"csrf_token": _csrf(html)}).headers["Location"]
    saved = False
    while "/p/" in path:
        html = get(f"question page {path.rsplit('/', 1)[1]}", path)
        form = {"csrf_token": _csrf(html), "action": "continue", **pick_answers(html, "en", rng)}
        if not saved:  # once, "save and finish later": the save code page
            client.post(path, data={**form, "action": "save"})
            get("save code", f"{base}/saved")
            get("resume with a save code", f"{base}/resume")
            saved = True
        path = client.post(path, data=form).headers["Location"]
    html = get("check your answers", path)
    path = client.post(f"{base}/submit", data={"csrf_token": _csrf(html)}).headers["Location"]
    get("thank you", path)
    get("already answered", base)
    return pages


def _timed(call: Callable[[], Any], other: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Median seconds of ``call`` and ``other``, timed alternately."""
    ours, theirs = [], []
    for _ in range(repeats):
        for calls, sink in ((call, ours), (other, theirs)):
            started = time.perf_counter()
            calls()
            sink.append(time.perf_counter() - started)
    return statistics.median(ours), statistics.median(theirs)


def report(
    instance: Path, database_url: str | None, token: str, bare_url: str, repeats: int
) -> None:
    """Print the bytes of every page, and the cost of staff and employer pages."""
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    import bare_app

    from surveyapp import create_app

    overrides: dict[str, object] = {"RATELIMIT_ENABLED": False}
    if database_url:
        overrides["SQLALCHEMY_DATABASE_URI"] = database_url
    app = create_app(overrides)
    staff_email, employer_email, totp = _accounts(app)

    # PERFORMANCE.md's 40-question form, the baseline bench_pages.py measures against.
    bare = bare_app.create(bare_url, questions=40, style="performance").test_client()

    def bare_get() -> Any:
        answer = bare.get("/p/5")
        assert answer.status_code == 200
        return answer

    bare_size = len(bare_get().data)

    print(
        "\nPage weights: bytes as sent (uncompressed) and gzip level 6; cost in-process"
        f" (Flask test client, median of {repeats}) against the bare app's page GET"
        f" ({bare_size:,} bytes) timed alternately"
    )
    worker = app.test_client()
    rows: list[tuple[str, str, int, int, float | None, float | None]] = []
    worker_ok = True
    for name, body in _worker_pages(worker, token):
        raw, packed = len(body), len(gzip.compress(body, 6))
        worker_ok &= raw <= WORKER_RAW_LIMIT and packed <= WORKER_GZIP_LIMIT
        rows.append(("worker", name, raw, packed, None, None))
    for role, email, second in (("staff", staff_email, totp), ("employer", employer_email, None)):
        client = app.test_client()
        _sign_in(client, email, second)
        home = "/staff/" if role == "staff" else "/employer/"
        for endpoint, path in _crawl(app, client, home):

            def page(path: str = path, client: Any = client) -> Any:
                answer = client.get(path)
                assert answer.status_code == 200, (path, answer.status_code)
                return answer

            body = page().data
            ours, theirs = _timed(page, bare_get, repeats)
            rows.append(
                (
                    role,
                    endpoint.split(".", 1)[1],
                    len(body),
                    len(gzip.compress(body, 6)),
                    ours,
                    theirs,
                )
            )

    print(f"   {'who':<9}{'page':<36}{'bytes':>8}{'gzip':>7}{'ms':>7}{'x bare':>8}")
    for who, name, raw, packed, ours, theirs in rows:
        cost = f"{1000 * ours:>7.2f}{ours / theirs:>8.1f}" if ours and theirs else ""
        print(f"   {who:<9}{name[:35]:<36}{raw:>8,}{packed:>7,}{cost}")
    worker_rows = [r for r in rows if r[0] == "worker"]
    print(
        f"   worker pages: largest {max(r[2] for r in worker_rows):,} bytes raw"
        f" (target <= {WORKER_RAW_LIMIT:,}), {max(r[3] for r in worker_rows):,} compressed"
        f" (target <= {WORKER_GZIP_LIMIT:,})  {verdict(worker_ok)}"
    )
    with app.app_context():
        from surveyapp.extensions import db

        db.engine.dispose()
