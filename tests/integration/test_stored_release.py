"""Issue 9: a wave's results are computed once, at close, and stored (anonymity rule 3)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from surveyapp.cli import main
from surveyapp.extensions import db
from surveyapp.instruments import get_instrument, instrument_path
from surveyapp.models import StoredRelease, Wave
from surveyapp.results import NoStoredRelease, WaveNotClosed, stored_release, stored_release_row
from surveyapp.results import store as store_module
from surveyapp.results.store import compute_release, store_release
from surveyapp.scoring import SCORING_VERSION
from surveyapp.waves import WaveLocked, close_wave, ensure_links

from ..conftest import SECRET
from ..factories import add_responses, make_wave

K = 5


def _cli(app, *args: str):
    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": SECRET}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _wave(name: str | None = None) -> Wave:
    query = select(Wave).order_by(Wave.id)
    return db.session.scalar(query.where(Wave.name == name) if name else query)


def _open_wave_with(app, sizes: list[int], *, employers: int = 3) -> None:
    make_wave(app, status="open", employers=employers, k=K)
    with app.app_context():
        add_responses(_wave(), sizes)


def _close(name: str | None = None) -> Wave:
    wave = _wave(name)
    close_wave(db.session, wave)
    db.session.commit()
    return wave


def test_closing_stores_one_release_with_version_checksum_and_parameters(app):
    _open_wave_with(app, [12, 8, 6])
    with app.app_context():
        wave = _close()
        rows = db.session.scalars(select(StoredRelease)).all()
        assert [row.wave_id for row in rows] == [wave.id]
        row = rows[0]
        instrument = get_instrument(wave.worker_instrument_key, wave.worker_instrument_version)
        assert row.scoring_version == SCORING_VERSION
        assert row.instrument_checksum == instrument.checksum
        parameters = json.loads(row.parameters)
        assert parameters == {
            "k": K,
            "living_wage": 24.0,
            "seed": 0,
            "n_resamples": 9999,
            "previous_wave_id": None,
            "employer_ids": parameters["employer_ids"],
            "claims": None,  # no employer sent its survey
        }
        assert len(parameters["employer_ids"]) == 3
        figures = stored_release(db.session, wave)
        assert figures["wave"] == wave.name
        assert figures["n_responses"] == 26
        assert figures["trend"] == []
        assert [e["n_responses"] for e in figures["employers"]] == [12, 8, 6]


def _export(app, wave_id: int, folder) -> str:
    """The wave's responses CSV (its path), with its codebook and claims CSV beside it."""
    out = folder / f"responses-{wave_id}.csv"
    codebook = folder / f"codebook-{wave_id}.csv"
    claims = folder / f"claims-{wave_id}.csv"
    result = _cli(
        app,
        "export",
        "--wave",
        str(wave_id),
        "--out",
        str(out),
        "--codebook",
        str(codebook),
        "--claims",
        str(claims),
    )
    assert result.exit_code == 0, result.output
    return str(out)


def _score(app, responses: str, folder, *options: str) -> dict:
    """`surveyapp score` on an export with its claims CSV, as an analyst would run it.

    These waves have no employer surveys: the claims file has no claim in it, and the
    stored release (no gap tests) must come out all the same.
    """
    out = folder / "scores.json"
    instrument = str(instrument_path("worker", 2))  # what make_wave's waves ask
    arguments = [
        "--claims",
        str(Path(responses).with_name(Path(responses).name.replace("responses-", "claims-"))),
        "--instrument",
        instrument,
        "--k",
        str(K),
        "--living-wage",
        "24",
        "--out",
        str(out),
    ]
    result = _cli(app, "score", responses, *arguments, *options)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text("utf-8"))


def _same(a: dict, b: dict) -> bool:
    """Equal as JSON text: every float to its last digit, every key and every order."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_stored_figures_equal_surveyapp_score_on_the_export(app, tmp_path):
    _open_wave_with(app, [25, 9, 14])
    with app.app_context():
        wave = _close()
        wave_id = wave.id
        stored = stored_release(db.session, wave)
    offline = _score(app, _export(app, wave_id, tmp_path), tmp_path)
    assert _same(offline, stored)
    assert offline["employers"][0]["estimates"][0]["method"] == "bca"  # a real bootstrap


def _two_closed_waves(app) -> tuple[int, int]:
    """A partnership's first wave (4 employers) and a second one, both closed."""
    _open_wave_with(app, [12, 10, 9, 8], employers=4)
    with app.app_context():
        first = _close()
        second = Wave(partnership=first.partnership, name="Second", status="open", min_group_size=K)
        db.session.add(second)
        db.session.flush()
        ensure_links(db.session, second)
        db.session.commit()
        add_responses(second, [11, 10, 9, 3], seed=2)
        close_wave(db.session, second)
        db.session.commit()
        return first.id, second.id


def test_stored_trend_equals_surveyapp_score_with_the_previous_export(app, tmp_path):
    first_id, second_id = _two_closed_waves(app)
    with app.app_context():
        stored = stored_release(db.session, db.session.get(Wave, second_id))
    previous = _export(app, first_id, tmp_path)
    offline = _score(app, _export(app, second_id, tmp_path), tmp_path, "--previous", previous)
    assert offline["trend"]
    assert _same(offline, stored)


def test_trend_against_the_previous_closed_wave(app):
    first_id, second_id = _two_closed_waves(app)
    with app.app_context():
        first, second = db.session.get(Wave, first_id), db.session.get(Wave, second_id)
        assert stored_release(db.session, first)["trend"] == []
        figures = stored_release(db.session, second)
        assert json.loads(stored_release_row(db.session, second).parameters)[
            "previous_wave_id"
        ] == (first.id)
        assert [t["statistic"] for t in figures["trend"]] == figures["statistics"]
        assert figures["trend"][0]["difference"] is not None
        assert figures["trend"][0]["previous"]["n"] == 39
        by_name = {e["employer"]: e for e in figures["employers"]}
        names = sorted(by_name)
        assert by_name[names[0]]["trend"][0]["difference"] is not None
        # Three responses now: hidden, exactly like a missing figure.
        assert by_name[names[3]]["trend"][0] == {
            "statistic": "jqi",
            "previous": by_name[names[3]]["trend"][0]["previous"],
            "current": by_name[names[3]]["trend"][0]["current"],
            "difference": None,
            "p_value": None,
            "cliffs_delta": None,
            "note": "not enough responses",
        }
        assert by_name[names[3]]["trend"][0]["current"]["mean"] is None


def test_an_open_wave_has_no_release_and_asking_is_refused(app):
    _open_wave_with(app, [6, 6])
    with app.app_context():
        wave = _wave()
        with pytest.raises(WaveNotClosed):
            stored_release(db.session, wave)
        assert db.session.scalar(select(func.count()).select_from(StoredRelease)) == 0


def test_closing_a_closed_wave_is_refused_and_changes_nothing(app):
    _open_wave_with(app, [6, 7])
    with app.app_context():
        wave = _close()
        before = stored_release_row(db.session, wave)
        snapshot = (before.figures, before.parameters, before.computed_at)
        with pytest.raises(WaveLocked):
            close_wave(db.session, wave)
        db.session.rollback()
        after = stored_release_row(db.session, _wave())
        assert (after.figures, after.parameters, after.computed_at) == snapshot
        assert db.session.scalar(select(func.count()).select_from(StoredRelease)) == 1


def test_a_scoring_failure_leaves_the_wave_open_and_stores_nothing(app, monkeypatch):
    _open_wave_with(app, [6, 7])

    def broken(*_args, **_kwargs):
        raise RuntimeError("scoring broke")

    monkeypatch.setattr(store_module, "release", broken)
    with app.app_context():
        wave = _wave()
        with pytest.raises(RuntimeError, match="scoring broke"):
            close_wave(db.session, wave)
        assert wave.status == "open"  # nothing changed before scoring
        db.session.commit()
        db.session.expire_all()
        assert _wave().status == "open"
        assert db.session.scalar(select(func.count()).select_from(StoredRelease)) == 0


def test_closing_with_no_responses_stores_an_empty_release(app):
    make_wave(app, status="open", employers=2, k=K)
    with app.app_context():
        figures = stored_release(db.session, _close())
        assert figures["n_responses"] is None
        assert figures["employers"] == []
        assert all(e["mean"] is None for e in figures["sector"])


@pytest.mark.parametrize("n", [K - 1, K, K + 1])
def test_an_employer_is_shown_from_k_responses(sqlite_app, n):
    _open_wave_with(sqlite_app, [n, 30, 30])
    with sqlite_app.app_context():
        small = stored_release(db.session, _close())["employers"][0]
        shown = n >= K
        assert (small["n_responses"] is not None) == shown
        assert all((e["mean"] is not None) == shown for e in small["estimates"])
        if not shown:
            assert {e["note"] for e in small["estimates"]} == {"not enough responses"}


def test_a_wave_closed_before_releases_were_stored_says_so(app):
    _open_wave_with(app, [6, 6])
    with app.app_context():
        _wave().status = "closed"  # as the demo data and old databases did
        db.session.commit()
        with pytest.raises(NoStoredRelease, match="surveyapp results recompute"):
            stored_release(db.session, _wave())


def test_recompute_replaces_the_stored_release(app):
    _open_wave_with(app, [9, 8])
    with app.app_context():
        wave = _close()
        row = stored_release_row(db.session, wave)
        figures = row.figures
        row.scoring_version, row.figures = "old", "{}"
        db.session.commit()
        wave_id = wave.id
    result = _cli(app, "results", "recompute", "--wave", str(wave_id))
    assert result.exit_code == 0, result.output
    assert "Recomputed the results of 1 closed wave" in result.output
    with app.app_context():
        row = stored_release_row(db.session, db.session.get(Wave, wave_id))
        assert (row.scoring_version, row.figures) == (SCORING_VERSION, figures)
    every = _cli(app, "results", "recompute", "--all")
    assert every.exit_code == 0, every.output


def test_recompute_refuses_unknown_and_open_waves(sqlite_app):
    make_wave(sqlite_app, status="open")
    with sqlite_app.app_context():
        open_id = _wave().id
    unknown = _cli(sqlite_app, "results", "recompute", "--wave", "999")
    assert unknown.exit_code == 1
    assert unknown.output.strip() == "error: there is no wave 999; `surveyapp waves` lists them"
    refused = _cli(sqlite_app, "results", "recompute", "--wave", str(open_id))
    assert refused.exit_code == 1
    assert "is open: only a closed wave has results" in refused.output
    assert "Traceback" not in refused.output
    neither = _cli(sqlite_app, "results", "recompute")
    assert neither.exit_code == 1


@pytest.mark.parametrize(
    ("imported", "forbidden"),
    [
        ("surveyapp.results.store, surveyapp.results.cli", "surveyapp.survey"),
        ("surveyapp.survey.views, surveyapp.settling", "surveyapp.results"),
    ],
)
def test_results_and_survey_never_import_each_other(imported, forbidden):
    code = (
        f"import sys, {imported}\n"
        f"print(','.join(m for m in sys.modules if m == {forbidden!r}"
        f" or m.startswith({forbidden + '.'!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


def test_a_release_written_again_elsewhere_is_never_served_stale(app):
    """Parsed figures are kept between pages; a changed stored text is read afresh."""
    _open_wave_with(app, [12, 8, 6])
    with app.app_context():
        wave = _close()
        first = stored_release(db.session, wave)
        assert stored_release(db.session, wave)["n_responses"] == 26
        # Another process (``surveyapp results recompute``) writes a different text,
        # and with it a new revision, as every store does.
        changed = dict(first, n_responses=27)
        db.session.execute(
            StoredRelease.__table__.update()
            .where(StoredRelease.wave_id == wave.id)
            .values(figures=json.dumps(changed), revision="written-elsewhere")
        )
        db.session.commit()
        db.session.expire_all()
        assert stored_release(db.session, _wave())["n_responses"] == 27


def test_two_stores_in_one_second_are_two_revisions(app):
    """computed_at is to the second; the revision tells two stores in it apart."""
    _open_wave_with(app, [12, 8, 6])
    with app.app_context():
        wave = _close()
        assert stored_release(db.session, wave)["n_responses"] == 26
        same_second = datetime(2026, 12, 5, 12, 0, 0, tzinfo=UTC)
        for n_responses in (30, 31):
            computed = compute_release(db.session, wave)
            computed.figures["n_responses"] = n_responses
            row = store_release(db.session, wave, computed, now=same_second)
            db.session.commit()
            assert stored_release(db.session, wave)["n_responses"] == n_responses
        assert row.computed_at == same_second.replace(tzinfo=None)
        assert len(row.revision) == 32


def test_a_release_stored_before_revisions_gets_one_on_upgrade(app):
    """The migration gives an existing release a revision; its figures read the same."""
    from flask_migrate import downgrade, upgrade

    _open_wave_with(app, [12, 8, 6])
    with app.app_context():
        wave = _close()
        before = json.loads(stored_release_row(db.session, wave).figures)
        db.session.commit()
        db.session.close()
        downgrade(revision="9c4d2e71a5b3")
        upgrade()
        revision = db.session.scalar(select(StoredRelease.revision))
        assert len(revision) == 32
        int(revision, 16)  # hexadecimal, as secrets.token_hex writes
        assert stored_release(db.session, _wave()) == before
