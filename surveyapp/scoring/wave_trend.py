"""Trend in a release: every statistic against the partnership's previous wave.

The previous wave is scored with its own instrument (it may be an earlier version) and
compared on the statistics both instruments have. A change is shown only where both
waves' figures are shown (each wave's own suppression, complementary cells included),
so a trend never reveals a figure that either wave's release hid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..instruments.model import Instrument
from ._arrays import check_k
from ._parallel import parallel_map
from .results import TrendResult
from .scored_wave import ScoredWave, score_wave
from .trend import trend

__all__ = ["PreviousWave", "trend_figures"]


@dataclass(frozen=True)
class PreviousWave:
    """The previous wave's responses, as :func:`~.release.release` takes a wave's.

    ``employers`` numbers the previous wave's own employers 0..P-1; ``same_employer``
    has one entry per previous employer: its index in the current wave, or -1 when it
    has no responses there. ``k`` is the previous wave's own k (the larger of the two
    waves' k applies).
    """

    instrument: Instrument
    codes: ArrayLike
    employers: ArrayLike
    same_employer: ArrayLike
    living_wage: float | None
    item_ids: Sequence[str] | None = None
    k: int | None = None


def trend_figures(
    wave: ScoredWave,
    previous: PreviousWave | None,
    *,
    seed: int,
    n_resamples: int,
    workers: int,
) -> tuple[tuple[TrendResult, ...], list[tuple[TrendResult, ...]]]:
    """The sector's and each employer's trends; empty without a previous wave."""
    if previous is None:
        return (), [() for _ in range(wave.n_employers)]
    same = _same_employer(previous.same_employer, wave.n_employers)
    k = max(wave.k, check_k(previous.k)) if previous.k is not None else wave.k
    before = score_wave(
        previous.instrument,
        previous.codes,
        previous.employers,
        k=k,
        confidence=wave.confidence,
        living_wage=previous.living_wage,
        item_ids=previous.item_ids,
        n_employers=len(same),
    )
    pairs = [
        (s, before.names.index(name)) for s, name in enumerate(wave.names) if name in before.names
    ]
    previous_of = np.full(wave.n_employers, -1, dtype=np.intp)
    previous_of[same[same >= 0]] = np.flatnonzero(same >= 0)

    def compare(rows_now: NDArray[Any], rows_before: NDArray[Any], s: int, p: int) -> TrendResult:
        return trend(
            before.values[rows_before, p],
            wave.values[rows_now, s],
            k=k,
            statistic=wave.names[s],
            seed=seed,
            n_resamples=n_resamples,
        )

    every_row_now, every_row_before = np.arange(wave.n_rows), np.arange(before.n_rows)
    sector = tuple(
        compare(every_row_now, every_row_before, s, p)
        if wave.sector_shown[s] and before.sector_shown[p]
        else TrendResult.hidden(wave.names[s])
        for s, p in pairs
    )

    def employer(e: int) -> tuple[TrendResult, ...]:
        b = int(previous_of[e])
        return tuple(
            compare(wave.rows_of(e), before.rows_of(b), s, p)
            if b >= 0 and wave.shown[e, s] and before.shown[b, p]
            else TrendResult.hidden(wave.names[s])
            for s, p in pairs
        )

    return sector, parallel_map(employer, range(wave.n_employers), workers)


def _same_employer(same_employer: ArrayLike, n_employers: int) -> NDArray[np.intp]:
    same = np.asarray(same_employer)
    if same.ndim != 1 or (same.size and same.dtype.kind not in "iu"):
        raise ValueError("same_employer needs one integer per previous employer")
    same = same.astype(np.intp)
    matched = same[same >= 0]
    if (same < -1).any() or (matched >= n_employers).any():
        raise ValueError(f"same_employer holds an index outside -1..{n_employers - 1}")
    if np.unique(matched).size != matched.size:
        raise ValueError("same_employer maps two previous employers to one employer")
    return same
