"""What the briefs are made from, read from the database once per round.

Shared by the download routes and ``surveyapp brief``, so a brief is the same file
whichever way it is made. Every figure comes from the release stored when the round
closed (:func:`surveyapp.results.stored_release`, anonymity rule 3); the only other
reads are names, size bands and response counts per employer (a closed round's
responses no longer change), which the sector brief's size table needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select

from ..db import Session
from ..models import DistributionLink, Employer, Response, Wave
from ..results import stored_release, stored_release_row
from .poster_links import name_key
from .text import ascii_slug, clip

#: The database's limits of names (text from elsewhere, or SQLite, which does not
#: enforce them, is cut with "…" so a 5,000-character name cannot fill pages).
NAME_LIMIT = 200
ROUND_LIMIT = 100


@dataclass(frozen=True)
class RoundFacts:
    """What a brief's first lines say about the round."""

    wave_id: int
    wave: str
    partnership: str
    sector: str
    region: str
    closed_on: date | None


@dataclass(frozen=True)
class BriefSource:
    """A closed round's stored release, parsed once, with the ids of its employers.

    ``figures`` is shared with every page that read the same release and is never
    changed.
    """

    facts: RoundFacts
    figures: dict[str, Any]
    employer_ids: tuple[int, ...]

    @property
    def k(self) -> int:
        return int(self.figures.get("k") or 0)

    def entry(self, employer_id: int) -> dict[str, Any] | None:
        """The employer's entry in the release; None when it has none (no responses,
        or added after the close), which reads as hidden."""
        entries = self.figures.get("employers") or []
        if employer_id not in self.employer_ids:
            return None
        index = self.employer_ids.index(employer_id)
        return entries[index] if index < len(entries) else None

    def entries(self) -> list[dict[str, Any]]:
        return list(self.figures.get("employers") or [])


def brief_source(session: Session, wave: Wave) -> BriefSource:
    """The round's stored release and facts.

    :raises surveyapp.results.WaveNotClosed: the round is a draft or open.
    :raises surveyapp.results.NoStoredRelease: it closed before releases were stored.
    """
    figures = stored_release(session, wave)
    parameters = json.loads(stored_release_row(session, wave).parameters)
    partnership = wave.partnership
    facts = RoundFacts(
        wave_id=wave.id,
        wave=clip(wave.name, ROUND_LIMIT),
        partnership=clip(partnership.name, NAME_LIMIT),
        sector=clip(partnership.sector, ROUND_LIMIT),
        region=clip(partnership.region, NAME_LIMIT),
        closed_on=wave.closes_on,
    )
    ids = tuple(int(i) for i in parameters.get("employer_ids", []))
    return BriefSource(facts, figures, ids)


def round_employers(session: Session, wave: Wave) -> list[Employer]:
    """Employers taking part in the round (a link in it, or responses), by name.

    Sorted here, not by the database, whose collations differ: "Ávila" before "zeta".
    """
    linked = select(DistributionLink.employer_id).where(DistributionLink.wave_id == wave.id)
    answered = select(Response.employer_id).where(Response.wave_id == wave.id)
    found = session.scalars(
        select(Employer).where(
            Employer.partnership_id == wave.partnership_id,
            or_(Employer.id.in_(linked), Employer.id.in_(answered)),
        )
    ).all()
    return sorted(found, key=lambda e: (name_key(e.name), e.name, e.id))


def band_members(session: Session, wave: Wave) -> list[tuple[str, int]]:
    """(size band, responses) of each employer taking part, for the size table."""
    counts = dict(
        session.execute(
            select(Response.employer_id, func.count())
            .where(Response.wave_id == wave.id)
            .group_by(Response.employer_id)
        ).all()
    )
    return [(e.size_band or "", int(counts.get(e.id, 0))) for e in round_employers(session, wave)]


def sector_filename(facts: RoundFacts) -> str:
    """A safe ASCII download name, never the raw round name."""
    return f"sector-brief-{ascii_slug(facts.wave, f'round-{facts.wave_id}')}.pdf"


def employer_filename(facts: RoundFacts, employer: Employer) -> str:
    name = ascii_slug(employer.name, f"employer-{employer.id}")
    return f"brief-{name}-{ascii_slug(facts.wave, f'round-{facts.wave_id}')}.pdf"
