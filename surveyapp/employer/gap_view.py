""" "What you said and what your workers report": the stored gap results as sentences.

Each sentence restates one :class:`surveyapp.scoring.GapResult` of the stored release,
nothing more: the claim (the worker answer it matches), the share of workers below it,
the median gap and the test's verdict. "Too few to test" is said as such and never as
"no gap" (MEASUREMENT.md 4.8): fewer than 6 differing answers cannot reach p < 0.05.
A gap hidden for fewer than k answers reads "not enough responses" (rule 8).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from flask_babel import format_percent
from flask_babel import gettext as _

from ..results_view import Names, score
from ..scoring import code_table
from ..scoring.gaps import TOO_FEW

#: Display order: clear gaps first, then tested ones, then those too few to test,
#: then hidden ones.
_ORDER = {"flagged": 0, "tested": 1, "too_few": 2, "hidden": 3}


@dataclass(frozen=True)
class GapLine:
    """One mirrored question as shown."""

    item_id: str
    question: str
    state: str  # one of _ORDER
    #: "below", "above" or "same": the median worker answer against the claim.
    direction: str | None
    #: The claim, then (when shown) the share below it and the median gap.
    sentences: tuple[str, ...]
    #: The test's verdict in words; None when the gap is hidden.
    verdict: str | None


def claim_words(item: Any, claim: float, living_wage: float | None) -> list[dict[str, str]] | None:
    """The labels of the worker answer(s) a claim on 0-100 stands for.

    A claim is stored as the worker item's score, so it is turned back into the
    option(s) with that score; a wage item scored by living-wage bands can have several.
    """
    if item is None:
        return None
    try:
        table = code_table(item, living_wage)
    except ValueError:
        return None
    labels = [
        option.label
        for option in item.options
        if not option.missing and np.isclose(table[option.code], claim)
    ]
    return labels or None


def _verdict(state: str, direction: str | None) -> str:
    if state == "flagged":
        if direction == "below":
            return _("A clear gap: your workers report less than you said.")
        return _("A clear gap: your workers report more than you said.")
    if state == "tested":
        return _("No clear gap: the difference is under 10 points or could be chance.")
    return _(
        "Too few to test: fewer than 6 of your workers answered differently from what you"
        " said, so this cannot show whether there is a gap."
    )


def _median(direction: str, points: str | None) -> str:
    if direction == "below":
        return _("The middle answer is %(points)s points below yours.", points=points)
    if direction == "above":
        return _("The middle answer is %(points)s points above yours.", points=points)
    return _("The middle answer is the same as yours.")


def gap_line(gap: dict[str, Any], names: Names, living_wage: float | None) -> GapLine:
    """One stored gap result (claim not None) as sentences."""
    item_id = str(gap["item_id"])
    item = names.item(item_id)
    question = names.text(item.text if item else None, item_id)
    labels = claim_words(item, float(gap["claim"]), living_wage)
    if labels:
        quoted = _(" or ").join(f"“{names.text(label, '')}”" for label in labels)
        if item is not None and item.type == "perception":
            # The employer survey asked how most workers would answer this question.
            said = _("You expected most of your workers to answer %(claim)s.", claim=quoted)
        else:
            said = _("You said: %(claim)s.", claim=quoted)
    else:
        said = _("You said: %(claim)s of 100.", claim=score(gap["claim"]))
    if gap.get("n") is None or gap.get("median_gap") is None:
        return GapLine(item_id, question, "hidden", None, (said,), None)
    median = float(gap["median_gap"])
    direction = "below" if median < 0 else "above" if median > 0 else "same"
    if gap.get("note") == TOO_FEW or gap.get("flagged") is None:
        state = "too_few"
    else:
        state = "flagged" if gap["flagged"] else "tested"
    sentences = (
        said,
        _(
            "%(share)s of the %(n)d workers who answered gave an answer below yours on the"
            " 0 to 100 scale.",
            share=format_percent(float(gap["share_below"])),
            n=int(gap["n"]),
        ),
        _median(direction, score(abs(median))),
    )
    return GapLine(item_id, question, state, direction, sentences, _verdict(state, direction))


def gap_lines(gaps: list[dict[str, Any]], names: Names, living_wage: float | None) -> list[GapLine]:
    """Every question the employer made a claim on; clear gaps first.

    Questions without a claim are left out: the employer did not answer them, so there
    is nothing to compare.
    """
    lines = [gap_line(g, names, living_wage) for g in gaps if g.get("claim") is not None]
    return sorted(lines, key=lambda line: _ORDER[line.state])
