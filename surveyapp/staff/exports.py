"""A closed round's files for analysts, downloaded from the sector results page.

``/staff/waves/<id>/exports/<kind>.csv`` for ``responses``, ``codebook``, ``claims``
and ``aggregates``: the very bytes ``surveyapp export`` writes (both call
:mod:`surveyapp.results.export_files`), with spreadsheet formulas neutralised the same
way. The responses file holds every response of every employer however few, so it is
for the partnership's staff only: another partnership's ids, and employer users, get
the 404 of an id that does not exist. A round that is not closed (or, for the
aggregates, has no stored release) gets a plain 409 page.
"""

from __future__ import annotations

from flask import Response
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from ..accounts.access import staff_required
from ..errors import render_error
from ..extensions import db
from ..models import Wave
from ..reports.text import ascii_slug
from ..results import NoStoredRelease, WaveNotClosed
from ..results.export_files import (
    aggregates_csv,
    claims_csv,
    closed_answers,
    codebook_csv,
    responses_csv,
)
from . import bp
from .common import own

#: The downloads, by the name in their URL.
KINDS = ("responses", "codebook", "claims", "aggregates")


def _text(wave: Wave, kind: str) -> str:
    if kind == "aggregates":
        return aggregates_csv(db.session, wave)
    answers = closed_answers(db.session, wave)
    if kind == "responses":
        return responses_csv(db.session, wave, answers)
    if kind == "claims":
        return claims_csv(db.session, wave, answers)
    # The codebook's labels in the page's language, when the survey has it.
    language = str(get_locale())
    return codebook_csv(
        wave, answers, language=language if language in answers.instrument.languages else None
    )


def csv_download(text: str, filename: str) -> Response:
    # The file name comes from ascii_slug (letters, digits, hyphens): nothing to escape.
    return Response(
        text.encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/waves/<int:wave_id>/exports/<any(responses, codebook, claims, aggregates):kind>.csv")
@staff_required
def wave_export(wave_id: int, kind: str) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    try:
        text = _text(wave, kind)
    except WaveNotClosed:
        return render_error(
            409, _("No downloads before the round closes"), _("Results come when the round closes.")
        )
    except NoStoredRelease:
        return render_error(
            409,
            _("No employer figures for this round yet"),
            _("This round closed before results were stored, so there are no results to show yet."),
        )
    partnership = ascii_slug(wave.partnership.name, "partnership")
    return csv_download(text, f"{partnership}-{ascii_slug(wave.name, 'round')}-{kind}.csv")
