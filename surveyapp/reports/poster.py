"""QR posters: one page per survey link, English and Spanish side by side.

A poster hangs in a break room and is read from a couple of metres: the title is
28 pt or more, the link at least 16 pt. The QR code is reportlab's own widget (the
same drawing the staff console shows, :func:`surveyapp.qr.qr_drawing`) and encodes
exactly the link. The link is also written out in full, never shortened: a short
alias of a 192-bit token would be guessable, and anyone who guessed it could answer
as one of the employer's workers. It is cut into groups of four characters so it
can be copied by hand, with a line saying to type it without the spaces.

The sentences are fixed bilingual content, in this module rather than gettext,
because every poster shows both languages whatever the staff member's own. They
use the words of the survey's first page, so the poster promises nothing the
survey does not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from reportlab.graphics import renderPDF
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from ..qr import qr_drawing
from .fonts import MONO_BOLD
from .pdf import DocumentInfo, canvas_pdf, page_size
from .styles import ACCENT, MUTED, RULE, style
from .text import para_text

#: Characters per group of the written-out link.
GROUP = 4
TITLE_SIZE = 30
TEXT_SIZE = 17
#: The written-out link starts at LINK_SIZE and shrinks to fit, never below LINK_MIN.
LINK_SIZE = 22
LINK_MIN = 16
#: Database limits of the names (longer text, from elsewhere, is cut with "…").
NAME_LIMIT = 200
ROUND_LIMIT = 100
MARGIN = 36.0
GUTTER = 28.0


@dataclass(frozen=True)
class Wording:
    """The poster's sentences in one language."""

    title: str
    scan: str
    time: str
    anonymity: str
    type_label: str
    no_spaces: str


# Format fields: {minutes} and {k}. Same promises as the survey's first page
# (surveyapp/templates/survey/start.html and its Spanish catalog entry).
ENGLISH = Wording(
    title="Tell us about your job",
    scan="Scan the code with your phone’s camera.",
    time="It takes about {minutes} minutes.",
    anonymity=(
        "Your employer never sees your answers. "
        "Employers only see totals from groups of at least {k} people."
    ),
    type_label="Or type this address:",
    no_spaces="Type it without the spaces.",
)
SPANISH = Wording(
    title="Háblenos de su trabajo",
    scan="Escanee el código con la cámara de su teléfono.",
    time="Toma unos {minutes} minutos.",
    anonymity=(
        "Su empleador nunca ve sus respuestas. "
        "Los empleadores solo ven totales de grupos de al menos {k} personas."
    ),
    type_label="O escriba esta dirección:",
    no_spaces="Escríbala sin los espacios.",
)
LANGUAGES = (ENGLISH, SPANISH)


@dataclass(frozen=True)
class PosterLink:
    """One poster: whose link it is, for which round, and the full survey address."""

    employer: str
    round_name: str
    url: str


def link_groups(url: str) -> list[str]:
    """``url`` cut into groups of four characters, the last one possibly shorter.

    Joined without spaces the groups give back ``url`` exactly. Only printable
    ASCII without spaces can be written out (and typed) unambiguously: anything
    else is a ValueError.
    """
    if not url or not all("!" <= char <= "~" for char in url):
        raise ValueError("a poster link must be printable ASCII without spaces")
    return [url[start : start + GROUP] for start in range(0, len(url), GROUP)]


def link_lines(url: str, font: str, size: float, width: float) -> list[str]:
    """The grouped link as lines of whole groups, each at most ``width`` points wide."""
    lines: list[str] = []
    for group in link_groups(url):
        candidate = f"{lines[-1]} {group}" if lines else group
        if lines and stringWidth(candidate, font, size) <= width:
            lines[-1] = candidate
        else:
            lines.append(group)
    return lines


def poster_pdf(
    posters: Iterable[PosterLink],
    *,
    k: int,
    minutes: int = 10,
    paper: str = "letter",
    title: str = "Survey posters",
    progress: Callable[[], None] | None = None,
) -> bytes:
    """One poster page per link, in the order given, as PDF bytes.

    :param k: the round's smallest group shown, promised on the poster.
    :param minutes: how long the survey takes, said on the poster.
    :param paper: "letter" (US partnerships) or "a4".
    :param title: the document's title (its metadata, not printed).
    :param progress: called after each page (a command's progress bar).
    """
    size = page_size(paper)
    info = DocumentInfo(title=title, lang="en-US", subject="Survey posters: English and Spanish")

    def pages() -> Iterable[Callable[[Canvas], None]]:
        for poster in posters:
            # Checked before the page is begun, so a bad link leaves no half page.
            link_groups(poster.url)
            yield partial(draw_poster, poster=poster, pagesize=size, k=k, minutes=minutes)
            if progress is not None:
                progress()

    return canvas_pdf(info, pages(), size)


def draw_poster(
    canvas: Canvas, poster: PosterLink, pagesize: tuple[float, float], k: int, minutes: int
) -> None:
    """Draw one poster on the canvas's current page (the caller ends the page)."""
    width, height = pagesize
    inner = width - 2 * MARGIN
    column = (inner - GUTTER) / 2
    left, right = MARGIN, MARGIN + column + GUTTER
    fields = {"k": k, "minutes": minutes}

    # Top down: who the poster is for, then the invitation in both languages.
    top = height - MARGIN
    name = _fitted(para_text(poster.employer, NAME_LIMIT), inner, 84, 34, 14, bold=True)
    top = _place(canvas, name, MARGIN, top, inner)
    rounds = _fitted(para_text(poster.round_name, ROUND_LIMIT), inner, 44, 18, 12, color=MUTED)
    top = _place(canvas, rounds, MARGIN, top - 4, inner)
    top -= 10
    _rule(canvas, MARGIN, top, inner, ACCENT, 2)
    top -= 16
    title = style("poster-title", TITLE_SIZE, bold=True, alignment=TA_CENTER)
    text = style("poster-text", TEXT_SIZE, alignment=TA_CENTER)
    top = _columns(canvas, [(w.title, title) for w in LANGUAGES], left, right, column, top)
    top = _columns(canvas, [(w.scan, text) for w in LANGUAGES], left, right, column, top - 8)

    # Bottom up: the written-out link, then time and anonymity above it. Measured
    # from the bottom but drawn afterwards from the top, so the text comes out (to a
    # screen reader, a copy and paste) in reading order.
    later: list[Callable[[], None]] = []
    hints = [(w.no_spaces, text) for w in LANGUAGES]
    bottom = _columns_up(canvas, later, hints, left, right, column, MARGIN)
    bottom = _link(canvas, later, poster.url, MARGIN, bottom + 14, inner)
    labels = [(w.type_label, text) for w in LANGUAGES]
    bottom = _columns_up(canvas, later, labels, left, right, column, bottom + 8)
    rule_at = bottom + 10
    later.append(lambda: _rule(canvas, MARGIN, rule_at, inner, RULE, 1))
    body = [(f"{w.time} {w.anonymity}".format(**fields), text) for w in LANGUAGES]
    bottom = _columns_up(canvas, later, body, left, right, column, bottom + 22)

    # The QR code takes the space between, as large as fits (at most about 8 cm).
    room = top - bottom - 20
    side = max(min(room, 230.0), 100.0)
    drawing = qr_drawing(poster.url, side)
    renderPDF.draw(drawing, canvas, (width - side) / 2, bottom + 10 + (room - side) / 2)
    for draw in reversed(later):
        draw()


def _fitted(
    markup: str,
    width: float,
    max_height: float,
    largest: float,
    smallest: float,
    *,
    bold: bool = False,
    color: object = None,
) -> Paragraph:
    """A centred paragraph at the largest size from ``largest`` down that fits the box."""
    size = largest
    while True:
        options = {"alignment": TA_CENTER, **({"textColor": color} if color else {})}
        paragraph = Paragraph(markup, style("poster-fit", size, bold=bold, **options))
        _w, needed = paragraph.wrap(width, max_height)
        if needed <= max_height or size <= smallest:
            return paragraph
        size = max(size - 2, smallest)


def _place(canvas: Canvas, paragraph: Paragraph, x: float, top: float, width: float) -> float:
    """Draw ``paragraph`` with its top at ``top``; returns its bottom."""
    _w, height = paragraph.wrap(width, top)
    paragraph.drawOn(canvas, x, top - height)
    return top - height


def _columns(
    canvas: Canvas,
    texts: Sequence[tuple[str, ParagraphStyle]],
    left: float,
    right: float,
    column: float,
    top: float,
) -> float:
    """English left, Spanish right, tops aligned at ``top``; returns the lower bottom."""
    bottoms = [
        _place(canvas, Paragraph(para_text(text), text_style), x, top, column)
        for (text, text_style), x in zip(texts, (left, right), strict=True)
    ]
    return min(bottoms)


def _columns_up(
    canvas: Canvas,
    later: list[Callable[[], None]],
    texts: Sequence[tuple[str, ParagraphStyle]],
    left: float,
    right: float,
    column: float,
    bottom: float,
) -> float:
    """English left, Spanish right, above ``bottom`` (tops aligned); returns the top.

    The drawing is appended to ``later``.
    """
    paragraphs = [Paragraph(para_text(text), text_style) for text, text_style in texts]
    height = max(paragraph.wrap(column, 1000)[1] for paragraph in paragraphs)

    def draw() -> None:
        for paragraph, x in zip(paragraphs, (left, right), strict=True):
            _place(canvas, paragraph, x, bottom + height, column)

    later.append(draw)
    return bottom + height


def _link(
    canvas: Canvas,
    later: list[Callable[[], None]],
    url: str,
    x: float,
    bottom: float,
    width: float,
) -> float:
    """The grouped link in large bold Courier, centred, above ``bottom``; returns its top.

    The drawing is appended to ``later``.
    """
    size = LINK_SIZE
    lines = link_lines(url, MONO_BOLD, size, width)
    while len(lines) > 3 and size > LINK_MIN:
        size -= 1
        lines = link_lines(url, MONO_BOLD, size, width)
    leading = size * 1.3

    def draw() -> None:
        canvas.saveState()
        canvas.setFont(MONO_BOLD, size)
        canvas.setFillColor(ACCENT)
        for index, line in enumerate(lines):
            y = bottom + (len(lines) - 1 - index) * leading
            canvas.drawCentredString(x + width / 2, y, line)
        canvas.restoreState()

    later.append(draw)
    return bottom + len(lines) * leading - size * 0.3


def _rule(
    canvas: Canvas, x: float, y: float, width: float, color: object, thickness: float
) -> None:
    canvas.saveState()
    canvas.setStrokeColor(color)
    canvas.setLineWidth(thickness)
    canvas.line(x, y, x + width, y)
    canvas.restoreState()
