"""Random tokens for sessions and set-password links; only their hashes are stored."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    # A plain hash suffices: the token has 256 random bits, so there is nothing to
    # guess that a salt or a slow hash would protect.
    return hashlib.sha256(token.encode()).hexdigest()
