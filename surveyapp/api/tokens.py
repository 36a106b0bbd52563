"""API tokens: made for one user, shown once, stored as a hash, revoked at once.

A token is ``sa_`` and 256 random bits (URL-safe base64): the prefix makes a leaked
token easy to recognise (a secret scanner, a log search), and the randomness makes a
plain SHA-256 enough to store it (nothing to guess that a salt or slow hash would
protect). Looking a token up by its hash compares hashes, never the token itself, so
the time a lookup takes says nothing about how close a guess was.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, date, datetime

from sqlalchemy import select, update

from ..db import Session
from ..models import ApiToken, User

PREFIX = "sa_"
#: The prefix and 43 URL-safe base64 characters (32 random bytes).
TOKEN_PATTERN = re.compile(r"sa_[A-Za-z0-9_-]{43}")
MAX_LABEL = 100


class TokenError(ValueError):
    """A token that cannot be made or revoked; the message says why."""


def _now() -> datetime:
    # Naive UTC: the columns are DateTime without a zone on both databases.
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def today() -> date:
    return datetime.now(UTC).date()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def label_problem(label: str) -> str | None:
    """Why ``label`` cannot be stored, or None."""
    if not label:
        return "a label is needed"
    if len(label) > MAX_LABEL:
        return f"a label has at most {MAX_LABEL} characters"
    if any(ch in "<>" or not ch.isprintable() for ch in label):
        return "a label has letters, numbers, spaces and ordinary punctuation only"
    return None


def create_token(session: Session, user: User, label: str) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row (flushed) and the token, which is never
    stored and cannot be shown again.

    :raises TokenError: the user is switched off, or the label cannot be stored.
    """
    label = " ".join(label.split())
    problem = label_problem(label)
    if problem:
        raise TokenError(problem)
    if not user.active:
        raise TokenError(f"the account {user.email} is switched off")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(token_hash=token_hash(token), user_id=user.id, label=label, created_at=_now())
    session.add(row)
    session.flush()
    return row, token


def revoke_token(session: Session, row: ApiToken) -> bool:
    """Revoke ``row`` now; False if it already was. The next request with it gets 401."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = _now()
    session.flush()
    return True


def token_for(session: Session, token: str) -> ApiToken | None:
    """The live token row for ``token``: unknown, malformed, revoked, or belonging to a
    switched-off account all give None (the API answers them alike)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row


def mark_used(session: Session, token_id: int, day: date) -> None:
    """Record ``day`` as the token's last use (at most one write a token a day)."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id)
        .where((ApiToken.last_used_on.is_(None)) | (ApiToken.last_used_on < day))
        .values(last_used_on=day)
    )


def partnership_tokens(session: Session, partnership_id: int) -> list[ApiToken]:
    """Every token of the partnership's users, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .join(User, User.id == ApiToken.user_id)
            .where(User.partnership_id == partnership_id)
            .order_by(ApiToken.id.desc())
        )
    )
