"""Worded pieces both briefs use: the round's lines, figures with intervals, key-value
tables. In the current language (see :mod:`.words`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import format_date
from reportlab.platypus import Flowable, Table, TableStyle

from .brief_data import RoundFacts
from .brief_layout import Cell, cell, para
from .styles import RULE
from .words import _, not_enough


def round_lines(facts: RoundFacts, made: date) -> list[Flowable]:
    """Partnership, sector and region; when the round closed and the brief was made."""
    where = " · ".join(part for part in (facts.partnership, facts.sector, facts.region) if part)
    when = [_("Made on %(date)s", date=format_date(made, "long"))]
    if facts.closed_on is not None:
        when.insert(0, _("Round closed on %(date)s", date=format_date(facts.closed_on, "long")))
    return [para(where, "small"), para(" · ".join(when), "small")]


def interval(low: str | None, high: str | None) -> str:
    """An interval as "57.0 – 62.0", or "" when the figure has none."""
    return f"{low} – {high}" if low is not None and high is not None else ""


def value_text(mean: str | None, low: str | None, high: str | None) -> str:
    """A figure with its interval in words, or "not enough responses"."""
    if mean is None:
        return not_enough()
    if low is None or high is None:
        return mean
    return f"{mean} ({_('95%% interval')} {interval(low, high)})"


def pairs(rows: Sequence[tuple[str, Cell]], widths: Sequence[float]) -> Table:
    """A two-column table of a bold label and its value, without a header row."""
    data = [[para(label, "cell-bold"), cell(value, "cell")] for label, value in rows]
    found = Table(data, colWidths=list(widths), hAlign="LEFT")
    found.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return found
