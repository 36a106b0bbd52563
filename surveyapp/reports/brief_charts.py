"""The briefs' charts, drawn with reportlab's graphics: vector shapes, not pictures.

Three charts, each the PDF twin of a results page's SVG (``surveyapp/charts.py``,
``surveyapp/employer/peer_chart.py``), on the same 0-100 axis with the same colours:

* :func:`profile_chart`: a bar per dimension with its interval as a whisker;
* :func:`peers_chart`: one employer's dot and whisker over the peers' middle half
  (grey band) and median (black line);
* :func:`spread_chart`: one dot per employer shown, over the middle half and median,
  with no name (the sector brief goes on a table in front of employers).

A value of None draws no bar or dot, only the words ``hidden`` says (the brief's
"not enough responses"), exactly as for a missing figure (anonymity rule 8). Labels
are made plain and cut to their room, so a long or hostile name cannot leave the
chart. The brief gives every number in a table beside the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Line, Rect, String
from reportlab.lib.colors import Color, HexColor

from .fonts import BODY, BODY_ITALIC
from .styles import ACCENT, INK, MUTED
from .text import clip_to_width, plain

GRID: Color = HexColor("#b1b4b6")
BAND: Color = HexColor("#d8dadb")
THRESHOLD: Color = HexColor("#d4351c")
TICKS = (0, 25, 50, 75, 100)
LABEL_SIZE = 8.5
#: Room for the row labels on the left of the plot.
LABEL_WIDTH = 175.0
ROW = 16.0
AXIS_ROOM = 16.0


@dataclass(frozen=True)
class ChartRow:
    """One row: a label, a value with its interval, and the peers' median and quartiles."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None


class _Plot:
    """A drawing with a 0-100 axis between ``left`` and ``right``."""

    def __init__(self, width: float, height: float, left: float) -> None:
        self.drawing = Drawing(width, height)
        self.left, self.right = left, width - 8.0

    def x(self, value: float) -> float:
        clipped = min(max(value, 0.0), 100.0)
        return self.left + (self.right - self.left) * clipped / 100.0

    def axis(self, bottom: float, top: float) -> None:
        """Grid lines at the ticks (their numbers come last: see :meth:`ticks`)."""
        for tick in TICKS:
            x = self.x(tick)
            self.drawing.add(Line(x, bottom, x, top, strokeColor=GRID, strokeWidth=0.5))

    def ticks(self, bottom: float) -> None:
        """The axis numbers, added after the rows so the text reads in order: each
        row's label first, the scale after."""
        for tick in TICKS:
            self.drawing.add(
                String(
                    self.x(tick),
                    bottom - 10,
                    str(tick),
                    fontName=BODY,
                    fontSize=7.5,
                    textAnchor="middle",
                )
            )

    def threshold(self, value: float | None, bottom: float, top: float) -> None:
        """The threshold as a dashed red line, drawn last so no bar covers it."""
        if value is None:
            return
        x = self.x(value)
        self.drawing.add(
            Line(
                x,
                bottom,
                x,
                top,
                strokeColor=THRESHOLD,
                strokeWidth=1.2,
                strokeDashArray=[4, 3],
            )
        )

    def label(self, text: str, y: float) -> None:
        room = self.left - 8.0
        shown = clip_to_width(plain(text), BODY, LABEL_SIZE, room)
        self.drawing.add(String(0, y, shown, fontName=BODY, fontSize=LABEL_SIZE, fillColor=INK))

    def hidden(self, text: str, y: float) -> None:
        shown = clip_to_width(plain(text), BODY_ITALIC, 8, self.right - self.left - 4)
        self.drawing.add(
            String(self.left + 3, y, shown, fontName=BODY_ITALIC, fontSize=8, fillColor=MUTED)
        )

    def whisker(self, low: float, high: float, y: float, cap: float = 3.5) -> None:
        x1, x2 = self.x(low), self.x(high)
        for line in ((x1, y, x2, y), (x1, y - cap, x1, y + cap), (x2, y - cap, x2, y + cap)):
            self.drawing.add(Line(*line, strokeColor=INK, strokeWidth=1))

    def peers(self, row: ChartRow, y: float, height: float) -> None:
        if row.q1 is not None and row.q3 is not None:
            x1, x2 = self.x(row.q1), self.x(row.q3)
            self.drawing.add(
                Rect(
                    x1, y - height / 2, max(x2 - x1, 1.5), height, fillColor=BAND, strokeColor=None
                )
            )
        if row.median is not None:
            x = self.x(row.median)
            self.drawing.add(
                Line(x, y - height / 2 - 1, x, y + height / 2 + 1, strokeColor=INK, strokeWidth=2)
            )


def _rows_plot(count: int, width: float) -> tuple[_Plot, float]:
    height = AXIS_ROOM + ROW * count + 4
    return _Plot(width, height, LABEL_WIDTH), height


def profile_chart(
    rows: Sequence[ChartRow], width: float, hidden: str, threshold: float | None = None
) -> Drawing:
    """A bar from 0 to each value, its interval as a whisker; ``hidden`` where None."""
    plot, height = _rows_plot(len(rows), width)
    plot.axis(AXIS_ROOM, height)
    for i, row in enumerate(rows):
        middle = height - ROW * (i + 0.5)
        plot.label(row.label, middle - 3)
        if row.value is None:
            plot.hidden(hidden, middle - 3)
            continue
        plot.drawing.add(
            Rect(
                plot.left,
                middle - 5,
                plot.x(row.value) - plot.left,
                10,
                fillColor=ACCENT,
                strokeColor=None,
            )
        )
        if row.low is not None and row.high is not None:
            plot.whisker(row.low, row.high, middle)
    plot.threshold(threshold, AXIS_ROOM, height)
    plot.ticks(AXIS_ROOM)
    return plot.drawing


def peers_chart(
    rows: Sequence[ChartRow], width: float, hidden: str, threshold: float | None = None
) -> Drawing:
    """The employer's dot and whisker over the peers' band and median, row by row."""
    plot, height = _rows_plot(len(rows), width)
    plot.axis(AXIS_ROOM, height)
    plot.threshold(threshold, AXIS_ROOM, height)
    for i, row in enumerate(rows):
        middle = height - ROW * (i + 0.5)
        plot.label(row.label, middle - 3)
        # Peers first, so the employer's own dot and whisker are drawn on top.
        plot.peers(row, middle, 10)
        if row.value is None:
            plot.hidden(hidden, middle - 3)
            continue
        if row.low is not None and row.high is not None:
            plot.whisker(row.low, row.high, middle)
        plot.drawing.add(
            Circle(plot.x(row.value), middle, 4, fillColor=ACCENT, strokeColor=INK, strokeWidth=0.8)
        )
    plot.ticks(AXIS_ROOM)
    return plot.drawing


#: The spread's dot stacks: at most this many rows, whatever the number of employers.
SPREAD_ROWS = 8


def dot_rows(xs: Sequence[float], radius: float, rows: int = SPREAD_ROWS) -> list[int]:
    """The row of each of ``xs`` (sorted) in a dot plot: the lowest row where the dot
    does not touch its left neighbour; when every row is taken, the row whose last dot
    is farthest away (dots then overlap rather than the chart growing without end)."""
    last: list[float | None] = [None] * rows
    placed = []
    for x in xs:
        gaps = [float("inf") if end is None else x - end for end in last]
        free = next((row for row, room in enumerate(gaps) if room >= 2 * radius), None)
        row = free if free is not None else max(range(rows), key=lambda r: gaps[r])
        last[row] = x
        placed.append(row)
    return placed


def spread_chart(values: Sequence[float], peers: ChartRow, width: float) -> Drawing:
    """One dot per value over the middle half and median; dots that would touch stack.

    No labels: which dot is whose is exactly what the sector brief must not say. Many
    employers get smaller dots, so that a large partnership's spread stays one chart.
    """
    plot = _Plot(width, 1, 10.0)
    radius = 3.2 if len(values) <= 40 else 2.2 if len(values) <= 120 else 1.6
    xs = [plot.x(value) for value in sorted(values)]
    rows = dot_rows(xs, radius)
    used = max(rows, default=0) + 1
    band_top = AXIS_ROOM + 6 + used * 2 * radius + 6
    plot.drawing = Drawing(width, band_top + 4)
    plot.axis(AXIS_ROOM, band_top)
    plot.peers(peers, (AXIS_ROOM + band_top) / 2, band_top - AXIS_ROOM - 4)
    for x, row in zip(xs, rows, strict=True):
        y = AXIS_ROOM + 6 + radius + row * 2 * radius
        plot.drawing.add(Circle(x, y, radius, fillColor=ACCENT, strokeColor=INK, strokeWidth=0.5))
    plot.ticks(AXIS_ROOM)
    return plot.drawing
