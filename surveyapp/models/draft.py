"""Answers in progress, kept server-side between survey pages.

A draft is found by the hash of a random cookie value, or by the hash of a resume
code the worker may write down. Drafts are deleted on submission and expire after
a few days; nothing in a draft is copied to the response except the answers.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base
from .wave import DistributionLink


class Draft(Base):
    __tablename__ = "drafts"
    __table_args__ = {"sqlite_with_rowid": False}

    #: Random, never shown to anyone.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: HMAC of the draft cookie value: the database never holds the cookie itself.
    #: Replaced when the worker resumes elsewhere, so the old device loses access.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_links.id", ondelete="CASCADE"), index=True
    )
    #: JSON object: choice item id -> option code, comment item id -> text.
    answers: Mapped[str] = mapped_column(Text, default="{}")
    language: Mapped[str] = mapped_column(String(8), default="en")
    #: HMAC of the current resume code, if the worker asked for one.
    resume_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: HMAC of the single-use code entered at the start (stricter rounds only).
    access_code_hash: Mapped[str | None] = mapped_column(String(64))
    expires_on: Mapped[date] = mapped_column(index=True)

    link: Mapped[DistributionLink] = relationship()
