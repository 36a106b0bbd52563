"""Making a PDF: metadata that names no machine or person, bytes out, no database.

Two ways in, both returning the finished file as bytes:

- :func:`story_pdf` for flowing documents (briefs): a list of platypus flowables laid
  out on pages with margins, split across pages as needed;
- :func:`canvas_pdf` for fixed layouts (posters): one drawing function per page.

What reportlab writes by default, and what we write instead (checked against
reportlab 5.1, ``pdfbase/pdfdoc.py``): Author "anonymous" -> empty; Creator
"anonymous" and Producer "ReportLab PDF Library - www.reportlab.com" -> "surveyapp";
Title "untitled" -> ours; no /Lang -> ours. The creation date is real but written in
UTC, because reportlab's default carries the server's time-zone offset. Documents
are built in reportlab's "invariant" mode, so the file identifier (/ID) is derived
from the content and date rather than the clock: the same input and date give the
same bytes.

Tagged (accessible) PDF: open-source reportlab cannot make one. It writes no
structure tree (/StructTreeRoot), no /MarkInfo and no marked content for
paragraphs; that is a feature of the commercial ReportLab PLUS. What we can do we
do: real text (not pictures of text, so it can be selected, searched and read
aloud in reading order), an embedded Unicode font, a title shown in the viewer's
window bar, and the document's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from .fonts import BODY, register_fonts
from .text import plain

#: Paper sizes by name: Letter for US partnerships, A4 elsewhere.
PAGE_SIZES: dict[str, tuple[float, float]] = {"letter": LETTER, "a4": A4}
#: What the PDF says made it: the application, never a host, user or library build.
GENERATOR = "surveyapp"

PageDrawer = Callable[[Canvas], None]


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class DocumentInfo:
    """The document's metadata. Text from users is fine here: it is made plain.

    :param lang: the main language as a BCP 47 tag ("en-US", "es"), written as the
        catalog's /Lang so screen readers pick the right voice.
    :param created: the creation date (default: now), written in UTC.
    """

    title: str
    lang: str
    subject: str = ""
    created: datetime = field(default_factory=_now)


def page_size(name: str) -> tuple[float, float]:
    """The page size called ``name`` ("letter" or "a4"); ValueError for any other."""
    try:
        return PAGE_SIZES[name.lower()]
    except KeyError:
        raise ValueError(f"paper must be one of {', '.join(PAGE_SIZES)}, not {name!r}") from None


def _pdf_date(created: datetime) -> Callable[..., str]:
    when = created.astimezone(UTC) if created.tzinfo else created.replace(tzinfo=UTC)
    stamp = when.strftime("D:%Y%m%d%H%M%S+00'00'")
    # reportlab calls this with its own clock's fields; ours replace them.
    return lambda *_fields: stamp


def apply_info(canvas: Canvas, info: DocumentInfo) -> None:
    """Write ``info`` into the canvas's document, replacing reportlab's defaults."""
    canvas.setTitle(plain(info.title))
    canvas.setSubject(plain(info.subject))
    canvas.setAuthor("")
    canvas.setCreator(GENERATOR)
    canvas.setProducer(GENERATOR)
    canvas.setKeywords("")
    canvas.setDateFormatter(_pdf_date(info.created))
    # Viewers show the title, not the file name, in the window bar (PDF/UA asks this).
    canvas.setViewerPreference("DisplayDocTitle", "true")


def open_canvas(out: BytesIO, info: DocumentInfo, pagesize: tuple[float, float]) -> Canvas:
    """A canvas writing to ``out`` with ``info`` applied and the body font registered."""
    register_fonts()
    canvas = Canvas(out, pagesize=pagesize, invariant=1, lang=info.lang, initialFontName=BODY)
    apply_info(canvas, info)
    return canvas


def canvas_pdf(
    info: DocumentInfo, pages: Iterable[PageDrawer], pagesize: tuple[float, float] = LETTER
) -> bytes:
    """A PDF with one page per drawing function, as bytes.

    ``pages`` may be a generator: each page is drawn as it comes (a progress bar can
    advance between pages).
    """
    out = BytesIO()
    canvas = open_canvas(out, info, pagesize)
    drawn = 0
    for draw in pages:
        draw(canvas)
        canvas.showPage()
        drawn += 1
    if not drawn:
        raise ValueError("a PDF needs at least one page")
    canvas.save()
    return out.getvalue()


class _Doc(BaseDocTemplate):
    """A platypus document whose canvas gets our metadata and language."""

    def __init__(self, out: BytesIO, info: DocumentInfo, **options: object) -> None:
        super().__init__(out, invariant=1, lang=info.lang, initialFontName=BODY, **options)
        self._info = info

    def beforeDocument(self) -> None:  # noqa: N802 - reportlab's hook name
        # build() wrote the template's own (default) metadata onto the canvas just
        # before this hook; overwrite all of it.
        apply_info(self.canv, self._info)


def story_pdf(
    info: DocumentInfo,
    story: Sequence[Flowable],
    pagesize: tuple[float, float] = LETTER,
    margin: float = 54.0,
    on_page: PageDrawer | None = None,
) -> bytes:
    """A flowing document of ``story`` (platypus flowables) as bytes.

    :param margin: the page margin in points (54 = 3/4 inch), all four sides.
    :param on_page: draws on every page after its content (running footer, page
        number); gets the canvas, whose ``getPageNumber()`` is the page's number.
        It runs when the page ends, so a footer's text comes after the page's own
        in the file (and to a screen reader, or a copy of the text).
    """
    register_fonts()
    out = BytesIO()
    doc = _Doc(
        out,
        info,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=plain(info.title),
    )

    def decorate(canvas: Canvas, _doc: object) -> None:
        if on_page is not None:
            canvas.saveState()
            on_page(canvas)
            canvas.restoreState()

    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates(
        [PageTemplate(id="page", frames=[frame], onPageEnd=decorate, pagesize=pagesize)]
    )
    doc.build(list(story))
    return out.getvalue()
