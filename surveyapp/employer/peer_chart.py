"""The employer dashboard's chart: one employer's scores against its peers, as SVG.

Pure (no Flask, no database), like :mod:`surveyapp.charts`, whose frame (axis, title,
escaping) it reuses. Each row shows the peers' middle half (first to third quartile)
as a grey band, the peer median as a black line, and the employer's mean as a blue dot
with its 95% interval as a whisker. A value of None draws nothing, so a hidden figure
leaves a row empty, exactly like a missing one (anonymity rule 8). The page gives the
same numbers in a table beside the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..charts import BAR, GRID, INK, WIDTH, _axis, _open, _x

#: Row height: the label above, the band, dot and whisker below it.
ROW = 56.0


@dataclass(frozen=True)
class PeerRow:
    """One statistic: the employer's mean and interval, the peers' quartiles and median."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None


def _peers(row: PeerRow, y: float, left: float, right: float) -> str:
    parts = []
    if row.q1 is not None and row.q3 is not None:
        x1, x2 = _x(row.q1, left, right), _x(row.q3, left, right)
        parts.append(
            f'<rect x="{x1}" y="{y + 28}" width="{max(x2 - x1, 2.0):.1f}" height="20"'
            f' fill="{GRID}"/>'
        )
    if row.median is not None:
        x = _x(row.median, left, right)
        parts.append(
            f'<line x1="{x}" y1="{y + 24}" x2="{x}" y2="{y + 52}" stroke="{INK}" stroke-width="3"/>'
        )
    return "".join(parts)


def _own(row: PeerRow, y: float, left: float, right: float) -> str:
    if row.value is None:
        return ""
    mid = y + 38
    parts = []
    if row.low is not None and row.high is not None:
        x1, x2 = _x(row.low, left, right), _x(row.high, left, right)
        parts.append(
            f'<path d="M{x1} {mid}H{x2}M{x1} {mid - 8}V{mid + 8}M{x2} {mid - 8}V{mid + 8}"'
            f' stroke="{BAR}" stroke-width="2" fill="none"/>'
        )
    parts.append(
        f'<circle cx="{_x(row.value, left, right)}" cy="{mid:g}" r="8" fill="{BAR}"'
        f' stroke="{INK}" stroke-width="1.5"/>'
    )
    return "".join(parts)


def against_peers(rows: Sequence[PeerRow], label: str, threshold: float | None = None) -> Markup:
    """Dot-and-whisker rows on 0-100 over the peers' quartile band and median line.

    ``label`` is the chart's text alternative (``aria-label`` and ``<title>``).
    """
    left, right = 10.0, WIDTH - 20.0
    bottom = 10 + ROW * len(rows)
    parts = [_open(bottom + 32, label), _axis(10, bottom, left, right, threshold)]
    for i, row in enumerate(rows):
        y = 10 + ROW * i
        parts.append(
            f'<text x="{left}" y="{y + 20}" font-size="18" fill="{INK}">{escape(row.label)}</text>'
        )
        # Peers first, so the employer's own dot and whisker are drawn on top.
        parts.append(_peers(row, y, left, right))
        parts.append(_own(row, y, left, right))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers we computed and escaped labels
