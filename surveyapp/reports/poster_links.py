"""The links a round's posters are made for, read from the database.

Shared by the staff download and the ``surveyapp poster`` command, so both print
the same pages in the same order.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from sqlalchemy import select

from ..db import Session
from ..models import DistributionLink, Employer, Wave
from .poster import PosterLink
from .text import ascii_slug


def active_links(session: Session, wave: Wave) -> list[tuple[DistributionLink, Employer]]:
    """The round's switched-on links with their employers, by employer name.

    Sorted here rather than by the database, whose collations differ (SQLite
    compares bytes, PostgreSQL follows the locale): the same round gives the same
    page order everywhere, ignoring case and accents ("Ávila" before "zeta").
    """
    pairs = session.execute(
        select(DistributionLink, Employer)
        .join(Employer, Employer.id == DistributionLink.employer_id)
        .where(DistributionLink.wave_id == wave.id, DistributionLink.active.is_(True))
    ).all()
    return sorted(
        ((link, employer) for link, employer in pairs),
        key=lambda pair: (name_key(pair[1].name), pair[1].name, pair[1].id),
    )


def name_key(name: str) -> str:
    """``name`` without case or accents, for sorting."""
    letters = unicodedata.normalize("NFKD", name)
    return "".join(char for char in letters if not unicodedata.combining(char)).casefold()


def poster_link(
    wave: Wave, link: DistributionLink, employer: Employer, survey_url: Callable[[str], str]
) -> PosterLink:
    """One poster's content; ``survey_url`` turns a token into the full survey address."""
    return PosterLink(employer=employer.name, round_name=wave.name, url=survey_url(link.token))


def posters_filename(wave: Wave) -> str:
    """A safe ASCII download name, never the raw round name."""
    return f"posters-{ascii_slug(wave.name, f'round-{wave.id}')}.pdf"


def poster_filename(wave: Wave, employer: Employer) -> str:
    """A safe ASCII download name for one employer's poster, never the raw names."""
    name = ascii_slug(employer.name, f"employer-{employer.id}")
    return f"poster-{name}-{ascii_slug(wave.name, f'round-{wave.id}')}.pdf"


def posters_title(wave: Wave) -> str:
    return f"Survey posters: {wave.name}"
