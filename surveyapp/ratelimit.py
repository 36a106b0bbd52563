"""Rate-limit keys that never reveal a client address.

The key is an HMAC of the address under a random salt that lives only in this
process's memory and changes every few hours, so the limiter's counters cannot be
turned back into addresses, and nothing about an address outlives the salt. This
is the one place in surveyapp that reads the client address (Warehouse's
``ProxyFixer`` hashes addresses the same way).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

from flask import request

SALT_LIFETIME_SECONDS = 6 * 3600

_lock = threading.Lock()
_salt = secrets.token_bytes(32)
_salt_born = time.monotonic()


def _current_salt() -> bytes:
    global _salt, _salt_born
    with _lock:
        if time.monotonic() - _salt_born > SALT_LIFETIME_SECONDS:
            _salt = secrets.token_bytes(32)
            _salt_born = time.monotonic()
        return _salt


def anonymous_client_key() -> str:
    address = request.remote_addr or "unknown"
    return hmac.new(_current_salt(), address.encode(), hashlib.sha256).hexdigest()[:32]
