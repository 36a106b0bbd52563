"""Password hashing (argon2id) and the password rules (OWASP ASVS 4.0 V2.1).

At least 12 characters, at most 128, any characters (spaces and every script
allowed, no composition rules), and not one of the passwords attackers try first:
the 30,000 most common passwords that zxcvbn ships.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 128

#: argon2-cffi's defaults are RFC 9106's low-memory argon2id profile.
_hasher = PasswordHasher()
#: Verified when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, used to even out timing")


def _normalise(password: str) -> str:
    # The same password typed on two keyboards can arrive in two Unicode forms.
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _hasher.hash(_normalise(password))


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches; an empty or broken hash never matches."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, _normalise(password)) and bool(
            stored_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _is_common(lowered: str) -> bool:
    """A common password, alone, with digits or marks around it, or repeated."""
    common = _common_passwords()
    core = lowered.strip("0123456789!?.@#$%&*_- ")
    for candidate in (lowered, core):
        if candidate in common:
            return True
        for size in range(1, len(candidate) // 2 + 1):
            unit = candidate[:size]
            if len(candidate) % size == 0 and unit * (len(candidate) // size) == candidate:
                return unit in common or size < 4
    return False


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` cannot be used, in plain words, or None when it can."""
    password = _normalise(password)
    if len(password) < MIN_LENGTH:
        return _(
            "Use at least %(n)d characters. A few unrelated words in a row are easy to remember.",
            n=MIN_LENGTH,
        )
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    lowered = password.lower()
    local_part = email.split("@", 1)[0].lower()
    if _is_common(lowered):
        return _(
            "That password is one of the most common ones. Choose one that is less predictable."
        )
    if len(local_part) >= 4 and local_part in lowered:
        return _("Do not use your email address in your password.")
    if len(set(lowered)) < 4:
        return _("That password repeats too few characters. Choose a less predictable one.")
    return None
