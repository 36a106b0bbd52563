"""Building blocks shared by the sector brief and the employer brief.

Paragraphs, tables and the running footer, in the styles of :mod:`.styles`. Every
piece of text, whether it came from users (names) or from the catalog (whose
translations could hold "&" or "<"), reaches reportlab through :func:`.text.para_text`;
only the bold and italic tags written here are markup.

Styles are made once per process (:func:`brief_styles`): making them for every
document cost more than some small documents' pages (benchmarks/bench_briefs.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeAlias

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from .fonts import BODY
from .pdf import DocumentInfo, page_size, story_pdf
from .styles import INK, MUTED, RULE, document_styles, style
from .text import clip_to_width, para_text, plain

#: Page margin in points (5/8 inch): the frame is 522 points wide on Letter. Wide
#: enough for print and for a phone's zoom, narrow enough for three pages.
MARGIN = 45.0
FOOTER_SIZE = 8.0
#: Table cells' type size.
CELL_SIZE = 9.0

#: A table cell: plain text (escaped here) or a finished flowable.
Cell: TypeAlias = str | Flowable


@cache
def brief_styles() -> dict[str, ParagraphStyle]:
    """The shared document styles plus table cells, once per process."""
    styles = document_styles()
    styles.update(
        {
            # Headings stay on the page of what they head.
            "h1": style("h1", 18, bold=True, spaceBefore=0, spaceAfter=6, keepWithNext=1),
            "h2": style("h2", 14, bold=True, spaceBefore=10, spaceAfter=5, keepWithNext=1),
            "h3": style("h3", 11, bold=True, spaceBefore=6, spaceAfter=3, keepWithNext=1),
            "lead": style("lead", 12, spaceAfter=8),
            "cell": style("cell", CELL_SIZE),
            "cell-bold": style("cell-bold", 9, bold=True),
            "num": style("num", 9, alignment=TA_RIGHT),
            # Headers a size smaller: Spanish headers are long and columns of figures narrow.
            "head": style("head", 8, bold=True),
            "head-num": style("head-num", 8, bold=True, alignment=TA_RIGHT),
            "note": style("note", 8, textColor=MUTED),
            "cover-title": style("cover-title", 28, bold=True, spaceAfter=10),
            "cover-name": style("cover-name", 20, bold=True, spaceAfter=6),
            "item": style(
                "item", 9.5, leftIndent=12, bulletIndent=0, spaceAfter=2, bulletFontName=BODY
            ),
            "gap": style("gap", 9, leading=10.8, spaceAfter=3),
        }
    )
    return styles


def para(text: str, style_name: str = "body") -> Paragraph:
    """A paragraph showing exactly ``text`` (escaped)."""
    return Paragraph(para_text(text), brief_styles()[style_name])


def bold(text: str) -> str:
    """``text`` escaped and bold, to put inside :func:`markup`."""
    return f"<b>{para_text(text)}</b>"


def markup(parts: Sequence[str], style_name: str = "body") -> Paragraph:
    """A paragraph of pieces already escaped (by :func:`bold` or :func:`escaped`)."""
    return Paragraph(" ".join(parts), brief_styles()[style_name])


def escaped(text: str) -> str:
    return para_text(text)


def bullets(items: Sequence[str]) -> list[Paragraph]:
    styles = brief_styles()
    return [Paragraph(para_text(item), styles["item"], bulletText="•") for item in items]


def cell(value: Cell, style_name: str) -> Flowable:
    return para(value, style_name) if isinstance(value, str) else value


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[float],
    numeric: Sequence[int] = (),
) -> Table:
    """A table with a bold header row (repeated on each page it runs onto).

    The first column is a row header in bold; columns in ``numeric`` are right-aligned.
    A row shorter than the header spans its last cell across the remaining columns
    (a "not enough responses" that covers the figures it stands for).

    A figure in a numeric column of a full row is drawn as a plain string, not a
    paragraph: figures never wrap, and laying out a paragraph per figure was most of
    a brief's time. The string is made drawable (:func:`.text.plain`); reportlab
    reads no markup in it.
    """
    columns = len(header)
    data: list[list[Any]] = [
        [para(h, "head-num" if i in numeric else "head") for i, h in enumerate(header)]
    ]
    spans = []
    for r, row in enumerate(rows, start=1):
        cells: list[Any] = []
        full = len(row) == columns
        for i, value in enumerate(row):
            if full and i in numeric and isinstance(value, str):
                cells.append(plain(value))
                continue
            name = "num" if i in numeric else "cell"
            cells.append(cell(value, "cell-bold" if i == 0 else name))
        if len(cells) < columns:
            spans.append(("SPAN", (len(cells) - 1, r), (columns - 1, r)))
            cells.extend([""] * (columns - len(cells)))
        data.append(cells)
    aligned = [("ALIGN", (i, 1), (i, -1), "RIGHT") for i in numeric]
    found = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    found.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                # Plain-string cells: the body font at the cells' size, and their leading.
                ("FONT", (0, 1), (-1, -1), BODY, CELL_SIZE, round(CELL_SIZE * 1.25, 2)),
                *aligned,
                *spans,
            ]
        )
    )
    return found


def gap(points: float = 6) -> Spacer:
    return Spacer(1, points)


def frame_width(paper: str) -> float:
    return page_size(paper)[0] - 2 * MARGIN


def render(info: DocumentInfo, story: Sequence[Flowable], paper: str, footer: str) -> bytes:
    """The brief as PDF bytes, with ``footer`` and the page number on every page."""
    width, _height = page_size(paper)
    line = plain(footer)

    def draw_footer(canvas: Canvas) -> None:
        number = str(canvas.getPageNumber())
        canvas.setFont(BODY, FOOTER_SIZE)
        canvas.setFillColor(MUTED)
        room = width - 2 * MARGIN - 40
        canvas.drawString(MARGIN, MARGIN / 2, clip_to_width(line, BODY, FOOTER_SIZE, room))
        canvas.drawRightString(width - MARGIN, MARGIN / 2, number)

    return story_pdf(info, story, page_size(paper), MARGIN, draw_footer)
