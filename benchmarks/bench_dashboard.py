"""Closing a large wave, and opening its sector results page, against baselines.

Run:  python benchmarks/bench_dashboard.py            (200 employers x 500 responses)
      python benchmarks/bench_dashboard.py --quick    (50 x 200, about a minute)

1. **The close** of a wave of 200 employers x 500 responses (100,000 responses): the
   whole release with BCa intervals of 9,999 resamples, computed and stored, as the
   staff console's "Close this round" does. Target: within 10 s. Printed beside it:
   reading the same answers into arrays (the floor of any close).
2. **The sector results page** (``/staff/waves/<id>/results``, signed in as staff),
   which reads the stored release and draws its charts, against a bare Flask route
   rendering the same figures from a dict already in memory with a plain Jinja loop,
   both in-process through the Flask test client, alternating, ``--requests`` each.
   Target: page p95 at most 2x the bare route's p95.
3. **An employer's results page** (``/staff/waves/<id>/employers/<id>``, the page the
   employer's own dashboard renders too) against a bare route rendering that
   employer's figures and the sector's from the dict, the same way. Target: the same.

The database is a fresh SQLite file (WAL, synchronous=FULL) in a temporary folder.
The machine is shared and noisy: compare the ratio, not the milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyotp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask, render_template_string  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

BARE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Results</title></head>
<body><h1>{{ data.wave }}</h1><p>{{ data.n_responses }} responses</p>
<table>{% for s in data.sector %}<tr><th>{{ s.statistic }}</th>
<td>{{ "%.1f"|format(s.mean or 0) }}</td>
<td>{{ "%.1f"|format(s.low or 0) }}&ndash;{{ "%.1f"|format(s.high or 0) }}</td></tr>
{% endfor %}</table>
<table>{% for e in data.employers %}<tr><th>{{ e.employer }}</th>
{% for s in e.estimates %}<td>{{ "%.1f"|format(s.mean or 0) }}</td>{% endfor %}</tr>
{% endfor %}</table>
<table>{% for r in data.reliability %}<tr><td>{{ r }}</td></tr>{% endfor %}</table>
</body></html>"""

BARE_EMPLOYER_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Results</title></head>
<body><h1>{{ employer.employer }}</h1><p>{{ data.n_responses }} responses</p>
<table>{% for s in employer.estimates %}<tr><th>{{ s.statistic }}</th>
<td>{{ "%.1f"|format(s.mean or 0) }}</td>
<td>{{ "%.1f"|format(s.low or 0) }}&ndash;{{ "%.1f"|format(s.high or 0) }}</td></tr>
{% endfor %}</table>
<table>{% for s in data.sector %}<tr><th>{{ s.statistic }}</th>
<td>{{ "%.1f"|format(s.mean or 0) }}</td>
<td>{{ "%.1f"|format(s.low or 0) }}&ndash;{{ "%.1f"|format(s.high or 0) }}</td></tr>
{% endfor %}</table>
</body></html>"""

#: Page p95 at most this many times the bare route's.
PAGE_RATIO_TARGET = 2


def load_average() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def build(app, employers: int, per_employer: int) -> int:
    """A partnership, an open wave and its responses, inserted in bulk; the wave id."""
    from surveyapp.extensions import db
    from surveyapp.instruments import get_instrument
    from surveyapp.models import Answer, Employer, Partnership, Response, Wave
    from surveyapp.scoring import choice_item_ids
    from surveyapp.waves import ensure_links

    with app.app_context():
        partnership = Partnership(
            name="Bench Partnership",
            sector="Manufacturing",
            region="Bench Valley",
            living_wage=Decimal("24.00"),
            min_group_size=5,
            quote_min_responses=10,
        )
        db.session.add(partnership)
        for n in range(employers):
            db.session.add(Employer(partnership=partnership, name=f"Employer {n:03d}"))
        wave = Wave(partnership=partnership, name="Bench wave", status="open")
        db.session.add(wave)
        db.session.flush()
        ensure_links(db.session, wave)
        instrument = get_instrument(wave.worker_instrument_key, wave.worker_instrument_version)
        items = choice_item_ids(instrument)
        options = {i: [o.code for o in instrument.item(i).options] for i in items}
        rng = np.random.default_rng(7)
        ids = db.session.scalars(select(Employer.id).order_by(Employer.id)).all()
        for employer_id in ids:
            level = rng.normal(0, 0.5)
            responses, answers = [], []
            for _ in range(per_employer):
                response_id = secrets.token_hex(16)
                responses.append(
                    {
                        "id": response_id,
                        "wave_id": wave.id,
                        "employer_id": employer_id,
                        "instrument_key": instrument.key,
                        "instrument_version": instrument.version,
                        "instrument_checksum": instrument.checksum,
                        "language": "es" if rng.random() < 0.3 else "en",
                        "submitted_on": date(2027, 3, 1),
                    }
                )
                for item_id in items:
                    codes = options[item_id]
                    pick = int(np.clip(rng.normal(len(codes) / 2 + level, 1.2), 0, len(codes) - 1))
                    answers.append(
                        {"response_id": response_id, "item_id": item_id, "code": codes[pick]}
                    )
            db.session.execute(insert(Response), responses)
            db.session.execute(insert(Answer), answers)
        db.session.commit()
        return wave.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--employers", type=int, default=200)
    parser.add_argument("--per-employer", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    if args.quick:
        args.employers, args.per_employer, args.requests = 50, 200, 100

    folder = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(folder)
    from flask_migrate import upgrade

    from surveyapp import create_app
    from surveyapp.accounts import second_factor
    from surveyapp.accounts.passwords import hash_password
    from surveyapp.accounts.service import create_user
    from surveyapp.db import begin_write
    from surveyapp.extensions import db
    from surveyapp.models import Partnership, Wave
    from surveyapp.results import stored_release
    from surveyapp.results.wave_data import load_wave_answers
    from surveyapp.waves import close_wave

    app = create_app({"RATELIMIT_ENABLED": False, "SECRET_KEY": secrets.token_hex(32)})
    with app.app_context():
        upgrade()
    size = args.employers * args.per_employer
    print(f"load average before: {load_average()} (2 shared cores: figures are noisy)")
    started = time.perf_counter()
    wave_id = build(app, args.employers, args.per_employer)
    print(
        f"built {args.employers} employers x {args.per_employer} = {size:,} responses "
        f"in {time.perf_counter() - started:.1f} s"
    )

    # 1. The close.
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        started = time.perf_counter()
        load_wave_answers(db.session, wave)
        floor = time.perf_counter() - started
        db.session.rollback()
        started = time.perf_counter()
        begin_write(db.session)
        close_wave(db.session, db.session.get(Wave, wave_id))
        db.session.commit()
        took = time.perf_counter() - started
        figures = stored_release(db.session, db.session.get(Wave, wave_id))
        partnership_id = db.session.scalar(select(Partnership.id))
        user = create_user(db.session, "bench@example.org", partnership_id=partnership_id)
        user.password_hash = hash_password("bench passphrase here")
        # Staff sign in with a second factor: set one up, and type its code below.
        totp = second_factor.new_secret()
        user.totp_secret = second_factor.seal_secret(user, totp)
        user.totp_enabled_at = user.created_at
        db.session.commit()
    verdict = "PASS" if took <= 10 else "FAIL"
    print(
        f"\n1. close (release with BCa 9,999 resamples, stored): {took:.1f} s "
        f"(reading the answers alone: {floor:.1f} s); target <= 10 s  {verdict}  "
        f"load {load_average()}"
    )

    # 2. The page against a bare route.
    bare = Flask("bare")
    bare.add_url_rule("/", "page", lambda: render_template_string(BARE_PAGE, data=figures))
    bare_client = bare.test_client()
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = login.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    signed = client.post(
        "/login",
        data={
            "email": "bench@example.org",
            "password": "bench passphrase here",
            "csrf_token": token,
        },
    )
    assert signed.status_code == 302, signed.status_code
    page = client.get("/login/code").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    signed = client.post("/login/code", data={"code": pyotp.TOTP(totp).now(), "csrf_token": token})
    assert signed.status_code == 302, signed.status_code
    with app.app_context():
        from surveyapp.models import Employer

        employer_id = db.session.scalar(select(Employer.id).order_by(Employer.name))
    bare.add_url_rule(
        "/employer",
        "employer",
        lambda: render_template_string(
            BARE_EMPLOYER_PAGE, data=figures, employer=figures["employers"][0]
        ),
    )
    p95: dict[str, float] = {}
    for number, (label, url, bare_url) in enumerate(
        (
            ("sector results page", f"/staff/waves/{wave_id}/results", "/"),
            (
                "employer results page",
                f"/staff/waves/{wave_id}/employers/{employer_id}",
                "/employer",
            ),
        ),
        start=2,
    ):
        first = client.get(url)
        if first.status_code != 200:
            print(f"{number}. the {label} answered {first.status_code}: not measured")
            continue
        bare_client.get(bare_url)
        times: dict[str, list[float]] = {"page": [], "bare": []}
        for _ in range(args.requests):
            for name, call in (
                ("page", lambda url=url: client.get(url)),
                ("bare", lambda bare_url=bare_url: bare_client.get(bare_url)),
            ):
                started = time.perf_counter()
                response = call()
                times[name].append(time.perf_counter() - started)
                assert response.status_code == 200
        page = {
            name: statistics.quantiles(values, n=20)[-1] * 1000 for name, values in times.items()
        }
        ratio = page["page"] / page["bare"]
        p95[f"{label}_p95_ms"] = round(page["page"], 2)
        p95[f"{label}_bare_p95_ms"] = round(page["bare"], 2)
        print(
            f"{number}. {label} ({len(first.data):,} bytes) p95 {page['page']:.1f} ms; "
            f"bare route from a dict p95 {page['bare']:.1f} ms; ratio {ratio:.2f} "
            f"(target <= {PAGE_RATIO_TARGET})  {'PASS' if ratio <= PAGE_RATIO_TARGET else 'FAIL'}"
            f"  load {load_average()}"
        )
    print(
        json.dumps(
            {
                "close_seconds": round(took, 2),
                **{key.replace(" ", "_"): value for key, value in p95.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
