"""The accounts' clock, in one place so tests can move it (timeouts, one-time codes)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    # Naive UTC: the columns are DateTime without a zone on both databases.
    return datetime.now(UTC).replace(tzinfo=None)
