r"""Confidence intervals: bootstrap BCa for means, t-intervals, Wilson for proportions.

The rule (DESIGN.md "Scoring", MEASUREMENT.md 4.5): a mean from 20 answers or more gets
a bias-corrected and accelerated (BCa) bootstrap interval; below 20 a t-interval, since
percentile-type bootstrap intervals under-cover in small samples (Hesterberg 2015); when
every answer is the same (up to summation order: :func:`~.ranktests.all_tied`) the
interval is the point itself, with the note "all answers identical" (scipy's BCa would
return NaN there). Intervals are clipped to the 0-100 scale of the scores.

The bootstrap is vectorised: for one group of responses (an employer), resample
*responses* once, as a matrix of resample counts :math:`W` (``n_resamples`` x *n*),
and get every statistic of every resample from one matrix product. With missing answers
(NaN) a statistic's value in a resample is the mean of the answers present among the
resampled responses, a ratio :math:`\theta^* = \sum_i W_i x_i m_i / \sum_i W_i m_i`
(:math:`m_i = 1` when response *i* answered). With no missing answer this is exactly the
bootstrap of the mean that ``scipy.stats.bootstrap`` performs, and given the same
generator it draws the same resamples (``rng.integers(0, n, (B, n))``, drawn in batches
of rows that fit the CPU cache). The denominators are whole numbers: when few responses
miss an answer they come from the small product :math:`n - \sum_{i: m_i = 0} W_i`
instead, with the same result.

BCa (Efron & Tibshirani 1993, ch. 14.3 and eq. 14.15; scipy's ``_bca_interval``):

.. math::
    \hat z_0 = \Phi^{-1}\!\left(\frac{\#\{\theta^*_b < \hat\theta\}
               + \#\{\theta^*_b \le \hat\theta\}}{2B}\right), \qquad
    \hat a = \frac{\sum_i U_i^3}{6 \left(\sum_i U_i^2\right)^{3/2}},

with :math:`U_i = (n-1)(\bar\theta_{(\cdot)} - \hat\theta_{(i)})` from the jackknife
values :math:`\hat\theta_{(i)}`. For a ratio of sums the jackknife has a closed form,
:math:`\hat\theta_{(i)} = (S - x_i m_i) / (M - m_i)`, so it costs O(n) instead of the
O(n^2) of recomputing the statistic n times. The interval is the empirical
:math:`\alpha_1` and :math:`\alpha_2` quantiles (linear interpolation) of
:math:`\theta^*` with
:math:`\alpha_{1,2} = \Phi\big(\hat z_0 + (\hat z_0 + z_{\alpha})/(1 - \hat a(\hat z_0 +
z_{\alpha}))\big)`.

References
----------
Efron, B. & Tibshirani, R. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Hesterberg, T. (2015). What teachers should know about the bootstrap. *The American
Statistician* 69(4), 371-386.
Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion.
*Statistics in Medicine* 17, 857-872.
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
inference. *JASA* 22, 209-212.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr, ndtri
from scipy.stats import t as student_t

from ._arrays import as_values, check_confidence
from .ranktests import all_tied

__all__ = [
    "BOOTSTRAP_FROM",
    "Interval",
    "bca_intervals",
    "data_rng",
    "mean_interval",
    "ratio_t_interval",
    "t_interval",
    "wilson_interval",
]

#: Smallest n for a bootstrap interval; below it a t-interval (MEASUREMENT.md 4.5).
BOOTSTRAP_FROM = 20
#: Resample-count matrix cells per batch: about 1 MB per array, so that the counts stay
#: in the CPU cache between drawing, counting and the matrix product.
_BATCH_CELLS = 1 << 17
IDENTICAL = "all answers identical"
#: Relative tolerance under which a resample's statistic ties with the estimate.
_TIE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Interval:
    """A point estimate with its interval and how it was obtained.

    ``method`` is "bca", "t", "t-cluster", "wilson" or "identical" (all answers equal:
    the interval is the point). Values are plain floats, never NaN.
    """

    estimate: float
    low: float
    high: float
    method: str
    note: str | None = None


def _clip(value: float, low: float, high: float) -> float:
    return float(min(max(value, low), high))


def t_interval(
    values: ArrayLike, confidence: float = 0.95, *, bounds: tuple[float, float] = (0.0, 100.0)
) -> Interval:
    r"""Student t-interval for a mean: :math:`\bar x \pm t_{1-\alpha/2,\,n-1}\, s/\sqrt n`.

    NaN values are missing and left out. Needs at least 2 answers. The interval is
    clipped to ``bounds`` (scores live on 0-100, so a t-interval reaching past them is
    trimmed: the mean cannot lie outside).
    """
    confidence = check_confidence(confidence)
    x = as_values(values, "values")
    x = x[~np.isnan(x)]
    n = x.size
    if n < 2:
        raise ValueError(f"a t-interval needs at least 2 answers, got {n}")
    mean = float(x.mean())
    if all_tied(x):
        return Interval(mean, mean, mean, "identical", IDENTICAL)
    half = float(student_t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return Interval(mean, _clip(mean - half, *bounds), _clip(mean + half, *bounds), "t")


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    r"""Wilson score interval for a proportion (no continuity correction).

    .. math::
        \frac{\hat p + \frac{z^2}{2n} \pm z\sqrt{\frac{\hat p(1-\hat p)}{n}
        + \frac{z^2}{4n^2}}}{1 + z^2/n}

    Same as ``scipy.stats.binomtest(successes, n).proportion_ci(method="wilson")``;
    recommended by Newcombe (1998).
    """
    confidence = check_confidence(confidence)
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n >= 1, got {successes} of {n}")
    low, high = wilson_bounds(np.array([successes]), np.array([n]), confidence)
    return Interval(successes / n, float(low[0]), float(high[0]), "wilson")


def wilson_bounds(
    successes: NDArray[Any], n: NDArray[Any], confidence: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Vectorised Wilson bounds for arrays of counts (n > 0 everywhere)."""
    z = float(ndtri(0.5 + confidence / 2))
    n = np.asarray(n, dtype=np.float64)
    p = np.asarray(successes, dtype=np.float64) / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def data_rng(seed: int, data: NDArray[Any]) -> np.random.Generator:
    """A generator seeded by ``seed`` and the bytes of ``data``.

    The same data always gets the same resamples, wherever it sits in a wave: adding an
    employer or reordering employers leaves every other employer's interval unchanged.
    """
    normalised = np.ascontiguousarray(np.nan_to_num(np.asarray(data, dtype=np.float64), nan=-1.0))
    digest = hashlib.blake2b(normalised.tobytes(), digest_size=16)
    digest.update(np.asarray(normalised.shape, dtype=np.int64).tobytes())
    words = np.frombuffer(digest.digest(), dtype=np.uint32)
    # SFC64: statistically sound; in the bootstrap it measured as fast as the default
    # PCG64 (within 5 %), and changing it would change every interval's resamples.
    seeds = np.random.SeedSequence([int(seed), *map(int, words)])
    return np.random.Generator(np.random.SFC64(seeds))


def bca_intervals(
    numerators: ArrayLike,
    denominators: ArrayLike,
    *,
    rng: np.random.Generator,
    n_resamples: int = 9999,
    confidence: float = 0.95,
    batch_cells: int = _BATCH_CELLS,
    estimate: ArrayLike | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    r"""BCa bootstrap intervals of several ratio-of-sums statistics sharing resamples.

    Parameters
    ----------
    numerators, denominators : array_like, shape (n, s)
        Row *i* is one resampling unit (a response, or an employer for a cluster
        bootstrap); column *j* a statistic
        :math:`\theta_j = \sum_i x_{ij} / \sum_i m_{ij}`. For a mean of scores with
        missing answers, :math:`x = ` the score (0 where missing) and :math:`m = ` 1
        where answered, 0 where missing.
    rng : numpy.random.Generator
        Source of the resample indices, drawn exactly as ``scipy.stats.bootstrap``
        draws them (``rng.integers(0, n, (n_resamples, n))``, in batches).
    n_resamples : int
        Bootstrap resamples *B* (scipy's default 9,999).
    confidence : float
        Two-sided confidence level.
    batch_cells : int
        Resample-count cells generated at once (memory cap; results do not depend on
        it, since the generator draws the same stream in batches).
    estimate : array_like, shape (s,), optional
        The point estimates, if the caller computed them already (so that the
        comparison :math:`\theta^*_b < \hat\theta` uses the very number it reports);
        default :math:`\sum x / \sum m`.

    Returns
    -------
    estimate, low, high : ndarray, shape (s,)
        NaN for a statistic whose answers are all identical (degenerate: BCa is
        undefined); callers use :func:`mean_interval`, which handles that case.

    Notes
    -----
    :math:`\hat z_0` counts resamples equal to the estimate within a relative 1e-12 as
    ties (scipy compares the rounded numbers exactly; on scores whose sums are exact in
    binary, such as 0/25/50/75/100 items, both agree to the last digit).
    Resamples in which a statistic has no answer at all (possible only with missing
    data) are left out of that statistic's bootstrap distribution.
    """
    confidence = check_confidence(confidence)
    num = np.asarray(numerators, dtype=np.float64)
    den = np.asarray(denominators, dtype=np.float64)
    if num.ndim == 1:
        num, den = num[:, None], den[:, None]
    if num.shape != den.shape or num.ndim != 2:
        raise ValueError("numerators and denominators must be 2-D arrays of the same shape")
    if n_resamples < 1:
        raise ValueError("n_resamples must be at least 1")
    n, s = num.shape
    if n < 2:
        raise ValueError("a bootstrap needs at least 2 resampling units")
    total_num, total_den = num.sum(axis=0), den.sum(axis=0)
    if estimate is None:
        with np.errstate(invalid="ignore", divide="ignore"):
            estimate = total_num / total_den
    else:
        estimate = np.asarray(estimate, dtype=np.float64).reshape(s)
    # Denominators: a statistic answered by every unit has the constant denominator
    # (its column sum is the resample size), so only the others need a matrix-product
    # column, and identical ones share it.
    constant = np.all(den == den[:1], axis=0)
    varying = [j for j in range(s) if not constant[j]]
    unique_den: list[NDArray[np.float64]] = []
    den_index = []
    for j in varying:  # a loop over statistics (a handful of columns)
        same = [u for u, column in enumerate(unique_den) if np.array_equal(column, den[:, j])]
        if not same:
            unique_den.append(den[:, j])
        den_index.append(same[0] if same else len(unique_den) - 1)
    columns = num
    dens = np.column_stack(unique_den) if varying else np.empty((n, 0))
    # Answered/missing indicators with few missing rows (the usual case): a resample's
    # denominator is n minus the resampled count of its missing rows, a much smaller
    # product. Both are whole numbers, so the two ways give identical results.
    missing_rows = np.flatnonzero((dens == 0).any(axis=1))
    sparse = bool(np.all((dens == 0) | (dens == 1))) and 4 * missing_rows.size <= n
    if sparse:
        complement = 1.0 - dens[missing_rows]
    elif varying:
        columns = np.hstack([num, dens])
    constant_sum = den[0] * n  # per resample, when the denominator is constant
    batch = max(1, min(batch_cells // n, n_resamples))
    offsets = (np.arange(batch, dtype=np.intp) * n)[:, None]
    thetas = np.empty((n_resamples, s))
    for first in range(0, n_resamples, batch):
        size = min(batch, n_resamples - first)
        # scipy's own call, rng.integers(0, n, (n_resamples, n)), one batch of rows at
        # a time: the generator fills row after row, so the stream is the same.
        index = rng.integers(0, n, (size, n))
        index += offsets[:size]  # row r counts into cells r*n .. r*n + n-1
        counts = np.bincount(index.ravel(), minlength=size * n).reshape(size, n)
        weights = counts.astype(np.float64)
        # np.dot, not @: it lets other threads run during the product (release()
        # bootstraps several employers at once).
        sums = np.dot(weights, columns)
        denominators = np.broadcast_to(constant_sum, (size, s)).copy()
        if varying:
            if sparse:
                varying_sums = n - np.dot(weights[:, missing_rows], complement)
            else:
                varying_sums = sums[:, s:]
            denominators[:, varying] = varying_sums[:, den_index]
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(sums[:, :s], denominators, out=thetas[first : first + size])
    # Jackknife in closed form: leave unit i out of both sums.
    with np.errstate(invalid="ignore", divide="ignore"):
        jack = (total_num - num) / (total_den - den)
    jack_mean = np.nanmean(jack, axis=0) if n else estimate
    u = (n - 1) * (jack_mean - jack)
    u = np.where(np.isnan(u), 0.0, u)
    with np.errstate(invalid="ignore", divide="ignore"):
        accel = (u**3).sum(axis=0) / (6 * (u**2).sum(axis=0) ** 1.5)
    valid = ~np.isnan(thetas)
    b = valid.sum(axis=0)
    # A resample whose statistic equals the estimate in exact arithmetic is a tie, even
    # when the two were rounded differently (scores such as 175/3 are not exact in
    # binary): compare with a tolerance far below any real difference.
    tie = _TIE_TOLERANCE * np.maximum(1.0, np.abs(estimate))
    below = ((thetas < estimate - tie) & valid).sum(axis=0)
    at_or_below = ((thetas <= estimate + tie) & valid).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z0 = ndtri((below + at_or_below) / (2.0 * b))
    z_alpha = float(ndtri((1 - confidence) / 2))
    low_num, high_num = z0 + z_alpha, z0 - z_alpha
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha1 = ndtr(z0 + low_num / (1 - accel * low_num))
        alpha2 = ndtr(z0 + high_num / (1 - accel * high_num))
    low = np.full(s, np.nan)
    high = np.full(s, np.nan)
    for j in range(s):  # a loop over statistics: quantiles differ per column
        if b[j] == 0 or np.isnan(alpha1[j]) or np.isnan(alpha2[j]):
            continue
        column = thetas[valid[:, j], j]
        low[j], high[j] = np.quantile(column, [alpha1[j], alpha2[j]])
    return estimate, low, high


def mean_interval(
    values: ArrayLike,
    *,
    rng: np.random.Generator | None = None,
    n_resamples: int = 9999,
    confidence: float = 0.95,
) -> Interval:
    """The interval DESIGN.md asks for, for the mean of one group's scores.

    BCa bootstrap from :data:`BOOTSTRAP_FROM` (20) answers up, t-interval from 2 to 19,
    the point itself when every answer is the same. NaN values are missing.
    ``rng`` defaults to :func:`data_rng` of seed 0 and the values, so the same answers
    always give the same interval.
    """
    x = as_values(values, "values")
    x = x[~np.isnan(x)]
    n = x.size
    if n < 2:
        raise ValueError(f"an interval needs at least 2 answers, got {n}")
    if all_tied(x):
        return Interval(float(x[0]), float(x[0]), float(x[0]), "identical", IDENTICAL)
    if n < BOOTSTRAP_FROM:
        return t_interval(x, confidence)
    generator = data_rng(0, x) if rng is None else rng
    estimate, low, high = bca_intervals(
        x, np.ones_like(x), rng=generator, n_resamples=n_resamples, confidence=confidence
    )
    return Interval(float(estimate[0]), _clip(low[0], 0, 100), _clip(high[0], 0, 100), "bca")


def ratio_t_interval(sums: ArrayLike, counts: ArrayLike, confidence: float = 0.95) -> Interval:
    r"""Interval for a pooled mean over clusters (employers): a ratio estimator.

    With cluster totals :math:`S_e` and sizes :math:`M_e` (*E* clusters), the pooled mean
    :math:`r = \sum S_e / \sum M_e` has the linearised (cluster-robust) standard error

    .. math:: \widehat{se}(r) = \frac{1}{\bar M}
              \sqrt{\frac{\sum_e (S_e - r M_e)^2}{E (E - 1)}},

    and the interval is :math:`r \pm t_{1-\alpha/2,\,E-1}\,\widehat{se}` (Cochran 1977,
    *Sampling Techniques*, 3rd ed., section 6.4). Responses of one employer are not
    independent, so treating a sector's responses as one simple random sample would
    give too narrow an interval; the employer is the sampling unit here.
    """
    confidence = check_confidence(confidence)
    s = np.asarray(sums, dtype=np.float64)
    m = np.asarray(counts, dtype=np.float64)
    keep = m > 0
    s, m = s[keep], m[keep]
    e = s.size
    if e < 2:
        raise ValueError("a cluster interval needs at least 2 clusters with answers")
    # Exactly rounded sums (math.fsum): the result does not depend on employer order.
    r = math.fsum(s) / math.fsum(m)
    residual = s - r * m
    se = math.sqrt(math.fsum(residual**2) / (e * (e - 1))) / (math.fsum(m) / e)
    if se == 0:
        return Interval(r, r, r, "identical", IDENTICAL)
    half = float(student_t.ppf(0.5 + confidence / 2, e - 1)) * se
    return Interval(r, _clip(r - half, 0, 100), _clip(r + half, 0, 100), "t-cluster")
