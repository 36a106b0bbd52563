"""The partnership's self-assessment in the sector brief: each Sector Strategies
Framework element and centre theme, its mean score across respondents and its range.

Read from :func:`surveyapp.selfassessment.figures.self_assessment_figures`; nothing
says who gave which answer, and the range is left out below its minimum number of
respondents. Nothing is printed when the round's self-assessment is not closed.
"""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal
from reportlab.platypus import Flowable, KeepTogether

from .brief_layout import para, table
from .words import _, language


def _score(value: float | None) -> str:
    return "–" if value is None else format_decimal(value, "0.0")


def self_assessment_section(figures: dict[str, Any] | None, width: float) -> list[Flowable]:
    """A "How the partnership rates itself" section, or nothing."""
    if not figures or figures.get("status") != "closed" or not figures.get("elements"):
        return []
    lang = language()
    rows = []
    for element in figures["elements"]:
        name = element["name"].get(lang) or element["name"].get("en") or element["id"]
        low, high = element.get("lowest"), element.get("highest")
        spread = "–" if low is None or high is None else f"{_score(low)} – {_score(high)}"
        rows.append([name, str(element.get("n") or 0), _score(element.get("mean")), spread])
    header = [_("Element"), _("Respondents"), _("Mean score"), _("Lowest – highest")]
    intro = para(
        _(
            "Partnership staff and partners rated the partnership on the Sector Strategies"
            " Framework, from 0 (not yet) to 100 (established). %(count)d sent their answers."
            " The range is shown from %(min)d respondents.",
            count=int(figures.get("sent") or 0),
            min=int(figures.get("min_for_spread") or 3),
        )
    )
    widths = [width - 250, 80, 80, 90]
    return [
        KeepTogether(
            [
                para(_("How the partnership rates itself"), "h2"),
                intro,
                table(header, rows, widths, numeric=(1, 2, 3)),
            ]
        )
    ]
