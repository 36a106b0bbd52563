"""Response counts of an open round, and a closed round's results as stored.

Nothing is scored here: results are read from the release stored when the round
closed (anonymity rule 3), figures exactly as stored (unrounded, so they can be
checked against ``surveyapp score``), hidden ones as None. The same rules as the
pages decide what a token may read:

* response counts: staff tokens, while the round is open (rule 9: an employer never
  sees a count below k; simplest is no count at all, as on its pages);
* sector results: staff tokens, as on the sector dashboard;
* an employer's results: staff tokens for any employer of the partnership, an
  employer token for its own; a hidden employer (below k, or hidden by
  complementary suppression) reads "not enough responses" and nothing else, the
  same whatever its count (rules 2 and 8), exactly like its results page.

The release dict is shared between requests (surveyapp.results caches it): read, never
changed.
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from ..employer.dashboard import is_hidden
from ..extensions import db
from ..models import DistributionLink, Employer, Response, StoredRelease, Wave
from ..results import NoStoredRelease, WaveNotClosed, stored_release, stored_release_row
from .auth import caller, require_staff
from .errors import ApiError
from .params import ID, route
from .resources import visible_wave

NOT_ENOUGH = "not enough responses"


def _release(wave: Wave) -> tuple[dict[str, Any], StoredRelease, list[int]]:
    """The stored figures, their row, and the employer ids in figure order; 409 when
    the round has none to give."""
    try:
        figures = stored_release(db.session, wave)
        row = stored_release_row(db.session, wave)
    except WaveNotClosed:
        raise ApiError(409, "Results come when the round closes.") from None
    except NoStoredRelease:
        raise ApiError(
            409,
            "This round closed before results were stored: run "
            f"`surveyapp results recompute --wave {wave.id}` on the server.",
        ) from None
    ids = [int(i) for i in json.loads(row.parameters).get("employer_ids", [])]
    return figures, row, ids


def _about(row: StoredRelease) -> dict[str, Any]:
    return {
        "scoring_version": row.scoring_version,
        "computed_at": row.computed_at.isoformat() + "Z",
    }


@route(f"/waves/<{ID}:wave_id>/response-counts")
def response_counts(wave_id: int) -> ResponseReturnValue:
    require_staff()
    wave = visible_wave(wave_id)
    if not wave.is_open:
        raise ApiError(
            409,
            "Response counts are given while a round is open; a closed round's figures "
            "are at /results.",
        )
    counts = dict(
        db.session.execute(
            select(Response.employer_id, func.count())
            .where(Response.wave_id == wave.id)
            .group_by(Response.employer_id)
        ).all()
    )
    employers = db.session.execute(
        select(Employer.id, Employer.name)
        .join(DistributionLink, DistributionLink.employer_id == Employer.id)
        .where(DistributionLink.wave_id == wave.id)
        .order_by(Employer.name, Employer.id)
    ).all()
    return jsonify(
        {
            "wave_id": wave.id,
            "status": wave.status,
            "total": sum(counts.values()),
            "employers": [
                {"id": e.id, "name": e.name, "responses": counts.get(e.id, 0)} for e in employers
            ],
        }
    )


@route(f"/waves/<{ID}:wave_id>/results")
def sector_results(wave_id: int) -> ResponseReturnValue:
    require_staff()
    wave = visible_wave(wave_id)
    figures, row, ids = _release(wave)
    entries = figures.get("employers", [])
    return jsonify(
        {
            "wave_id": wave.id,
            **_about(row),
            # Every sector-level figure of the release, as stored.
            "release": {key: value for key, value in figures.items() if key != "employers"},
            # Which employers' results are shown (as the dashboard's employer table).
            "employers": [
                {"id": employer_id, "name": entry.get("employer"), "hidden": is_hidden(entry)}
                for employer_id, entry in zip(ids, entries, strict=False)
            ],
        }
    )


@route(f"/waves/<{ID}:wave_id>/employers/<{ID}:employer_id>/results")
def employer_results(wave_id: int, employer_id: int) -> ResponseReturnValue:
    who = caller()
    employer = db.session.get(Employer, employer_id)
    if employer is None or employer.partnership_id != who.partnership_id:
        abort(404)
    if not who.is_staff and employer.id != who.employer_id:
        abort(404)
    wave = visible_wave(wave_id)
    figures, row, ids = _release(wave)
    entries = figures.get("employers", [])
    # An employer added after the round closed has no entry: it reads as hidden.
    position = ids.index(employer.id) if employer.id in ids else None
    entry = entries[position] if position is not None and position < len(entries) else None
    common = {"wave_id": wave.id, "employer_id": employer.id, "k": figures.get("k")}
    if entry is None or is_hidden(entry):
        return jsonify({**common, "state": "hidden", "message": NOT_ENOUGH})
    return jsonify(
        {
            **common,
            "state": "shown",
            **_about(row),
            "confidence": figures.get("confidence"),
            "statistics": figures.get("statistics"),
            # The peer distributions the results page compares the employer with.
            "peers": figures.get("peers"),
            "results": entry,
        }
    )
