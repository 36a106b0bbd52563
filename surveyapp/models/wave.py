"""Survey rounds and the links and codes that give workers access to them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base

if TYPE_CHECKING:
    from .partnership import Employer, Partnership

WAVE_STATUSES = ("draft", "open", "closed")


class Wave(Base):
    """One survey round of a partnership, using fixed instrument versions.

    Once a wave opens, its anonymity settings (k, single-use codes, instrument) are
    locked (anonymity rule 10); :mod:`surveyapp.waves` enforces it.
    """

    __tablename__ = "waves"
    __table_args__ = (
        UniqueConstraint("partnership_id", "name"),
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),
        CheckConstraint("min_group_size >= 3", name="k_floor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None]
    worker_instrument_key: Mapped[str] = mapped_column(String(32), default="worker")
    #: New waves ask worker-v2 (clearer wording, same scoring as v1). Waves that used
    #: v1 keep it: the column has no server default, so existing rows never change.
    worker_instrument_version: Mapped[int] = mapped_column(default=2)
    min_group_size: Mapped[int] = mapped_column(default=5)
    #: Stricter rounds: each worker needs a single-use code to submit.
    require_codes: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Sensitive rounds: show an "Exit this page" button on every survey page.
    show_exit_button: Mapped[bool] = mapped_column(Boolean, default=False)
    #: JSON {language: text}: staff's "What happens next" note, shown to workers on the
    #: survey links of a closed round beside "What you told us".
    closing_note: Mapped[str | None] = mapped_column(Text)

    partnership: Mapped[Partnership] = relationship(back_populates="waves")
    links: Mapped[list[DistributionLink]] = relationship(back_populates="wave")

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


class DistributionLink(Base):
    """The one survey link an employer's workers share for a wave (QR poster, text).

    The token scopes an employer and a wave, never a person, which is why it may sit
    in a URL (a documented ASVS 14.2.1 deviation; survey pages send no Referer).
    """

    __tablename__ = "distribution_links"
    __table_args__ = (UniqueConstraint("wave_id", "employer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    #: At least 128 bits from ``secrets`` (see :func:`surveyapp.waves.new_link_token`).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    wave: Mapped[Wave] = relationship(back_populates="links")
    employer: Mapped[Employer] = relationship()


class AccessCode(Base):
    """A single-use code for a stricter round, stored only as a hash.

    Nothing links a code to the response it unlocked: spending a code records
    neither a time nor a response id. Spending happens in the response's own
    transaction (so a code cannot be spent twice), which in PostgreSQL leaves the
    two rows with the same transaction id; :mod:`surveyapp.settling` later
    rewrites spent codes in shuffled batches ("settled") to erase that trace.
    """

    __tablename__ = "access_codes"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'spent', 'settled')", name="status"),
        # WITHOUT ROWID: no hidden insertion counter in SQLite.
        {"sqlite_with_rowid": False},
    )

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    link_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_links.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(8), default="new")
