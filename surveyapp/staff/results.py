"""The sector dashboard of a closed round (issue 9): read only from the stored release.

Nothing is scored here: every figure comes from :func:`surveyapp.results.stored_release`,
the JSON ``surveyapp score`` writes for the round's export (anonymity rule 3). A hidden
figure is None in that JSON and is shown exactly like a missing one, "not enough
responses" (rule 8). Scores on 0-100 are shown with one decimal everywhere.
"""

from __future__ import annotations

import json
from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import format_percent
from flask_babel import gettext as _
from sqlalchemy import select

from .. import charts
from ..accounts.access import staff_required
from ..db import Session
from ..extensions import db
from ..models import Employer, Wave
from ..results import (
    NoStoredRelease,
    WaveNotClosed,
    employers_without_responses,
    stored_release,
    stored_release_row,
)
from ..results_view import HEADLINES as _HEADLINES
from ..results_view import Names as _Names
from ..results_view import by_statistic as _by_statistic
from ..results_view import decimals as _decimals
from ..results_view import equity_sections, score, trend_rows
from ..results_view import figure as _figure
from ..results_view import instrument_of as _instrument
from ..results_view import page_symbols as _page_symbols
from . import bp
from .common import own

#: An employer's id (None when not known) and frontline headcount.
EmployerFacts = tuple[int | None, int | None]

#: Below this share of an employer's frontline workers, its figures are read with care.
LOW_RESPONSE_RATE = 0.30


def _employers(
    figures: dict[str, Any],
    facts: list[EmployerFacts],
    without_responses: list[tuple[int, str]],
) -> list[dict[str, Any]]:
    """Employers with a shown JQI first, highest first; then the others by name, the
    hidden ones and those without a response alike (rule 8).

    ``facts`` holds each employer's id and frontline headcount, in figure order; a
    response rate is given only beside a shown figure (the count is shown there too).
    """
    rows: list[dict[str, Any]] = [
        {
            "id": employer_id,
            "name": name,
            "n": None,
            "jqi": _figure(name, None),
            "value": None,
            "rate": None,
            "headcount": None,
            "low_rate": False,
        }
        for employer_id, name in without_responses
    ]
    symbols = _page_symbols()
    for entry, (employer_id, headcount) in zip(figures.get("employers", []), facts, strict=False):
        jqi = _by_statistic(entry.get("estimates", [])).get("jqi")
        figure = _figure(str(entry.get("employer", "")), jqi, symbols)
        n = entry.get("n_responses") if figure.mean is not None else None
        rate = n / headcount if n is not None and headcount else None
        rows.append(
            {
                "id": employer_id,
                "name": figure.label,
                "n": n,
                "jqi": figure,
                "value": (jqi or {}).get("mean"),
                "rate": None if rate is None else format_percent(rate),
                "headcount": headcount if rate is not None else None,
                "low_rate": rate is not None and rate < LOW_RESPONSE_RATE,
            }
        )
    shown = sorted((r for r in rows if r["jqi"].mean is not None), key=lambda r: -r["value"])
    hidden = sorted((r for r in rows if r["jqi"].mean is None), key=lambda r: r["name"].lower())
    return shown + hidden


def _reliability(figures: dict[str, Any], names: _Names) -> list[dict[str, Any]]:
    rows = []
    for entry in figures.get("reliability", []):
        alpha = entry.get("alpha")
        rows.append(
            {
                "label": names.dimension(entry["dimension_id"]),
                "applicable": bool(entry.get("applicable")),
                "alpha": _decimals(alpha),
                "low": _decimals(entry.get("low")),
                "high": _decimals(entry.get("high")),
                "warn": bool(entry.get("below_threshold")),
            }
        )
    return rows


def _validity(figures: dict[str, Any]) -> dict[str, Any] | None:
    found = figures.get("validity") or {}
    if found.get("r") is None:
        return None
    low, high = found.get("low"), found.get("high")
    return {
        "r": _decimals(found["r"]),
        "n": found.get("n"),
        "low": _decimals(low),
        "high": _decimals(high),
    }


def _equity(figures: dict[str, Any], names: _Names) -> list[dict[str, Any]]:
    return equity_sections(figures.get("equity", []), names)


def _trend(figures: dict[str, Any], names: _Names) -> list[dict[str, Any]]:
    return trend_rows(figures.get("trend", []), names)


def _named(found: tuple[float, str]) -> dict[str, str | None]:
    return {"name": found[1], "mean": score(found[0])}


def _employer_facts(session: Session, wave: Wave) -> list[EmployerFacts]:
    """Id and frontline headcount of the release's employers, in figure order."""
    parameters = json.loads(stored_release_row(session, wave).parameters)
    ids = [int(i) for i in parameters.get("employer_ids", [])]
    found = dict(
        session.execute(
            select(Employer.id, Employer.frontline_headcount).where(Employer.id.in_(ids))
        ).all()
    )
    return [(i, found.get(i)) for i in ids]


def dashboard(
    figures: dict[str, Any],
    facts: list[EmployerFacts] | None = None,
    without_responses: list[tuple[int, str]] | None = None,
) -> dict[str, Any]:
    """Everything the page shows, formatted, from a stored release.

    ``facts``: each employer's id and frontline headcount in figure order, for links to
    its own page and response rates (neither shown without it). ``without_responses``:
    id and name of the round's employers that no worker answered for.
    """
    names = _Names(_instrument(figures))
    sector = _by_statistic(figures.get("sector", []))
    dimensions = [
        _figure(names.dimension(s), sector.get(s))
        for s in figures.get("statistics", [])
        if s not in _HEADLINES
    ]
    shown = [
        (sector[s]["mean"], names.dimension(s))
        for s in figures.get("statistics", [])
        if s not in _HEADLINES and sector.get(s, {}).get("mean") is not None
    ]
    employers = _employers(
        figures,
        facts or [(None, None)] * len(figures.get("employers", [])),
        without_responses or [],
    )
    threshold = names.instrument.settings.threshold if names.instrument else None
    return {
        "figures": figures,
        "jqi": _figure(names.dimension("jqi"), sector.get("jqi")),
        "at_threshold": _figure(names.dimension("at_threshold"), sector.get("at_threshold")),
        "n_dimensions": len(dimensions),
        "dimensions": dimensions,
        "profile_chart": charts.interval_bars(
            [
                charts.Bar(
                    d.label,
                    sector.get(s, {}).get("mean") if d.mean else None,
                    sector.get(s, {}).get("low"),
                    sector.get(s, {}).get("high"),
                )
                for s, d in zip(
                    [s for s in figures.get("statistics", []) if s not in _HEADLINES],
                    dimensions,
                    strict=True,
                )
            ],
            _("Sector mean score of each dimension on 0 to 100, with its interval"),
            threshold,
        ),
        "strongest": _named(max(shown)) if len(shown) >= 2 else None,
        "weakest": _named(min(shown)) if len(shown) >= 2 else None,
        "employers": employers,
        "spread_chart": charts.strip(
            [(r["name"], r["value"]) for r in employers if r["jqi"].mean is not None],
            _("Job Quality Index of each employer shown, on 0 to 100"),
        ),
        "reliability": _reliability(figures, names),
        "validity": _validity(figures),
        "equity": _equity(figures, names),
        "trend": _trend(figures, names),
    }


@bp.get("/waves/<int:wave_id>/results")
@staff_required
def results(wave_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    try:
        figures = stored_release(db.session, wave)
    except WaveNotClosed:
        return render_template("staff/results.html", wave=wave, state="not_closed")
    except NoStoredRelease:
        return render_template("staff/results.html", wave=wave, state="missing")
    shown = dashboard(
        figures,
        _employer_facts(db.session, wave),
        employers_without_responses(db.session, wave),
    )
    return render_template("staff/results.html", wave=wave, state="shown", **shown)
