"""PDF briefs of a closed round for partnership staff (issue 11).

``/staff/waves/<id>/brief.pdf`` is the sector brief; ``/staff/waves/<id>/employers/
<employer_id>/brief.pdf`` is any employer's own brief, the very file its users
download. Another partnership's wave or employer answers 404 exactly like an id
that does not exist; a round that is not closed (or has no stored release) gets a
plain 409 page.
"""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from ..accounts.access import staff_required
from ..db import Session
from ..employer.briefs import employer_brief, paper_arg, pdf_download, source_or_409
from ..employer.dashboard import is_hidden
from ..extensions import db
from ..models import Employer, Wave
from ..quotes import quote_threshold, quotes
from ..reports.brief_data import (
    BriefSource,
    band_members,
    employer_filename,
    sector_filename,
)
from ..reports.sector_brief import SectorBrief, sector_brief_pdf
from ..reports.sector_figures import band_table, gap_counts, spread_values
from ..results_view import instrument_of
from ..selfassessment.figures import self_assessment_figures
from . import bp
from .common import own
from .forms import SIZE_BANDS
from .results import dashboard


def sector_brief(
    source: BriefSource, session: Session, wave: Wave, *, paper: str = "letter"
) -> bytes:
    """The round's sector brief, in the current language, as PDF bytes."""
    figures = source.figures
    # Only employers whose results are shown count in the spread and the gap counts.
    shown = [entry for entry in source.entries() if not is_hidden(entry)]
    instrument = instrument_of(figures)
    brief = SectorBrief(
        facts=source.facts,
        figures=figures,
        page=dashboard(figures),
        bands=band_table(band_members(session, wave), source.k, SIZE_BANDS),
        gaps=gap_counts(shown),
        spread=spread_values(figures, shown),
        threshold=instrument.settings.threshold if instrument else None,
        quotes=tuple(q.text for q in quotes(session, wave)),
        quote_threshold=quote_threshold(wave.partnership, wave),
        self_assessment=self_assessment_figures(session, wave),
    )
    return sector_brief_pdf(brief, paper=paper)


@bp.get("/waves/<int:wave_id>/brief.pdf")
@staff_required
def sector_brief_download(wave_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    paper = paper_arg()
    source = source_or_409(wave)
    if not isinstance(source, BriefSource):
        return source
    data = sector_brief(source, db.session, wave, paper=paper)
    return pdf_download(data, sector_filename(source.facts))


@bp.get("/waves/<int:wave_id>/employers/<int:employer_id>/brief.pdf")
@staff_required
def employer_brief_download(wave_id: int, employer_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    employer = own(Employer, employer_id)
    paper = paper_arg()
    source = source_or_409(wave)
    if not isinstance(source, BriefSource):
        return source
    data = employer_brief(source, employer, paper=paper)
    return pdf_download(data, employer_filename(source.facts, employer))
