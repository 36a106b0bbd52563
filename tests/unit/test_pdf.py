"""The PDF foundations (font, escaping, metadata) and the QR poster, read back with pypdf."""

from __future__ import annotations

import getpass
import io
import re
import socket
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
import reportlab
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from surveyapp.reports import (
    DocumentInfo,
    PosterLink,
    ascii_slug,
    canvas_pdf,
    clip,
    clip_to_width,
    document_styles,
    link_groups,
    page_size,
    para_text,
    plain,
    poster_pdf,
    safe_text,
    story_pdf,
)
from surveyapp.reports.fonts import BODY, covered

URL = "https://survey.example.org/s/Zq3vX0b9m2Kp7TnLw4YcR8dJ1hUe6sAf"
SPANISH = "Año, niño, pingüino: ¿qué? ¡sí! «comillas» Á É Í Ó Ú Ñ Ü á é í ó ú ñ ü €"
#: Text the body font cannot draw, each with what should be printed for it.
OUTSIDE = {
    "emoji": ("Team 😀🎉", "Team ??"),
    "cjk": ("東京病院", "????"),
    "arabic": ("مرحبا", "?????"),
    "hebrew": ("שלום", "????"),
    "direction override": ("\u202eevil", "?evil"),
    "controls": ("a\x00b\x07c\x1bd\x7fe", "a?b?c?d?e"),
    "zero-width joiner": ("a\u200db", "a?b"),
    "replacement character": ("\ufffd", "?"),
    "noncharacter": ("\uffff", "?"),
    "lone surrogate": ("a\ud800b", "a?b"),
}
HOSTILE_NAME = (
    "<font size=100>Big</font> & <script>alert(1)</script> 😀 \u202eשלום "
    "<img src='/etc/passwd'/> &amp; " + "W" * 5000
)


def _pages(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages]


def _flat(text: str) -> str:
    """Extracted text on one line: wrapped lines joined by single spaces."""
    return " ".join(text.split())


def _info() -> DocumentInfo:
    return DocumentInfo(title="Informe «año»", lang="es", subject="Prueba")


# -- the font ---------------------------------------------------------------------------


def test_reportlab_ships_the_four_vera_faces():
    fonts = Path(reportlab.__file__).parent / "fonts"
    for name in ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf"):
        assert (fonts / name).is_file()


def test_spanish_is_inside_the_font_and_kept():
    assert safe_text(SPANISH) == SPANISH


@pytest.mark.parametrize(("text", "expected"), OUTSIDE.values(), ids=OUTSIDE.keys())
def test_characters_outside_the_font_become_a_visible_question_mark(text, expected):
    assert safe_text(text) == expected
    assert all(ord(char) in covered() for char in safe_text(text))


def test_whitespace_becomes_spaces_and_accents_are_composed():
    assert safe_text("a\tb\nc\u2009d\u2028e") == "a b c d e"
    assert safe_text("Cafe\u0301") == "Café"  # e + combining acute, as some phones type


def test_text_outside_the_font_prints_as_question_marks_not_as_itself():
    """Without safe_text reportlab would draw .notdef boxes that still read back as
    the original characters; with it the page shows and holds "?"."""
    styles = document_styles()
    story = [Paragraph(para_text(text), styles["body"]) for text, _ in OUTSIDE.values()]
    page = _pages(story_pdf(_info(), story))[0]
    for _text, expected in OUTSIDE.values():
        assert expected in page
    for char in "😀東مש\u202e\x00":
        assert char not in page


def test_spanish_reads_back_from_the_pdf_intact():
    styles = document_styles()
    data = story_pdf(_info(), [Paragraph(para_text(SPANISH), styles["body"])])
    assert SPANISH in _flat(_pages(data)[0])


def _embedded(data: bytes) -> bool:
    reader = pypdf.PdfReader(io.BytesIO(data))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        for descendant in font.get("/DescendantFonts", [font]):
            descriptor = descendant.get_object().get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                return True
    return False


def test_the_body_font_is_embedded():
    styles = document_styles()
    assert _embedded(story_pdf(_info(), [Paragraph("Hola", styles["body"])]))


# -- user text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<font size=100>Big</font>",
        "<script>alert(1)</script>",
        "<img src='/etc/passwd'/>",
        "&amp; &lt; &nbsp; & <b>unclosed",
        '<a href="https://evil.example">click</a>',
    ],
)
def test_markup_in_user_text_prints_as_literal_text(text):
    styles = document_styles()
    data = story_pdf(_info(), [Paragraph(para_text(text), styles["body"])])
    assert text in _flat(_pages(data)[0])
    assert b"/URI" not in data  # no link annotation was made


def test_para_text_escapes_every_markup_character():
    assert para_text("<b>&x</b>") == "&lt;b&gt;&amp;x&lt;/b&gt;"


def test_a_5000_character_word_wraps_inside_the_frame():
    """splitLongWords breaks a word wider than the line at the line's edge."""
    styles = document_styles()
    paragraph = Paragraph(para_text("x" * 5000), styles["body"])
    width = 300.0
    paragraph.wrap(width, 10_000)
    widths = paragraph.getActualLineWidths0()
    assert len(widths) > 10
    assert max(widths) <= width
    data = story_pdf(_info(), [Paragraph(para_text("é" * 5000 + " fin"), styles["body"])])
    assert _flat("".join(_pages(data))).replace(" ", "").startswith("é" * 100)


def test_every_shared_style_splits_long_words():
    assert all(style.splitLongWords for style in document_styles().values())


def test_plain_and_clip():
    assert plain("  a\n\tb  😀 ") == "a b ?"
    assert clip("abcdef", 4) == "abc…"
    assert clip("abc", 4) == "abc"
    assert para_text("x" * 300, 200) == "x" * 199 + "…"
    with pytest.raises(ValueError, match="at least 1"):
        clip("abc", 0)


def test_clip_to_width_fits_the_width():
    text = "W" * 5000
    clipped = clip_to_width(text, BODY, 12, 200)
    assert clipped.endswith("…")
    assert stringWidth(clipped, BODY, 12) <= 200
    assert stringWidth(clipped[:-1] + "W…", BODY, 12) > 200  # the longest that fits
    assert clip_to_width("short", BODY, 12, 200) == "short"
    assert clip_to_width("WWW", BODY, 12, 1) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Clínica Año Nuevo", "clinica-ano-nuevo"),
        ('a"; rm -rf /\r\nX-Header: 1', "a-rm-rf-x-header-1"),
        ("東京病院", "fallback"),
        ("", "fallback"),
        ("<script>", "script"),
        ("x" * 100, "x" * 40),
    ],
)
def test_ascii_slug(text, expected):
    assert ascii_slug(text, "fallback") == expected


# -- metadata ---------------------------------------------------------------------------


def _outside_streams(data: bytes) -> bytes:
    """The file without its (compressed, binary) streams, where two letters can
    occur by chance: the object structure, the info dictionary, the trailer."""
    return re.sub(rb"stream\r?\n.*?endstream", b"", data, flags=re.DOTALL)


def test_metadata_has_title_language_and_no_author_or_machine():
    data = story_pdf(_info(), [Paragraph("Hola", document_styles()["body"])])
    reader = pypdf.PdfReader(io.BytesIO(data))
    meta = reader.metadata
    assert meta["/Title"] == "Informe «año»"
    assert meta["/Subject"] == "Prueba"
    assert meta["/Author"] == ""
    assert meta["/Creator"] == "surveyapp"
    assert meta["/Producer"] == "surveyapp"
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]
    assert meta["/CreationDate"].endswith("+00'00'")  # UTC: no server time zone
    visible = _outside_streams(data).decode("latin-1")
    text = "".join(_pages(data))
    for who in {socket.gethostname(), getpass.getuser()}:
        pattern = re.compile(rf"(?<![/\w]){re.escape(who)}(?!\w)")
        assert not pattern.search(visible), who
        assert not pattern.search(text), who
        assert who not in str(dict(meta))
    assert b"ReportLab PDF Library" not in data


def test_the_same_input_and_date_give_the_same_bytes():
    when = datetime(2027, 3, 1, 12, 30, tzinfo=UTC)
    info = DocumentInfo(title="Same", lang="en-US", created=when)
    first = poster_pdf([PosterLink("A", "B", URL)], k=5)
    assert first[:8] == b"%PDF-1.4"
    pages = [lambda canvas: canvas.drawString(72, 72, "Same")]
    assert canvas_pdf(info, pages) == canvas_pdf(info, pages)
    assert b"D:20270301123000+00'00'" in canvas_pdf(info, pages)


def test_a_document_needs_a_page_and_a_known_paper():
    with pytest.raises(ValueError, match="at least one page"):
        canvas_pdf(_info(), [])
    assert page_size("A4") == A4
    assert page_size("letter") == LETTER
    with pytest.raises(ValueError, match="paper must be one of"):
        page_size("legal")


def test_the_title_of_user_text_is_made_plain():
    info = DocumentInfo(title="Posters: <b>Año</b>\x00 😀", lang="en-US")
    meta = pypdf.PdfReader(io.BytesIO(canvas_pdf(info, [lambda canvas: None]))).metadata
    assert meta["/Title"] == "Posters: <b>Año</b>? ?"


# -- the poster -------------------------------------------------------------------------

#: Written here, not taken from the module: the words a worker must read on the poster.
POSTER_SENTENCES = [
    "Tell us about your job",
    "Scan the code with your phone’s camera.",
    "It takes about 10 minutes.",
    "Your employer never sees your answers.",
    "Employers only see totals from groups of at least 5 people.",
    "Or type this address:",
    "Type it without the spaces.",
    "Háblenos de su trabajo",
    "Escanee el código con la cámara de su teléfono.",
    "Toma unos 10 minutos.",
    "Su empleador nunca ve sus respuestas.",
    "Los empleadores solo ven totales de grupos de al menos 5 personas.",
    "O escriba esta dirección:",
    "Escríbala sin los espacios.",
]


def written_link(page: str) -> str:
    """The link as written on a poster page: the run of lines made only of groups of
    at most four characters (all four but the very last), joined without spaces."""
    runs: list[list[str]] = [[]]
    for line in page.splitlines():
        groups = line.split()
        if (
            groups
            and all(len(group) <= 4 for group in groups)
            and "://" in "".join(runs[-1] + groups)
        ):
            runs[-1].extend(groups)
        elif runs[-1]:
            runs.append([])
    link = max(runs, key=len)
    assert all(len(group) == 4 for group in link[:-1]), link
    return "".join(link)


def qr_modules(data: bytes, page: int = 0) -> set[tuple[int, int]]:
    """The dark modules of the QR code drawn on a page, read from its content stream.

    reportlab's widget draws an unpainted square the size of the code, then one filled
    rectangle per run of dark modules in a row; both are in the widget's own units.
    """
    reader = pypdf.PdfReader(io.BytesIO(data))
    content = reader.pages[page].get_contents().get_data().decode("latin-1")
    number = r"(-?[\d.]+)"
    (side,) = re.findall(rf"n 0 0 {number} \1 re n", content)
    runs = re.findall(rf"n {number} {number} {number} {number} re f\*", content)
    assert runs
    size = float(side)
    # The module count is not known yet: the smallest run height is one module.
    box = min(float(height) for _x, _y, _w, height in runs)
    modules = round(size / box)
    cells = set()
    for x, y, width, _height in runs:
        column = round(float(x) / box)
        row = modules - 1 - round(float(y) / box)
        cells.update((row, column + offset) for offset in range(round(float(width) / box)))
    return cells


def expected_modules(url: str) -> set[tuple[int, int]]:
    widget = QrCodeWidget(url, barLevel="M")
    widget.draw()
    border = widget.barBorder
    count = widget.qr.getModuleCount()
    return {
        (row + border, col + border)
        for row in range(count)
        for col in range(count)
        if widget.qr.isDark(row, col)
    }


def test_link_groups_give_back_the_link():
    groups = link_groups(URL)
    assert "".join(groups) == URL
    assert all(len(group) == 4 for group in groups[:-1])
    for bad in ("", "https://exa mple.org/s/x", "https://例え.jp/s/x", "https://x/s/\n"):
        with pytest.raises(ValueError, match="printable ASCII"):
            link_groups(bad)


def test_a_poster_page_has_both_languages_the_names_and_the_full_link():
    data = poster_pdf([PosterLink("Clínica Año Nuevo", "Primavera «2027»", URL)], k=5)
    (page,) = _pages(data)
    flat = _flat(page)
    assert "Clínica Año Nuevo" in flat
    assert "Primavera «2027»" in flat
    for sentence in POSTER_SENTENCES:
        assert sentence in flat, sentence
    assert written_link(page) == URL
    assert URL not in flat  # written in groups, for typing by hand


def test_the_qr_code_drawn_on_the_page_encodes_exactly_the_link():
    """No QR decoder is available, so the modules drawn in the PDF are compared with
    the code reportlab's encoder makes for the link."""
    other = URL[:-1] + "B"
    data = poster_pdf([PosterLink("A", "R", URL), PosterLink("B", "R", other)], k=5)
    assert qr_modules(data, 0) == expected_modules(URL)
    assert qr_modules(data, 1) == expected_modules(other)
    assert qr_modules(data, 0) != qr_modules(data, 1)


def test_k_and_minutes_are_the_rounds():
    data = poster_pdf([PosterLink("A", "R", URL)], k=7, minutes=12)
    flat = _flat(_pages(data)[0])
    assert "groups of at least 7 people" in flat
    assert "al menos 7 personas" in flat
    assert "about 12 minutes" in flat
    assert "Toma unos 12 minutos" in flat


def _sizes(data: bytes) -> list[tuple[str, float]]:
    """(text, font size) of every piece of text on the first page."""
    found: list[tuple[str, float]] = []

    def visit(text, _cm, _tm, _font, size):
        if text.strip():
            found.append((text.strip(), size))

    pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return found


def test_large_type_readable_from_two_metres():
    sizes = _sizes(poster_pdf([PosterLink("A", "R", URL)], k=5))
    assert min(size for text, size in sizes if text.startswith("Tell us")) >= 28
    assert min(size for text, size in sizes if text.startswith("Háblenos")) >= 28
    assert min(size for text, size in sizes if text.startswith("http")) >= 16
    assert min(size for _text, size in sizes) >= 16


def test_one_page_per_link_in_order_on_letter_or_a4():
    posters = [PosterLink(f"Employer {i}", "R", f"{URL[:-2]}{i:02d}") for i in range(12)]
    calls = []
    data = poster_pdf(posters, k=5, paper="a4", progress=lambda: calls.append(1))
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 12
    assert len(calls) == 12
    for index, page in enumerate(reader.pages):
        assert f"Employer {index}" in page.extract_text()
        assert [float(v) for v in page.mediabox[2:]] == pytest.approx(list(A4))
    letter = pypdf.PdfReader(io.BytesIO(poster_pdf(posters[:1], k=5)))
    assert [float(v) for v in letter.pages[0].mediabox[2:]] == pytest.approx(list(LETTER))


def test_a_hostile_employer_name_stays_literal_on_one_page():
    data = poster_pdf([PosterLink(HOSTILE_NAME, "<b>Round</b>" + "R" * 3000, URL)], k=5)
    (page,) = _pages(data)
    flat = _flat(page)
    assert (
        "<font size=100>Big</font> & <script>alert(1)</script> ? ????? "
        "<img src='/etc/passwd'/> &amp; WWW"
    ) in flat
    assert "<b>Round</b>" in flat
    joined = page.replace("\n", "").replace(" ", "")
    assert "W" * 100 in joined
    assert "W" * 250 not in joined  # cut at 200 characters (the database's limit)
    assert "…" in page
    assert written_link(page) == URL
    assert qr_modules(data) == expected_modules(URL)


def test_a_link_that_cannot_be_typed_is_refused_before_any_page():
    with pytest.raises(ValueError, match="printable ASCII"):
        poster_pdf([PosterLink("A", "R", URL), PosterLink("B", "R", "https://x/ s")], k=5)
