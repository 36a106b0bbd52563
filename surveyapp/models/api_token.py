"""Tokens for the read-only JSON API (``/api/v1/``), one user's each.

A token acts as its user: a staff user's token reads the partnership's data, an
employer user's only what that employer's own results page shows. Only a hash of
the token is stored (the token is shown once, when it is made); a revoked token
keeps its row so the console can show when it stopped working.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base

if TYPE_CHECKING:
    from .account import User


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the whole token; the token has 256 random bits, so no salt or slow
    #: hash is needed, and a lookup by hash is a constant-time comparison in effect.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: What the token is for ("nightly export to the board's dashboard").
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    #: The day the token was last used: a day is enough to spot an unused token, and
    #: a finer time would write on every request.
    last_used_on: Mapped[date | None] = mapped_column(Date)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
