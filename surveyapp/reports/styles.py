"""Colours and paragraph styles shared by every PDF, in one place.

Every style is made by :func:`style`, which sets the body font and turns on
``splitLongWords`` (a word wider than the line breaks at the line's edge instead of
running off the page), so a new style cannot forget either.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle

from .fonts import BODY, BODY_BOLD, register_fonts

#: The same ink and accent as the web pages (surveyapp/charts.py).
INK: Color = HexColor("#0b0c0c")
ACCENT: Color = HexColor("#1d70b8")
MUTED: Color = HexColor("#505a5f")
RULE: Color = HexColor("#b1b4b6")


def style(name: str, size: float, *, bold: bool = False, **options: Any) -> ParagraphStyle:
    """A paragraph style in the body font at ``size`` points (leading 1.25 x size)."""
    register_fonts()
    settings: dict[str, Any] = {
        "fontName": BODY_BOLD if bold else BODY,
        "fontSize": size,
        "leading": round(size * 1.25, 2),
        "textColor": INK,
        "alignment": TA_LEFT,
        "splitLongWords": 1,
        # No hyphenation: it needs a dictionary per language and would cut names.
        "hyphenationLang": "",
        **options,
    }
    return ParagraphStyle(name, **settings)


def document_styles() -> dict[str, ParagraphStyle]:
    """The basic styles of a brief: body, small print, headings and a cover title."""
    return {
        "body": style("body", 10.5, spaceAfter=6),
        "small": style("small", 8.5, textColor=MUTED, spaceAfter=4),
        "h1": style("h1", 20, bold=True, spaceBefore=6, spaceAfter=10),
        "h2": style("h2", 14, bold=True, spaceBefore=10, spaceAfter=6),
        "h3": style("h3", 11.5, bold=True, spaceBefore=8, spaceAfter=4),
        "title": style("title", 28, bold=True, alignment=TA_CENTER, spaceAfter=12),
    }
