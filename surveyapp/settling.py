"""Erase the traces that tie free text and spent codes to their response.

A submission writes its response, its pending comment and its spent code in one
transaction: all or nothing. In PostgreSQL those rows then share a transaction id
(``xmin``) and sit next to each other on disk, which someone with database access
could use to join a comment or a code back to its answers. Once a wave has at
least ``BATCH`` pending comments (or spent codes), they are rewritten in one
transaction in shuffled order, so each released row shares its transaction with a
whole batch, and storage order says nothing about arrival order. Until then a
pending comment's text is sealed under a key derived from the app's secret key,
so a copy of the database files (or its WAL) taken meanwhile does not pair it with
the answers written in the same transaction.
"""

from __future__ import annotations

import logging
import random
import secrets
from typing import Any

from flask import current_app
from sqlalchemy import Select, delete, func, select

from .db import Session
from .models import AccessCode, Comment, DistributionLink, PendingComment
from .sealing import DraftUnreadable, pending_comment_key, unseal

log = logging.getLogger(__name__)

#: Rows released together; a released row hides among at least this many.
BATCH = 10

_shuffle = random.SystemRandom().shuffle


def settle_wave(session: Session, wave_id: int, *, force: bool = False) -> tuple[int, int]:
    """Release pending comments and settle spent codes of a wave in batches.

    :param force: release whatever is pending (used when a wave closes).
    :return: (comments released, codes settled).
    """
    return _release_comments(session, wave_id, force), _settle_codes(session, wave_id, force)


def settle_due(session: Session, wave_id: int) -> bool:
    """Whether a wave has a full batch of comments or spent codes to settle.

    Two cheap counts in one query, run inside the submission's own transaction, so that the separate
    settling transaction (and, in SQLite, its write lock) is taken only once a batch.
    """
    comments = (
        select(func.count())
        .select_from(PendingComment)
        .where(PendingComment.wave_id == wave_id)
        .scalar_subquery()
    )
    codes = (
        select(func.count())
        .select_from(AccessCode)
        .where(AccessCode.link_id.in_(_link_ids(wave_id)), AccessCode.status == "spent")
        .scalar_subquery()
    )
    row = session.execute(select(comments, codes)).one()
    return bool((row[0] or 0) >= BATCH or (row[1] or 0) >= BATCH)


def _link_ids(wave_id: int) -> Select[Any]:
    return select(DistributionLink.id).where(DistributionLink.wave_id == wave_id)


def _release_comments(session: Session, wave_id: int, force: bool) -> int:
    # FOR UPDATE: two submissions settling at once (PostgreSQL, read committed) would
    # both read the same batch and both release it, each comment twice. The second
    # waits for the first, then finds the rows gone. (SQLite's write lock, held since
    # BEGIN IMMEDIATE, already keeps them apart; there this clause is left out.)
    pending = list(
        session.scalars(
            select(PendingComment).where(PendingComment.wave_id == wave_id).with_for_update()
        )
    )
    if not pending or (len(pending) < BATCH and not force):
        return 0
    _shuffle(pending)
    key = pending_comment_key(str(current_app.config["SECRET_KEY"]))
    for row in pending:
        try:
            text = unseal(key, row.sealed_text, f"{row.id}:pending").decode()
        except DraftUnreadable:
            # Sealed under an earlier secret key: it cannot be read by anyone now.
            log.warning("a pending comment could not be unsealed and was dropped")
            continue
        session.add(
            Comment(
                id=secrets.token_hex(16),
                wave_id=row.wave_id,
                employer_id=row.employer_id,
                item_id=row.item_id,
                language=row.language,
                text=text,
                approved=False,
            )
        )
    session.execute(delete(PendingComment).where(PendingComment.id.in_([r.id for r in pending])))
    for row in pending:
        session.expunge(row)
    session.flush()
    return len(pending)


def _settle_codes(session: Session, wave_id: int, force: bool) -> int:
    spent = list(
        session.scalars(
            select(AccessCode)
            .where(AccessCode.link_id.in_(_link_ids(wave_id)), AccessCode.status == "spent")
            .with_for_update()
        )
    )
    if not spent or (len(spent) < BATCH and not force):
        return 0
    rows = [(code.code_hash, code.link_id) for code in spent]
    session.execute(delete(AccessCode).where(AccessCode.code_hash.in_([r[0] for r in rows])))
    for code in spent:
        session.expunge(code)
    _shuffle(rows)
    session.add_all(AccessCode(code_hash=h, link_id=link, status="settled") for h, link in rows)
    session.flush()
    return len(rows)
