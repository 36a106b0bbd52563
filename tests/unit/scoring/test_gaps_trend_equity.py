"""Gaps, trend and equity against scipy on the same data and hand-computed values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.stats as st

from surveyapp.scoring import (
    NOT_ENOUGH,
    claim_scores,
    employer_gaps,
    employer_trends,
    equity,
    gap_item_ids,
    trend,
)


def test_gap_items_are_the_mirrored_ones(worker):
    ids = gap_item_ids(worker)
    assert "PAY2" in ids
    assert "SCH1" in ids
    assert "PAY3" not in ids
    assert "G1" not in ids


def test_claims_from_codes_use_the_worker_scale(worker):
    """An E15 prediction of 'Agree' (4) on PAY2 is 75; SCH1 '14 days or more' (5) is 100;
    PAY1 band 6 ($25.50 midpoint) over a $17 living wage = 1.5 -> 100; 0 = no claim."""
    got = claim_scores(worker, ["PAY2", "SCH1", "PAY1"], [[4, 5, 6], [0, 1, 0]], living_wage=17.0)
    np.testing.assert_array_equal(got[0], [75.0, 100.0, 100.0])
    assert np.isnan(got[1, 0])
    assert got[1, 1] == 0.0
    assert np.isnan(got[1, 2])


def test_gap_by_hand():
    """Employer 0 claims 75 on item A; its 8 workers score 25, 25, 50, 50, 50, 75, 75, 100.

    d = -50, -50, -25, -25, -25, 0, 0, 25: median (-25 + -25) / 2 = -25; share below
    5/8; 6 non-zero differences -> tested, p from scipy.stats.wilcoxon(pratt).
    """
    scores = np.array([[25], [25], [50], [50], [50], [75], [75], [100.0]])
    result = employer_gaps(scores, np.zeros(8, int), [[75.0]], ["A"], k=5)[0][0]
    d = scores[:, 0] - 75
    assert result.median_gap == -25.0
    assert result.share_below == 5 / 8
    assert result.n == 8
    ref = st.wilcoxon(d, zero_method="pratt").pvalue
    assert result.p_value == pytest.approx(ref, rel=1e-12)
    assert result.p_adjusted == pytest.approx(ref, rel=1e-12)  # one test: BH leaves it
    assert result.flagged == (ref < 0.05)


def test_too_few_to_test_is_not_no_gap():
    """Five workers all below the claim: a real gap, but 5 non-zero differences cannot
    reach p < 0.05, so the result says 'too few to test' and has no p-value."""
    scores = np.array([[0], [25], [0], [25], [50.0], [100.0], [100.0]])
    result = employer_gaps(scores, np.zeros(7, int), [[100.0]], ["A"], k=5)[0][0]
    assert result.note == "too few to test"
    assert result.p_value is None
    assert result.flagged is None
    assert result.median_gap == -75.0


def test_gaps_hidden_below_k_and_without_claim():
    scores = np.array([[50.0]] * 4 + [[75.0]] * 10)
    employers = np.array([0] * 4 + [1] * 10)
    claims = np.array([[75.0], [np.nan]])
    results = employer_gaps(scores, employers, claims, ["A"], k=5)
    assert results[0][0].note == NOT_ENOUGH
    assert results[0][0].median_gap is None
    assert results[1][0].note == NOT_ENOUGH
    assert results[1][0].n is None


def test_gaps_match_scipy_per_employer_with_bh():
    """Many employers and items at once equal scipy per test, BH per employer."""
    rng = np.random.default_rng(3)
    n_emp, n_items = 6, 4
    employers = rng.integers(0, n_emp, 400)
    scores = rng.choice([0, 25, 50, 75, 100.0], (400, n_items))
    scores[rng.random((400, n_items)) < 0.1] = np.nan
    claims = rng.choice([50, 75, 100.0], (n_emp, n_items))
    claims[0, 1] = np.nan
    results = employer_gaps(scores, employers, claims, list("ABCD"), k=5)
    for e in range(n_emp):
        raw = []
        for j in range(n_items):
            rows = (employers == e) & ~np.isnan(scores[:, j])
            d = scores[rows, j] - claims[e, j]
            r = results[e][j]
            if np.isnan(claims[e, j]):
                assert r.n is None
                raw.append(np.nan)
                continue
            assert r.median_gap == np.median(d)
            assert r.share_below == pytest.approx(np.mean(d < 0), rel=1e-15)
            if np.count_nonzero(d) >= 6:
                ref = st.wilcoxon(d, zero_method="pratt").pvalue
                assert r.p_value == pytest.approx(ref, rel=1e-10)
                raw.append(ref)
            else:
                raw.append(np.nan)
        tested = ~np.isnan(raw)
        adjusted = st.false_discovery_control(np.array(raw)[tested])
        got = [results[e][j].p_adjusted for j in np.flatnonzero(tested)]
        np.testing.assert_allclose(got, adjusted, rtol=1e-10)


def test_gap_input_checks():
    with pytest.raises(ValueError, match="0-100"):
        employer_gaps(np.ones((3, 1)), np.zeros(3, int), [[150.0]], ["A"], k=5)
    with pytest.raises(ValueError, match="one column per item"):
        employer_gaps(np.ones((3, 2)), np.zeros(3, int), [[50.0]], ["A"], k=5)


def test_trend_matches_scipy_and_brute_force():
    rng = np.random.default_rng(4)
    before = rng.choice([0, 25, 50, 75, 100.0], 40)
    after = rng.choice([25, 50, 75, 100.0], 35)
    got = trend(before, after, k=5, n_resamples=199)
    ref = st.mannwhitneyu(after, before)
    assert got.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    brute = np.mean([np.sign(a - b) for a, b in itertools.product(after, before)])
    assert got.cliffs_delta == pytest.approx(brute, rel=1e-12)
    assert got.difference == pytest.approx(after.mean() - before.mean(), rel=1e-12)
    assert got.current.method == "bca"
    assert got.previous.n == 40


def test_trend_hidden_below_k():
    got = trend([50, 60, 70], [50, 60, 70, 80, 90], k=5)
    assert got.note == NOT_ENOUGH
    assert got.difference is None
    assert got.current.mean is None


def test_employer_trends_per_employer():
    rng = np.random.default_rng(5)
    prev = rng.normal(50, 10, (30, 2))
    cur = rng.normal(55, 10, (25, 2))
    prev_e, cur_e = np.repeat([0, 1], 15), np.repeat([0, 1], [10, 15])
    got = employer_trends(
        prev, prev_e, cur, cur_e, ["jqi", "pay"], n_employers=2, k=5, n_resamples=99
    )
    ref = st.mannwhitneyu(cur[cur_e == 1, 1], prev[prev_e == 1, 1])
    assert got[1][1].p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert got[1][1].statistic == "pay"


def test_equity_matches_scipy_kruskal():
    rng = np.random.default_rng(6)
    groups = rng.integers(0, 3, 90)
    values = rng.normal(50, 10, 90) + groups * 3
    got = equity(values, groups, ["day", "evening", "night"], k=5, grouping="SHIFT")
    ref = st.kruskal(*[values[groups == g] for g in range(3)])
    assert got.h == pytest.approx(ref.statistic, rel=1e-10)
    assert got.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert got.estimates[1].mean == pytest.approx(values[groups == 1].mean(), rel=1e-12)


def test_equity_rules():
    values = np.arange(30.0)
    small = np.array([0] * 12 + [1] * 14 + [2] * 4)  # a subgroup of 4 < k
    got = equity(values, small, ["a", "b", "c"], k=5)
    assert got.p_value is None
    assert got.note == NOT_ENOUGH
    assert all(e.mean is None for e in got.estimates)
    # every subgroup >= k but 3 workers in no subgroup: test shown, means hidden
    residual = np.array([0] * 12 + [1] * 15 + [-1] * 3)
    got = equity(values, residual, ["a", "b"], k=5)
    assert got.p_value is not None
    assert all(e.mean is None for e in got.estimates)
    # no detectable difference is said as such, never "no difference"
    flat = np.tile([40.0, 60.0], 15)
    got = equity(flat, np.repeat([0, 1], 15), ["a", "b"], k=5)
    assert got.note == "no detectable difference"
