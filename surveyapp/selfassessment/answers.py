"""Reading one page of the self-assessment from a posted form.

Each statement posts its level as ``<item id>`` (an option code: 1-4, or 98 "Don't
know") and its evidence note as ``<item id>-note``. A page is saved only when every
answer on it is usable: a refused page changes nothing, and comes back with what was
typed still in it. Notes keep their line breaks; invisible control characters and
text-direction overrides (which can make a note read differently from what it says)
are refused rather than silently removed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from flask_babel import get_locale
from flask_babel import gettext as _

from ..instruments import Instrument, Item, Page
from .service import Rating

NOTE_SUFFIX = "-note"
#: By the instrument convention, 98 is the honest "Don't know" / "Not sure".
DONT_KNOW = 98

_CODE = re.compile(r"[0-9]{1,2}")
_BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)


@dataclass
class PostedPage:
    #: item id -> its rating.
    ratings: dict[str, Rating] = field(default_factory=dict)
    #: form field (item id, or item id + "-note") -> the message beside it.
    errors: dict[str, str] = field(default_factory=dict)
    #: form field -> what was chosen or typed, to show back.
    typed: dict[str, str] = field(default_factory=dict)


def language(instrument: Instrument) -> str:
    """The page's language if the instrument has it, else the instrument's first."""
    current = str(get_locale() or "en")
    return current if current in instrument.languages else instrument.languages[0]


def read_page(instrument: Instrument, page: Page, form: Mapping[str, str]) -> PostedPage:
    limit = instrument.evidence_max_length or 0
    lang = language(instrument)
    posted = PostedPage()
    for item_id in page.items:
        item = instrument.item(item_id)
        code = _read_level(item, form, posted, lang)
        note = _read_note(item, form, posted, limit)
        if code is not None and note is not False:
            posted.ratings[item_id] = Rating(code=code, note=note or None)
    if posted.errors:
        posted.ratings.clear()
    return posted


def _read_level(item: Item, form: Mapping[str, str], posted: PostedPage, lang: str) -> int | None:
    chosen = form.get(item.id, "")[:10]
    posted.typed[item.id] = chosen
    if not chosen:
        dont_know = item.option(DONT_KNOW)
        posted.errors[item.id] = (
            _(
                "Choose an answer. If you do not know, choose “%(label)s”.",
                label=dont_know.label[lang],
            )
            if dont_know is not None
            else _("Choose an answer.")
        )
        return None
    code = int(chosen) if _CODE.fullmatch(chosen) else None
    if code is None or item.option(code) is None:
        posted.errors[item.id] = _("Choose one of the answers shown.")
        return None
    return code


def _read_note(
    item: Item, form: Mapping[str, str], posted: PostedPage, limit: int
) -> str | Literal[False]:
    """The cleaned note ("" for none), or False when it is refused."""
    name = item.id + NOTE_SUFFIX
    raw = form.get(name, "")
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n")).strip()
    # Shown back as typed, but never more than a page can reasonably hold.
    posted.typed[name] = text[: limit * 2]
    if "\ufffd" in text or any(
        (unicodedata.category(ch) == "Cc" and ch not in "\n\t") or ch in _BIDI_CONTROLS
        for ch in text
    ):
        posted.errors[name] = _(
            "Your note has characters we cannot save. Remove them and try again."
        )
        return False
    if len(text) > limit:
        posted.errors[name] = _(
            "Your note is %(count)d characters long. Make it %(limit)d characters or fewer.",
            count=len(text),
            limit=limit,
        )
        return False
    return text
