"""Small server-side SVG charts for results pages: pure functions, no Flask, no database.

Each chart is an SVG string (:class:`markupsafe.Markup`, every label escaped) with
``role="img"``, an ``aria-label`` and a ``<title>``; the page shows the same numbers in a
table beside it. Only SVG presentation attributes are used (fill, stroke), never a
``style`` attribute, which the site's Content Security Policy forbids. Values are on the
0-100 score scale; a value of None (hidden or missing) draws nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
BAR = "#1d70b8"
INK = "#0b0c0c"
GRID = "#b1b4b6"
LINE = "#d4351c"
_TICKS = (0, 25, 50, 75, 100)


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: a label, the value and its interval (None when not shown)."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None


def _x(value: float, left: float, right: float) -> float:
    clipped = min(max(value, 0.0), 100.0)
    return round(left + (right - left) * clipped / 100.0, 1)


def _open(height: float, label: str) -> str:
    text = escape(label)
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:g}"'
        f' width="100%" role="img" aria-label="{text}"><title>{text}</title>'
    )


def _axis(top: float, bottom: float, left: float, right: float, threshold: float | None) -> str:
    parts = []
    for tick in _TICKS:
        x = _x(tick, left, right)
        parts.append(
            f'<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{x}" y="{bottom + 22}" font-size="18" text-anchor="middle"'
            f' fill="{INK}">{tick}</text>'
        )
    if threshold is not None:
        x = _x(threshold, left, right)
        parts.append(
            f'<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{LINE}"'
            ' stroke-width="2" stroke-dasharray="6 4"/>'
        )
    return "".join(parts)


def interval_bars(bars: Sequence[Bar], label: str, threshold: float | None = None) -> Markup:
    """Horizontal bars on 0-100 with interval whiskers; each row's label sits above its bar."""
    left, right, row = 10.0, WIDTH - 20.0, 56.0
    bottom = 10 + row * len(bars)
    parts = [_open(bottom + 32, label), _axis(10, bottom, left, right, threshold)]
    for i, bar in enumerate(bars):
        y = 10 + row * i
        parts.append(
            f'<text x="{left}" y="{y + 20}" font-size="18" fill="{INK}">{escape(bar.label)}</text>'
        )
        if bar.value is None:
            continue
        parts.append(
            f'<rect x="{left}" y="{y + 28}" width="{_x(bar.value, left, right) - left:.1f}"'
            f' height="20" fill="{BAR}"/>'
        )
        if bar.low is not None and bar.high is not None:
            x1, x2, mid = _x(bar.low, left, right), _x(bar.high, left, right), y + 38
            parts.append(
                f'<path d="M{x1} {mid}H{x2}M{x1} {mid - 8}V{mid + 8}M{x2} {mid - 8}V{mid + 8}"'
                f' stroke="{INK}" stroke-width="2" fill="none"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers we computed and escaped labels


def strip(points: Sequence[tuple[str, float]], label: str) -> Markup:
    """One dot per (name, value) on a 0-100 line: how spread out the values are."""
    left, right, top, bottom = 20.0, WIDTH - 20.0, 10.0, 70.0
    parts = [_open(bottom + 32, label), _axis(top, bottom, left, right, None)]
    for name, value in points:
        x = _x(value, left, right)
        parts.append(
            f'<circle cx="{x}" cy="{(top + bottom) / 2:g}" r="9" fill="{BAR}" fill-opacity="0.6"'
            f' stroke="{INK}" stroke-width="1.5"><title>{escape(name)}: {value:.1f}</title>'
            "</circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers we computed and escaped labels
