"""A closed wave's export files as text: ``surveyapp export`` and the staff console's
downloads call these same functions, so both give the same bytes.

* the responses CSV and its codebook (:mod:`.offline`; never free text);
* the claims CSV (:mod:`.claims_csv`): the employers' sent surveys as claims, read
  with the same code that makes the stored release's claims at close;
* the employer aggregates CSV (:mod:`.aggregates`): the stored release's figures as
  the sector page shows them.

Only a closed wave is exported (:class:`~.store.WaveNotClosed` otherwise): while a
round is open, files could be compared one response apart (anonymity rule 3).
"""

from __future__ import annotations

import io

from sqlalchemy import select

from ..db import Session
from ..models import Employer, Wave
from ..scoring import gap_item_ids
from .aggregates import write_aggregates_csv
from .claims import load_wave_claims
from .claims_csv import write_claims_csv
from .offline import write_codebook, write_responses_csv
from .store import WaveNotClosed, employers_without_responses, stored_release
from .wave_data import WaveAnswers, load_wave_answers

__all__ = [
    "SEGMENTS",
    "UNKNOWN_SEGMENT",
    "aggregates_csv",
    "claims_csv",
    "closed_answers",
    "codebook_csv",
    "responses_csv",
]

#: What ``--segment`` may put in the responses CSV's segment column: employer fields.
SEGMENTS = {"size_band": Employer.size_band, "industry": Employer.industry_code}
#: The segment of an employer without that field: a name, because the scorer refuses
#: blank segments (a blank would silently leave the employer out of every peer group).
UNKNOWN_SEGMENT = "unknown"


def _require_closed(wave: Wave) -> None:
    if wave.status != "closed":
        raise WaveNotClosed(
            f"wave {wave.name!r} is {wave.status}: responses are exported once it closes"
        )


def closed_answers(session: Session, wave: Wave) -> WaveAnswers:
    """The wave's answers, for a closed wave only.

    :raises WaveNotClosed: a draft or open wave.
    :raises InstrumentMismatch: the instrument file changed since the answers were given.
    """
    _require_closed(wave)
    return load_wave_answers(session, wave)


def _segments(session: Session, answers: WaveAnswers, segment: str) -> list[str]:
    """The segment of each response's employer."""
    field = SEGMENTS[segment]
    found = dict(
        session.execute(
            select(Employer.id, field).where(Employer.id.in_(answers.employer_ids))
        ).all()
    )
    of_employer = [found.get(e) or UNKNOWN_SEGMENT for e in answers.employer_ids]
    return [of_employer[i] for i in answers.employers.tolist()]


def responses_csv(
    session: Session, wave: Wave, answers: WaveAnswers, *, segment: str | None = None
) -> str:
    """The documented responses CSV; ``segment`` ("size_band" or "industry") adds the
    ``segment`` column."""
    out = io.StringIO(newline="")
    write_responses_csv(
        out,
        answers.instrument,
        answers.codes,
        [answers.employer_names[i] for i in answers.employers.tolist()],
        wave=wave.name,
        item_ids=answers.item_ids,
        languages=answers.languages,
        segments=None if segment is None else _segments(session, answers, segment),
    )
    return out.getvalue()


def codebook_csv(
    wave: Wave, answers: WaveAnswers, *, language: str | None = None, segment: str | None = None
) -> str:
    """The codebook, labels in ``language`` (default the instrument's first)."""
    out = io.StringIO(newline="")
    write_codebook(
        out,
        answers.instrument,
        item_ids=answers.item_ids,
        living_wage=float(wave.partnership.living_wage),
        language=language,
        segment=segment,
    )
    return out.getvalue()


def claims_csv(session: Session, wave: Wave, answers: WaveAnswers) -> str:
    """The claims CSV: one row per employer of the responses CSV, in its order."""
    claims = load_wave_claims(session, wave, answers, float(wave.partnership.living_wage))
    out = io.StringIO(newline="")
    write_claims_csv(out, answers.employer_names, gap_item_ids(answers.instrument), claims)
    return out.getvalue()


def aggregates_csv(session: Session, wave: Wave) -> str:
    """Each employer's figures as the sector page shows them, from the stored release.

    :raises WaveNotClosed: a draft or open wave.
    :raises NoStoredRelease: the wave closed before releases were stored.
    """
    figures = stored_release(session, wave)
    # The round's other employers (a link, no response) get rows too, empty like hidden ones.
    others = [name for _id, name in employers_without_responses(session, wave)]
    out = io.StringIO(newline="")
    write_aggregates_csv(out, figures, others)
    return out.getvalue()
