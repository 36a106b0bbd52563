"""Rank tests: scipy on the same data, and small cases worked by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.stats as st

from surveyapp.scoring import (
    benjamini_hochberg,
    kruskal_wallis,
    mann_whitney,
    wilcoxon_pratt,
    wilcoxon_pratt_grouped,
)

LEVELS = np.array([-75, -50, -25, 0, 25, 50])


def cases(seed, count):
    rng = np.random.default_rng(seed)
    for i in range(count):
        n = int(rng.integers(2, 70))
        kind = i % 3
        if kind == 0:  # heavy ties and zeros, as real gaps have
            d = rng.choice(LEVELS, n).astype(float)
        elif kind == 1:  # continuous: exact test for n <= 50
            d = rng.normal(0.3, 1, n)
        else:
            d = np.round(rng.normal(0.2, 1, n), 1)
        if np.any(d != 0):
            yield d


@pytest.mark.parametrize("d", list(cases(0, 60)), ids=lambda d: f"n{d.size}")
def test_wilcoxon_pratt_matches_scipy(d):
    """scipy.stats.wilcoxon(d, zero_method='pratt'), every branch of its 'auto' method."""
    ref = st.wilcoxon(d, zero_method="pratt").pvalue
    assert wilcoxon_pratt(d) == pytest.approx(ref, rel=1e-9, abs=1e-14)


def test_wilcoxon_by_hand():
    """Six positive differences, no ties: only 1 of 2**6 sign patterns is as extreme on
    each side, so p = 2 / 64 = 0.03125 (the smallest n that can reach p < 0.05)."""
    assert wilcoxon_pratt([1, 2, 3, 4, 5, 6]) == pytest.approx(0.03125, rel=1e-12)
    # five: 2 / 32 = 0.0625, never below 0.05 -> "too few to test"
    assert wilcoxon_pratt([1, 2, 3, 4, 5]) == pytest.approx(0.0625, rel=1e-12)


def test_wilcoxon_with_zero_and_tie_by_hand():
    """d = 0, 2, 2, -3: Pratt ranks |d| with the zero: 1, 2.5, 2.5, 4. R+ = 5.

    Sign flips of the 3 non-zero values give R+ in {0, 2.5, 2.5, 4, 5, 6.5, 6.5, 9}:
    P(R+ <= 5) = 5/8, P(R+ >= 5) = 4/8, p = 2 * 4/8 = 1.
    """
    assert wilcoxon_pratt([0, 2, 2, -3]) == pytest.approx(1.0, rel=1e-12)
    # all positive, with the zero: R+ = 2.5+2.5+4 = 9, P(R+ >= 9) = 1/8 -> p = 0.25
    assert wilcoxon_pratt([0, 2, 2, 3]) == pytest.approx(0.25, rel=1e-12)


def test_grouped_equals_one_at_a_time():
    tests = list(cases(5, 40))
    d = np.concatenate(tests)
    groups = np.repeat(np.arange(len(tests)), [t.size for t in tests])
    shuffle = np.random.default_rng(0).permutation(d.size)
    p, n, nonzero = wilcoxon_pratt_grouped(d[shuffle], groups[shuffle], len(tests) + 1)
    for i, t in enumerate(tests):
        assert p[i] == pytest.approx(wilcoxon_pratt(t), rel=1e-12)
        assert n[i] == t.size
        assert nonzero[i] == np.count_nonzero(t)
    assert np.isnan(p[-1])
    assert n[-1] == 0


def mwu_cases():
    rng = np.random.default_rng(1)
    for i in range(60):
        n1, n2 = int(rng.integers(1, 15)), int(rng.integers(1, 40))
        if i % 2:
            yield rng.choice([0, 25, 50, 75, 100.0], n1), rng.choice([0, 25, 50, 75, 100.0], n2)
        else:
            yield rng.normal(0, 1, n1), rng.normal(0.5, 1, n2)


@pytest.mark.parametrize(("x", "y"), list(mwu_cases()))
def test_mann_whitney_matches_scipy(x, y):
    ref = st.mannwhitneyu(x, y)
    got = mann_whitney(x, y)
    assert got.u == pytest.approx(ref.statistic, rel=1e-12)
    assert got.p_value == pytest.approx(ref.pvalue, rel=1e-9)


def test_mann_whitney_and_cliffs_delta_by_hand():
    """x = 3, 4, 5; y = 1, 2, 3. Pairs x > y: 3>1, 3>2, 4>all 3, 5>all 3 = 8, one tie
    (3, 3) counts 1/2: U_x = 8.5 of 9. Cliff's delta = (8 - 0) / 9 = 2 * 8.5 / 9 - 1."""
    got = mann_whitney([3, 4, 5], [1, 2, 3])
    assert got.u == 8.5
    brute = np.mean([np.sign(a - b) for a, b in itertools.product([3, 4, 5], [1, 2, 3])])
    assert got.cliffs_delta == pytest.approx(brute, rel=1e-15) == pytest.approx(8 / 9)


def test_mann_whitney_exact_by_hand():
    """x = 4, 5 against y = 1, 2, 3, no ties: U_x = 6, the largest of C(5, 2) = 10
    equally likely rank splits: p = 2 * 1/10 = 0.2."""
    assert mann_whitney([4, 5], [1, 2, 3]).p_value == pytest.approx(0.2, rel=1e-12)


def kw_cases():
    rng = np.random.default_rng(2)
    for i in range(40):
        groups = int(rng.integers(2, 5))
        g = np.concatenate([np.arange(groups), rng.integers(0, groups, int(rng.integers(4, 60)))])
        v = rng.choice([0, 25, 50, 75, 100.0], g.size) if i % 2 else rng.normal(size=g.size)
        yield v, g


@pytest.mark.parametrize(("v", "g"), list(kw_cases()))
def test_kruskal_wallis_matches_scipy(v, g):
    ref = st.kruskal(*[v[g == i] for i in np.unique(g)])
    h, p = kruskal_wallis(v, g)
    assert h == pytest.approx(ref.statistic, rel=1e-10)
    assert p == pytest.approx(ref.pvalue, rel=1e-10)


def test_kruskal_wallis_by_hand():
    """Groups (1, 2), (3, 4), (5, 6): rank sums 3, 7, 11, N = 6.
    H = 12 / 42 * (9/2 + 49/2 + 121/2) - 21 = 12/42 * 89.5 - 21 = 4.5714285714...;
    p = exp(-H / 2) for 2 degrees of freedom."""
    h, p = kruskal_wallis([1, 2, 3, 4, 5, 6], [0, 0, 1, 1, 2, 2])
    assert h == pytest.approx(12 / 42 * 89.5 - 21, rel=1e-12)
    assert p == pytest.approx(np.exp(-h / 2), rel=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_benjamini_hochberg_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    p = rng.random(int(rng.integers(1, 40))) ** 3
    np.testing.assert_allclose(benjamini_hochberg(p), st.false_discovery_control(p), rtol=1e-12)


def test_benjamini_hochberg_by_hand_and_with_untested():
    """p = 0.01, 0.04, 0.03 (m = 3): sorted 0.01*3, 0.03*3/2, 0.04*3/3 = 0.03, 0.045, 0.04
    -> running minimum from the top: 0.03, 0.04, 0.04. NaN (not tested) stays NaN."""
    got = benjamini_hochberg([0.01, np.nan, 0.04, 0.03])
    np.testing.assert_allclose(got, [0.03, np.nan, 0.04, 0.04], rtol=1e-12)
