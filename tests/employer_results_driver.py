"""Helpers for the employer results tests: rounds with responses (and employers' claims),
signed-in employer users, the page's tables read as a reader sees them, and the same
round scored offline from its export.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.cli import main as cli_main
from surveyapp.extensions import db
from surveyapp.instruments import get_instrument, instrument_path
from surveyapp.instruments.claims import Answer
from surveyapp.models import EmployerAnswer, EmployerSurvey, StoredRelease, Wave
from surveyapp.results.offline import read_responses_csv, score_csv
from surveyapp.scoring import employer_gaps, gap_item_ids, score_items
from surveyapp.waves import close_wave

from .accounts_driver import make_user, sign_in
from .conftest import SECRET
from .factories import add_responses
from .staff_driver import Console

K = 5
V2 = get_instrument("worker", 2)  # what make_wave's waves ask
EMPLOYER = get_instrument("employer", 1)
GAP_IDS = gap_item_ids(V2)
LIVING_WAGE = 24.0  # make_wave's partnership


def make_round(app: Flask, sizes: list[int], *, close: bool = True) -> tuple[Console, int]:
    """Console.make's partnership with ``len(sizes)`` employers and a wave in which the
    i-th employer by name has ``sizes[i]`` responses; closed unless told otherwise."""
    console = Console.make(app, employers=len(sizes), k=K)
    wave_id = console.wave()
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        add_responses(wave, sizes)
        if close:
            close_wave(db.session, wave)
            db.session.commit()
    return console, wave_id


def employer_client(app: Flask, partnership: int, employer_id: int) -> FlaskClient:
    """A browser signed in as a user of ``employer_id``."""
    email = make_user(
        app, f"hr{employer_id}@employer.example.org", partnership, employer_id=employer_id
    )
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def page_url(wave_id: int) -> str:
    return f"/employer/waves/{wave_id}"


def staff_url(wave_id: int, employer_id: int) -> str:
    return f"/staff/waves/{wave_id}/employers/{employer_id}"


def main_of(page: str) -> str:
    found = re.search(r"<main[^>]*>(.*)</main>", page, re.S)
    assert found
    return found.group(1)


def reader_text(fragment: str) -> str:
    """What a reader sees: tags removed, entities decoded, whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def rows(page: str, table_id: str, *, small: bool = False) -> dict[str, list[str]]:
    """Row header -> the row's cells as a reader sees them (small print left out unless
    ``small``)."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert table, table_id
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S):
        header = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if header:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            found[html.unescape(header.group(1))] = [
                reader_text(c if small else re.sub(r"<small>.*?</small>", "", c, flags=re.S))
                for c in cells
            ]
    return found


def stored(app: Flask, wave_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stored figures and parameters of a closed wave."""
    with app.app_context():
        row = db.session.get(StoredRelease, wave_id)
        return json.loads(row.figures), json.loads(row.parameters)


def entry_of(app: Flask, wave_id: int, employer_id: int) -> dict[str, Any] | None:
    figures, parameters = stored(app, wave_id)
    ids = parameters["employer_ids"]
    return figures["employers"][ids.index(employer_id)] if employer_id in ids else None


def send_survey(app: Flask, wave_id: int, employer_id: int, answers: Mapping[str, Answer]) -> None:
    """The employer's survey about its practices, sent (so closing makes claims of it)."""
    sent = datetime(2027, 3, 2, tzinfo=UTC).replace(tzinfo=None)  # stored naive UTC
    with app.app_context():
        db.session.add(
            EmployerSurvey(
                wave_id=wave_id,
                employer_id=employer_id,
                instrument_key=EMPLOYER.key,
                instrument_version=EMPLOYER.version,
                instrument_checksum=EMPLOYER.checksum,
                sent_at=sent,
                updated_at=sent,
            )
        )
        for item_id, value in answers.items():
            number = isinstance(value, Decimal)
            db.session.add(
                EmployerAnswer(
                    wave_id=wave_id,
                    employer_id=employer_id,
                    item_id=item_id,
                    code=None if number else value,
                    number=value if number else None,
                )
            )
        db.session.commit()


def close(app: Flask, wave_id: int) -> None:
    with app.app_context():
        close_wave(db.session, db.session.get(Wave, wave_id))
        db.session.commit()


def _cli(app: Flask, *args: str) -> Any:
    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": SECRET}
    return CliRunner().invoke(cli_main, list(args), env=env, catch_exceptions=False)


def export(app: Flask, wave_id: int, folder: Path) -> Path:
    out, codebook = folder / f"r{wave_id}.csv", folder / f"c{wave_id}.csv"
    result = _cli(
        app, "export", "--wave", str(wave_id), "--out", str(out), "--codebook", str(codebook)
    )
    assert result.exit_code == 0, result.output
    return out


def offline_score(app: Flask, wave_id: int, folder: Path) -> dict[str, Any]:
    """``surveyapp score`` on the wave's export, as a researcher would run it."""
    out, scores = export(app, wave_id, folder), folder / f"s{wave_id}.json"
    arguments = ["--instrument", str(instrument_path("worker", 2)), "--k", str(K)]
    arguments += ["--living-wage", str(LIVING_WAGE), "--out", str(scores)]
    result = _cli(app, "score", str(out), *arguments)
    assert result.exit_code == 0, result.output
    return json.loads(scores.read_text("utf-8"))


def gaps_offline(
    app: Flask, wave_id: int, folder: Path, claims: np.ndarray
) -> tuple[tuple[Any, ...], ...]:
    """:func:`surveyapp.scoring.employer_gaps` called directly on the export's answers.

    ``claims``: rows in the export's sorted employer order (the release's), columns
    :data:`GAP_IDS`, on 0-100 (NaN: no claim).
    """
    responses = read_responses_csv(export(app, wave_id, folder), V2)
    columns = [responses.item_ids.index(item_id) for item_id in GAP_IDS]
    scores = score_items(V2, responses.codes[:, columns], GAP_IDS, living_wage=LIVING_WAGE)
    return employer_gaps(scores, responses.employers, claims, GAP_IDS, k=K)


def score_with_claims(app: Flask, wave_id: int, folder: Path, claims: np.ndarray) -> dict[str, Any]:
    """The function behind ``surveyapp score`` on the export with these claims, as the
    JSON it writes."""
    data = score_csv(export(app, wave_id, folder), V2, k=K, living_wage=LIVING_WAGE, claims=claims)
    return json.loads(json.dumps(data))


def by_name(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["employer"]: e for e in entries}
