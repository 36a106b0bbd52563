r"""Gap between what an employer states and what its workers report.

Each mirrored worker item is compared with the employer's claim placed on the same
0-100 scale (MEASUREMENT.md 4.8): an E15 prediction "most of my workers would answer
Agree" is the worker item's score for "Agree" (75); a notice policy of 14 days is SCH1's
score for "14 days or more" (100); a starting wage is scored by PAY1's living-wage bands.
:func:`claim_scores` does this for claims given as worker option codes, and
:func:`~.items.wage_band_score` for an hourly wage.

For employer *e* and item *j*, with :math:`d_i = s_{ij} - c_{ej}` over the employer's
workers who answered (rounded to :data:`~.ranktests.TIE_DECIMALS` decimals, so that a
score equal to the claim up to summation order is a zero difference):

* median gap: :math:`\operatorname{median}(d)` in points (negative: workers report less);
* share below the claim: :math:`\#\{d_i < 0\} / n`;
* two-sided one-sample Wilcoxon signed-rank p-value, Pratt's zeros
  (:func:`~.ranktests.wilcoxon_pratt_grouped`); "too few to test" below 6 non-zero
  differences, where p < 0.05 is impossible;
* Benjamini-Hochberg adjustment across the employer's tested items;
* flagged when :math:`|\text{median gap}| \ge 10` and the adjusted p < 0.05.

Missing-data policy: workers who did not answer the item (or answered "Not sure") are
left out; items the employer made no claim on are not tested.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ..instruments.model import Instrument
from ._arrays import as_groups, as_values, check_k
from .items import score_items
from .ranktests import (
    MIN_NONZERO,
    benjamini_hochberg,
    group_order,
    tie_rounded,
    wilcoxon_pratt_grouped,
)
from .results import GapResult
from .suppression import NOT_ENOUGH

__all__ = ["FLAG_POINTS", "TOO_FEW", "claim_scores", "employer_gaps", "gap_item_ids"]

#: A gap is flagged from this many points (with adjusted p < 0.05).
FLAG_POINTS = 10.0
#: Said when fewer than 6 answers differ from the claim. Never "no gap".
TOO_FEW = "too few to test"
_ALPHA = 0.05


def gap_item_ids(instrument: Instrument) -> tuple[str, ...]:
    """Scored items that mirror an employer-survey item, in file order."""
    return tuple(item.id for item in instrument.scored_items if item.mirror)


def claim_scores(
    instrument: Instrument,
    item_ids: Sequence[str],
    codes: ArrayLike,
    *,
    living_wage: float | None = None,
) -> np.ndarray:
    """Employer claims expressed as worker option codes, put on the 0-100 scale.

    ``codes`` has one row per employer and one column per item of ``item_ids``; 0 (or a
    missing option) means "no claim" and gives NaN. Reverse coding and living-wage
    bands apply exactly as for workers' answers.
    """
    return score_items(instrument, codes, item_ids, living_wage=living_wage)


def employer_gaps(
    item_scores: ArrayLike,
    employers: ArrayLike,
    claims: ArrayLike,
    item_ids: Sequence[str],
    *,
    k: int,
) -> tuple[tuple[GapResult, ...], ...]:
    """Gap results of every employer for every item, suppressed for display.

    Parameters
    ----------
    item_scores : array_like, shape (n_responses, n_items)
        Workers' 0-100 scores of the mirrored items (NaN missing).
    employers : array_like of int, shape (n_responses,)
        Employer index of each response, 0..n_employers-1.
    claims : array_like, shape (n_employers, n_items)
        Each employer's claim on the item's 0-100 scale, NaN where it made none.
    item_ids : sequence of str
        The item of each column.
    k : int
        Minimum reporting group size: results from fewer than k workers are hidden.

    Returns
    -------
    tuple (one per employer) of tuple of GapResult (one per item)
    """
    k = check_k(k)
    scores = as_values(item_scores, "item_scores", ndim=2)
    claim = as_values(claims, "claims", ndim=2)
    n_employers, n_items = claim.shape
    if scores.shape[1] != n_items or len(item_ids) != n_items:
        raise ValueError("item_scores, claims and item_ids must have one column per item")
    if np.any((claim < 0) | (claim > 100)):
        raise ValueError("claims must lie on the 0-100 scale (NaN for no claim)")
    group = as_groups(employers, scores.shape[0], "employers", n_employers)

    # One test per (employer, item). Items one at a time (memory stays at a few
    # vectors of n_responses); within an item every employer's test at once.
    p = np.full((n_items, n_employers), np.nan)
    n = np.zeros((n_items, n_employers), dtype=np.intp)
    n_nonzero = np.zeros((n_items, n_employers), dtype=np.intp)
    below = np.zeros((n_items, n_employers))
    median = np.full((n_items, n_employers), np.nan)
    for j in range(n_items):  # a loop over items
        rows = np.flatnonzero(~np.isnan(scores[:, j]) & ~np.isnan(claim[group, j]))
        test = group[rows]
        # Rounded once here so that the zeros of the test, the share below the claim
        # and the median (and so the flag) all see a score equal to the claim up to
        # summation order as equal to it.
        d = tie_rounded(scores[rows, j] - claim[test, j])
        p[j], n[j], n_nonzero[j] = wilcoxon_pratt_grouped(d, test, n_employers)
        below[j] = np.bincount(test, weights=d < 0, minlength=n_employers)
        if d.size:
            # Grouped medians: sort by (employer, d), average the middle one or two.
            order = group_order(d, test)
            starts = np.searchsorted(test[order], np.arange(n_employers))
            sorted_d = d[order]
            last = d.size - 1
            lower_mid = np.minimum(starts + (n[j] - 1) // 2, last)
            upper_mid = np.minimum(starts + n[j] // 2, last)
            median[j] = (sorted_d[lower_mid] + sorted_d[upper_mid]) / 2
    p, n, n_nonzero = p.T.ravel(), n.T.ravel(), n_nonzero.T.ravel()
    below, median = below.T.ravel(), median.T.ravel()

    shown = (n >= k).reshape(n_employers, n_items)
    testable = shown & (n_nonzero >= MIN_NONZERO).reshape(n_employers, n_items)
    p_tests = np.where(testable, p.reshape(n_employers, n_items), np.nan)
    adjusted = np.vstack([benjamini_hochberg(row) for row in p_tests]) if n_employers else p_tests
    results = []
    for e in range(n_employers):  # assembling result objects: a loop over employers
        row = []
        for j, item_id in enumerate(item_ids):
            t = e * n_items + j
            claim_value = None if np.isnan(claim[e, j]) else float(claim[e, j])
            if not shown[e, j]:
                row.append(
                    GapResult(item_id, claim_value, None, None, None, None, None, None, NOT_ENOUGH)
                )
                continue
            gap = float(median[t])
            if testable[e, j]:
                p_adj = float(adjusted[e, j])
                row.append(
                    GapResult(
                        item_id,
                        claim_value,
                        int(n[t]),
                        gap,
                        float(below[t] / n[t]),
                        float(p_tests[e, j]),
                        p_adj,
                        abs(gap) >= FLAG_POINTS and p_adj < _ALPHA,
                    )
                )
            else:
                row.append(
                    GapResult(
                        item_id,
                        claim_value,
                        int(n[t]),
                        gap,
                        float(below[t] / n[t]),
                        None,
                        None,
                        None,
                        TOO_FEW,
                    )
                )
        results.append(tuple(row))
    return tuple(results)
