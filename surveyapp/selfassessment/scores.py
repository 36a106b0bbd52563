"""Scores of the partnership self-assessment: pure functions, no Flask, no database.

MEASUREMENT.md 3.3: a statement rated 1 Not yet, 2 Starting, 3 Developing or
4 Established scores (level - 1) / 3 x 100, which the instrument's rubric holds as each
option's score; "Don't know" scores as missing, never as zero.

* A respondent's score on an element (or centre theme) is the mean of their scored
  statements in it, when at least the instrument's ``min_item_share`` of them (half)
  are scored; otherwise they have none there.
* The element's score is the mean of those respondent scores, over the respondents
  who have one, with its spread: the lowest and the highest, and their number ``n``.

With fewer than :data:`MIN_FOR_SPREAD` respondents the lowest and highest are left
out (None): with one or two people they would be, or nearly be, each person's own
answers. Staff and partners are not workers, so *k* does not apply; but nothing here
ever says who gave which answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from math import fsum

from ..instruments import Instrument

#: Respondents needed before an element's lowest and highest score are shown.
MIN_FOR_SPREAD = 3


@dataclass(frozen=True)
class ElementScore:
    """One element's (or centre theme's) score across respondents."""

    dimension: str
    #: "element" or "centre".
    group: str
    #: Respondents with a score on this element.
    n: int
    #: None when nobody has a score here.
    mean: float | None
    #: None below MIN_FOR_SPREAD respondents.
    lowest: float | None
    highest: float | None


def level_score(level: int, levels: int = 4) -> float:
    """A rubric level on 0-100: (level - 1) / (levels - 1) x 100."""
    if not 1 <= level <= levels:
        raise ValueError(f"level {level} is not from 1 to {levels}")
    return (level - 1) / (levels - 1) * 100.0


def respondent_scores(instrument: Instrument, answers: Mapping[str, int]) -> dict[str, float]:
    """One respondent's score on each element where they have one.

    :param answers: item id -> option code, as stored ("Don't know" is 98).
    :raises ValueError: an item the instrument does not have, or a code it does not offer.
    """
    scores: dict[str, float] = {}
    for dimension in instrument.dimensions:
        items = instrument.items_in(dimension.id)
        scored = [
            _score(instrument, item.id, answers[item.id]) for item in items if item.id in answers
        ]
        values = [value for value in scored if value is not None]
        if values and len(values) >= instrument.settings.min_item_share * len(items):
            scores[dimension.id] = fsum(values) / len(values)
    unknown = set(answers) - {item.id for item in instrument.scored_items}
    if unknown:
        raise ValueError(
            f"{instrument.key}-v{instrument.version} has no item {sorted(unknown)[0]!r}"
        )
    return scores


def element_scores(
    instrument: Instrument, respondents: Iterable[Mapping[str, int]]
) -> tuple[ElementScore, ...]:
    """Every element and centre theme, in instrument order, across ``respondents``.

    :param respondents: each respondent's answers (item id -> option code); the caller
        passes only respondents who sent theirs.
    """
    per_respondent = [respondent_scores(instrument, answers) for answers in respondents]
    results = []
    for dimension in instrument.dimensions:
        values = [scores[dimension.id] for scores in per_respondent if dimension.id in scores]
        spread = len(values) >= MIN_FOR_SPREAD
        results.append(
            ElementScore(
                dimension=dimension.id,
                group=dimension.group or "element",
                n=len(values),
                mean=fsum(values) / len(values) if values else None,
                lowest=min(values) if spread else None,
                highest=max(values) if spread else None,
            )
        )
    return tuple(results)


def _score(instrument: Instrument, item_id: str, code: int) -> float | None:
    option = instrument.item(item_id).option(code)
    if option is None:
        raise ValueError(f"item {item_id!r} has no option {code}")
    return None if option.missing else option.score
