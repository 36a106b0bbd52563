"""Invitations, answers, sending and closing of a round's self-assessment.

Plain SQLAlchemy, no request: the pages in :mod:`.flow`, :mod:`.public` and
``surveyapp/staff/self_assessment*.py`` call these inside their transactions. A link
is like a set-password link (:mod:`surveyapp.accounts.tokens`): 256 random bits, shown
once, stored only as its SHA-256 hash. It belongs to one respondent, who may come back
to it to change answers; it stops working when it expires, when staff withdraw it or
when staff close the self-assessment, and each of these looks like an unknown link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from ..accounts.tokens import new_token, token_hash
from ..db import Session
from ..instruments import Instrument, get_instrument
from ..models import (
    SelfAssessment,
    SelfAssessmentAnswer,
    SelfAssessmentRespondent,
    User,
    Wave,
)

#: The self-assessment new rounds ask.
INSTRUMENT = ("partnership", 1)
#: A partner may need a couple of weeks, and a meeting, to answer.
LINK_LIFETIME = timedelta(days=21)
#: Longer than any token we make; anything longer is not looked up.
MAX_TOKEN = 100
MAX_LABEL = 100


class SelfAssessmentClosed(Exception):
    """The self-assessment was closed: answers and invitations can no longer change."""


@dataclass(frozen=True)
class Rating:
    """One statement's answer: an option code (1-4, or 98 "Don't know") and a note."""

    code: int
    note: str | None = None


def now() -> datetime:
    # Naive UTC to the second: the columns are DateTime without a zone on both databases.
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def assessment_of(session: Session, wave: Wave) -> SelfAssessment | None:
    return session.get(SelfAssessment, wave.id)


def ensure_assessment(session: Session, wave: Wave) -> SelfAssessment:
    """The round's self-assessment, started now (with the current instrument) if need be."""
    found = assessment_of(session, wave)
    if found is not None:
        return found
    instrument = get_instrument(*INSTRUMENT)
    found = SelfAssessment(
        wave_id=wave.id,
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        instrument_checksum=instrument.checksum,
        created_at=now(),
        closed_at=None,
    )
    session.add(found)
    session.flush()
    return found


def instrument_of(assessment: SelfAssessment | None) -> Instrument:
    """The instrument a self-assessment was started with (the current one if not started)."""
    if assessment is None:
        return get_instrument(*INSTRUMENT)
    return get_instrument(assessment.instrument_key, assessment.instrument_version)


def lock_open(session: Session, wave_id: int) -> SelfAssessment | None:
    """The round's self-assessment, read again and share-locked; None if closed or absent.

    Call it first in a write transaction (:func:`surveyapp.db.begin_write`): closing
    takes the same row for update, so no answer changes after the scores are final.
    """
    found = session.get(
        SelfAssessment, wave_id, populate_existing=True, with_for_update={"read": True}
    )
    return None if found is None or found.is_closed else found


def invite(
    session: Session, assessment: SelfAssessment, role: str, label: str
) -> tuple[SelfAssessmentRespondent, str]:
    """A new link for one partner; returns the row and the token (shown once).

    :raises SelfAssessmentClosed: the self-assessment is closed.
    """
    if assessment.is_closed:
        raise SelfAssessmentClosed
    if role == "staff" or len(label) > MAX_LABEL:
        raise ValueError("staff answer signed in; a label has at most 100 characters")
    token = new_token()
    created = now()
    row = SelfAssessmentRespondent(
        wave_id=assessment.wave_id,
        role=role,
        token_hash=token_hash(token),
        expires_at=created + LINK_LIFETIME,
        label=label,
        created_at=created,
    )
    session.add(row)
    session.flush()
    return row, token


def respondent_for_link(session: Session, token: str) -> SelfAssessmentRespondent | None:
    """The respondent a link is for, if it is known, unexpired and its self-assessment open."""
    if not token or len(token) > MAX_TOKEN:
        return None
    row = session.scalar(
        select(SelfAssessmentRespondent).where(
            SelfAssessmentRespondent.token_hash == token_hash(token)
        )
    )
    if row is None or row.expires_at is None or row.expires_at <= now():
        return None
    return None if row.assessment.is_closed else row


def staff_respondent(
    session: Session, assessment: SelfAssessment, user: User, *, create: bool = False
) -> SelfAssessmentRespondent | None:
    """A staff user's own respondent row in this round (made when ``create``)."""
    found = session.scalar(
        select(SelfAssessmentRespondent).where(
            SelfAssessmentRespondent.wave_id == assessment.wave_id,
            SelfAssessmentRespondent.user_id == user.id,
        )
    )
    if found is None and create:
        found = SelfAssessmentRespondent(
            wave_id=assessment.wave_id, role="staff", user_id=user.id, label="", created_at=now()
        )
        session.add(found)
        session.flush()
    return found


def stored(respondent: SelfAssessmentRespondent | None) -> dict[str, Rating]:
    if respondent is None:
        return {}
    return {a.item_id: Rating(a.code, a.note) for a in respondent.answers}


def save(
    session: Session, respondent: SelfAssessmentRespondent, ratings: Mapping[str, Rating]
) -> None:
    """Store one page's ratings (each replaces the stored one)."""
    existing = {a.item_id: a for a in respondent.answers}
    for item_id, rating in ratings.items():
        row = existing.get(item_id)
        if row is None:
            respondent.answers.append(
                SelfAssessmentAnswer(item_id=item_id, code=rating.code, note=rating.note)
            )
        else:
            row.code, row.note = rating.code, rating.note
    respondent.updated_at = now()
    session.flush()


def is_complete(instrument: Instrument, respondent: SelfAssessmentRespondent | None) -> bool:
    answered = set(stored(respondent))
    return all(item.id in answered for item in instrument.items if item.required)


def send(session: Session, instrument: Instrument, respondent: SelfAssessmentRespondent) -> bool:
    """Mark the answers sent; False (nothing changes) while a required one is missing."""
    if not is_complete(instrument, respondent):
        return False
    respondent.sent_at = respondent.sent_at or now()
    session.flush()
    return True


def close(session: Session, assessment: SelfAssessment) -> None:
    """Close for good: answers stop changing, links stop working, the scores appear."""
    if not assessment.is_closed:
        assessment.closed_at = now()
        session.flush()


def sent_answers(assessment: SelfAssessment) -> list[dict[str, int]]:
    """Each sent respondent's codes (item id -> code), the input of the scores.

    Ordered by item codes, not by respondent, so the list itself says nothing about who.
    """
    rows = [{a.item_id: a.code for a in r.answers} for r in assessment.respondents if r.sent_at]
    return sorted(rows, key=lambda answers: sorted(answers.items()))
