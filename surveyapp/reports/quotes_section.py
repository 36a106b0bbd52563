"""Staff-approved worker quotes in a brief (anonymity rules 4 and 6).

The quotes come from :func:`surveyapp.quotes.quotes`, which keeps only those of
employers with at least the quote threshold of responses; here they are printed as
written (escaped), never with the name of the employer in the sector brief.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, KeepTogether

from .brief_layout import gap, para
from .words import _

#: Quotes a brief prints at most, so they stay a short section.
MAX_SECTOR_QUOTES = 8
MAX_EMPLOYER_QUOTES = 5


def quotes_section(quotes: Sequence[str], threshold: int) -> list[Flowable]:
    """A "What workers said" section; nothing at all when there is no quote."""
    # Several workers may write the same words; a brief quotes them once.
    quotes = list(dict.fromkeys(quotes))
    if not quotes:
        return []
    intro = [
        para(_("What workers said"), "h2"),
        para(
            _(
                "Comments chosen by partnership staff, with names and other details taken"
                " out. A workplace's comments are quoted only when at least %(count)d of its"
                " workers answered.",
                count=threshold,
            )
        ),
        gap(4),
    ]
    quoted = [para(f"“{quote}”", "lead") for quote in quotes]
    return [KeepTogether([*intro, quoted[0]]), *quoted[1:]]
