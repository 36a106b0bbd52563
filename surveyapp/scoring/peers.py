r"""Peer comparison: percentile rank among employers, peer median and quartiles.

Peers of a statistic are the wave's employers with at least *k* answers to it whose own
mean is shown (not hidden by complementary suppression). The peer
group is used only when DESIGN.md rule 7 allows it (3 such employers, none with 80 % or
more of their answers; :func:`~.suppression.disclose`); a percentile rank also needs
at least :data:`MIN_PERCENTILE_PEERS` (5) peers.

Percentile rank, "mean" kind (``scipy.stats.percentileofscore(peers, x, kind="mean")``):

.. math:: P(x) = 100 \cdot \frac{\#\{p < x\} + \#\{p \le x\}}{2N},

over the *N* peer means, the employer's own included. "mean" is the symmetric choice:
with ties it gives the midpoint of the "strict" and "weak" definitions
(MEASUREMENT.md 4.6). Peer quartiles and median use linear interpolation between order
statistics (Hyndman & Fan type 7, numpy's default).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._arrays import as_values, check_k
from .ranktests import tie_rounded
from .results import PeerSummary
from .suppression import NOT_ENOUGH, disclose

__all__ = ["MIN_PERCENTILE_PEERS", "peer_comparison", "percentile_ranks"]

#: A percentile rank is shown only among at least this many peer employers (DESIGN.md).
MIN_PERCENTILE_PEERS = 5


def percentile_ranks(peers: ArrayLike, scores: ArrayLike) -> NDArray[np.float64]:
    """Percentile rank ("mean" kind, 0-100) of each score among ``peers``, vectorised.

    Equivalent to ``[percentileofscore(peers, x, kind="mean") for x in scores]`` on
    values rounded to :data:`~.ranktests.TIE_DECIMALS` decimals.
    """
    # Means are ranked as ties when they are equal up to summation order (the same
    # rounding as every rank test: :func:`~.ranktests.tie_rounded`).
    p = np.sort(tie_rounded(as_values(peers, "peers")))
    if p.size == 0 or np.isnan(p).any():
        raise ValueError("peers must be a non-empty array without NaN")
    x = tie_rounded(as_values(scores, "scores"))
    strict = np.searchsorted(p, x, side="left")
    weak = np.searchsorted(p, x, side="right")
    # numpy's stubs call intp / float floating[Any]; it is float64.
    return 100.0 * (strict + weak) / (2.0 * p.size)  # type: ignore[return-value]


def peer_comparison(
    statistic: str,
    means: ArrayLike,
    counts: ArrayLike,
    shown: ArrayLike,
    *,
    k: int,
) -> tuple[PeerSummary, NDArray[np.float64]]:
    """Peer summary of one statistic and every employer's percentile rank.

    Parameters
    ----------
    statistic : str
        Name of the statistic ("jqi", a dimension id, ...).
    means : array_like, shape (n_employers,)
        Each employer's mean (NaN where it has no answers).
    counts : array_like of int, shape (n_employers,)
        Answers behind each mean.
    shown : array_like of bool, shape (n_employers,)
        Whether each employer's own mean may be shown; a percentile rank is given only
        to an employer whose mean is shown (it would otherwise narrow a hidden value).
    k : int
        Minimum reporting group size.

    Returns
    -------
    summary : PeerSummary
    percentiles : ndarray, shape (n_employers,)
        NaN where no percentile may be shown.
    """
    k = check_k(k)
    m = as_values(means, "means")
    n = np.asarray(counts, dtype=np.int64)
    visible = np.asarray(shown, dtype=bool)
    if not (m.shape == n.shape == visible.shape):
        raise ValueError("means, counts and shown must have one entry per employer")
    # Only employers whose own mean is shown are peers: a mean hidden by complementary
    # suppression must not reach a peer median or quartile, where it could be read off
    # (an odd peer count makes the median one employer's mean) and then give away the
    # small employer hidden with it by subtraction from the sector total.
    peers = (n >= k) & visible
    percentiles = np.full(m.shape, np.nan)
    allowed = disclose(n[peers], k, employers=True).total if peers.any() else False
    if not allowed:
        return PeerSummary(statistic, None, None, None, None, NOT_ENOUGH), percentiles
    values = m[peers]
    q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    summary = PeerSummary(statistic, int(values.size), float(median), float(q1), float(q3))
    if values.size >= MIN_PERCENTILE_PEERS:
        ranked = peers & visible
        percentiles[ranked] = percentile_ranks(values, m[ranked])
    return summary, percentiles
