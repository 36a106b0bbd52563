"""The body font of every PDF, and the text it can show.

The PDF standard fonts (Helvetica, Times) are not embedded: each viewer substitutes
its own, and their WinAnsi encoding has no "€" on some machines and no "ő" or "ł"
anywhere. So the body text uses Bitstream Vera, the TrueType family that ships
inside reportlab itself: embedded (subset) in every document, it renders Spanish
(á é í ó ú ñ ü ¿ ¡ « ») the same everywhere. A character the font lacks would be
drawn as an invisible or boxed ".notdef" glyph, so :func:`safe_text` swaps it for
a visible "?" first.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

#: Font names as reportlab knows them; ``<b>`` and ``<i>`` in a paragraph pick the
#: matching face through the registered family.
BODY = "SurveyBody"
BODY_BOLD = "SurveyBody-Bold"
BODY_ITALIC = "SurveyBody-Italic"
BODY_BOLD_ITALIC = "SurveyBody-BoldItalic"
#: A standard PDF font, for ASCII only (survey links): every viewer has a Courier.
MONO = "Courier"
MONO_BOLD = "Courier-Bold"

#: What a character the font cannot draw becomes.
REPLACEMENT = "?"

_FILES = {
    BODY: "Vera.ttf",
    BODY_BOLD: "VeraBd.ttf",
    BODY_ITALIC: "VeraIt.ttf",
    BODY_BOLD_ITALIC: "VeraBI.ttf",
}


def font_dir() -> Path:
    return Path(reportlab.__file__).resolve().parent / "fonts"


@cache
def register_fonts() -> None:
    """Register the body family with reportlab once per process (cheap to call again)."""
    for name, filename in _FILES.items():
        path = font_dir() / filename
        if not path.is_file():  # pragma: no cover - a broken reportlab install
            raise RuntimeError(f"reportlab's font {path} is missing: reinstall reportlab")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(
        BODY, normal=BODY, bold=BODY_BOLD, italic=BODY_ITALIC, boldItalic=BODY_BOLD_ITALIC
    )


def _drawable(code: int) -> bool:
    category = unicodedata.category(chr(code))
    # Controls (C0, DEL, C1), format characters and unassigned or private code points
    # draw nothing useful even where a font maps them (Vera maps U+FFFF to .notdef).
    return not category.startswith("C")


@cache
def covered() -> frozenset[int]:
    """Code points every face of the body family draws with a real glyph."""
    register_fonts()
    faces = [pdfmetrics.getFont(name).face for name in _FILES]
    common = set.intersection(
        *({code for code, glyph in face.charToGlyph.items() if glyph} for face in faces)
    )
    return frozenset(code for code in common if _drawable(code))


def safe_text(text: str) -> str:
    """``text`` as the body font can show it, never raising.

    Composed first (NFC), so "e" + combining acute prints as "é". Any whitespace
    (tabs, line breaks, thin spaces) becomes a plain space; every other character
    the font lacks (emoji, CJK, Arabic, Hebrew, controls, direction overrides, lone
    surrogates) becomes a visible :data:`REPLACEMENT`, one per code point.
    """
    known = covered()
    out = []
    for char in unicodedata.normalize("NFC", text):
        if ord(char) in known:
            out.append(char)
        elif char.isspace():
            out.append(" ")
        else:
            out.append(REPLACEMENT)
    return "".join(out)
