"""QR posters of a round's survey links as PDF downloads (one page per employer).

Only for a round that is not closed: a poster for a closed round would send workers
to a survey that no longer takes answers. A switched-off link gets no poster either.
"""

from __future__ import annotations

from flask import Response, abort, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..accounts.access import staff_required
from ..errors import render_error
from ..extensions import db
from ..models import Wave
from ..reports.pdf import PAGE_SIZES
from ..reports.poster import poster_pdf
from ..reports.poster_links import (
    active_links,
    poster_filename,
    poster_link,
    posters_filename,
    posters_title,
)
from ..survey.views import MINUTES
from . import bp
from .common import own, own_link, survey_url


def _paper() -> str:
    """``?paper=a4`` or the default, Letter (US partnerships)."""
    paper = request.args.get("paper", "letter")
    if paper not in PAGE_SIZES:
        abort(400)
    return paper


def _pdf(data: bytes, filename: str) -> Response:
    # The file names come from ascii_slug (letters, digits, hyphens), so the quoted
    # header value can hold nothing that needs escaping.
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _closed() -> ResponseReturnValue:
    return render_error(
        409,
        _("No posters for a closed round"),
        _("This round is closed, so its survey links no longer take answers."),
    )


@bp.get("/waves/<int:wave_id>/posters.pdf")
@staff_required
def wave_posters(wave_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    paper = _paper()
    if wave.status == "closed":
        return _closed()
    pairs = active_links(db.session, wave)
    if not pairs:
        return render_error(
            409, _("No posters to print"), _("None of this round's survey links is switched on.")
        )
    posters = [poster_link(wave, link, employer, survey_url) for link, employer in pairs]
    data = poster_pdf(
        posters, k=wave.min_group_size, minutes=MINUTES, paper=paper, title=posters_title(wave)
    )
    return _pdf(data, posters_filename(wave))


@bp.get("/waves/<int:wave_id>/links/<int:link_id>/poster.pdf")
@staff_required
def link_poster(wave_id: int, link_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    link = own_link(wave, link_id)
    paper = _paper()
    if wave.status == "closed":
        return _closed()
    if not link.active:
        return render_error(
            409,
            _("No poster for a switched-off link"),
            _("This link is switched off. Switch it on first, then print its poster."),
        )
    poster = poster_link(wave, link, link.employer, survey_url)
    data = poster_pdf(
        [poster], k=wave.min_group_size, minutes=MINUTES, paper=paper, title=posters_title(wave)
    )
    return _pdf(data, poster_filename(wave, link.employer))
