"""Drafts: a worker's answers between pages, found by a cookie or a resume code.

The cookie value and the resume code are random; the database keeps only their
HMACs under the app's secret key, so a copy of the database cannot be used to take
over someone's draft, and the draft's contents only as ciphertext
(:mod:`.sealing`). Functions here issue SQL through the Core table, one statement
per change, so a page save is one read and one write.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Update, bindparam, delete, insert, select, update

from ..db import Session
from ..models import Draft
from ..sealing import (
    DraftContents,
    DraftUnreadable,
    cookie_key,
    new_data_key,
    resume_key,
    seal,
    unseal,
)

#: Resume codes: 12 characters from an alphabet without look-alikes (0/O, 1/I/L),
#: about 58 bits, shown as XXXX-XXXX-XXXX.
RESUME_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RESUME_LENGTH = 12

#: What a sent draft's ``contents`` and ``key_by_cookie`` become: a bare mark with no
#: answers and no key (sealed values are base64 and never read like this). The row
#: stays, findable by its cookie (not by its save code, which stops working), until it
#: expires, so a worker whose thank-you page was lost (a dropped connection, a server
#: crash) and who sends again or opens the link again is told the answers arrived,
#: rather than starting over and being counted twice. It holds nothing that points to
#: the response.
SENT = "sent"

Answers = dict[str, Any]
DRAFTS = Draft.__table__


def today() -> date:
    return datetime.now(UTC).date()


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _digest(purpose: str, value: str) -> str:
    return hmac.new(_secret().encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def cookie_digest(cookie: str | None) -> str | None:
    """The HMAC a draft cookie is looked up by; None for a missing or absurd cookie."""
    if not cookie or len(cookie) > 100:
        return None
    return _digest("draft", cookie)


def normalise_resume_code(raw: str) -> str:
    """Upper-case and drop spaces and dashes, as people type codes in many ways."""
    return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())


def format_resume_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _expiry() -> date:
    return today() + timedelta(days=current_app.config["DRAFT_DAYS"])


@dataclass
class OpenDraft:
    """A draft whose contents were unsealed with the key its cookie or code opened."""

    id: str
    data_key: bytes
    contents: DraftContents
    access_code_hash: str | None
    #: The sealed contents as read, so a save can require that nobody changed them.
    stored_contents: str

    @property
    def answers(self) -> Answers:
        return self.contents.answers

    def sealed_contents(self) -> str:
        return seal(self.data_key, self.contents.to_bytes(), f"{self.id}:contents")


def _open(row: Mapping[Any, Any], data_key: bytes) -> OpenDraft:
    contents = DraftContents.from_bytes(unseal(data_key, row["contents"], f"{row['id']}:contents"))
    return OpenDraft(
        id=row["id"],
        data_key=data_key,
        contents=contents,
        access_code_hash=row["access_code_hash"],
        stored_contents=row["contents"],
    )


class DraftAlreadySent(Exception):
    """The draft was sent already (by another request, or before a lost thank-you)."""


def is_sent(row: Mapping[str, Any] | None, link_id: int) -> bool:
    """Whether a draft row found on this link is the mark a sent draft leaves."""
    return row is not None and row["link_id"] == link_id and row["contents"] == SENT


def open_with_cookie(row: Mapping[str, Any] | None, link_id: int, cookie: str) -> OpenDraft | None:
    """Open a draft row found by its cookie's HMAC; None if it is not usable here.

    A draft belongs to one survey link: a cookie from another employer's link never
    brings its answers along.
    """
    if row is None or row["link_id"] != link_id or row["expires_on"] < today():
        return None
    if row["contents"] == SENT:
        return None
    try:
        data_key = unseal(cookie_key(cookie), row["key_by_cookie"], f"{row['id']}:cookie")
        return _open(row, data_key)
    except DraftUnreadable:
        return None


def start_draft(
    session: Session, link_id: int, language: str, access_code_hash: str | None = None
) -> str:
    """Create an empty draft; returns the cookie value that finds it."""
    purge_expired(session)
    cookie = secrets.token_urlsafe(32)
    draft_id = secrets.token_hex(16)
    data_key = new_data_key()
    contents = DraftContents(language=language)
    session.connection().execute(
        insert(DRAFTS).values(
            id=draft_id,
            token_hash=_digest("draft", cookie),
            link_id=link_id,
            contents=seal(data_key, contents.to_bytes(), f"{draft_id}:contents"),
            key_by_cookie=seal(cookie_key(cookie), data_key, f"{draft_id}:cookie"),
            key_by_resume=None,
            resume_hash=None,
            access_code_hash=access_code_hash,
            expires_on=_expiry(),
        )
    )
    return cookie


def _save_statement(*columns: str) -> Update:
    """The UPDATE of a page save, built once: a save binds only its values (no statement
    to build and look up in SQLAlchemy's cache on every save)."""
    return (
        update(DRAFTS)
        .where(
            DRAFTS.c.id == bindparam("draft_id"), DRAFTS.c.contents == bindparam("read_contents")
        )
        .values({name: bindparam(f"new_{name}") for name in columns})
    )


_SAVE = _save_statement("expires_on", "contents")
_SAVE_WITH_RESUME = _save_statement("expires_on", "key_by_resume", "resume_hash", "contents")


def save_answers(
    session: Session,
    draft: OpenDraft,
    updates: Answers,
    cleared: tuple[str, ...] = (),
    language: str | None = None,
    *,
    with_resume_code: bool = False,
) -> bool:
    """Merge one page's answers into the draft, in one UPDATE.

    :param cleared: items whose answers are removed.
    :param with_resume_code: the worker saves to finish later: the draft gets its
        resume code if it has none yet (one code for the draft's whole life: the
        code is kept inside the sealed contents, so the worker holding the cookie
        can be shown the same code again, and the database holds only its HMAC).
    :return: whether the draft was stored. It is stored only if its contents are
        still those read: PostgreSQL (read committed) lets another tab's save of the
        same draft commit between this request's read and write, and the caller then
        reads again and merges rather than losing that save. (SQLite's write lock,
        taken before the read, already keeps them apart.)
    """
    for item_id in cleared:
        draft.answers.pop(item_id, None)
    draft.answers.update(updates)
    if language:
        draft.contents.language = language
    values: dict[str, Any] = {"expires_on": _expiry()}
    if with_resume_code and not draft.contents.resume_code:
        code = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH))
        draft.contents.resume_code = format_resume_code(code)
        values["key_by_resume"] = seal(
            resume_key(_secret(), code), draft.data_key, f"{draft.id}:resume"
        )
        values["resume_hash"] = _digest("resume", code)
    values["contents"] = draft.sealed_contents()
    statement = _SAVE_WITH_RESUME if "resume_hash" in values else _SAVE
    result = session.connection().execute(
        statement,
        {
            "draft_id": draft.id,
            "read_contents": draft.stored_contents,
            **{f"new_{name}": value for name, value in values.items()},
        },
    )
    stored = int(getattr(result, "rowcount", 0) or 0) == 1
    if stored:
        draft.stored_contents = values["contents"]
    return stored


def resume_draft(session: Session, link_id: int, raw_code: str) -> tuple[OpenDraft, str] | None:
    """Find the draft a resume code opens and move it to a new cookie.

    The old cookie stops working, so a shared phone that started the survey no
    longer opens the answers once the worker continues on another device.
    """
    code = normalise_resume_code(raw_code)
    if len(code) != RESUME_LENGTH:
        return None
    row = (
        session.connection()
        .execute(select(DRAFTS).where(DRAFTS.c.resume_hash == _digest("resume", code)))
        .mappings()
        .first()
    )
    if row is None or row["link_id"] != link_id or row["expires_on"] < today():
        return None
    if row["contents"] == SENT:
        return None
    try:
        data_key = unseal(resume_key(_secret(), code), row["key_by_resume"], f"{row['id']}:resume")
        draft = _open(row, data_key)
    except DraftUnreadable:
        return None
    cookie = secrets.token_urlsafe(32)
    session.connection().execute(
        update(DRAFTS)
        .where(DRAFTS.c.id == draft.id)
        .values(
            token_hash=_digest("draft", cookie),
            key_by_cookie=seal(cookie_key(cookie), data_key, f"{draft.id}:cookie"),
        )
    )
    return draft, cookie


def discard_draft(session: Session, draft: OpenDraft) -> bool:
    """Delete the draft; False if it was already gone (sent by a request meanwhile)."""
    result = session.connection().execute(delete(DRAFTS).where(DRAFTS.c.id == draft.id))
    return int(getattr(result, "rowcount", 0) or 0) == 1


def mark_sent(session: Session, draft: OpenDraft) -> bool:
    """Replace the draft's answers and keys by the sent mark, in one UPDATE.

    :return: False if the draft was sent already. On PostgreSQL a second, simultaneous
        send of the same draft waits for this row's lock, then sees the mark and stores
        nothing; on SQLite the write lock keeps them apart.
    """
    result = session.connection().execute(
        update(DRAFTS)
        .where(DRAFTS.c.id == draft.id, DRAFTS.c.contents != SENT)
        .values(
            contents=SENT,
            key_by_cookie=SENT,
            key_by_resume=None,
            resume_hash=None,
            access_code_hash=None,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def purge_expired(session: Session) -> int:
    result = session.connection().execute(delete(DRAFTS).where(DRAFTS.c.expires_on < today()))
    return int(getattr(result, "rowcount", 0) or 0)
