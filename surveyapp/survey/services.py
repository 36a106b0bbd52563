"""State changes of the worker survey: single-use codes, and submitting.

Each function takes the session explicitly and only executes; the view commits
once at the end of the request (Indico's pattern), so a failure stores nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import insert, select, update

from ..db import Session
from ..instruments import Instrument
from ..models import AccessCode, Answer, DistributionLink, PendingComment, Response, Wave
from ..sealing import pending_comment_key, seal
from .answers import is_option_code
from .context import LinkInfo
from .drafts import DraftAlreadySent, OpenDraft, mark_sent, today

ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class CodeAlreadyUsed(Exception):
    """The single-use code was spent by another submission first."""


class WaveClosedMeanwhile(Exception):
    """Staff closed the wave while this submission was on its way."""


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


def access_code_usable(session: Session, link: DistributionLink | LinkInfo, raw: str) -> str | None:
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
    session: Session, link: LinkInfo, draft: OpenDraft, instrument: Instrument, secret_key: str
) -> str:
    """Turn a complete draft into a stored response, and the draft into the sent mark.

    Choice answers become answer rows; free text becomes a pending comment, sealed,
    with no reference to the response. A single-use code is spent in the same
    transaction with a conditional update, so two submissions cannot share it.
    Every statement is a Core insert, update or delete: one round trip each.

    :return: the new response's random id.
    :raises CodeAlreadyUsed: the wave needs a code and it was spent meanwhile.
    :raises DraftAlreadySent: the draft was sent by another request meanwhile.
    :raises WaveClosedMeanwhile: the wave closed while this request waited.
    :raises ValueError: an answer that is not one of its question's options (the
        view checks the draft first; this is the last line before storage).
    """
    answers = draft.answers
    choice_rows = []
    comments = []
    response_id = secrets.token_hex(16)
    for item in instrument.items:
        value: Any = answers.get(item.id)
        if value is None:
            continue
        if item.kind == "choice":
            if not is_option_code(value, item):
                raise ValueError(f"{item.id}: not one of the question's options")
            choice_rows.append({"response_id": response_id, "item_id": item.id, "code": value})
        else:
            comments.append((item.id, str(value)))
    # A response stored after the wave's release was computed would be in neither the
    # release nor any later one. On PostgreSQL this shared lock waits for a close in
    # progress (which holds the wave row FOR UPDATE) and then sees the wave closed;
    # on SQLite the write lock, held since the request began, does the same.
    still_open = session.connection().execute(
        select(Wave.id)
        .where(Wave.id == link.wave_id, Wave.status == "open")
        .with_for_update(read=True)
    )
    if still_open.first() is None:
        raise WaveClosedMeanwhile
    # The draft goes first: its row lock makes a second, simultaneous send of the same
    # draft wait for the first and then find the sent mark, rather than store a copy.
    if not mark_sent(session, draft):
        raise DraftAlreadySent
    if link.wave.require_codes:
        spent = session.connection().execute(
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
    session.connection().execute(
        insert(Response.__table__).values(
            id=response_id,
            wave_id=link.wave_id,
            employer_id=link.employer_id,
            instrument_key=instrument.key,
            instrument_version=instrument.version,
            instrument_checksum=instrument.checksum,
            language=draft.contents.language,
            submitted_on=today(),
        )
    )
    if choice_rows:
        session.connection().execute(insert(Answer.__table__), choice_rows)
    key = pending_comment_key(secret_key)
    for item_id, text in comments:
        comment_id = secrets.token_hex(16)
        session.connection().execute(
            insert(PendingComment.__table__).values(
                id=comment_id,
                wave_id=link.wave_id,
                employer_id=link.employer_id,
                item_id=item_id,
                language=draft.contents.language,
                sealed_text=seal(key, text.encode(), f"{comment_id}:pending"),
            )
        )
    return response_id
