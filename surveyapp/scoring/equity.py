r"""Equity: do scores differ among worker subgroups (shift, tenure band, language...)?

For one statistic and one grouping, the Kruskal-Wallis H test
(:func:`~.ranktests.kruskal_wallis`, as ``scipy.stats.kruskal``) across the subgroups,
run only when every subgroup has at least k responses (DESIGN.md "Scoring"). H is
small-sample sensitive: a p-value of 0.05 or more reads "no detectable difference",
never "no difference".

Subgroup means are descriptive, with t-intervals (the test is the Kruskal-Wallis p-value;
a bootstrap for every subgroup of every employer would cost more than it tells). They
are a breakdown: shown only when every subgroup has at least k
responses *and* the workers who gave no subgroup (blank, "Prefer not to say") are
either none or at least k, since their figure could otherwise be recovered from the
group's total (:func:`~.suppression.disclose` with ``breakdown=True``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._arrays import as_values, check_k
from .intervals import IDENTICAL, t_interval
from .ranktests import kruskal_wallis
from .results import EquityResult, Estimate
from .suppression import NOT_ENOUGH, disclose

__all__ = ["NO_DETECTABLE", "equity"]

NO_DETECTABLE = "no detectable difference"


def _estimate(statistic: str, values: np.ndarray) -> Estimate:
    if values.size < 2:
        return Estimate.hidden(statistic)
    return Estimate.from_interval(statistic, int(values.size), t_interval(values))


def equity(
    values: ArrayLike,
    groups: ArrayLike,
    labels: Sequence[str],
    *,
    k: int,
    statistic: str = "jqi",
    grouping: str = "subgroup",
) -> EquityResult:
    """Kruskal-Wallis across subgroups of one statistic, with suppressed subgroup means.

    Parameters
    ----------
    values : array_like, shape (n,)
        Per-response values of the statistic (NaN missing).
    groups : array_like of int, shape (n,)
        Subgroup index 0..len(labels)-1 of each response; -1 for "in no subgroup"
        (blank or "Prefer not to say").
    labels : sequence of str
        Name of each subgroup.
    k : int
        Minimum reporting group size.
    """
    k = check_k(k)
    v = as_values(values, "values")
    g = np.asarray(groups)
    if g.shape != v.shape or g.dtype.kind not in "iu":
        raise ValueError("groups must be integers, one per value")
    if g.size and (g.min() < -1 or g.max() >= len(labels)):
        raise ValueError("groups must be -1 or an index into labels")
    answered = ~np.isnan(v)
    v, g = v[answered], g[answered]
    in_group = g >= 0
    counts = np.bincount(g[in_group], minlength=len(labels))
    residual = int((~in_group).sum())
    present = counts > 0
    decision = disclose(counts, k, residual=residual, breakdown=True)
    labels = tuple(labels)
    if present.sum() < 2 or np.any(counts[present] < k):
        hidden = tuple(Estimate.hidden(statistic) for _ in labels)
        return EquityResult(statistic, grouping, labels, hidden, None, None, NOT_ENOUGH)
    estimates = tuple(
        _estimate(statistic, v[g == i])
        if decision.cells[i] and present[i]
        else Estimate.hidden(statistic)
        for i in range(len(labels))
    )
    h, p = kruskal_wallis(v[in_group], g[in_group])
    if np.isnan(h):
        return EquityResult(statistic, grouping, labels, estimates, None, None, IDENTICAL)
    note = NO_DETECTABLE if p >= 0.05 else None
    return EquityResult(statistic, grouping, labels, estimates, h, p, note)
