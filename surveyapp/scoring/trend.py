r"""Trend: how a statistic changed between the previous wave and this one.

For one group (an employer, or the sector) and one statistic, with the previous wave's
per-response values :math:`y` and this wave's :math:`x`:

* difference of means :math:`\bar x - \bar y` in points;
* two-sided Mann-Whitney U p-value (:func:`~.ranktests.mann_whitney`, as
  ``scipy.stats.mannwhitneyu``);
* Cliff's delta :math:`\delta = 2U_x/(n_x n_y) - 1 = P(X > Y) - P(X < Y)`, the
  rank-biserial correlation, between -1 and 1 (MEASUREMENT.md 4.9).

Both waves' figures must come from at least k responses (DESIGN.md rule 2); otherwise
the whole comparison is hidden, exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._arrays import as_groups, as_values, check_k
from .intervals import BOOTSTRAP_FROM, data_rng, mean_interval
from .ranktests import mann_whitney
from .results import Estimate, TrendResult
from .suppression import NOT_ENOUGH

__all__ = ["employer_trends", "trend"]


def _estimate(statistic: str, values: np.ndarray, seed: int, n_resamples: int) -> Estimate:
    rng = data_rng(seed, values) if values.size >= BOOTSTRAP_FROM else None
    interval = mean_interval(values, rng=rng, n_resamples=n_resamples)
    return Estimate.from_interval(statistic, int(values.size), interval)


def trend(
    previous: ArrayLike,
    current: ArrayLike,
    *,
    k: int,
    statistic: str = "jqi",
    seed: int = 0,
    n_resamples: int = 9999,
) -> TrendResult:
    """Compare one statistic between two waves for one group (NaN values are missing).

    Examples
    --------
    >>> r = trend([50, 55, 60, 40, 45], [70, 75, 60, 65, 80], k=5)
    >>> r.difference, r.cliffs_delta
    (20.0, 0.96)
    """
    k = check_k(k)
    y = as_values(previous, "previous")
    x = as_values(current, "current")
    y, x = y[~np.isnan(y)], x[~np.isnan(x)]
    if y.size < k or x.size < k:
        hidden = Estimate.hidden(statistic)
        return TrendResult(statistic, hidden, hidden, None, None, None, NOT_ENOUGH)
    before = _estimate(statistic, y, seed, n_resamples)
    after = _estimate(statistic, x, seed, n_resamples)
    test = mann_whitney(x, y)
    return TrendResult(
        statistic,
        before,
        after,
        float(x.mean() - y.mean()),
        test.p_value,
        test.cliffs_delta,
    )


def employer_trends(
    previous: ArrayLike,
    previous_employers: ArrayLike,
    current: ArrayLike,
    current_employers: ArrayLike,
    statistics: Sequence[str],
    *,
    n_employers: int,
    k: int,
    seed: int = 0,
    n_resamples: int = 9999,
) -> tuple[tuple[TrendResult, ...], ...]:
    """:func:`trend` for every employer and statistic.

    ``previous`` and ``current`` are (n_responses, n_statistics) matrices such as
    :meth:`~.dimensions.ResponseScores.statistics`; employers are indexed the same way
    in both waves (0..n_employers-1).
    """
    before = as_values(previous, "previous", ndim=2)
    after = as_values(current, "current", ndim=2)
    if before.shape[1] != len(statistics) or after.shape[1] != len(statistics):
        raise ValueError("previous and current need one column per statistic")
    g_before = as_groups(previous_employers, before.shape[0], "previous_employers", n_employers)
    g_after = as_groups(current_employers, after.shape[0], "current_employers", n_employers)
    order_b, order_a = np.argsort(g_before, kind="stable"), np.argsort(g_after, kind="stable")
    starts_b = np.searchsorted(g_before[order_b], np.arange(n_employers + 1))
    starts_a = np.searchsorted(g_after[order_a], np.arange(n_employers + 1))
    results = []
    for e in range(n_employers):  # a loop over employers; each test is vectorised
        rows_b = order_b[starts_b[e] : starts_b[e + 1]]
        rows_a = order_a[starts_a[e] : starts_a[e + 1]]
        results.append(
            tuple(
                trend(
                    before[rows_b, s],
                    after[rows_a, s],
                    k=k,
                    statistic=name,
                    seed=seed,
                    n_resamples=n_resamples,
                )
                for s, name in enumerate(statistics)
            )
        )
    return tuple(results)
