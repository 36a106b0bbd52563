"""Intervals against scipy called directly on the same data, and against hand values."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as st_h

from surveyapp.scoring import (
    bca_intervals,
    data_rng,
    mean_interval,
    ratio_t_interval,
    t_interval,
    wilson_interval,
)

SCORES = np.array([0.0, 25.0, 50.0, 75.0, 100.0])


def likert(n, seed):
    rng = np.random.default_rng(seed)
    return rng.choice(SCORES, size=n, p=[0.1, 0.2, 0.3, 0.25, 0.15])


@pytest.mark.parametrize(("n", "seed"), [(20, 1), (57, 2), (300, 3)])
def test_bca_equals_scipy_with_the_same_generator(n, seed):
    """Same generator, same resamples: scipy.stats.bootstrap(method='BCa') to 1e-12."""
    x = likert(n, seed)
    ref = st.bootstrap(
        (x,), np.mean, method="BCa", n_resamples=2999, rng=np.random.default_rng(seed + 100)
    )
    _, low, high = bca_intervals(
        x, np.ones_like(x), n_resamples=2999, rng=np.random.default_rng(seed + 100)
    )
    assert low[0] == pytest.approx(ref.confidence_interval.low, rel=1e-12)
    assert high[0] == pytest.approx(ref.confidence_interval.high, rel=1e-12)


def test_bca_with_missing_answers_equals_scipy_paired_ratio():
    """With missing answers the statistic is a ratio of sums over resampled responses:
    scipy's paired bootstrap of that ratio (its own O(n^2) jackknife) gives the same."""
    rng = np.random.default_rng(7)
    answered = (rng.random(45) > 0.3).astype(float)
    x = np.where(answered > 0, likert(45, 8), 0.0)

    def ratio(a, b, axis=-1):
        return a.sum(axis=axis) / b.sum(axis=axis)

    ref = st.bootstrap(
        (x, answered),
        ratio,
        paired=True,
        vectorized=True,
        method="BCa",
        n_resamples=1999,
        rng=np.random.default_rng(9),
    )
    _, low, high = bca_intervals(x, answered, n_resamples=1999, rng=np.random.default_rng(9))
    assert low[0] == pytest.approx(ref.confidence_interval.low, rel=1e-12)
    assert high[0] == pytest.approx(ref.confidence_interval.high, rel=1e-12)


def test_batches_do_not_change_the_interval():
    x = likert(60, 4)
    whole = bca_intervals(x, np.ones_like(x), n_resamples=999, rng=np.random.default_rng(1))
    batched = bca_intervals(
        x, np.ones_like(x), n_resamples=999, rng=np.random.default_rng(1), batch_cells=60 * 37
    )
    np.testing.assert_array_equal(whole, batched)


def test_several_statistics_share_resamples():
    """Each column of a multi-statistic call equals a one-column call with that rng."""
    rng = np.random.default_rng(5)
    a, b = likert(40, 10), rng.normal(50, 10, 40)
    both = bca_intervals(
        np.column_stack([a, b]), np.ones((40, 2)), n_resamples=999, rng=np.random.default_rng(3)
    )
    alone = bca_intervals(b, np.ones(40), n_resamples=999, rng=np.random.default_rng(3))
    assert both[1][1] == pytest.approx(alone[1][0], rel=1e-12)
    assert both[2][1] == pytest.approx(alone[2][0], rel=1e-12)


def test_bca_agrees_with_scipy_within_monte_carlo_error():
    """Different seeds, 9,999 resamples: the endpoints differ only by Monte-Carlo noise.

    The noise is measured, not assumed: scipy itself is run with 6 seeds, and our
    endpoint must lie within 4 standard deviations (times sqrt(1 + 1/6)) of scipy's mean.
    """
    x = likert(40, 21)
    lows, highs = [], []
    for seed in range(6):
        ci = st.bootstrap((x,), np.mean, method="BCa", rng=np.random.default_rng(seed))
        lows.append(ci.confidence_interval.low)
        highs.append(ci.confidence_interval.high)
    mine = mean_interval(x, rng=np.random.default_rng(12345))
    assert mine.method == "bca"
    factor = 4 * np.sqrt(1 + 1 / 6)
    # a floor of 0.05 points guards against a run where scipy's 6 values nearly agree
    assert abs(mine.low - np.mean(lows)) <= factor * max(np.std(lows, ddof=1), 0.05)
    assert abs(mine.high - np.mean(highs)) <= factor * max(np.std(highs, ddof=1), 0.05)


def test_identical_answers_give_the_point_not_nan():
    """scipy's BCa returns NaN (DegenerateDataWarning) here; we return the point."""
    x = np.full(30, 75.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = st.bootstrap((x,), np.mean, method="BCa", rng=np.random.default_rng(0))
    assert np.isnan(ref.confidence_interval.low)
    got = mean_interval(x)
    assert (got.estimate, got.low, got.high, got.method) == (75.0, 75.0, 75.0, "identical")
    assert got.note == "all answers identical"
    small = mean_interval(np.full(4, 50.0))
    assert small.method == "identical"
    assert small.low == 50.0


def test_t_interval_below_twenty_matches_scipy():
    """n < 20: t-interval, as scipy.stats.ttest_1samp(...).confidence_interval()."""
    x = np.array([50, 75, 25, 100, 75, 50, 50, 75, 25, 50.0])
    got = mean_interval(x)
    ref = st.ttest_1samp(x, 0).confidence_interval(0.95)
    assert got.method == "t"
    assert got.low == pytest.approx(ref.low, rel=1e-12)
    assert got.high == pytest.approx(ref.high, rel=1e-12)


def test_t_interval_hand_computed():
    """x = 40, 50, 60: mean 50, s = 10, t(0.975, 2) = 4.302652729749464 (tables: 4.303).

    Half-width 4.302652729749464 * 10 / sqrt(3) = 24.84138...
    """
    got = t_interval([40, 50, 60])
    assert got.low == pytest.approx(50 - 4.302652729749464 * 10 / np.sqrt(3), rel=1e-12)
    assert got.high == pytest.approx(50 + 24.841377, rel=1e-7)


def test_t_interval_is_clipped_to_the_scale():
    got = t_interval([0, 0, 100])
    assert got.low == 0.0
    assert got.high == 100.0


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (7, 20), (50, 50), (1, 1), (180, 400)])
def test_wilson_matches_scipy_binomtest(k, n):
    ref = st.binomtest(k, n).proportion_ci(method="wilson")
    got = wilson_interval(k, n)
    assert got.low == pytest.approx(ref.low, rel=1e-12, abs=1e-15)
    assert got.high == pytest.approx(ref.high, rel=1e-12, abs=1e-15)


def test_wilson_hand_computed():
    """Newcombe (1998) Table I, case 81/263: Wilson interval 0.2553 to 0.3662 (4 d.p.)."""
    got = wilson_interval(81, 263)
    assert got.low == pytest.approx(0.2553, abs=5e-5)
    assert got.high == pytest.approx(0.3662, abs=5e-5)


def test_ratio_t_interval_hand_computed():
    """Three employers: sums 300, 500, 350 over counts 5, 10, 5 -> r = 1150/20 = 57.5.

    Residuals S - r M: 12.5, -75, 62.5; sum of squares 9687.5; se = sqrt(9687.5 / 6)
    / (20/3) = 6.027...; t(0.975, 2) = 4.302652729749464.
    """
    got = ratio_t_interval([300, 500, 350], [5, 10, 5])
    se = np.sqrt(9687.5 / 6) / (20 / 3)
    assert got.estimate == 57.5
    assert got.low == pytest.approx(57.5 - 4.302652729749464 * se, rel=1e-12)
    assert got.method == "t-cluster"


def test_data_rng_is_reproducible_and_data_dependent():
    x = likert(30, 1)
    a = data_rng(0, x).integers(0, 1000, 5)
    assert np.array_equal(a, data_rng(0, x.copy()).integers(0, 1000, 5))
    assert not np.array_equal(a, data_rng(1, x).integers(0, 1000, 5))
    assert mean_interval(x) == mean_interval(x.copy())


def test_bad_input():
    with pytest.raises(ValueError, match="at least 2"):
        mean_interval([50.0, np.nan])
    with pytest.raises(ValueError, match="confidence"):
        t_interval([1, 2], confidence=1.5)
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(5, 3)
    with pytest.raises(ValueError, match="same shape"):
        bca_intervals(np.ones((3, 2)), np.ones((3, 1)), rng=np.random.default_rng(0))


@settings(max_examples=25, deadline=None)
@given(
    values=st_h.lists(st_h.sampled_from([0, 25, 50, 75, 100]), min_size=20, max_size=60),
    shift=st_h.integers(-50, 50),
)
def test_a_constant_shift_moves_the_interval_by_that_shift(values, shift):
    """Property: BCa (same resamples) and t intervals are shift-equivariant (1e-9)."""
    x = np.array(values, dtype=float)
    if np.all(x == x[0]):
        return
    est, low, high = bca_intervals(
        x, np.ones_like(x), n_resamples=499, rng=np.random.default_rng(0)
    )
    est2, low2, high2 = bca_intervals(
        x + shift, np.ones_like(x), n_resamples=499, rng=np.random.default_rng(0)
    )
    np.testing.assert_allclose(
        [est2[0], low2[0], high2[0]], [est[0] + shift, low[0] + shift, high[0] + shift], atol=1e-9
    )
    a = t_interval(x[:10], bounds=(-np.inf, np.inf))
    b = t_interval(x[:10] + shift, bounds=(-np.inf, np.inf))
    if a.method == "t":
        assert b.low == pytest.approx(a.low + shift, abs=1e-9)
        assert b.high == pytest.approx(a.high + shift, abs=1e-9)
