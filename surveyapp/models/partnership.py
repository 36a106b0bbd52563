"""Partnerships and their member employers."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base

if TYPE_CHECKING:
    from .wave import Wave

#: k may be raised by a partnership but never set below this (DESIGN.md).
MIN_GROUP_SIZE_FLOOR = 3


class Partnership(Base):
    """A regional sector partnership: the tenant that owns employers and waves."""

    __tablename__ = "partnerships"
    __table_args__ = (
        CheckConstraint(f"min_group_size >= {MIN_GROUP_SIZE_FLOOR}", name="k_floor"),
        CheckConstraint("quote_min_responses >= min_group_size", name="quote_floor"),
        CheckConstraint("living_wage > 0", name="living_wage_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(200))
    #: Hourly living wage used to score the wage question.
    living_wage: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    #: Where the living wage comes from (calculator, family type, data year): MIT revises.
    living_wage_basis: Mapped[str] = mapped_column(String(200), default="")
    #: k: the minimum number of responses behind any number shown outside staff.
    min_group_size: Mapped[int] = mapped_column(default=5)
    #: Worker quotes need more responses than scores (anonymity rule 6).
    quote_min_responses: Mapped[int] = mapped_column(default=10)

    employers: Mapped[list[Employer]] = relationship(
        back_populates="partnership", order_by="Employer.name"
    )
    waves: Mapped[list[Wave]] = relationship(back_populates="partnership", order_by="Wave.id")


class Employer(Base):
    __tablename__ = "employers"
    __table_args__ = (
        UniqueConstraint("partnership_id", "name"),
        CheckConstraint("frontline_headcount IS NULL OR frontline_headcount > 0", name="headcount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Frontline headcount band, e.g. "50-249".
    size_band: Mapped[str] = mapped_column(String(20), default="")
    #: Optional industry code (e.g. NAICS).
    industry_code: Mapped[str | None] = mapped_column(String(12))
    #: Frontline workers, if the partnership knows it: gives a response rate.
    frontline_headcount: Mapped[int | None]
    #: Archived employers get no links in new waves; their past responses stay.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    partnership: Mapped[Partnership] = relationship(back_populates="employers")
