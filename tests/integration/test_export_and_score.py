"""`surveyapp export` and `surveyapp score`: the offline numbers are the app's numbers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from surveyapp.cli import main
from surveyapp.demo import create_demo
from surveyapp.extensions import db
from surveyapp.instruments import get_instrument, instrument_path
from surveyapp.models import Employer, Wave
from surveyapp.results import (
    WaveNotClosed,
    compute_release,
    store_release,
    stored_release,
    stored_release_row,
)
from surveyapp.results.offline import write_responses_csv
from surveyapp.scoring import choice_item_ids, gap_item_ids

from ..conftest import SECRET

RESAMPLES = 999  # the agreement is exact at any count; fewer keeps the test quick


def _cli(app, *args: str):
    env = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": SECRET,
    }
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def demo_app(app):
    with app.app_context():
        create_demo()
    return app


def _closed_wave(app) -> tuple[int, float]:
    with app.app_context():
        # The latest closed round (the demo's earlier one has 1,200 responses).
        wave = db.session.scalar(select(Wave).where(Wave.name == "Spring wave"))
        return wave.id, float(wave.partnership.living_wage)


def test_offline_scores_equal_the_apps_to_the_last_digit(demo_app, tmp_path):
    wave_id, living_wage = _closed_wave(demo_app)
    responses, codebook = tmp_path / "responses.csv", tmp_path / "codebook.csv"
    claims = tmp_path / "claims.csv"
    exported = _cli(
        demo_app,
        "export",
        "--wave",
        str(wave_id),
        "--out",
        str(responses),
        "--codebook",
        str(codebook),
        "--claims",
        str(claims),
    )
    assert exported.exit_code == 0, exported.output
    assert "Wrote 1500 responses" in exported.output
    # The demo's earlier round: the stored release carries the trend against it.
    with demo_app.app_context():
        earlier = db.session.scalar(select(Wave.id).where(Wave.name == "Autumn wave last year"))
    previous = tmp_path / "previous.csv"
    exported = _cli(
        demo_app,
        "export",
        "--wave",
        str(earlier),
        "--out",
        str(previous),
        "--codebook",
        str(tmp_path / "previous-codebook.csv"),
    )
    assert exported.exit_code == 0, exported.output
    arguments = [
        "--instrument",
        str(instrument_path("worker", 1)),
        "--k",
        "5",
        "--living-wage",
        str(living_wage),
        "--resamples",
        str(RESAMPLES),
        "--previous",
        str(previous),
        "--previous-instrument",
        str(instrument_path("worker", 1)),
        "--previous-k",
        "5",
    ]
    scores = tmp_path / "scores.json"
    scored = _cli(
        demo_app, "score", str(responses), *arguments, "--claims", str(claims), "--out", str(scores)
    )
    assert scored.exit_code == 0, scored.output
    offline = json.loads(scores.read_text("utf-8"))
    with demo_app.app_context():
        wave = db.session.get(Wave, wave_id)
        store_release(db.session, wave, compute_release(db.session, wave, n_resamples=RESAMPLES))
        in_app = stored_release(db.session, wave)
        stored_claims = json.loads(stored_release_row(db.session, wave).parameters)["claims"]
    # The whole release, gap tests included, through the command itself: compared as
    # JSON text, every float to its last digit, every key and order.
    assert json.dumps(offline, sort_keys=True) == json.dumps(in_app, sort_keys=True)
    assert any(g["flagged"] for e in in_app["employers"] for g in e["gaps"])
    # The claims file holds the claims stored at close, every digit of them.
    with claims.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == ["employer", *gap_item_ids(get_instrument("worker", 1))]
    assert [[float(c) if c else None for c in row[1:]] for row in rows] == stored_claims
    assert [row[0] for row in rows] == [e["employer"] for e in in_app["employers"]]
    # Without the claims there are no gap tests: the file is what makes them.
    bare = _cli(demo_app, "score", str(responses), *arguments, "--out", str(tmp_path / "b.json"))
    assert bare.exit_code == 0, bare.output
    without = json.loads((tmp_path / "b.json").read_text("utf-8"))
    assert all(e["gaps"] == [] for e in without["employers"])
    assert json.dumps(_without_gaps(without), sort_keys=True) == json.dumps(
        _without_gaps(in_app), sort_keys=True
    )
    # And it is a real result, not two empty ones.
    assert offline["n_responses"] == 1500
    shown = [e for e in offline["employers"] if e["estimates"][0]["mean"] is not None]
    assert len(shown) >= 9
    assert {e["statistic"] for e in offline["equity"]} >= {"jqi"}
    assert any(t["statistic"] == "jqi" for t in offline["trend"])


def _without_gaps(release: dict) -> dict:
    return {
        **release,
        "employers": [{**e, "gaps": []} for e in release["employers"]],
    }


def test_export_writes_one_row_per_response_and_a_codebook(demo_app, tmp_path):
    wave_id, _ = _closed_wave(demo_app)
    out, codebook = tmp_path / "r.csv", tmp_path / "c.csv"
    assert (
        _cli(
            demo_app,
            "export",
            "--wave",
            str(wave_id),
            "--out",
            str(out),
            "--codebook",
            str(codebook),
            "--language",
            "es",
        ).exit_code
        == 0
    )
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1500
    assert set(rows[0]) >= {"employer", "wave", "language", "PAY1", "G1", "SHIFT"}
    assert "CHANGE" not in rows[0]  # free text is never exported
    with demo_app.app_context():
        names = set(db.session.scalars(select(Employer.name)))
    assert {r["employer"] for r in rows} <= names
    with codebook.open(encoding="utf-8") as handle:
        book = list(csv.DictReader(handle))
    pay2 = {r["code"]: r for r in book if r["column"] == "PAY2"}
    assert pay2["4"]["label"] == "De acuerdo"
    assert pay2["4"]["score"] == "75"


def test_export_refuses_open_and_unknown_waves(demo_app, tmp_path):
    with demo_app.app_context():
        open_id = db.session.scalar(select(Wave.id).where(Wave.status == "open"))
    refused = _cli(demo_app, "export", "--wave", str(open_id), "--out", str(tmp_path / "x.csv"))
    assert refused.exit_code == 1
    assert "responses are exported once it closes" in refused.output
    assert not (tmp_path / "x.csv").exists()
    unknown = _cli(demo_app, "export", "--wave", "999")
    assert unknown.exit_code == 1
    assert "there is no wave 999" in unknown.output


def test_app_results_refuse_an_open_wave(demo_app):
    with demo_app.app_context():
        wave = db.session.scalar(select(Wave).where(Wave.status == "open"))
        with pytest.raises(WaveNotClosed):
            stored_release(db.session, wave)


def test_waves_lists_ids_and_counts(demo_app):
    result = _cli(demo_app, "waves")
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "RESPONSES", "PARTNERSHIP", "/", "WAVE"]
    assert "closed       1500  Valley Health Careers Partnership / Spring wave" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("wave,PAY1\r\nx,1\r\n", "column 'employer': is missing"),
        ("employer,NOPE\r\nA,1\r\n", "column 'NOPE': is not an item"),
    ],
)
def test_score_explains_a_bad_csv_and_exits_1(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, "utf-8")
    result = CliRunner().invoke(
        main,
        [
            "score",
            str(path),
            "--instrument",
            str(instrument_path("worker", 1)),
            "--living-wage",
            "20",
        ],
    )
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_score_needs_the_living_wage_for_the_wage_question(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("employer\r\nA\r\n", "utf-8")
    result = CliRunner().invoke(
        main, ["score", str(path), "--instrument", str(instrument_path("worker", 1))]
    )
    assert result.exit_code == 1
    assert "--living-wage" in result.output


def test_score_refuses_k_below_three(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "score",
            str(Path(__file__)),
            "--instrument",
            str(instrument_path("worker", 1)),
            "--k",
            "2",
        ],
    )
    assert result.exit_code == 2
    assert "--k" in result.output


def _small_export(tmp_path: Path, segments: list[str] | None = None) -> Path:
    """Employers A and B, one blank response each (enough to read, not to score)."""
    ids = choice_item_ids(get_instrument("worker", 1))
    head = "employer" + (",segment" if segments else "")
    lines = [head + "," + ",".join(ids)]
    for n, employer in enumerate(segments or ["A", "B"]):
        label = "AB"[n % 2] if segments else employer
        extra = f",{employer}" if segments else ""
        lines.append(label + extra + "," * len(ids))
    path = tmp_path / "responses.csv"
    path.write_text("\r\n".join(lines) + "\r\n", "utf-8")
    return path


def _score_small(responses: Path, *options: str):
    arguments = ["--instrument", str(instrument_path("worker", 1)), "--living-wage", "20"]
    return CliRunner().invoke(main, ["score", str(responses), *arguments, *options])


def _one_clear_line(result, message: str) -> None:
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "claims.csv: the file is empty"),
        ("SCH1\r\n50\r\n", "row 1, column 'employer': is missing"),
        ("employer,SCH1\r\nZ,50\r\n", "row 2, column 'employer': 'Z' is not an employer"),
        ("employer,NOPE\r\nA,50\r\n", "row 1, column 'NOPE': is not a mirrored item"),
        ("employer,SCH1,SCH1\r\nA,50,50\r\n", "column 'SCH1': appears twice"),
        ("employer,SCH1\r\nA,50\r\nA,75\r\n", "row 3, column 'employer': 'A' is also on row 2"),
        ("employer,SCH1\r\nA,101\r\n", "row 2, column 'SCH1': 101 is outside 0-100"),
        ("employer,SCH1\r\nA,-0.5\r\n", "row 2, column 'SCH1': -0.5 is outside 0-100"),
        ("employer,SCH1\r\nA,abc\r\n", "row 2, column 'SCH1': 'abc' is not a number"),
        ("employer,SCH1\r\nA,nan\r\n", "row 2, column 'SCH1': 'nan' is not a number"),
        ("employer,SCH1\r\nA,inf\r\n", "row 2, column 'SCH1': 'inf' is not a number"),
        ("employer,SCH1\r\nA,50,1\r\n", "row 2: has 3 fields but the header has 2"),
    ],
)
def test_score_explains_a_bad_claims_file_and_exits_1(tmp_path, content, message):
    claims = tmp_path / "claims.csv"
    claims.write_text(content, "utf-8")
    _one_clear_line(_score_small(_small_export(tmp_path), "--claims", str(claims)), message)


@pytest.mark.parametrize(
    ("segments", "option", "message"),
    [
        (None, "size", "column 'size': is missing"),
        (None, "PAY2", "column 'PAY2': cannot be the segment"),
        (None, "language", "column 'language': cannot be the segment"),
        (["big", "small", "small", "small"], None, "row 4, column 'segment': is 'small' but row 2"),
        (["big", ""], None, "row 3, column 'segment': is empty"),
    ],
)
def test_score_explains_a_bad_segment_column_and_exits_1(tmp_path, segments, option, message):
    options = ["--segment-column", option] if option else []
    _one_clear_line(_score_small(_small_export(tmp_path, segments), *options), message)


def test_a_claims_file_without_any_claim_is_no_claims_file(tmp_path):
    responses = tmp_path / "r.csv"
    with responses.open("w", encoding="utf-8", newline="") as handle:
        # Two employers, seven complete responses each: enough for gap tests.
        worker = get_instrument("worker", 1)
        ids = choice_item_ids(worker)
        rng = np.random.default_rng(3)
        codes = np.array(
            [
                [rng.choice([o.code for o in worker.item(i).options if not o.missing]) for i in ids]
                for _ in range(14)
            ]
        )
        write_responses_csv(handle, worker, codes, ["A"] * 7 + ["B"] * 7)
    empty, some = tmp_path / "empty.csv", tmp_path / "some.csv"
    gap_ids = gap_item_ids(worker)
    empty.write_text("employer," + ",".join(gap_ids) + "\r\nA" + "," * len(gap_ids) + "\r\n")
    some.write_text("employer,SCH1\r\nB,75\r\n")
    results = {}
    for name, options in (
        ("none", []),
        ("empty", ["--claims", str(empty)]),
        ("some", ["--claims", str(some)]),
    ):
        out = tmp_path / f"{name}.json"
        result = _score_small(responses, "--resamples", "99", "--out", str(out), *options)
        assert result.exit_code == 0, result.output
        results[name] = json.loads(out.read_text("utf-8"))
    assert results["empty"] == results["none"]
    assert [len(e["gaps"]) for e in results["some"]["employers"]] == [len(gap_ids)] * 2
    b_gaps = {g["item_id"]: g for g in results["some"]["employers"][1]["gaps"]}
    assert b_gaps["SCH1"]["claim"] == 75.0
