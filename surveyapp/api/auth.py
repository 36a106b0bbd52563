"""Who is calling: the API token in ``Authorization: Bearer TOKEN``, on every request.

Only that header counts: a session cookie sent along is never read (so a page in a
signed-in browser cannot reach the API for its user), and a token in the URL is an
unknown query parameter (URLs end up in logs and histories: ASVS 14.2.1).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import abort, g, request

from ..db import begin_write
from ..errors import security_event
from ..extensions import db
from ..ratelimit import anonymous_client_key
from . import bp
from .errors import ApiError
from .tokens import TOKEN_PATTERN, mark_used, today, token_for

#: Endpoints anyone may read: the API's own description.
PUBLIC_ENDPOINTS = frozenset({"api.openapi"})
#: Longer than any real header: "Bearer " and a token.
MAX_HEADER = 200


@dataclass(frozen=True)
class Caller:
    """The token's user, as plain values (they outlive the request's transactions)."""

    token_id: int
    user_id: int
    partnership_id: int
    employer_id: int | None

    @property
    def is_staff(self) -> bool:
        return self.employer_id is None


def bearer_token() -> str | None:
    """The token of a well-formed ``Authorization: Bearer TOKEN`` header, else None."""
    header = request.headers.get("Authorization", "")
    if not header or len(header) > MAX_HEADER:
        return None
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or " " in token.strip():
        return None
    return token.strip()


def caller() -> Caller:
    """The authenticated caller of this request (set by :func:`_authenticate`)."""
    found = g.get("api_caller")
    if not isinstance(found, Caller):  # pragma: no cover - every route is authenticated
        abort(401)
    return found


def require_staff() -> Caller:
    """The caller, if a staff user's token; an employer token gets the 404 of a
    missing page, so it learns nothing about what staff may read."""
    found = caller()
    if not found.is_staff:
        abort(404)
    return found


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    token = bearer_token()
    if token is None:
        if "Authorization" in request.headers:
            raise ApiError(401, "The Authorization header must be: Bearer TOKEN.")
        raise ApiError(401, "Send an API token in the Authorization header: Bearer TOKEN.")
    row = token_for(db.session, token)
    if row is None:
        # Unknown, revoked, mistyped or a switched-off account's: one answer for all,
        # and one log line (never the token) so a run of guesses shows.
        security_event("invalid API token")
        raise ApiError(401, "The API token is not valid: it may be mistyped or revoked.")
    user = row.user
    g.api_caller = Caller(row.id, user.id, user.partnership_id, user.employer_id)
    day = today()
    if row.last_used_on != day:
        # At most one write a token a day, in a transaction of its own that takes
        # SQLite's write lock from the start (a read-then-write one could fail busy).
        db.session.rollback()
        begin_write(db.session)
        mark_used(db.session, row.id, day)
        db.session.commit()


def token_key() -> str:
    """The per-token rate-limit bucket: a hash of the presented token.

    A hash, not the token's id: limits are checked before the token is looked up, so
    a flood never reaches the database. Requests without a well-formed token share
    their client address's bucket; made-up well-formed tokens each get one, which is
    why :func:`address_key` limits every client address as well.
    """
    token = bearer_token()
    if token is None or not TOKEN_PATTERN.fullmatch(token):
        return address_key()
    return "api-t" + hashlib.sha256(b"rate-limit:" + token.encode()).hexdigest()[:32]


def address_key() -> str:
    """The per-address bucket: an HMAC of the address under a rotating salt."""
    return "api-a" + anonymous_client_key()
