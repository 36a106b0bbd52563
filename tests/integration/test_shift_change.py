"""A shift change, short form: 50 workers take the survey at once from one address.

At a shift change a whole crew scans the same QR poster from the break-room Wi-Fi,
so every phone reaches the server from one address. This drives a real
`surveyapp serve` subprocess (waitress, SQLite, rate limits on, exactly as shipped)
over HTTP with the virtual workers of tests/load_workers.py; the full form is
benchmarks/bench_shift_change.py.
"""

from __future__ import annotations

import pytest

from ..load_workers import (
    Plan,
    create_demo,
    fresh_instance,
    open_wave_responses,
    run_workers,
    serve,
)
from ..postgres import free_port

WORKERS = 50


@pytest.mark.slow
def test_fifty_workers_from_one_address_all_complete():
    # Arrivals over 10 s and 0.2-1 s per page: about 25 s in all, under the 60 s budget.
    plan = Plan(workers=WORKERS, arrival_seconds=10, think_min=0.2, think_max=1.0, seed=8)
    with fresh_instance() as instance:
        tokens = create_demo(instance)
        before = open_wave_responses(instance)
        with serve(instance, free_port()) as server:
            report = run_workers("127.0.0.1", server.port, tokens, plan, deadline_seconds=90)
        stored = open_wave_responses(instance) - before

    completed = report.count("completed")
    summary = (
        f"completed {completed}/{WORKERS}, rate-limited {report.count('rate_limited')}, "
        f"timeouts {report.count('timeout')}, errors {report.count('error')}, "
        f"unfinished {report.count('unfinished')}, HTTP 429s {report.status_count(429)}, "
        f"stored {stored}; {report.details()}"
    )
    # Checked first and on its own: a response stored without the worker seeing the
    # thank-you page (or the reverse) is a bug whatever the load.
    assert stored == completed, summary
    assert report.status_count(429) == 0, summary
    assert report.count("timeout") == 0, summary
    assert completed == WORKERS, summary
