"""Every threshold of the scoring package tested at, just below and just above it.

* k (minimum group size, default 5): employer figures, subgroup (equity) cells and
  the workers in no subgroup, gaps, trend, the validity correlation;
* BOOTSTRAP_FROM (20): t-interval at 19, BCa at 20 and 21;
* FLAG_POINTS (10) for a gap, and MIN_NONZERO (6) non-zero differences to test one.

Shown values are checked against numpy and scipy called directly on the same data.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st

from surveyapp.scoring import (
    NOT_ENOUGH,
    canonical_order,
    criterion_validity,
    data_rng,
    employer_gaps,
    equity,
    mean_interval,
    release,
    score_responses,
    trend,
)
from surveyapp.scoring.gaps import FLAG_POINTS, TOO_FEW
from surveyapp.scoring.intervals import BOOTSTRAP_FROM
from surveyapp.scoring.ranktests import MIN_NONZERO

from .conftest import make_wave

K = 5
LW = 18.0


def t_reference(x: np.ndarray) -> tuple[float, float]:
    """mean +- t(0.975, n-1) s / sqrt(n), clipped to 0-100, with scipy.stats.t."""
    half = st.t.ppf(0.975, x.size - 1) * np.std(x, ddof=1) / np.sqrt(x.size)
    return max(x.mean() - half, 0.0), min(x.mean() + half, 100.0)


def test_the_thresholds_are_the_documented_ones():
    assert (BOOTSTRAP_FROM, FLAG_POINTS, MIN_NONZERO) == (20, 10.0, 6)


# --------------------------------------------------------------------- employer level


@pytest.mark.parametrize("n", [K - 1, K, K + 1])
def test_employer_with_k_responses_is_shown_below_k_hidden(worker, n):
    """Employer 0 has n responses beside three of 30. Its JQI, when shown, is the
    mean of its own responses' JQIs with the t-interval of scipy.stats.t."""
    codes, employers = make_wave(worker, 4, 0, seed=21, missing=0.0, sizes=[n, 30, 30, 30])
    result = release(worker, codes, employers, k=K, living_wage=LW, n_resamples=199)
    employer = result.employers[0]
    jqi = employer.estimates[0]
    if n < K:
        assert employer.n_responses is None
        assert all(e.mean is None and e.note == NOT_ENOUGH for e in employer.estimates)
        assert all(p is None for p in employer.percentiles)
        return
    own = score_responses(worker, codes[employers == 0], living_wage=LW).jqi
    assert not np.isnan(own).any()
    low, high = t_reference(own)
    assert employer.n_responses == n
    assert (jqi.n, jqi.method) == (n, "t")
    assert jqi.mean == pytest.approx(own.mean(), rel=1e-12)
    assert jqi.low == pytest.approx(low, rel=1e-12)
    assert jqi.high == pytest.approx(high, rel=1e-12)


@pytest.mark.parametrize(("n", "method"), [(19, "t"), (20, "bca"), (21, "bca")])
def test_mean_interval_switches_to_bca_at_twenty(n, method):
    """19 answers: t-interval (scipy.stats.t); 20 and 21: BCa, equal to
    scipy.stats.bootstrap(method='BCa', 9,999 resamples, 95 %) with the same generator
    (scores on the 25-point grid: exact sums, so agreement to 1e-12)."""
    x = np.random.default_rng(n).choice([0.0, 25.0, 50.0, 75.0, 100.0], n)
    got = mean_interval(x)
    assert got.method == method
    if method == "t":
        low, high = t_reference(x)
    else:
        ref = st.bootstrap(
            (x,),
            np.mean,
            method="BCa",
            n_resamples=9999,
            confidence_level=0.95,
            rng=data_rng(0, x),
        )
        low, high = ref.confidence_interval
    assert got.estimate == pytest.approx(x.mean(), rel=1e-15)
    assert got.low == pytest.approx(low, rel=1e-12)
    assert got.high == pytest.approx(high, rel=1e-12)


@pytest.mark.parametrize(("n", "method"), [(19, "t"), (20, "bca"), (21, "bca")])
def test_employer_intervals_switch_to_bca_at_twenty(worker, n, method):
    """The same switch in the release. "at_threshold" counts are whole numbers, so its
    BCa interval equals scipy.stats.bootstrap on the employer's rows with the release's
    generator to 1e-9 (see test_release for why the JQI itself is compared looser)."""
    codes, employers = make_wave(worker, 4, 0, seed=22, missing=0.0, sizes=[n, 30, 30, 30])
    result = release(worker, codes, employers, k=K, living_wage=LW, n_resamples=999)
    employer = result.employers[0]
    order = canonical_order(codes)
    rows = order[employers[order] == 0]
    block = score_responses(worker, codes[rows], living_wage=LW).statistics()
    assert {e.method for e in employer.estimates} <= {method, "identical"}
    jqi = employer.estimates[0]
    assert jqi.method == method
    if method == "t":
        low, high = t_reference(block[:, 0])
        assert jqi.low == pytest.approx(low, rel=1e-12)
        assert jqi.high == pytest.approx(high, rel=1e-12)
        return
    at = employer.estimate("at_threshold")
    assert at.method == "bca"
    ref = st.bootstrap(
        (block[:, -1],), np.mean, method="BCa", n_resamples=999, rng=data_rng(0, block)
    )
    assert at.low == pytest.approx(max(ref.confidence_interval.low, 0.0), rel=1e-9)
    assert at.high == pytest.approx(min(ref.confidence_interval.high, 100.0), rel=1e-9)


# --------------------------------------------------------------------- subgroups (equity)


@pytest.mark.parametrize("n", [K, K + 1])
def test_subgroup_of_k_is_shown(n):
    """Night shift has n workers, day shift 10. At k or more every subgroup mean is
    shown with its t-interval and the Kruskal-Wallis test is scipy's. (A subgroup of
    k - 1 hiding the breakdown and the test: test_gaps_trend_equity's
    test_equity_rules.)"""
    rng = np.random.default_rng(n)
    values = np.round(rng.normal(55, 15, 10 + n), 2)
    groups = np.repeat([0, 1], [10, n])
    got = equity(values, groups, ["day", "night"], k=K)
    assert got.note is None or got.note == "no detectable difference"
    ref = st.kruskal(values[groups == 0], values[groups == 1])
    assert got.h == pytest.approx(ref.statistic, rel=1e-12)
    assert got.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    for g, estimate in enumerate(got.estimates):
        x = values[groups == g]
        assert estimate.n == x.size
        assert estimate.mean == pytest.approx(x.mean(), rel=1e-12)
        assert (estimate.low, estimate.high) == pytest.approx(t_reference(x), rel=1e-12)


@pytest.mark.parametrize("residual", [K - 1, K, K + 1])
def test_workers_in_no_subgroup_hide_the_means_below_k(residual):
    """Two shifts of 10, plus `residual` workers who did not say: below k their mean
    would be the total minus the two shown means, so the means are hidden (the test,
    over the 20 who said, still runs); at k or more the means are shown."""
    rng = np.random.default_rng(residual)
    values = np.round(rng.normal(55, 15, 20 + residual), 2)
    groups = np.repeat([0, 1, -1], [10, 10, residual])
    got = equity(values, groups, ["day", "night"], k=K)
    ref = st.kruskal(values[groups == 0], values[groups == 1])
    assert got.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    if residual < K:
        assert all(e.mean is None for e in got.estimates)
    else:
        means = [e.mean for e in got.estimates]
        assert means == pytest.approx([values[:10].mean(), values[10:20].mean()], rel=1e-12)


# --------------------------------------------------------------------- gaps


@pytest.mark.parametrize("n", [K, K + 1])
def test_gap_from_k_workers_is_shown(n):
    """Claim 75; n workers score 50, 25, 100, 50, 75, 50 (first n). Shown from k:
    median and share below as numpy computes them. (k - 1 workers hidden:
    test_gaps_trend_equity's test_gaps_hidden_below_k_and_without_claim.)"""
    scores = np.array([50.0, 25.0, 100.0, 50.0, 75.0, 50.0])[:n, None]
    result = employer_gaps(scores, np.zeros(n, int), [[75.0]], ["A"], k=K)[0][0]
    d = scores[:, 0] - 75.0
    assert result.n == n
    assert result.median_gap == np.median(d)
    assert result.share_below == np.count_nonzero(d < 0) / n
    assert result.note == TOO_FEW  # at most 5 non-zero differences


@pytest.mark.parametrize(
    ("gap", "flagged"),
    [(10.0, True), (9.99, False), (10.01, True), (-10.0, True), (-9.99, False)],
)
def test_gap_flag_at_ten_points(gap, flagged):
    """20 workers all on one side of the claim 50 (p far below 0.05): twelve differ
    by exactly `gap`, eight by 30 more, so the median gap is `gap`."""
    step = 30.0 if gap > 0 else -30.0
    d = np.array([gap] * 12 + [gap + step] * 8)
    scores = (50.0 + d)[:, None]
    result = employer_gaps(scores, np.zeros(20, int), [[50.0]], ["A"], k=K)[0][0]
    ref = st.wilcoxon(scores[:, 0] - 50.0, zero_method="pratt").pvalue
    assert ref < 0.001
    assert result.p_value == pytest.approx(ref, rel=1e-12)
    assert result.median_gap == pytest.approx(gap, abs=1e-12)
    assert result.flagged is flagged


def test_gap_of_exactly_ten_in_another_float_spelling_is_flagged():
    """Claim 625/12 (52.083333333333336); twelve workers score 745/12 spelled
    62.08333333333333 (52.08333333333333 + 10). The gap is 10 points exactly, but the
    raw float difference is 9.999999999999993, which would escape the flag."""
    claim = 625 / 12
    score = 52.08333333333333 + 10
    assert score - claim < 10
    scores = np.array([score] * 12 + [score + 30] * 8)[:, None]
    result = employer_gaps(scores, np.zeros(20, int), [[claim]], ["A"], k=K)[0][0]
    assert result.median_gap == 10.0
    assert result.p_adjusted < 0.05
    assert result.flagged is True


@pytest.mark.parametrize("nonzero", [5, 6, 7])
def test_too_few_to_test_below_six_nonzero_differences(nonzero):
    """Three workers score exactly the claim 50 (ties with it), `nonzero` score above
    it by 5, 10, 15, ... With 5 non-zero differences the best two-sided p is
    2/32 > 0.05: "too few to test" (also test_too_few_to_test_is_not_no_gap, with other
    data). With 6 and 7 the p-value is scipy's wilcoxon(pratt): all positive, so 2/64
    and 2/128, and the gap is flagged (median 10 and 12.5 points)."""
    d = np.array([0.0, 0.0, 0.0] + [5.0 * (i + 1) for i in range(nonzero)])
    scores = (50.0 + d)[:, None]
    result = employer_gaps(scores, np.zeros(d.size, int), [[50.0]], ["A"], k=K)[0][0]
    assert result.n == d.size
    assert result.median_gap == np.median(d)
    if nonzero < 6:
        assert result.note == TOO_FEW
        assert (result.p_value, result.p_adjusted, result.flagged) == (None, None, None)
        return
    ref = st.wilcoxon(d, zero_method="pratt").pvalue
    assert ref == pytest.approx(2 / 2**nonzero, rel=1e-12)
    assert result.p_value == pytest.approx(ref, rel=1e-12)
    assert result.note is None
    assert result.flagged is True


# --------------------------------------------------------------------- trend


@pytest.mark.parametrize("n", [K - 1, K, K + 1])
def test_trend_needs_k_in_the_previous_wave(n):
    previous = np.array([40.0, 55.0, 35.0, 60.0, 45.0, 50.0])[:n]
    current = np.array([60.0, 75.0, 55.0, 70.0, 65.0, 80.0, 50.0])
    got = trend(previous, current, k=K, n_resamples=99)
    if n < K:
        assert got.note == NOT_ENOUGH
        assert (got.difference, got.p_value, got.cliffs_delta) == (None, None, None)
        assert got.previous.mean is None
        return
    ref = st.mannwhitneyu(current, previous)
    assert got.difference == pytest.approx(current.mean() - previous.mean(), rel=1e-12)
    assert got.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    assert got.cliffs_delta == pytest.approx(2 * ref.statistic / (n * 7) - 1, rel=1e-12)
    assert got.previous.n == n


# --------------------------------------------------------------------- validity


@pytest.mark.parametrize("pairs", [K - 1, K, K + 1])
def test_validity_needs_k_complete_pairs(pairs):
    """Rows with a missing JQI or a missing G1 are not pairs: 8 rows, 2 incomplete
    ones beside `pairs` complete ones. From k pairs r and its interval are
    scipy.stats.pearsonr's (the code uses Pearson)."""
    jqi = np.array([40.0, 55.0, 62.5, 70.0, 48.0, 81.0])[:pairs]
    good = np.array([25.0, 50.0, 75.0, 75.0, 25.0, 100.0])[:pairs]
    jqi_rows = np.concatenate([jqi, [np.nan, 66.0]])
    good_rows = np.concatenate([good, [75.0, np.nan]])
    got = criterion_validity(jqi_rows, good_rows, k=K)
    if pairs < K:
        assert (got.n, got.r, got.low, got.high) == (None, None, None, None)
        assert got.note == NOT_ENOUGH
        return
    ref = st.pearsonr(jqi, good)
    ci = ref.confidence_interval(0.95)
    assert got.n == pairs
    assert got.r == pytest.approx(ref.statistic, rel=1e-12)
    assert got.low == pytest.approx(ci.low, rel=1e-12)
    assert got.high == pytest.approx(ci.high, rel=1e-12)
