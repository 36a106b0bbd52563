"""Shares of workers, such as "paid at least a living wage" or "has paid sick days".

A proportion counts, among the workers who gave a real answer to an item (not blank,
not "Not sure" / "Prefer not to say"), those whose answer is one of a set of codes.
Its interval is Wilson's (:func:`~.intervals.wilson_interval`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..instruments.model import Instrument

__all__ = ["Proportion", "default_proportions"]


@dataclass(frozen=True)
class Proportion:
    """Share of answering workers whose answer to ``item_id`` is in ``codes``."""

    name: str
    item_id: str
    codes: frozenset[int]


def default_proportions(
    instrument: Instrument, living_wage: float | None
) -> tuple[Proportion, ...]:
    """The shares a brief shows by default.

    * ``living_wage``: for each item scored against the living wage, the share whose
      wage band midpoint is at least the living wage (hourly / living wage >= 1). The
      band midpoint stands for the band, so a band straddling the living wage counts by
      its midpoint.
    * For each scored fact item with a yes/no-type answer (every real option scores
      0 or 100), the share answering the 100 option, named after the item
      (BEN2: "has paid sick days", SAF2: "not hurt at work", ...).
    """
    shares: list[Proportion] = []
    for item in instrument.scored_items:
        real = [option for option in item.options if not option.missing]
        if item.scoring == "living_wage_ratio":
            if living_wage is None or living_wage <= 0:
                continue
            codes = frozenset(
                o.code for o in real if o.hourly is not None and o.hourly / living_wage >= 1.0
            )
            shares.append(
                Proportion(
                    "living_wage" if not shares else f"living_wage_{item.id}", item.id, codes
                )
            )
        elif item.type == "fact" and real and all(o.score in (0, 100) for o in real):
            good = 0.0 if item.direction == "reverse" else 100.0
            shares.append(
                Proportion(item.id, item.id, frozenset(o.code for o in real if o.score == good))
            )
    return tuple(shares)
