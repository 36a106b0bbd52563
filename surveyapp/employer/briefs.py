"""The employer brief as a PDF download: ``/employer/waves/<id>/brief.pdf``.

An employer user gets only their own employer's brief; another employer's or
partnership's ids answer exactly like ids that do not exist (404). The brief says what the
results page says (:mod:`.results`), from the release stored at close; a round that
is not closed, or closed without a stored release, gets a plain 409 page. Staff
download any employer's brief through :mod:`surveyapp.staff.briefs`, which uses
the helpers here.
"""

from __future__ import annotations

from flask import Response, abort, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import render_error
from ..extensions import db
from ..models import Employer, Wave
from ..quotes import quote_threshold, quotes
from ..reports.brief_data import BriefSource, brief_source, employer_filename
from ..reports.employer_brief import chart_rows, employer_brief_pdf
from ..reports.pdf import PAGE_SIZES
from ..results import NoStoredRelease, WaveNotClosed
from ..results_view import Names, instrument_of
from . import bp
from .dashboard import employer_dashboard, is_hidden


def employer_brief(source: BriefSource, employer: Employer, *, paper: str = "letter") -> bytes:
    """``employer``'s brief of the round, in the current language, as PDF bytes.

    Hidden (no entry, fewer than k responses, or complementary suppression) gives
    the one-page brief, whatever the count.
    """
    entry = source.entry(employer.id)
    if entry is None or is_hidden(entry):
        return employer_brief_pdf(source.facts, employer.name, None, k=source.k, paper=paper)
    names = Names(instrument_of(source.figures))
    threshold = names.instrument.settings.threshold if names.instrument else None
    wave = db.session.get(Wave, source.facts.wave_id)
    allowed = quotes(db.session, wave, employer.id) if wave is not None else []
    return employer_brief_pdf(
        source.facts,
        employer.name,
        employer_dashboard(source.figures, entry),
        k=source.k,
        rows=chart_rows(source.figures, entry, names),
        threshold=threshold,
        paper=paper,
        quotes=[q.text for q in allowed],
        quote_threshold=quote_threshold(wave.partnership, wave) if wave is not None else 0,
    )


def paper_arg() -> str:
    """``?paper=a4`` or the default, Letter (US partnerships); 400 for any other."""
    paper = request.args.get("paper", "letter")
    if paper not in PAGE_SIZES:
        abort(400)
    return paper


def pdf_download(data: bytes, filename: str) -> Response:
    # The file names come from ascii_slug (letters, digits, hyphens), so the quoted
    # header value holds nothing that needs escaping.
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def source_or_409(wave: Wave) -> BriefSource | ResponseReturnValue:
    """The round's stored release, or the plain 409 page saying why there is none."""
    try:
        return brief_source(db.session, wave)
    except WaveNotClosed:
        return render_error(
            409, _("No brief before the round closes"), _("Results come when the round closes.")
        )
    except NoStoredRelease:
        return render_error(
            409,
            _("No brief for this round yet"),
            _("This round closed before results were stored, so there are no results to show yet."),
        )


def _employer_and_wave(wave_id: int) -> tuple[Employer, Wave]:
    """Whose brief of which round the signed-in user asked for, or 404.

    An employer user gets their own employer's; ``?employer=`` may name it and any
    other id answers 404 like a missing page. Staff name any employer of their
    partnership with ``?employer=``: the results page is the same for both (so its
    download link is too). Another partnership's ids answer 404 like missing ones.
    """
    wave = db.session.get(Wave, wave_id)
    asked = request.args.get("employer", type=int)
    if current_user.is_staff:
        employer = db.session.get(Employer, asked) if asked is not None else None
        partnership = current_user.partnership_id
    else:
        employer = db.session.get(Employer, current_user.employer_id)
        if asked is not None and (employer is None or asked != employer.id):
            abort(404)
        partnership = employer.partnership_id if employer is not None else None
    if employer is None or wave is None or partnership is None:
        abort(404)
    if employer.partnership_id != partnership or wave.partnership_id != partnership:
        abort(404)
    return employer, wave


@bp.get("/waves/<int:wave_id>/brief.pdf")
@login_required
def brief(wave_id: int) -> ResponseReturnValue:
    employer, wave = _employer_and_wave(wave_id)
    paper = paper_arg()
    source = source_or_409(wave)
    if not isinstance(source, BriefSource):
        return source
    return pdf_download(
        employer_brief(source, employer, paper=paper), employer_filename(source.facts, employer)
    )
