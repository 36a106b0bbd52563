"""Answers in progress, kept server-side between survey pages, sealed.

A draft is found by the HMAC of a random cookie value, or by the HMAC of a resume
code the worker may write down. Its contents (answers, free text, language, resume
code) are stored only encrypted, under a key the database cannot open
(:mod:`surveyapp.survey.sealing`). On submission a draft becomes a bare sent mark
(no answers, no key, no save code: ``survey.drafts.SENT``), so a worker whose
thank-you page was lost is told the answers arrived; drafts and marks expire after a
few days.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


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
    #: The sealed contents: answers, free text, language and resume code.
    contents: Mapped[str] = mapped_column(Text)
    #: The draft's data key, sealed under the key its cookie derives.
    key_by_cookie: Mapped[str] = mapped_column(Text)
    #: The same data key sealed under the resume code's key, once there is a code.
    key_by_resume: Mapped[str | None] = mapped_column(Text)
    #: HMAC of the draft's resume code, if the worker asked for one.
    resume_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: HMAC of the single-use code entered at the start (stricter rounds only).
    access_code_hash: Mapped[str | None] = mapped_column(String(64))
    expires_on: Mapped[date] = mapped_column(index=True)
