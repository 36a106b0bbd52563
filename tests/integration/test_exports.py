"""Issue 12, exports: a closed round's CSV files from the staff console and `surveyapp export`.

The console's downloads are the CLI's files byte for byte; the aggregates are the stored
release's numbers (and, rounded, the page's); a hidden employer's row reads exactly like
an employer with no response; employer names that a spreadsheet would run as formulas
are neutralised in every file; only the partnership's staff reach them, only once the
round has closed. Segments score like separate files.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from babel.numbers import format_decimal
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from surveyapp.cli import main
from surveyapp.extensions import db
from surveyapp.instruments import instrument_path
from surveyapp.models import Employer, Wave
from surveyapp.results.offline import score_csv
from surveyapp.scoring import choice_item_ids
from surveyapp.waves import ensure_links

from ..conftest import SECRET
from ..employer_results_driver import (
    GAP_IDS,
    LIVING_WAGE,
    V2,
    K,
    close,
    employer_client,
    entry_of,
    reader_text,
    send_survey,
    stored,
)
from ..factories import add_responses
from ..staff_driver import Console, text

KINDS = ("responses", "codebook", "claims", "aggregates")
#: What a spreadsheet would run as a formula (the CLI export's list, tab and CR included).
FORMULA = ("=", "+", "-", "@", "\t", "\r")
CALC = "=cmd|' /C calc'!A0"
#: name, responses, size band, industry code. Quiet Home is below k (hidden); Tab Works
#: has a link but no response: their rows must read alike.
ROSTER = [
    (CALC, 12, "50-249", "6221"),
    ("+Plus Care", 10, "50-249", "6221"),
    ("-Minus Health", 9, "50-249", None),
    ("@At Clinic", 8, "1-49", "6231"),
    ("Quiet Home", K - 1, "1-49", "6231"),
    ("\tTab Works", 0, "1-49", None),
]
SURVEYS = {
    CALC: {"E4": Decimal(14), "E15_PAY2": 5, "E15_RES1": 3, "E3b_ft": 1, "E1": Decimal("25.00")},
    "@At Clinic": {"E3b_ft": 1, "E3c_ft": 1, "E9_together": 1, "E15_VOI1": 5, "E4": Decimal(3)},
}


def _cli(app: Flask, *args: str) -> Any:
    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": SECRET}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _label(name: str) -> str:
    """A name as every CSV writes it: a leading apostrophe before a formula start."""
    return "'" + name if name.startswith(FORMULA) else name


def _add_responses(app: Flask, partnership: int, wave_id: int, sizes: dict[str, int]) -> None:
    with app.app_context():
        # add_responses fills employers in the database's name order (its collation).
        order = db.session.scalars(
            select(Employer.name)
            .where(Employer.partnership_id == partnership)
            .order_by(Employer.name)
        ).all()
        add_responses(db.session.get(Wave, wave_id), [sizes[name] for name in order], seed=wave_id)


def _ids(app: Flask, partnership: int) -> dict[str, int]:
    with app.app_context():
        found = db.session.execute(
            select(Employer.name, Employer.id).where(Employer.partnership_id == partnership)
        )
        return dict(found.all())


def _closed_round(app: Flask) -> tuple[Console, int]:
    """Partnership A with ROSTER's employers and a closed round with two sent surveys."""
    console = Console.make(app, employers=len(ROSTER), k=K)
    wave_id = console.wave()
    with app.app_context():
        employers = db.session.scalars(
            select(Employer)
            .where(Employer.partnership_id == console.partnership)
            .order_by(Employer.id)
        ).all()
        for employer, (name, _n, band, industry) in zip(employers, ROSTER, strict=True):
            employer.name, employer.size_band, employer.industry_code = name, band, industry
        db.session.commit()
    _add_responses(app, console.partnership, wave_id, {name: n for name, n, *_ in ROSTER})
    ids = _ids(app, console.partnership)
    for name, answers in SURVEYS.items():
        send_survey(app, wave_id, ids[name], answers)
    close(app, wave_id)
    return console, wave_id


def _download(console: Console, wave_id: int, kind: str, **query: str) -> Any:
    return console.get(f"/staff/waves/{wave_id}/exports/{kind}.csv", query_string=query)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _export(app: Flask, wave_id: int, folder: Path, *options: str) -> dict[str, Path]:
    """`surveyapp export` of every file; their paths by kind."""
    paths = {kind: folder / f"{kind}-{wave_id}.csv" for kind in KINDS}
    arguments = ["--out", str(paths["responses"]), "--codebook", str(paths["codebook"])]
    arguments += ["--claims", str(paths["claims"]), "--aggregates", str(paths["aggregates"])]
    result = _cli(app, "export", "--wave", str(wave_id), *arguments, *options)
    assert result.exit_code == 0, result.output
    return paths


# ------------------------------------------------------------------- the same files


def test_console_downloads_are_the_cli_files_byte_for_byte(app, tmp_path):
    console, wave_id = _closed_round(app)
    files = _export(app, wave_id, tmp_path)
    for kind in KINDS:
        response = _download(console, wave_id, kind)
        assert response.status_code == 200, kind
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Cache-Control"] == "no-store"
        disposition = response.headers["Content-Disposition"]
        assert re.fullmatch(rf'attachment; filename="[a-z0-9-]+-{kind}\.csv"', disposition)
        assert response.data == files[kind].read_bytes(), kind
    # The codebook comes in the page's language, as `--language` writes it.
    (tmp_path / "es").mkdir()
    spanish = _export(app, wave_id, tmp_path / "es", "--language", "es")["codebook"]
    download = _download(console, wave_id, "codebook", lang="es")
    assert download.data == spanish.read_bytes()
    assert "De acuerdo" in download.get_data(as_text=True)
    assert "De acuerdo" not in files["codebook"].read_text("utf-8")


def test_the_results_page_links_each_download(app):
    console, wave_id = _closed_round(app)
    page = text(console.get(f"/staff/waves/{wave_id}/results"))
    for kind in KINDS:
        assert f'href="/staff/waves/{wave_id}/exports/{kind}.csv" download' in page


def test_responses_file_is_the_documented_format_without_free_text(app):
    console, wave_id = _closed_round(app)
    header, *body = _rows(_download(console, wave_id, "responses").data)
    assert header[:3] == ["employer", "wave", "language"]
    assert header[3:] == list(choice_item_ids(V2))
    assert "CHANGE" not in header  # the free-text question
    assert len(body) == sum(n for _name, n, *_ in ROSTER)


# ------------------------------------------------------------------- the aggregates


def _page_employers(page: str) -> dict[str, list[str]]:
    """Name -> cells of the sector page's employer table, small print included."""
    table = re.search(r'<table[^>]*id="employers".*?</table>', page, re.S)
    assert table
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S):
        header = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if header:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            found[reader_text(header.group(1))] = [reader_text(c) for c in cells]
    return found


def _one(value: str) -> str:
    return format_decimal(float(value), "0.0", locale="en")


def test_aggregates_are_the_stored_release_and_the_page_rounded(app):
    console, wave_id = _closed_round(app)
    header, *body = _rows(_download(console, wave_id, "aggregates").data)
    figures, _parameters = stored(app, wave_id)
    statistics = [s for s in figures["statistics"] if s != "at_threshold"]
    assert statistics[0] == "jqi"
    assert len(statistics) == 1 + len(V2.dimensions)
    expected = [f"{s}_{part}" for s in statistics for part in ("mean", "low", "high")]
    assert header == ["employer", "n_responses", *expected]
    rows = {row[0]: row[1:] for row in body}
    assert sorted(rows) == sorted(_label(name) for name, *_ in ROSTER)
    shown = 0
    for entry in figures["employers"]:
        cells = rows[_label(entry["employer"])]
        estimates = {e["statistic"]: e for e in entry["estimates"]}
        jqi_shown = estimates["jqi"]["mean"] is not None
        assert cells[0] == (str(entry["n_responses"]) if jqi_shown else "")
        for n, statistic in enumerate(statistics):
            triple, estimate = cells[1 + 3 * n : 4 + 3 * n], estimates[statistic]
            if estimate["mean"] is None:
                assert triple == ["", "", ""]
            else:  # every digit: the text reads back as the very float stored
                assert [float(c) for c in triple] == [estimate[p] for p in ("mean", "low", "high")]
                shown += 1
    assert shown >= 3 * len(statistics)
    # The page shows the same numbers to one decimal, hides the same employers, and
    # lists the same employers as the CSV (those without a response too).
    page = _page_employers(text(console.get(f"/staff/waves/{wave_id}/results")))
    labels = {name.strip(): _label(name) for name, *_ in ROSTER}
    assert sorted(page) == sorted(labels)
    assert len(page) > len(figures["employers"])
    for name, cells in page.items():
        row = rows[labels[name]]
        if row[1] == "":
            assert cells == ["not enough responses"]
            continue
        mean, low, high = row[1:4]
        assert cells[0] == row[0]
        assert cells[-1] == f"{_one(mean)} 95% interval {_one(low)} – {_one(high)}"


def test_hidden_employers_rows_read_exactly_like_empty_ones(app):
    console, wave_id = _closed_round(app)
    data = _download(console, wave_id, "aggregates").data.decode("utf-8")
    header, *body = [line for line in data.split("\r\n") if line]
    lines = {line.split(",", 1)[0]: line for line in body}
    width = len(header.split(","))
    ids = _ids(app, console.partnership)
    # Below k: in the release, every figure hidden; no response: not in the release.
    assert entry_of(app, wave_id, ids["Quiet Home"]) is not None
    assert entry_of(app, wave_id, ids["\tTab Works"]) is None
    hidden = [
        name
        for name, *_ in ROSTER
        if (entry := entry_of(app, wave_id, ids[name])) is None
        or all(e["mean"] is None for e in entry["estimates"])
    ]
    # And one hidden by complementary suppression: the three reasons read alike.
    assert len(hidden) == 3
    assert {"Quiet Home", "\tTab Works"} <= set(hidden)
    for name in hidden:
        assert lines[_label(name)] == _label(name) + "," * (width - 1)
    shown = [line for line in lines.values() if not line.endswith(",,,")]
    assert len(shown) == len(ROSTER) - len(hidden) >= 3


# ------------------------------------------------------------------- formulas


def test_names_that_look_like_formulas_are_neutralised_in_every_file(app):
    console, wave_id = _closed_round(app)
    every = {kind: _rows(_download(console, wave_id, kind).data) for kind in KINDS}
    for kind, rows in every.items():
        for row in rows:
            assert not [cell for cell in row if cell.startswith(FORMULA)], kind
    with_responses = {_label(name) for name, n, *_ in ROSTER if n}
    assert {row[0] for row in every["responses"][1:]} == with_responses
    assert {row[0] for row in every["claims"][1:]} == with_responses
    assert {row[0] for row in every["aggregates"][1:]} == {_label(n) for n, *_ in ROSTER}
    assert f"'{CALC}" in with_responses


# ------------------------------------------------------------------- who and when


def _refused(response: Any, status: int) -> None:
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response.headers


def test_only_the_partnerships_staff_download_and_others_get_the_missing_page(app):
    console, wave_id = _closed_round(app)
    other = console.wave(console.other)
    with app.app_context():  # another partnership's closed round, with responses
        add_responses(db.session.get(Wave, other), [6, 6])
    close(app, other)
    missing = _download(console, 999_999, "responses")
    _refused(missing, 404)
    for kind in KINDS:
        theirs = _download(console, other, kind)
        _refused(theirs, 404)
        assert theirs.data == missing.data
    employer = employer_client(app, console.partnership, _ids(app, console.partnership)[CALC])
    anonymous = app.test_client()
    for kind in KINDS:
        url = f"/staff/waves/{wave_id}/exports/{kind}.csv"
        _refused(employer.get(url), 404)
        assert anonymous.get(url).status_code == 302  # to the sign-in page
    _refused(console.get(f"/staff/waves/{wave_id}/exports/free-text.csv"), 404)


def test_a_round_not_closed_gets_409_and_no_file(app):
    console = Console.make(app, employers=2, k=K)
    wave_id = console.wave()
    with app.app_context():
        add_responses(db.session.get(Wave, wave_id), [6, 6])
    for status in ("open", "draft"):
        with app.app_context():
            db.session.get(Wave, wave_id).status = status
            db.session.commit()
        for kind in KINDS:
            response = _download(console, wave_id, kind)
            _refused(response, 409)
            assert "Results come when the round closes." in text(response)
    refused = _cli(app, "export", "--wave", str(wave_id), "--aggregates", "x.csv")
    assert refused.exit_code == 1
    assert "responses are exported once it closes" in refused.output


def test_aggregates_of_a_round_closed_without_a_stored_release_are_refused(app, tmp_path):
    console = Console.make(app, employers=2, k=K)
    wave_id = console.wave()
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        add_responses(wave, [6, 6])
        wave.status = "closed"  # as databases from before stored releases have it
        db.session.commit()
    assert _download(console, wave_id, "responses").status_code == 200
    _refused(_download(console, wave_id, "aggregates"), 409)
    out = tmp_path / "aggregates.csv"
    refused = _cli(app, "export", "--wave", str(wave_id), "--aggregates", str(out))
    assert refused.exit_code == 1
    assert "surveyapp results recompute" in refused.output
    assert not out.exists()


# ------------------------------------------------------------------- segments


def _second_round(app: Flask, console: Console) -> int:
    """A later closed round of A with other sizes: its previous round is the first."""
    with app.app_context():
        wave = Wave(
            partnership_id=console.partnership, name="Later", status="open", min_group_size=K
        )
        db.session.add(wave)
        db.session.flush()
        ensure_links(db.session, wave)
        db.session.commit()
        wave_id = wave.id
    sizes = {CALC: 11, "+Plus Care": 9, "-Minus Health": 7, "@At Clinic": 6, "Quiet Home": 5}
    _add_responses(app, console.partnership, wave_id, {**sizes, "\tTab Works": 0})
    ids = _ids(app, console.partnership)
    for name, answers in SURVEYS.items():
        send_survey(app, wave_id, ids[name], answers)
    close(app, wave_id)
    return wave_id


def _score(app: Flask, files: dict[str, Path], previous: Path, out: Path, *options: str) -> dict:
    arguments = ["--instrument", str(instrument_path("worker", 2)), "--k", str(K)]
    arguments += ["--living-wage", str(LIVING_WAGE), "--claims", str(files["claims"])]
    arguments += ["--previous", str(previous), "--out", str(out), *options]
    result = _cli(app, "score", str(files["responses"]), *arguments)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text("utf-8"))


def _only(rows: list[list[str]], labels: set[str], folder: Path, name: str) -> Path | None:
    """A CSV of the rows of these employers, without any segment column; None if none."""
    header = rows[0]
    keep = [n for n, column in enumerate(header) if column != "segment"]
    body = [row for row in rows[1:] if row[0] in labels]
    if not body:
        return None
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([[row[n] for n in keep] for row in [header, *body]])
    return path


def test_segments_score_like_separate_files_and_keep_rule_7(app, tmp_path):
    console, first = _closed_round(app)
    second = _second_round(app, console)
    previous = _export(app, first, tmp_path)["responses"]
    files = _export(app, second, tmp_path, "--segment", "size_band")
    scores = _score(app, files, previous, tmp_path / "segments.json")
    responses = _rows(files["responses"].read_bytes())
    column = responses[0].index("segment")
    segment_of = {row[0]: row[column] for row in responses[1:]}
    assert set(scores) == {"segments"}
    assert list(scores["segments"]) == ["1-49", "50-249"]
    claims = {row[0]: row[1:] for row in _rows(files["claims"].read_bytes())[1:]}
    claim_columns = _rows(files["claims"].read_bytes())[0][1:]
    assert claim_columns == list(GAP_IDS)
    for segment, release in scores["segments"].items():
        labels = {label for label, s in segment_of.items() if s == segment}
        assert {e["employer"] for e in release["employers"]} == labels
        # The independent check: this segment's rows alone, scored by score_csv.
        rows = np.array(
            [[float(c) if c else np.nan for c in claims[label]] for label in sorted(labels)]
        )
        alone = score_csv(
            _only(responses, labels, tmp_path, f"{segment}.csv"),
            V2,
            k=K,
            living_wage=LIVING_WAGE,
            claims=None if np.isnan(rows).all() else rows,
            previous=_only(_rows(previous.read_bytes()), labels, tmp_path, f"p{segment}.csv"),
        )
        assert json.dumps(json.loads(json.dumps(alone)), sort_keys=True) == json.dumps(
            release, sort_keys=True
        )
        assert release["trend"]
        assert any(e["gaps"] for e in release["employers"])
    small, large = scores["segments"]["1-49"], scores["segments"]["50-249"]
    # 1-49: two employers with k responses or more; rule 7 gives it no peer figures.
    assert sum(e["n_responses"] is not None for e in small["employers"]) < 3
    assert all(p["median"] is None for p in small["peers"])
    assert all(v is None for e in small["employers"] for v in e["percentiles"])
    # 50-249: three such employers, so a peer median (a percentile needs five).
    jqi = next(p for p in large["peers"] if p["statistic"] == "jqi")
    assert jqi["median"] is not None


def test_export_writes_industry_and_size_band_segments_and_says_so_in_the_codebook(app, tmp_path):
    _console, wave_id = _closed_round(app)
    for segment, expected in (
        ("size_band", {"50-249", "1-49"}),
        ("industry", {"6221", "6231", "unknown"}),
    ):
        files = _export(app, wave_id, tmp_path, "--segment", segment)
        rows = _rows(files["responses"].read_bytes())
        column = rows[0].index("segment")
        assert {row[column] for row in rows[1:]} == expected
        book = list(csv.DictReader(io.StringIO(files["codebook"].read_text("utf-8"))))
        described = [r for r in book if r["column"] == "segment"]
        assert len(described) == 1
        assert segment in described[0]["question"]
    plain = _export(app, wave_id, tmp_path)
    assert "segment" not in _rows(plain["responses"].read_bytes())[0]
    assert "segment" not in plain["codebook"].read_text("utf-8")
