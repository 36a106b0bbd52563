r"""Rank tests, written to give scipy's numbers, vectorised where many tests run at once.

* :func:`wilcoxon_pratt` / :func:`wilcoxon_pratt_grouped`: one-sample Wilcoxon
  signed-rank test with Pratt's treatment of zeros, two-sided, as
  ``scipy.stats.wilcoxon(d, zero_method="pratt")`` (scipy >= 1.13 "auto" method:
  exact null distribution for n <= 50 without ties or zeros; the complete sign-flip
  distribution for n <= 13 otherwise; else the normal approximation with Cureton's
  (1967) zero and tie corrections, no continuity correction).
* :func:`mann_whitney`: two-sided Mann-Whitney U with Cliff's delta, as
  ``scipy.stats.mannwhitneyu(x, y)`` (exact when one sample has 8 or fewer values and
  there are no ties; else normal with tie and continuity corrections).
* :func:`kruskal_wallis`: Kruskal-Wallis H with the tie correction, chi-square p-value,
  as ``scipy.stats.kruskal``.
* :func:`benjamini_hochberg`: adjusted p-values, as
  ``scipy.stats.false_discovery_control(p, method="bh")``.

Pratt's method ranks the zero differences with the others and then leaves their ranks
out of the statistic, which keeps ties with the claim in the ranking (Wilcoxon's
original method drops them and shrinks n). With at most 5 non-zero differences no
two-sided p-value can reach 0.05, so callers report "too few to test" below
:data:`MIN_NONZERO` non-zero differences instead of "no gap" (MEASUREMENT.md 4.8).

Ties: every rank-based statistic here (and the percentile rank in :mod:`~.peers`)
ranks :func:`tie_rounded` values, scores rounded to :data:`TIE_DECIMALS` decimals, so
that one score reached by two summation orders (625/12 as 52.08333333333333 or as
52.083333333333336) is a tie, and a difference of such a score from an equal claim is
a zero, exactly as scipy treats the exactly-equal values.

References
----------
Pratt, J. W. (1959). Remarks on zeros and ties in the Wilcoxon signed rank procedures.
*JASA* 54, 655-667. Cureton, E. E. (1967). The normal approximation to the signed-rank
sampling distribution when zero differences are present. *JASA* 62, 1068-1069.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57,
289-300. Cliff, N. (1993). Dominance statistics. *Psychological Bulletin* 114, 494-509.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr
from scipy.stats import chi2

from ._arrays import as_values

__all__ = [
    "MIN_NONZERO",
    "TIE_DECIMALS",
    "MannWhitney",
    "all_tied",
    "benjamini_hochberg",
    "group_order",
    "kruskal_wallis",
    "mann_whitney",
    "tie_rounded",
    "wilcoxon_pratt",
    "wilcoxon_pratt_grouped",
]

#: Fewest non-zero differences for which a two-sided p < 0.05 is possible (2 / 2**6).
MIN_NONZERO = 6

#: Decimals kept before ranking or comparing scores. One score summed in two orders
#: differs only in its last binary digits (about 1e-14 at 50), while on the 0-100 scale
#: 1e-9 points is far below any meaningful difference: two distinct equal-weight JQIs
#: built from 25-point item steps (means of up to 6 items, then of 6 to 8 dimensions)
#: differ by at least 25 / (8 * 7 * 60), about 0.007, and a brief shows one decimal.
#: Rounding to 9 decimals merges the first kind of difference and no real one.
TIE_DECIMALS = 9


def tie_rounded(values: ArrayLike) -> NDArray[np.float64]:
    """Scores rounded to :data:`TIE_DECIMALS` decimals, so that equal scores tie.

    The one place rank-based statistics get their values from: ranks, ties, zero
    differences and signs are all decided on these. NaN stays NaN; a difference that
    rounds to zero becomes a zero (possibly -0.0, which compares equal to 0).
    """
    return np.asarray(values, dtype=np.float64).round(TIE_DECIMALS)


def all_tied(values: ArrayLike) -> bool:
    """Whether every value equals the first once :func:`tie_rounded` (True if empty).

    "All answers identical" must not depend on the order a score was summed in.
    """
    rounded = tie_rounded(values).ravel()
    return bool(np.all(rounded == rounded[:1]))


def group_order(values: NDArray[np.float64], groups: NDArray[np.intp]) -> NDArray[np.intp]:
    """The permutation that sorts by group, then by value, ties kept in input order.

    The same permutation as ``np.lexsort((values, groups))``, in two stable sorts
    (by value, then by group), which is about twice as fast on a million values:
    group indices below 2**15 are sorted as int16, by numpy's radix sort.
    """
    order = np.argsort(values, kind="stable")
    g = groups[order]
    if g.size and g.min() >= 0 and g.max() < 1 << 15:
        g = g.astype(np.int16)
    return order[np.argsort(g, kind="stable")]


def _grouped_ranks(
    values: NDArray[np.float64], groups: NDArray[np.intp]
) -> tuple[NDArray[np.float64], NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Average ranks (1-based) of ``values`` within each group, ties sharing their mean.

    Returns ranks in input order, and for every tie run: its group, its size and its
    value. No loop over values: a lexicographic sort and run-length arithmetic.
    """
    order = group_order(values, groups)
    v, g = values[order], groups[order]
    n = v.size
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = g[1:] != g[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    position = np.arange(n) - group_start + 1  # rank if there were no ties
    new_run = new_group.copy()
    new_run[1:] |= v[1:] != v[:-1]
    run_start = np.flatnonzero(new_run)
    run_size = np.diff(np.append(run_start, n))
    run_first = position[run_start]
    run_rank = run_first + (run_size - 1) / 2.0
    ranks_sorted = np.repeat(run_rank, run_size)
    ranks = np.empty(n)
    ranks[order] = ranks_sorted
    return ranks, g[run_start], run_size, v[run_start]


def _signed_rank_null(ranks: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[Any]]:
    """Exact null distribution of the sum of positive ranks under random signs.

    Ranks are multiples of 1/2, so the distribution lives on a grid of 1/2; a
    subset-sum count gives the number of sign patterns for each value.
    """
    doubled = np.rint(2 * ranks).astype(np.int64)
    counts = np.zeros(int(doubled.sum()) + 1)
    counts[0] = 1.0
    for r in doubled:  # a loop over at most 50 ranks of one small test
        shifted = np.zeros_like(counts)
        shifted[r:] = counts[: counts.size - r]
        counts = counts + shifted
    return np.arange(counts.size) / 2.0, counts / counts.sum()


def _exact_signed_rank_p(ranks_nonzero: NDArray[np.float64], r_plus: float) -> float:
    support, pmf = _signed_rank_null(ranks_nonzero)
    eps = 1e-9
    p_less = pmf[support <= r_plus + eps].sum()
    p_greater = pmf[support >= r_plus - eps].sum()
    return float(min(1.0, 2.0 * min(p_less, p_greater)))


def wilcoxon_pratt_grouped(
    differences: ArrayLike, groups: ArrayLike, n_groups: int
) -> tuple[NDArray[np.float64], NDArray[np.intp], NDArray[np.intp]]:
    """Two-sided Pratt signed-rank p-value of each group's differences, all at once.

    Parameters
    ----------
    differences : array_like, shape (n,)
        Differences (no NaN); ``groups`` says which test each belongs to.
    groups : array_like of int, shape (n,)
        Test index 0..n_groups-1 of each difference.

    Returns
    -------
    p : ndarray, shape (n_groups,)
        NaN for groups with no non-zero difference.
    n : ndarray of int
        Differences per group.
    n_nonzero : ndarray of int
        Non-zero differences per group.
    """
    d = as_values(differences, "differences")
    g = np.asarray(groups, dtype=np.intp)
    if g.shape != d.shape:
        raise ValueError("differences and groups must have the same shape")
    if np.isnan(d).any():
        raise ValueError("differences must not contain NaN")
    d = tie_rounded(d)
    p = np.full(n_groups, np.nan)
    n = np.bincount(g, minlength=n_groups)
    if d.size == 0:
        return p, n, np.zeros(n_groups, dtype=np.intp)
    absolute = np.abs(d)
    ranks, run_group, run_size, run_value = _grouped_ranks(absolute, g)
    zero = d == 0
    n_zero = np.bincount(g, weights=zero, minlength=n_groups)
    n_nonzero = (n - n_zero).astype(np.intp)
    r_plus = np.bincount(g, weights=np.where(d > 0, ranks, 0.0), minlength=n_groups)
    count = n.astype(np.float64)
    mean = count * (count + 1) / 4 - n_zero * (n_zero + 1) / 4
    var = count * (count + 1) * (2 * count + 1) - n_zero * (n_zero + 1) * (2 * n_zero + 1)
    ties = np.where(run_value != 0, run_size.astype(np.float64) ** 3 - run_size, 0.0)
    var -= np.bincount(run_group, weights=ties, minlength=n_groups) / 2
    has_ties = np.bincount(run_group, weights=run_size > 1, minlength=n_groups) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (r_plus - mean) / np.sqrt(var / 24)
        p = np.where(n_nonzero > 0, 2 * ndtr(-np.abs(z)), np.nan)
    p = np.minimum(p, 1.0)
    small = np.flatnonzero((n_nonzero > 0) & (((n <= 50) & ~has_ties & (n_zero == 0)) | (n <= 13)))
    if small.size:
        order = np.argsort(g, kind="stable")
        starts = np.searchsorted(g[order], np.arange(n_groups + 1))
        for test in small:  # few small tests; each needs its own exact distribution
            rows = order[starts[test] : starts[test + 1]]
            keep = ~zero[rows]
            p[test] = _exact_signed_rank_p(ranks[rows][keep], float(r_plus[test]))
    return p, n, n_nonzero


def wilcoxon_pratt(differences: ArrayLike) -> float:
    """Two-sided Pratt signed-rank p-value of one sample of differences (NaN dropped).

    Returns NaN when every difference is zero.
    """
    d = as_values(differences, "differences")
    d = d[~np.isnan(d)]
    p, _, _ = wilcoxon_pratt_grouped(d, np.zeros(d.size, dtype=np.intp), 1)
    return float(p[0])


@dataclass(frozen=True)
class MannWhitney:
    """Two-sided Mann-Whitney U test of ``x`` against ``y``.

    ``u`` is the statistic of ``x``; Cliff's delta
    :math:`\\delta = 2U_x/(n_x n_y) - 1 = P(X > Y) - P(X < Y)`.
    """

    u: float
    p_value: float
    cliffs_delta: float


def _mwu_null_sf(u: float, n1: int, n2: int) -> float:
    """P(U >= u) under the null, by counting rank subsets (no ties)."""
    n = n1 + n2
    small = min(n1, n2)
    max_sum = sum(range(n - small + 1, n + 1))
    # ways[j, s]: subsets of size j of the ranks seen so far with rank sum s
    ways = np.zeros((small + 1, max_sum + 1))
    ways[0, 0] = 1.0
    for rank in range(1, n + 1):  # a loop over at most n <= 8 + n2 ranks
        ways[1:, rank:] = ways[1:, rank:] + ways[:-1, : max_sum + 1 - rank]
    sums = np.arange(max_sum + 1)
    u_values = sums - small * (small + 1) / 2
    pmf = ways[small] / ways[small].sum()
    return float(pmf[u_values >= u - 1e-9].sum())


def mann_whitney(x: ArrayLike, y: ArrayLike) -> MannWhitney:
    r"""Mann-Whitney U test (two-sided) with Cliff's delta; NaN values are dropped.

    .. math:: U_x = R_x - \frac{n_x(n_x+1)}{2}, \quad
              z = \frac{\max(U_x, U_y) - n_x n_y / 2 - 1/2}
                       {\sqrt{\frac{n_x n_y}{12}\left(n + 1 - \frac{\sum (t^3 - t)}
                       {n(n-1)}\right)}}, \quad p = 2\,(1 - \Phi(z)).
    """
    a = as_values(x, "x")
    b = as_values(y, "y")
    a, b = tie_rounded(a[~np.isnan(a)]), tie_rounded(b[~np.isnan(b)])
    n1, n2 = a.size, b.size
    if n1 == 0 or n2 == 0:
        raise ValueError("both samples need at least one value")
    both = np.concatenate([a, b])
    ranks, _, run_size, _ = _grouped_ranks(both, np.zeros(both.size, dtype=np.intp))
    u1 = float(ranks[:n1].sum() - n1 * (n1 + 1) / 2)
    u2 = n1 * n2 - u1
    u = max(u1, u2)
    ties = bool(np.any(run_size > 1))
    if (n1 <= 8 or n2 <= 8) and not ties:
        p = 2 * _mwu_null_sf(u, n1, n2)
    else:
        n = n1 + n2
        tie_term = float((run_size.astype(np.float64) ** 3 - run_size).sum())
        s = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
        p = 2 * float(ndtr(-(u - n1 * n2 / 2 - 0.5) / s)) if s > 0 else 1.0
    return MannWhitney(u1, float(min(p, 1.0)), 2 * u1 / (n1 * n2) - 1)


def kruskal_wallis(values: ArrayLike, groups: ArrayLike) -> tuple[float, float]:
    r"""Kruskal-Wallis H test across groups; returns (H, p).

    .. math:: H = \frac{\frac{12}{N(N+1)} \sum_g \frac{R_g^2}{n_g} - 3(N+1)}
                       {1 - \frac{\sum (t^3 - t)}{N^3 - N}}, \qquad
              p = P(\chi^2_{G-1} \ge H).

    ``groups`` holds a group index per value; NaN values are dropped. Needs 2 or more
    non-empty groups; when every value is equal H is undefined and (NaN, NaN) is
    returned.
    """
    v = as_values(values, "values")
    g = np.asarray(groups)
    if g.shape != v.shape:
        raise ValueError("values and groups must have the same shape")
    keep = ~np.isnan(v)
    v, g = tie_rounded(v[keep]), g[keep]
    labels, index = np.unique(g, return_inverse=True)
    if labels.size < 2:
        raise ValueError("Kruskal-Wallis needs at least two groups with values")
    ranks, _, run_size, _ = _grouped_ranks(v, np.zeros(v.size, dtype=np.intp))
    n = float(v.size)
    sizes = np.bincount(index)
    rank_sums = np.bincount(index, weights=ranks)
    h = 12.0 / (n * (n + 1)) * float((rank_sums**2 / sizes).sum()) - 3 * (n + 1)
    correction = 1 - float((run_size.astype(np.float64) ** 3 - run_size).sum()) / (n**3 - n)
    if correction <= 0:
        return float("nan"), float("nan")
    h /= correction
    return float(h), float(chi2.sf(h, labels.size - 1))


def benjamini_hochberg(p_values: ArrayLike) -> NDArray[np.float64]:
    r"""Benjamini-Hochberg adjusted p-values (NaN entries are not tests and stay NaN).

    .. math:: \tilde p_{(i)} = \min_{j \ge i} \min\!\left(1, \frac{m}{j} p_{(j)}\right)

    over the *m* non-NaN p-values sorted ascending.
    """
    p = as_values(p_values, "p_values")
    out = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    values = p[tested]
    if values.size == 0:
        return out
    if np.any((values < 0) | (values > 1)):
        raise ValueError("p-values must lie between 0 and 1")
    m = values.size
    order = np.argsort(values)
    scaled = values[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    result = np.empty(m)
    result[order] = np.minimum(adjusted, 1.0)
    out[tested] = result
    return out
