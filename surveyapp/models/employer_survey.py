"""An employer's answers about its own practices, once per wave.

Unlike a worker's response, these answers are not anonymous: they belong to the
employer, are entered by its signed-in users, and stay editable until the wave closes.
At close, the answers of every sent survey become the employer's claims, compared with
what its workers report (the gap tests of :mod:`surveyapp.scoring.gaps`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Numeric,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base


class EmployerSurvey(Base):
    """One employer's survey in one wave; ``sent_at`` None while it is being filled."""

    __tablename__ = "employer_surveys"

    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), primary_key=True)
    instrument_key: Mapped[str] = mapped_column(String(32))
    instrument_version: Mapped[int]
    #: SHA-256 of the instrument file the answers were given with.
    instrument_checksum: Mapped[str] = mapped_column(String(64))
    #: When the employer last pressed "Send" on the check page; None: not sent yet.
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    answers: Mapped[list[EmployerAnswer]] = relationship(
        back_populates="survey", cascade="all, delete-orphan"
    )


class EmployerAnswer(Base):
    """One answer: an option code, or a number (dollars, days, hours, a count)."""

    __tablename__ = "employer_answers"
    __table_args__ = (
        ForeignKeyConstraint(
            ["wave_id", "employer_id"],
            ["employer_surveys.wave_id", "employer_surveys.employer_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("(code IS NULL) <> (number IS NULL)", name="one_value"),
    )

    wave_id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[int | None] = mapped_column(SmallInteger)
    number: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))

    survey: Mapped[EmployerSurvey] = relationship(back_populates="answers")
