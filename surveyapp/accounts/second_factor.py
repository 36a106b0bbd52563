"""The second factor: time-based one-time passwords (RFC 6238) and recovery codes.

Required for staff, optional for employer users. The TOTP secret is sealed with
AES-256-GCM under a key derived from SECRET_KEY and shown only while enrolling:
someone who reads the database (or a backup) without SECRET_KEY sees ciphertext and
cannot make codes; with SECRET_KEY as well they could make this user's codes, but
would still need the password, which is stored only as an argon2id hash. Changing
SECRET_KEY makes every sealed secret unreadable: those users sign in with a recovery
code or have their second factor removed (``surveyapp users remove-second-factor``).

Each accepted code moves the user's last accepted time step forward in one
conditional UPDATE, so the same code (or an older one) is refused when replayed,
even by two requests at once. Recovery codes have 79 random bits, are stored as
SHA-256 hashes (a slow hash adds nothing at that size), and are used up in the same
conditional way.
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import UTC, datetime

import pyotp
from flask import current_app
from sqlalchemy import delete, func, select, update

from ..db import Session
from ..models import RecoveryCode, User
from ..sealing import DraftUnreadable, seal, unseal
from . import clock
from .tokens import token_hash

ISSUER = "Job quality surveys"
STEP_SECONDS = 30
#: Codes of the step before and after the current one are accepted too: a phone
#: clock a little off, or a code typed as it changed.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
#: Letters and digits that cannot be mistaken for each other (no 0/o, 1/l/i): 31
#: symbols, so sixteen of them carry over 79 random bits.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_GROUPS = 4
_GROUP = 4
#: The longest answer the code field takes: a recovery code with spaces around.
MAX_CODE_INPUT = 40
_OTP = re.compile(r"[0-9]{6}")


def _key() -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    secret = str(current_app.config["SECRET_KEY"]).encode()
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"surveyapp-totp", info=b"totp-secret"
    ).derive(secret)


def _context(user: User) -> str:
    # Bound to the user: a sealed secret copied to another user's row does not open.
    return f"totp:{user.id}"


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def seal_secret(user: User, secret: str) -> str:
    return seal(_key(), secret.encode(), _context(user))


def secret_of(user: User) -> str | None:
    if not user.totp_secret:
        return None
    try:
        return unseal(_key(), user.totp_secret, _context(user)).decode()
    except DraftUnreadable:
        return None


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def start_enrolment(user: User) -> str:
    """The secret being set up: the pending one if enrolment was started, else new.

    Until a code confirms it the secret opens nothing, so showing it again (the
    page reloaded, the phone not scanned yet) gives nothing away.
    """
    if user.has_second_factor:
        raise ValueError("already enrolled")
    secret = secret_of(user)
    if secret is None:
        secret = new_secret()
        user.totp_secret = seal_secret(user, secret)
    return secret


def current_step(moment: datetime | None = None) -> int:
    moment = moment or clock.now()
    return int(moment.replace(tzinfo=UTC).timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def normalise_code(raw: str) -> str:
    """What a person typed, without spaces and dashes, lower case."""
    return "".join(ch for ch in raw.lower() if ch not in " -\t")


def _matching_step(secret: str, code: str) -> int | None:
    if not _OTP.fullmatch(code):
        return None
    now_step = current_step()
    found = None
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        # Every candidate is compared, in constant time, whatever matched before.
        if hmac.compare_digest(code_at(secret, step), code):
            found = step
    return found


def accept_otp(session: Session, user: User, code: str, *, secret: str | None = None) -> bool:
    """Whether ``code`` is a fresh one-time password of ``user``; if so its time step
    becomes the last accepted one (``secret``: the one being enrolled)."""
    secret = secret or secret_of(user)
    if secret is None:
        return False
    step = _matching_step(secret, normalise_code(code))
    if step is None:
        return False
    moved = session.execute(
        update(User)
        .where(User.id == user.id)
        .where((User.totp_last_step.is_(None)) | (User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    accepted = moved.rowcount == 1  # type: ignore[attr-defined]
    if accepted:
        user.totp_last_step = step
    return accepted


def _recovery_code() -> str:
    groups = (
        "".join(secrets.choice(_ALPHABET) for _ in range(_GROUP)) for _ in range(_RECOVERY_GROUPS)
    )
    return "-".join(groups)


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Ten new recovery codes (shown once); the earlier ones stop working."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(code_hash=token_hash(normalise_code(code)), user_id=user.id))
    session.flush()
    return codes


def use_recovery_code(session: Session, user: User, code: str) -> bool:
    """Whether ``code`` is one of ``user``'s unused recovery codes; it is used up."""
    code = normalise_code(code)
    if len(code) != _RECOVERY_GROUPS * _GROUP or _OTP.fullmatch(code):
        return False
    used = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.code_hash == token_hash(code))
        .where(RecoveryCode.user_id == user.id)
        .where(RecoveryCode.used_at.is_(None))
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1  # type: ignore[attr-defined]


def recovery_codes_left(session: Session, user: User) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def confirm_enrolment(session: Session, user: User, code: str) -> list[str] | None:
    """Switch the second factor on if ``code`` is right for the secret being set up;
    the new recovery codes, or None for a wrong code."""
    secret = secret_of(user)
    if secret is None or user.has_second_factor:
        return None
    if not accept_otp(session, user, code, secret=secret):
        return None
    user.totp_enabled_at = clock.now()
    return new_recovery_codes(session, user)


def remove(session: Session, user: User) -> None:
    """The second factor off: the secret and the recovery codes gone."""
    # The last accepted step stays: a code overheard just before is still refused.
    user.totp_secret = None
    user.totp_enabled_at = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()
