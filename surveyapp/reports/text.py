"""Text from users, made safe for reportlab: escaped, drawable, bounded, and file names.

reportlab's ``Paragraph`` reads its text as a small XML-like markup (``<b>``,
``<font size=...>``, ``<img src=...>``, ``<a href=...>``, entities). An employer
called ``<font size=100>`` would otherwise change the page, an ``<img>`` would make
reportlab open a file, and a stray ``<`` or ``&`` raises a parse error. So every
piece of user text reaches a Paragraph only through :func:`para_text`.

Long words: every style in :mod:`surveyapp.reports.styles` sets ``splitLongWords``,
which breaks a word wider than the line at the line's edge (the body font has no
zero-width space to mark break points, and reportlab needs none). A Paragraph can
split across pages, but a table row and a fixed box cannot: there, bound the text
with :func:`clip` or :func:`clip_to_width` first.
"""

from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfmetrics import stringWidth

from .fonts import safe_text

ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def plain(text: str) -> str:
    """``text`` drawable by the body font, on one line with single spaces.

    For canvas ``drawString`` and PDF metadata, which take no markup.
    """
    return _SPACES.sub(" ", safe_text(text)).strip()


def para_text(text: str, limit: int | None = None) -> str:
    """User text as the markup of a reportlab ``Paragraph``, showing exactly ``text``.

    Markup characters are escaped (so ``<font size=100>`` prints as those characters),
    characters outside the font become "?", and with ``limit`` the text is cut to at
    most that many characters (ending in "…").
    """
    text = plain(text)
    if limit is not None:
        text = clip(text, limit)
    return escape(text)


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, the last one "…" when anything was cut."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def clip_to_width(text: str, font: str, size: float, width: float) -> str:
    """The longest start of ``text`` (plus "…" when cut) that fits ``width`` points.

    For labels drawn with ``drawString`` (chart axes, table cells that cannot grow).
    Give it text that went through :func:`plain`.
    """
    if stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)
    # Binary search on the cut point: a 5,000-character word costs a dozen width sums.
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle].rstrip() + ELLIPSIS, font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS if low else ""


def ascii_slug(text: str, fallback: str, limit: int = 40) -> str:
    """``text`` as lowercase ASCII letters, digits and hyphens, for a download's file name.

    A name taken straight from users could hold quotes, slashes, line breaks or
    non-ASCII that break the Content-Disposition header or a file system; accents are
    dropped ("Clínica Año" -> "clinica-ano"). ``fallback`` when nothing is left.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    slug = slug[:limit].rstrip("-")
    return slug or fallback
