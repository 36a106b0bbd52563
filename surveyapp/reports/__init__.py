"""PDF documents made with reportlab: layout, no database.

Routes and commands gather plain values (names, URLs, stored figures) and hand them
to these functions, which return the finished file as bytes. Every document uses
the same machinery: the embedded body font (:mod:`.fonts`), escaping of user text
(:mod:`.text`), styles (:mod:`.styles`) and metadata that names no machine or person
(:mod:`.pdf`).

The briefs (:mod:`.sector_brief`, :mod:`.employer_brief`) speak the results pages'
words through Flask-Babel (:mod:`.words`), so they are made inside an app context
with a language: a request's, or one forced by ``surveyapp brief``. What they are
made from is read from the database in one place, :mod:`.brief_data`, as the
posters' links are in :mod:`.poster_links`.
"""

from __future__ import annotations

from .fonts import BODY, BODY_BOLD, BODY_BOLD_ITALIC, BODY_ITALIC, MONO, MONO_BOLD, safe_text
from .pdf import DocumentInfo, canvas_pdf, page_size, story_pdf
from .poster import PosterLink, link_groups, poster_pdf
from .styles import document_styles, style
from .text import ascii_slug, clip, clip_to_width, para_text, plain

__all__ = [
    "BODY",
    "BODY_BOLD",
    "BODY_BOLD_ITALIC",
    "BODY_ITALIC",
    "MONO",
    "MONO_BOLD",
    "DocumentInfo",
    "PosterLink",
    "ascii_slug",
    "canvas_pdf",
    "clip",
    "clip_to_width",
    "document_styles",
    "link_groups",
    "page_size",
    "para_text",
    "plain",
    "poster_pdf",
    "safe_text",
    "story_pdf",
    "style",
]
