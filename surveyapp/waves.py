"""Operations on waves: links, opening, closing, and the settings lock.

Anonymity rule 10: once a wave opens, the settings that protect workers (k,
single-use codes, the instrument asked) can no longer change, so nobody can lower
k or swap questions after workers have answered under the promised rules.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from sqlalchemy import select, update

from .db import Session
from .instruments import get_instrument
from .models import MIN_GROUP_SIZE_FLOOR, DistributionLink, Employer, Wave
from .results.store import compute_release, store_release
from .settling import settle_wave

#: Settings frozen once a wave is open.
LOCKED_SETTINGS = frozenset(
    {"min_group_size", "require_codes", "worker_instrument_key", "worker_instrument_version"}
)
EDITABLE_SETTINGS = LOCKED_SETTINGS | {"name", "opens_on", "closes_on", "show_exit_button"}


class WaveLocked(Exception):
    """A locked setting of an open or closed wave was asked to change."""


def new_link_token() -> str:
    """A distribution token: 192 random bits, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


def ensure_links(session: Session, wave: Wave) -> list[DistributionLink]:
    """One link per employer of the wave's partnership; existing links are kept.

    Archived employers get no new link (a link they already have is kept).
    """
    existing = {link.employer_id: link for link in wave.links}
    employers = session.scalars(
        select(Employer)
        .where(Employer.partnership_id == wave.partnership_id, Employer.archived.is_(False))
        .order_by(Employer.name)
    )
    links = []
    for employer in employers:
        link = existing.get(employer.id)
        if link is None:
            link = DistributionLink(
                wave=wave, employer=employer, token=new_link_token(), active=True
            )
            session.add(link)
        links.append(link)
    session.flush()
    return links


def link_employer_to_running_waves(session: Session, employer: Employer) -> None:
    """Give an employer added (or brought back from the archive) a link in every
    draft and open round of its partnership, as if it had been there all along."""
    if employer.archived:
        return
    waves = session.scalars(
        select(Wave).where(
            Wave.partnership_id == employer.partnership_id, Wave.status.in_(("draft", "open"))
        )
    )
    for wave in waves:
        ensure_links(session, wave)


def change_settings(wave: Wave, **changes: Any) -> None:
    """Change a wave's settings; locked ones only while the wave is a draft.

    :raises WaveLocked: a locked setting of an open or closed wave.
    :raises ValueError: an unknown setting or a k below the floor.
    """
    unknown = set(changes) - EDITABLE_SETTINGS
    if unknown:
        raise ValueError(f"unknown wave setting: {sorted(unknown)[0]}")
    locked = {
        name
        for name, value in changes.items()
        if name in LOCKED_SETTINGS and getattr(wave, name) != value
    }
    if locked and wave.status != "draft":
        raise WaveLocked(f"{sorted(locked)[0]} cannot change once a wave has opened")
    if "min_group_size" in changes and int(changes["min_group_size"]) < MIN_GROUP_SIZE_FLOOR:
        raise ValueError(f"k cannot be below {MIN_GROUP_SIZE_FLOOR}")
    for name, value in changes.items():
        setattr(wave, name, value)


def open_wave(session: Session, wave: Wave, today: date | None = None) -> None:
    """Open a draft wave: check its instrument loads, make links, lock settings."""
    if wave.status != "draft":
        raise WaveLocked("only a draft wave can be opened")
    get_instrument(wave.worker_instrument_key, wave.worker_instrument_version)
    wave.min_group_size = max(wave.min_group_size, wave.partnership.min_group_size)
    ensure_links(session, wave)
    # An employer archived while the round was a draft keeps out of it: its link was
    # never handed out, so switching it off takes nothing from anyone.
    for link in wave.links:
        if link.employer.archived:
            link.active = False
    wave.status = "open"
    wave.opens_on = wave.opens_on or today
    session.flush()


def _hold_against_submissions(session: Session, wave: Wave) -> None:
    """Keep submissions out until the close commits, and read the wave's status afresh.

    Otherwise a response stored while the release is computed would be in no release.
    PostgreSQL: the wave row FOR UPDATE (a submission takes it FOR SHARE, so it waits,
    then finds the wave closed). SQLite: a write now takes the one write lock, which
    every submission holds while it checks the status and stores; begin the
    transaction with :func:`surveyapp.db.begin_write` so no earlier read makes it fail.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Wave).where(Wave.id == wave.id).values(status=Wave.status))
    else:
        session.execute(select(Wave.id).where(Wave.id == wave.id).with_for_update())
    session.refresh(wave)


def close_wave(session: Session, wave: Wave, today: date | None = None) -> None:
    """Close an open wave: store its release, release everything still pending.

    The release is computed before anything changes, so if scoring fails the wave
    stays open and nothing is stored (anonymity rule 3: figures come once, at close).
    Flushes; the caller commits.
    """
    _hold_against_submissions(session, wave)
    if wave.status != "open":
        raise WaveLocked("only an open wave can be closed")
    computed = compute_release(session, wave)
    wave.status = "closed"
    wave.closes_on = today or wave.closes_on
    settle_wave(session, wave.id, force=True)
    store_release(session, wave, computed)
