"""Rate limits that stop abuse without locking a workplace out, keyed anonymously.

Workers scan the same poster at shift change, often behind one workplace or carrier
address, so limits per address are sized for a whole shift (hundreds of workers an
hour). A tighter limit applies to page saves per draft, keyed on the worker's own
draft cookie: one person cannot hammer a page, however many share their address.
(Starting and sending issue or retire the cookie, so they are limited per address.)

Keys never reveal a client: the address key is an HMAC under a salt that changes
every few hours (Warehouse's ``ProxyFixer`` hashes addresses the same way); the draft
key is an HMAC of the cookie. With ``memory://`` counters the salt is random and
lives only in this process's memory. With a shared store (Redis) every process and
host must reach the same key for the same client, or each would count alone: there
the salt is derived from ``SECRET_KEY`` and the current period, so only someone
holding both ``SECRET_KEY`` and a copy of the store could test guessed addresses
against its keys. This is the one place in surveyapp that reads the client address.

Every limit can be changed by an environment variable (README, "Rate limits").
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping

from flask import current_app, request
from flask_limiter import RequestLimit
from limits import parse_many

SALT_LIFETIME_SECONDS = 6 * 3600

#: name -> (environment variable, default, what it limits). Per-address limits are
#: sized for a shift change behind one address; per-draft limits for one person.
LIMITS: dict[str, tuple[str, str, str]] = {
    "start": (
        "SURVEYAPP_LIMIT_START",
        "1000/hour",
        "survey starts per client address",
    ),
    "page": (
        "SURVEYAPP_LIMIT_PAGE",
        "20000/hour",
        "page saves per client address",
    ),
    "page_draft": (
        "SURVEYAPP_LIMIT_PAGE_PER_DRAFT",
        "60/minute;600/hour",
        "page saves by one worker (per draft cookie)",
    ),
    "submit": (
        "SURVEYAPP_LIMIT_SUBMIT",
        "1000/hour",
        "submissions per client address",
    ),
    "resume": (
        "SURVEYAPP_LIMIT_RESUME",
        "30/minute;300/hour",
        "resume-code attempts per client address",
    ),
    "login": (
        "SURVEYAPP_LIMIT_LOGIN",
        "10/minute;100/hour",
        "sign-in and password attempts per client address",
    ),
    "login_account": (
        "SURVEYAPP_LIMIT_LOGIN_PER_ACCOUNT",
        "5/minute;30/hour",
        "sign-in attempts on one account (passwords and one-time passwords), from anywhere",
    ),
    "console": (
        "SURVEYAPP_LIMIT_CONSOLE",
        "60/minute;1000/hour",
        "forms sent by one signed-in staff or employer account, from anywhere",
    ),
}

log = logging.getLogger("surveyapp.security")

_lock = threading.Lock()
_salt = secrets.token_bytes(32)
_salt_born = time.monotonic()


def limits_from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """Every limit, from its variable in ``environ`` (config.py passes it) or its default.

    :raises ValueError: a value that is not a limit such as ``100/hour;10/minute``.
    """
    return {
        name: check_limit(variable, environ.get(variable, default), default)
        for name, (variable, default, _what) in LIMITS.items()
    }


def check_limit(variable: str, value: str, default: str) -> str:
    """``value`` stripped, if it is a limit such as ``100/hour;10/minute``.

    :raises ValueError: it is not; the message names ``variable`` and shows ``default``.
    """
    value = value.strip()
    try:
        if not parse_many(value):
            raise ValueError(value)
    except ValueError:
        raise ValueError(
            f"{variable}={value!r} is not a rate limit; write it like {default!r}"
        ) from None
    return value


def limit(name: str) -> Callable[[], str]:
    """The configured limit called ``name``, read when a request is checked."""
    return lambda: current_app.config["RATE_LIMITS"][name]


def _current_salt() -> bytes:
    global _salt, _salt_born
    if not str(current_app.config["RATELIMIT_STORAGE_URI"]).partition("://")[0].endswith("memory"):
        period = int(time.time() // SALT_LIFETIME_SECONDS)
        return _shared_salt(str(current_app.config["SECRET_KEY"]), period)
    with _lock:
        if time.monotonic() - _salt_born > SALT_LIFETIME_SECONDS:
            _salt = secrets.token_bytes(32)
            _salt_born = time.monotonic()
        return _salt


@functools.lru_cache(maxsize=4)
def _shared_salt(secret_key: str, period: int) -> bytes:
    # The same on every host at the same time (their clocks agree to well within the
    # period); the next period's cannot be told from this one's without the key.
    return hmac.new(secret_key.encode(), f"rate-limit-salt:{period}".encode(), "sha256").digest()


def anonymous_client_key() -> str:
    address = request.remote_addr or "unknown"
    return hmac.new(_current_salt(), address.encode(), hashlib.sha256).hexdigest()[:32]


def _draft_cookie_value() -> str | None:
    from .survey.cookies import draft_cookie

    value = draft_cookie()
    return value if value and len(value) <= 100 else None


def draft_key() -> str:
    """Key of the per-draft limits: an HMAC of the worker's own draft cookie."""
    value = _draft_cookie_value() or ""
    return "d" + hmac.new(_current_salt(), value.encode(), hashlib.sha256).hexdigest()[:32]


def has_no_draft() -> bool:
    """Per-draft limits do not apply before a worker has a draft."""
    return _draft_cookie_value() is None


def account_key(email: str) -> str:
    """Key of the per-account sign-in limit: an HMAC of the account's email address.

    Passwords typed on the sign-in page and one-time passwords typed on the next
    page share it (a shared limit), so wrong codes count as wrong passwords do.
    """
    email = email[:300].strip().lower()
    return "a" + hmac.new(_current_salt(), email.encode(), hashlib.sha256).hexdigest()[:32]


def login_account_key() -> str:
    """The per-account key of the email address typed on the sign-in page."""
    return account_key(request.form.get("email", ""))


def signed_in_key() -> str:
    """Key of the console limit: an HMAC of the signed-in account's id.

    Per account, not per address: a stolen session scripted from many addresses is
    held to what one person could send, and colleagues in one office never share it.
    """
    from flask_login import current_user

    # The user's id, not get_id(): that is the browser's session token, one per sign-in.
    account = str(current_user.user.id)
    return "u" + hmac.new(_current_salt(), account.encode(), hashlib.sha256).hexdigest()[:32]


def not_signed_in() -> bool:
    """The console limit counts accounts; a form sent signed out only meets the sign-in page."""
    from flask_login import current_user

    return not current_user.is_authenticated


def log_breach(limit: RequestLimit) -> None:
    # One line, no address, key, token or cookie: which page and which limit.
    log.warning("security event: rate limit reached on %s (%s)", request.endpoint, limit.limit)
