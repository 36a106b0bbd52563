"""Equal scores are ties in every rank-based statistic, whatever their float spelling.

The JQI 625/12 comes out as 52.08333333333333 or as 52.083333333333336 depending on the
order its dimension scores were added. Both are the same score, so every rank test,
Cliff's delta and the percentile rank must give exactly what scipy gives on the
*exactly tied* data (both values written as one float). Each test also checks that
scipy on the two spellings gives something else, so it would fail if the statistics
ranked the raw floats.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import scipy.stats as st

from surveyapp.scoring import (
    criterion_validity,
    employer_gaps,
    equity,
    kruskal_wallis,
    mann_whitney,
    mean_interval,
    percentile_ranks,
    release,
    score_responses,
    t_interval,
    trend,
    wilcoxon_pratt,
)
from surveyapp.scoring.intervals import IDENTICAL
from surveyapp.scoring.ranktests import TIE_DECIMALS, tie_rounded

from .conftest import make_wave

#: 625/12 in two summation orders.
A = 52.08333333333333
B = 52.083333333333336


def tied(values: np.ndarray) -> np.ndarray:
    """The same data with every spelling of 625/12 written as one float."""
    values = np.array(values, dtype=np.float64)
    values[values == A] = B
    values[values == -A] = -B
    return values


def test_the_two_spellings_differ_as_floats_but_not_as_scores():
    assert A != B
    assert B == 625 / 12
    assert abs(A - B) < 1e-13
    assert tie_rounded(A) == tie_rounded(B)
    assert TIE_DECIMALS == 9
    # distinct scores a hundredth of a point apart stay distinct
    assert tie_rounded(B + 0.007) != tie_rounded(B)
    assert np.isnan(tie_rounded(np.nan))


def test_mann_whitney_and_cliffs_delta_treat_the_spellings_as_ties():
    x = np.array([A, A, 60.0, 70.0, 45.0])
    y = np.array([B, B, B, 40.0, 55.0, 30.0])
    ref = st.mannwhitneyu(tied(x), tied(y))
    # scipy on the raw floats sees no ties and uses its exact test: another p-value
    assert st.mannwhitneyu(x, y).pvalue != pytest.approx(ref.pvalue, rel=1e-6)
    got = mann_whitney(x, y)
    assert got.u == ref.statistic
    assert got.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    # Cliff's delta over the 30 pairs of the tied data, by hand: each 625/12 in x ties
    # the three in y (0) and beats 40 and 30 but not 55 (+1); 60 and 70 beat all six
    # (+6 each); 45 beats 40 and 30 only (-2): (2 + 12 - 2) / 30 = 0.4.
    brute = np.mean([np.sign(a - b) for a, b in itertools.product(tied(x), tied(y))])
    assert brute == pytest.approx(12 / 30, rel=1e-15)
    assert got.cliffs_delta == pytest.approx(brute, rel=1e-12)


def test_kruskal_wallis_treats_the_spellings_as_ties():
    values = np.array([A, A, 40.0, 65.0, B, B, 70.0, 30.0, B, 80.0, A, 55.0])
    groups = np.repeat([0, 1, 2], 4)
    ref = st.kruskal(*[tied(values)[groups == g] for g in range(3)])
    raw = st.kruskal(*[values[groups == g] for g in range(3)])
    assert raw.statistic != pytest.approx(ref.statistic, rel=1e-6)
    h, p = kruskal_wallis(values, groups)
    assert h == pytest.approx(ref.statistic, rel=1e-12)
    assert p == pytest.approx(ref.pvalue, rel=1e-12)


def test_wilcoxon_treats_the_spellings_as_ties():
    d = np.array([A, -B, B, 10.0, 20.0, 30.0, -5.0, 40.0])
    ref = st.wilcoxon(tied(d), zero_method="pratt").pvalue
    assert st.wilcoxon(d, zero_method="pratt").pvalue != pytest.approx(ref, rel=1e-6)
    assert wilcoxon_pratt(d) == pytest.approx(ref, rel=1e-12)


def test_percentile_rank_treats_the_spellings_as_ties():
    """B among 40, A, 55, 60, 70 ties with A: (1 + 2) / (2 * 5) = 30 %, not 40 %."""
    peers = np.array([40.0, A, 55.0, 60.0, 70.0])
    ref = st.percentileofscore(tied(peers), B, kind="mean")
    assert ref == 30.0
    assert st.percentileofscore(peers, B, kind="mean") == 40.0
    np.testing.assert_array_equal(percentile_ranks(peers, [B, A]), [30.0, 30.0])


def test_trend_between_equal_scores_in_two_spellings_is_no_change():
    """The same 5 scores in both waves, 625/12 spelled differently: scipy on the tied
    data gives U = 12.5 of 25 and p = 1; Cliff's delta is 0."""
    previous = np.array([A, A, A, 40.0, 70.0])
    current = np.array([B, B, B, 40.0, 70.0])
    ref = st.mannwhitneyu(tied(current), tied(previous))
    assert ref.pvalue == 1.0
    got = trend(previous, current, k=5)
    assert got.cliffs_delta == 0.0
    assert got.p_value == pytest.approx(ref.pvalue, rel=1e-12)


def test_equity_between_equal_scores_in_two_spellings_finds_nothing():
    """Day shift scores A, night shift B: the same score. scipy on the tied data
    cannot compute H (all values equal); on the raw floats it would 'find' a
    difference with p < 0.01."""
    values = np.array([A] * 6 + [B] * 6)
    groups = np.repeat([0, 1], 6)
    assert st.kruskal(values[:6], values[6:]).pvalue < 0.01
    got = equity(values, groups, ["day", "night"], k=5)
    assert got.h is None
    assert got.p_value is None
    assert got.note == "all answers identical"


def test_gap_of_a_score_equal_to_the_claim_is_a_zero():
    """Claim 625/12 (B); three workers score it too, spelled A. Their differences are
    zeros (Pratt: ranked, then left out), not 3 tiny negative differences: share below
    the claim 2/8, and the p-value is scipy's on the exactly computed differences."""
    scores = np.array([A, A, A, 0.0, 25.0, 75.0, 100.0, 100.0])[:, None]
    result = employer_gaps(scores, np.zeros(8, int), [[B]], ["A"], k=5)[0][0]
    exact = tied(scores[:, 0]) - B
    assert np.count_nonzero(exact) == 5
    assert result.share_below == 2 / 8
    assert result.median_gap == pytest.approx(np.median(exact), abs=1e-9)
    # 5 non-zero differences: too few to test, as scipy's p can't reach 0.05 either
    assert result.note == "too few to test"
    six = np.vstack([scores, [[100.0]]])
    result = employer_gaps(six, np.zeros(9, int), [[B]], ["A"], k=5)[0][0]
    ref = st.wilcoxon(tied(six[:, 0]) - B, zero_method="pratt").pvalue
    assert result.p_value == pytest.approx(ref, rel=1e-12)


# ------------------------------------------------------------------ "all answers identical"
#: 51.25 as the scoring adds it up for two different answer patterns.
C, D = 51.24999999999999, 51.25


@pytest.mark.parametrize("n", [6, 20])
def test_one_score_in_two_spellings_is_all_answers_identical(n):
    """Every worker has the same score: the interval is the point, with the note,
    whether the t-interval (n < 20) or the bootstrap (n >= 20) would have been used.
    Without the rounding, a spurious interval 1e-14 wide came out."""
    x = np.array([C, D] * (n // 2))
    assert C != D
    assert tie_rounded(C) == tie_rounded(D)
    for got in (mean_interval(x), t_interval(x)):
        assert got.method == "identical"
        assert got.note == "all answers identical"
        assert got.low == got.high == got.estimate == pytest.approx(51.25, abs=1e-12)


def test_validity_with_one_jqi_in_two_spellings_is_not_computed():
    """A constant JQI has no correlation with anything (scipy.stats.pearsonr on the
    tied data returns NaN); its spelling noise must not produce an r."""
    jqi = np.array([C, D] * 5)
    good = np.array([0, 25, 50, 75, 100, 100, 75, 50, 25, 25.0])
    with pytest.warns(st.ConstantInputWarning):
        assert np.isnan(st.pearsonr(np.full(10, D), good).statistic)
    got = criterion_validity(jqi, good, k=5)
    assert got.r is None
    assert got.note == "all answers identical"


def test_release_employer_with_one_jqi_in_two_spellings(worker):
    """Five real response patterns (rows of a synthetic wave) whose JQI is 51.25 but
    comes out as 51.24999999999999 for some: the employer's JQI is 'all answers
    identical', like any employer whose workers all score the same."""
    pool, _ = make_wave(worker, 1, 5000, seed=1, missing=0.1)
    rows = [64, 3046, 3169, 3792, 3994]
    jqi = score_responses(worker, pool[rows], living_wage=18.0).jqi
    assert sorted(set(jqi.tolist())) == [C, D]  # the premise: two spellings
    others, other_employers = make_wave(worker, 3, 30, seed=2, missing=0.0)
    codes = np.vstack([pool[rows], others])
    employers = np.concatenate([np.zeros(5, int), other_employers + 1])
    result = release(worker, codes, employers, k=5, living_wage=18.0, n_resamples=99)
    estimate = result.employers[0].estimates[0]
    assert (estimate.n, estimate.method, estimate.note) == (5, "identical", IDENTICAL)
    assert estimate.mean == pytest.approx(51.25, abs=1e-12)
    assert estimate.low == estimate.high == estimate.mean


def test_release_counts_a_dimension_mean_of_exactly_fifty_as_at_threshold(worker):
    """Ten real response patterns whose Voice scores (75, 250/3, 250/3, 100/3, 175/3,
    175/3, 125/3, 50/3, 25, 25) average exactly 50 = the threshold; added in the
    release's order the float mean is 49.99999999999999. The count of dimensions at
    threshold is checked against exact rational means (fractions.Fraction)."""
    pool, _ = make_wave(worker, 1, 600, seed=41, missing=0.2)
    rows = [5, 34, 178, 230, 267, 355, 378, 413, 444, 582]
    others, other_employers = make_wave(worker, 3, 30, seed=2, missing=0.0)
    codes = np.vstack([pool[rows], others])
    employers = np.concatenate([np.zeros(len(rows), int), other_employers + 1])
    result = release(worker, codes, employers, k=5, living_wage=18.0, n_resamples=99)
    dims = score_responses(worker, pool[rows], living_wage=18.0).dimensions
    exact = []
    for d in range(dims.shape[1]):
        answered = dims[:, d][~np.isnan(dims[:, d])]
        # a dimension score is a sum of 25-point item steps over at most 6 answered
        # items: a fraction whose denominator divides 60
        values = [Fraction(v).limit_denominator(60) for v in answered]
        exact.append(sum(values, Fraction(0)) / len(values))
    voice = [d.id for d in worker.dimensions].index("voice")
    assert exact[voice] == 50  # the premise: exactly at the threshold ...
    employer = result.employers[0]
    assert employer.estimate("voice").mean < 50  # ... but not as a float
    thresholds = [worker.threshold_for(d.id) for d in worker.dimensions]
    want = sum(m >= t for m, t in zip(exact, thresholds, strict=True))
    assert employer.dimensions_at_threshold == want
