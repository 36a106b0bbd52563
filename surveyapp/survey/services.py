"""State changes of the worker survey: finding a link, codes, and submitting.

Each function takes the session explicitly and only flushes; the view commits
once at the end of the request (Indico's pattern), so a failure stores nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from ..instruments import Instrument
from ..models import AccessCode, Answer, DistributionLink, Draft, PendingComment, Response
from .drafts import answers_of, today

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class CodeAlreadyUsed(Exception):
    """The single-use code was spent by another submission first."""


def find_link(session: Session, token: str) -> DistributionLink | None:
    """The link for a token, with its wave and employer; None for anything unusable.

    Malformed tokens are refused before the database is asked.
    """
    if not TOKEN_PATTERN.match(token):
        return None
    return session.scalar(
        select(DistributionLink)
        .options(joinedload(DistributionLink.wave), joinedload(DistributionLink.employer))
        .where(DistributionLink.token == token)
    )


def normalise_access_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())


def access_code_hash(raw: str) -> str:
    # Codes are printed for staff to hand out, so the hash must not depend on the
    # app's secret key (which may be rotated); 10 random characters are ~49 bits.
    return hashlib.sha256(
        f"surveyapp-access-code:{normalise_access_code(raw)}".encode()
    ).hexdigest()


def new_access_codes(session: Session, link: DistributionLink, count: int) -> list[str]:
    """Create ``count`` single-use codes for a link; only their hashes are stored."""
    codes = []
    for _ in range(count):
        code = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(10))
        session.add(AccessCode(code_hash=access_code_hash(code), link_id=link.id, status="new"))
        codes.append(f"{code[:5]}-{code[5:]}")
    session.flush()
    return codes


def access_code_usable(session: Session, link: DistributionLink, raw: str) -> str | None:
    """The code's hash if it belongs to this link and is unused, else None."""
    if not 8 <= len(normalise_access_code(raw)) <= 16:
        return None
    code_hash = access_code_hash(raw)
    found = session.scalar(
        select(AccessCode).where(
            AccessCode.code_hash == code_hash,
            AccessCode.link_id == link.id,
            AccessCode.status == "new",
        )
    )
    return code_hash if found else None


def submit_response(
    session: Session, link: DistributionLink, draft: Draft, instrument: Instrument
) -> Response:
    """Turn a complete draft into a stored response, and delete the draft.

    Choice answers become :class:`Answer` rows; free text becomes a
    :class:`PendingComment` with no reference to the response. A single-use code is
    spent in the same transaction with a conditional update, so two submissions cannot share it.

    :raises CodeAlreadyUsed: the wave needs a code and it was spent meanwhile.
    """
    answers = answers_of(draft)
    if link.wave.require_codes:
        spent = session.execute(
            update(AccessCode)
            .where(
                AccessCode.code_hash == (draft.access_code_hash or ""),
                AccessCode.link_id == link.id,
                AccessCode.status == "new",
            )
            .values(status="spent")
        )
        if getattr(spent, "rowcount", 0) != 1:
            raise CodeAlreadyUsed
    response = Response(
        id=secrets.token_hex(16),
        wave_id=link.wave_id,
        employer_id=link.employer_id,
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        instrument_checksum=instrument.checksum,
        language=draft.language,
        submitted_on=today(),
    )
    session.add(response)
    for item in instrument.items:
        value: Any = answers.get(item.id)
        if value is None:
            continue
        if item.kind == "choice":
            response.answers.append(Answer(item_id=item.id, code=int(value)))
        else:
            session.add(
                PendingComment(
                    id=secrets.token_hex(16),
                    wave_id=link.wave_id,
                    employer_id=link.employer_id,
                    item_id=item.id,
                    language=draft.language,
                    text=str(value),
                )
            )
    session.delete(draft)
    session.flush()
    return response
