"""A closed wave's figures, computed once at close and stored (anonymity rule 3).

Every page, PDF and API response reads this row; nothing scores per request. The
scoring version, instrument checksum and parameters say exactly what produced it, so
``surveyapp results recompute`` can tell a stale release from a current one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class StoredRelease(Base):
    __tablename__ = "wave_releases"

    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), primary_key=True)
    scoring_version: Mapped[str] = mapped_column(String(32))
    #: SHA-256 of the worker instrument file the responses were collected with.
    instrument_checksum: Mapped[str] = mapped_column(String(64))
    #: JSON: k, living wage, seed, resamples, previous wave id, ...
    parameters: Mapped[str] = mapped_column(Text)
    #: JSON: the suppressed release, as surveyapp/results stores it. A large round's
    #: is a megabyte: loaded only when a process has not parsed this revision yet.
    figures: Mapped[str] = mapped_column(Text, deferred=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime)
    #: New random text each time the figures are stored: processes keep the parsed
    #: figures under it (``computed_at`` is to the second, so it cannot tell two
    #: recomputes in one second apart).
    revision: Mapped[str] = mapped_column(String(32), server_default="")
