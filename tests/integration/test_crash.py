"""A server killed mid-way (kill -9 during a crowd of submissions): every response a
worker was thanked for is stored, none is half-written, and the database is intact."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time

import pytest

from ..load_workers import (
    Plan,
    create_demo,
    fresh_instance,
    open_wave_responses,
    run_workers,
    serve,
)
from ..postgres import free_port, kill_tree

pytestmark = pytest.mark.slow


def test_kill_9_mid_crowd_loses_no_acknowledged_response():
    plan = Plan(workers=40, arrival_seconds=5, think_min=0.05, think_max=0.2, seed=11)
    with fresh_instance() as instance:
        tokens = create_demo(instance)
        before = open_wave_responses(instance)
        port = free_port()
        reports = []
        with serve(instance, port) as server:
            crowd = threading.Thread(
                target=lambda: reports.append(
                    run_workers("127.0.0.1", port, tokens, plan, deadline_seconds=60)
                )
            )
            crowd.start()
            # Kill once some have been thanked and others are still answering: the
            # master and every worker process, as a power cut would.
            deadline = time.monotonic() + 30
            while open_wave_responses(instance) - before < 5 and time.monotonic() < deadline:
                time.sleep(0.05)
            kill_tree(server.process)
            crowd.join(90)
        report = reports[0]
        thanked = report.count("completed")
        stored = open_wave_responses(instance) - before
        unfinished = plan.workers - thanked
        # Killed mid-crowd: some were thanked (a thank-you can trail its stored response).
        assert 1 <= thanked < plan.workers, report.details()
        # Every thanked worker's response is there; a send cut off by the kill may or
        # may not be (its worker saw no thank-you), but nothing beyond those.
        assert thanked <= stored <= thanked + unfinished
        with contextlib.closing(sqlite3.connect(instance / "surveyapp.sqlite3")) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            # All or nothing: no response without its answers, no answer without its response.
            assert db.execute(
                "SELECT count(*) FROM responses r WHERE NOT EXISTS"
                " (SELECT 1 FROM answers a WHERE a.response_id = r.id)"
            ).fetchone() == (0,)
            assert db.execute(
                "SELECT count(*) FROM answers a WHERE NOT EXISTS"
                " (SELECT 1 FROM responses r WHERE r.id = a.response_id)"
            ).fetchone() == (0,)
        # The server starts again on the same files and takes the rest.
        with serve(instance, free_port()) as again:
            rest = run_workers(
                "127.0.0.1",
                again.port,
                tokens,
                Plan(workers=5, arrival_seconds=1, think_min=0.05, think_max=0.1, seed=12),
                deadline_seconds=60,
            )
        assert rest.count("completed") == 5
        assert open_wave_responses(instance) - before == stored + 5
