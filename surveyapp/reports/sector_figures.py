"""The sector brief's own tables, from the stored release and response counts: pure.

The sector brief is put on a table in front of employers, so it shows more than the
staff dashboard in one way (responses by employer size, gaps across employers) and
less in another (no employer is named). What each table may show:

**Responses by employer size band.** A count reveals no answers, but an employer
knows its own count (it saw it on its home page while the round was open, once it
reached k), and a band total minus its own count is the rest of the band. So a
group's count is shown only when it is at least k *and*, for every employer in it,
the total minus that employer's count is 0 or at least k: nobody in the group can
work out a count below k by subtraction. The total of all bands is shown under the
same rule, and when it is, the bands it leaves hidden can be worked out together
(total minus the shown bands): that group must pass the same rule, or the smallest
shown band is hidden too, until it does (complementary suppression, as
:func:`surveyapp.scoring.disclose` does for figures).

**Gaps across employers.** For each question employers made claims on: how many
employers showed a clear gap each way, no clear gap, or too few to test, counted
only over employers whose results are shown and whose gap on that question is
shown, never saying which; a row needs at least
:data:`~surveyapp.scoring.suppression.MIN_EMPLOYERS` employers (anonymity rule 7).

**Spread.** Each shown employer's Job Quality Index as an unnamed dot, only when the
release shows the peers' median (rule 7 again: 3 employers with k or more, none with
80 % or more of the responses).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..scoring.gaps import TOO_FEW
from ..scoring.suppression import MIN_EMPLOYERS

#: Cliff's delta's size in words (Romano et al. 2006): below each bound, that word.
EFFECT_SIZES = ((0.147, "negligible"), (0.33, "small"), (0.474, "medium"))


@dataclass(frozen=True)
class BandRow:
    band: str
    employers: int
    #: None: not shown ("not enough responses").
    responses: int | None


@dataclass(frozen=True)
class BandTable:
    rows: tuple[BandRow, ...]
    total_employers: int
    total: int | None


def _safe(counts: Sequence[int], k: int) -> bool:
    total = sum(counts)
    return total >= k and all(total - n == 0 or total - n >= k for n in counts)


def band_table(members: Iterable[tuple[str, int]], k: int, order: Sequence[str]) -> BandTable:
    """Responses per size band from (band, responses) of each employer taking part.

    Bands come in ``order``, then any others by name ("" last: no band given).
    """
    groups: dict[str, list[int]] = {}
    for band, count in members:
        groups.setdefault(band, []).append(int(count))
    rank = {band: i for i, band in enumerate(order)}
    bands = sorted(groups, key=lambda b: (b == "", rank.get(b, len(rank)), b))
    everyone = [n for band in bands for n in groups[band]]
    total_shown = _safe(everyone, k)
    shown = {band: _safe(groups[band], k) for band in bands}
    while total_shown:
        hidden = [n for band in bands if not shown[band] for n in groups[band]]
        if sum(hidden) == 0 or _safe(hidden, k):
            break
        candidates = [band for band in bands if shown[band]]
        if not candidates:
            break
        smallest = min(candidates, key=lambda b: (sum(groups[b]), bands.index(b)))
        shown[smallest] = False
    rows = tuple(
        BandRow(band, len(groups[band]), sum(groups[band]) if shown[band] else None)
        for band in bands
    )
    return BandTable(rows, len(everyone), sum(everyone) if total_shown else None)


@dataclass(frozen=True)
class GapCount:
    item_id: str
    #: Employers whose gap on this item is shown; the rest are None below the minimum.
    compared: int
    less: int | None
    more: int | None
    no_clear: int | None
    too_few: int | None


def _verdict(gap: dict[str, Any]) -> str | None:
    if gap.get("claim") is None or gap.get("n") is None or gap.get("median_gap") is None:
        return None
    if gap.get("note") == TOO_FEW or gap.get("flagged") is None:
        return "too_few"
    if gap["flagged"]:
        return "less" if float(gap["median_gap"]) < 0 else "more"
    return "no_clear"


def gap_counts(shown_entries: Iterable[dict[str, Any]]) -> list[GapCount]:
    """Per question, how many employers (whose results are shown) got each verdict.

    Only the entries of employers whose results are shown may be passed in. Questions
    no such employer made a claim on are left out; the rest keep the release's order.
    """
    tally: dict[str, dict[str, int]] = {}
    for entry in shown_entries:
        for gap in entry.get("gaps") or []:
            if gap.get("claim") is None:
                continue
            counts = tally.setdefault(str(gap["item_id"]), {})
            verdict = _verdict(gap)
            if verdict is not None:
                counts[verdict] = counts.get(verdict, 0) + 1
    rows = []
    for item_id, counts in tally.items():
        compared = sum(counts.values())
        if compared < MIN_EMPLOYERS:
            rows.append(GapCount(item_id, compared, None, None, None, None))
            continue
        rows.append(
            GapCount(
                item_id,
                compared,
                counts.get("less", 0),
                counts.get("more", 0),
                counts.get("no_clear", 0),
                counts.get("too_few", 0),
            )
        )
    return rows


def spread_values(figures: dict[str, Any], shown_entries: Iterable[dict[str, Any]]) -> list[float]:
    """The shown employers' JQI means, sorted (no names), or none without a peer median."""
    peers = {p.get("statistic"): p for p in figures.get("peers") or []}
    if (peers.get("jqi") or {}).get("median") is None:
        return []
    values = []
    for entry in shown_entries:
        jqi: dict[str, Any] = next(
            (e for e in entry.get("estimates") or [] if e.get("statistic") == "jqi"), {}
        )
        if jqi.get("mean") is not None:
            values.append(float(jqi["mean"]))
    return sorted(values)


def effect_size(delta: float | None) -> str | None:
    """Cliff's delta's size in words: "negligible", "small", "medium" or "large"."""
    if delta is None:
        return None
    for bound, word in EFFECT_SIZES:
        if abs(delta) < bound:
            return word
    return "large"
