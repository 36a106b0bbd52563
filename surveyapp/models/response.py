"""What workers send: responses, their answers, and free text kept apart.

Anonymity rules 1 and 4 live here as schema: no column can hold an address, a
device, a person or a time finer than the day; identifiers are random; free text
has no column that could point back to its response. The tables are WITHOUT ROWID
in SQLite, so the storage order follows the random key, not the arrival order.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, ForeignKey, SmallInteger, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base

_NO_ROWID = {"sqlite_with_rowid": False}


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = _NO_ROWID

    #: 128 random bits as hex; never sequential.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    instrument_key: Mapped[str] = mapped_column(String(32))
    instrument_version: Mapped[int]
    #: SHA-256 of the instrument file the worker answered.
    instrument_checksum: Mapped[str] = mapped_column(String(64))
    #: The language the survey was taken in (an equity subgroup).
    language: Mapped[str] = mapped_column(String(8))
    #: The day only: a finer time could single a worker out.
    submitted_on: Mapped[date]

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(Base):
    """One answered choice question: the option code, a small integer."""

    __tablename__ = "answers"
    __table_args__ = _NO_ROWID

    response_id: Mapped[str] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[int] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="answers")


class PendingComment(Base):
    """A free-text answer waiting to be released into :class:`Comment`.

    It is written in the same transaction as its response, so in PostgreSQL the
    two rows share a transaction id and sit in arrival order, and SQLite's WAL holds
    them in one commit. The text is therefore stored sealed under a key derived
    from the app's secret key (never in the database), and moved to the
    ``comments`` table in shuffled batches (:mod:`surveyapp.settling`), which
    leaves nothing in the released rows that lines them up with responses.
    """

    __tablename__ = "pending_comments"
    __table_args__ = _NO_ROWID

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    item_id: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    #: The free text, sealed (see :mod:`surveyapp.settling`).
    sealed_text: Mapped[str] = mapped_column(Text)


class Comment(Base):
    """A free-text answer, stored apart with no link back to its response.

    It carries the wave and employer (needed to apply the quote threshold) but no
    response id, no date and a random id. Staff see comments; a quote reaches a
    brief only once ``approved`` (anonymity rules 4 and 6).
    """

    __tablename__ = "comments"
    __table_args__ = _NO_ROWID

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Read by staff: approved as a quote (possibly edited, the original then gone) or
    #: rejected; either way it leaves the queue.
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
