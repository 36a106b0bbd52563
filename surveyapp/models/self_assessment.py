"""The partnership self-assessment of a round: its respondents and their ratings.

Respondents are partnership staff (signed in, one row per staff user) and partners
invited with a link (no account: the row holds only the SHA-256 hash of the link's
token, which is shown to staff once). These are facts about the partnership, given by
named organisations, so answers are not anonymous the way workers' are; still, no page
shows who gave which answer (see :mod:`surveyapp.selfassessment.scores`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base

if TYPE_CHECKING:
    from .account import User
    from .wave import Wave

#: Who a respondent is: staff, or the kind of partner a link was made for.
RESPONDENT_ROLES = (
    "staff",
    "workforce_board",
    "training_provider",
    "union",
    "community",
    "employer",
    "other",
)


class SelfAssessment(Base):
    """A round's self-assessment: open while ``closed_at`` is None.

    It keeps the instrument version it started with, so a later version never changes
    the meaning of answers already given.
    """

    __tablename__ = "self_assessments"

    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), primary_key=True)
    instrument_key: Mapped[str] = mapped_column(String(32))
    instrument_version: Mapped[int]
    #: SHA-256 of the instrument file the answers are given with.
    instrument_checksum: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    #: When staff closed it: answers stop changing and the scores appear.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    wave: Mapped[Wave] = relationship()
    respondents: Mapped[list[SelfAssessmentRespondent]] = relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        order_by="SelfAssessmentRespondent.id",
    )

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class SelfAssessmentRespondent(Base):
    """One person's answers in one round: a staff user's, or an invited partner's."""

    __tablename__ = "self_assessment_respondents"
    __table_args__ = (
        UniqueConstraint("wave_id", "user_id"),
        CheckConstraint(
            "role IN ('staff', 'workforce_board', 'training_provider', 'union',"
            " 'community', 'employer', 'other')",
            name="role",
        ),
        # Staff answer signed in; everyone else has a link (and its expiry).
        CheckConstraint(
            "(role = 'staff') = (user_id IS NOT NULL)"
            " AND (user_id IS NULL) = (token_hash IS NOT NULL)"
            " AND (token_hash IS NULL) = (expires_at IS NULL)",
            name="staff_or_link",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(
        ForeignKey("self_assessments.wave_id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    #: Staff only.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Invited partners only: SHA-256 of the link's token (256 random bits).
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The person's name or organisation, as staff typed it (optional).
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    #: When they pressed "Send"; only sent answers are scored.
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)

    assessment: Mapped[SelfAssessment] = relationship(back_populates="respondents")
    user: Mapped[User | None] = relationship()
    answers: Mapped[list[SelfAssessmentAnswer]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan"
    )


class SelfAssessmentAnswer(Base):
    """One rating (an option code: a level, or 98 "Don't know") and its evidence note."""

    __tablename__ = "self_assessment_answers"
    __table_args__ = (CheckConstraint("code >= 1 AND code <= 99", name="code"),)

    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("self_assessment_respondents.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[int] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(Text)

    respondent: Mapped[SelfAssessmentRespondent] = relationship(back_populates="answers")
