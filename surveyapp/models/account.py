"""People who sign in: partnership staff and employer users.

Workers never have accounts. A signed-in session lives on the server
(:class:`AccountSession`): the browser's cookie holds only a random token whose hash
is stored here, so signing out or changing a password ends every copy of the cookie.
Set-password and reset links are single-use and expiring, and stored only as hashes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base

if TYPE_CHECKING:
    from .partnership import Employer, Partnership

ROLES = ("staff", "employer")


class User(Base):
    """A staff user (of one partnership) or an employer user (of one employer)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('staff', 'employer')", name="role"),
        # An employer user belongs to exactly one employer; staff to none.
        CheckConstraint(
            "(role = 'employer') = (employer_id IS NOT NULL)", name="employer_matches_role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased and stripped; sign-in compares the same form.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    #: argon2id; empty until the user follows their set-password link.
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    #: The second factor's TOTP secret, sealed with AES-GCM under a key derived from
    #: SECRET_KEY (accounts/second_factor.py). Someone who reads the database alone
    #: gets ciphertext and cannot make codes; someone who also has SECRET_KEY can make
    #: this user's codes, but still needs the password, which is only an argon2 hash.
    #: Set when enrolment starts; it counts only once ``totp_enabled_at`` is set.
    totp_secret: Mapped[str | None] = mapped_column(String(200))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The TOTP time step of the last code accepted: a code of that step or an
    #: earlier one is refused, so an overheard code cannot be replayed.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    partnership: Mapped[Partnership] = relationship()
    employer: Mapped[Employer | None] = relationship()

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None and bool(self.totp_secret)


class AccountSession(Base):
    """One signed-in browser. The cookie holds the token; only its hash is here.

    ``stage`` is ``signed_in`` for a full session; ``code`` (password right, one-time
    code still to come) and ``enrol`` (password right, a staff user still to set up
    the second factor) are the half-signed-in states, which open no page but the
    code or enrolment page and expire after a few minutes (accounts/halfway.py).
    """

    __tablename__ = "account_sessions"
    __table_args__ = (CheckConstraint("stage IN ('signed_in', 'code', 'enrol')", name="stage"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    seen_at: Mapped[datetime] = mapped_column(DateTime)
    stage: Mapped[str] = mapped_column(String(10), default="signed_in", server_default="signed_in")


class RecoveryCode(Base):
    """One of a user's ten single-use recovery codes, stored as a SHA-256 hash.

    A code has 79 random bits, so a plain hash cannot be reversed by guessing.
    """

    __tablename__ = "recovery_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class AccountToken(Base):
    """A single-use, expiring link to set (or reset) a password; stored as a hash."""

    __tablename__ = "account_tokens"
    __table_args__ = (CheckConstraint("purpose IN ('invite', 'reset')", name="purpose"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
