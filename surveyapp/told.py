""" "What you told us": what a closed round's survey link shows workers (issue 12).

The survey's first page sends a worker here once the round has closed. In the
worker's language: the sector's strongest and weakest dimensions in plain sentences,
their employer's where its figures are shown (at least k responses, and not hidden
with another employer by complementary suppression), and staff's "What happens
next" note. Every sentence comes from the release stored at close; a hidden figure is
never described, so the page reveals nothing about a group below k.

This is its own blueprint because the survey package never imports the results
package (their layering is tested).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from .extensions import db
from .instruments import Instrument, get_instrument
from .models import Wave
from .results import NoStoredRelease, WaveNotClosed, stored_release, stored_release_row
from .survey.context import LinkInfo, load

bp = Blueprint("told", __name__)

#: Statistics of a release that are not dimensions.
_HEADLINES = ("jqi", "at_threshold")


@dataclass(frozen=True)
class Ends:
    """The dimensions rated highest and lowest, by name; None when not shown."""

    strongest: str
    weakest: str


def closing_notes(wave: Wave) -> dict[str, str]:
    """Staff's "What happens next" note of a round, by language."""
    try:
        found = json.loads(wave.closing_note or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in found.items() if isinstance(v, str) and v.strip()}


def ends(estimates: list[dict[str, Any]], instrument: Instrument, lang: str) -> Ends | None:
    """Strongest and weakest shown dimension; None unless at least two are shown."""
    shown = [
        (e["mean"], e["statistic"])
        for e in estimates
        if e.get("statistic") not in _HEADLINES and e.get("mean") is not None
    ]
    if len(shown) < 2:
        return None
    high, low = max(shown), min(shown)
    if high[0] == low[0]:
        return None  # all alike: neither end says anything
    return Ends(_dimension(instrument, high[1], lang), _dimension(instrument, low[1], lang))


def _dimension(instrument: Instrument, dimension_id: str, lang: str) -> str:
    name = instrument.dimension(dimension_id).name
    return name.get(lang) or name["en"]


def _employer_entry(wave: Wave, figures: dict[str, Any], employer_id: int) -> dict[str, Any]:
    parameters = json.loads(stored_release_row(db.session, wave).parameters)
    ids = [int(i) for i in parameters.get("employer_ids", [])]
    if employer_id not in ids:
        return {}
    entry: dict[str, Any] = figures["employers"][ids.index(employer_id)]
    return entry


def _language(instrument: Instrument) -> str:
    current = str(get_locale() or "en")
    return current if current in instrument.languages else instrument.languages[0]


@bp.get("/s/<token>/told")
def told(token: str) -> ResponseReturnValue:
    link, _draft = load(db.session, token)
    if link is None or not link.active or link.wave.status == "draft":
        abort(404)
    if not link.wave.is_closed:
        return redirect(url_for("survey.start", token=token))
    return render_template("told/told.html", **_context(link))


def _context(link: LinkInfo) -> dict[str, Any]:
    wave = db.session.get(Wave, link.wave_id)
    if wave is None:  # pragma: no cover - the link's own wave
        abort(404)
    instrument = get_instrument(wave.worker_instrument_key, wave.worker_instrument_version)
    lang = _language(instrument)
    g.survey_language = lang
    sector = mine = None
    ready = True
    try:
        figures = stored_release(db.session, wave)
    except (WaveNotClosed, NoStoredRelease):
        ready = False
    else:
        sector = ends(figures.get("sector", []), instrument, lang)
        entry = _employer_entry(wave, figures, link.employer_id)
        mine = ends(entry.get("estimates", []), instrument, lang)
    notes = closing_notes(wave)
    return {
        "link": link,
        "wave": link.wave,
        "partnership": link.partnership,
        "employer": link.employer,
        "instrument": instrument,
        "lang": lang,
        "exit_url": current_app.config["EXIT_URL"],
        "ready": ready,
        "sector": sector,
        "mine": mine,
        "note": notes.get(lang) or notes.get(instrument.languages[0]),
    }
