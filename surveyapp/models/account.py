"""People who sign in: partnership staff and employer users.

Workers never have accounts. A signed-in session lives on the server
(:class:`AccountSession`): the browser's cookie holds only a random token whose hash
is stored here, so signing out or changing a password ends every copy of the cookie.
Set-password and reset links are single-use and expiring, and stored only as hashes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String
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

    partnership: Mapped[Partnership] = relationship()
    employer: Mapped[Employer | None] = relationship()

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"


class AccountSession(Base):
    """One signed-in browser. The cookie holds the token; only its hash is here."""

    __tablename__ = "account_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    seen_at: Mapped[datetime] = mapped_column(DateTime)


class AccountToken(Base):
    """A single-use, expiring link to set (or reset) a password; stored as a hash."""

    __tablename__ = "account_tokens"
    __table_args__ = (CheckConstraint("purpose IN ('invite', 'reset')", name="purpose"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
