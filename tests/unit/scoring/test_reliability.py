"""Cronbach's alpha and Feldt's interval against published worked examples."""

from __future__ import annotations

import io

import numpy as np
import pytest
import scipy.stats as st

from surveyapp.scoring import criterion_validity, cronbach_alpha, wave_reliability
from surveyapp.scoring.items import score_items

from .conftest import make_wave

# pingouin's example data "cronbach_wide_missing" (pingouin/datasets, from
# www.real-statistics.com): 12 respondents, 11 binary items, 4 missing values.
PINGOUIN_WIDE_MISSING = """\
1,1,1,1,1,1,1,1,1,1,1
1,1,1,1,1,1,1,1,0,1,0
,0,1,1,,1,1,1,1,0,0
1,1,1,0,1,1,0,1,1,0,0
1,1,1,1,1,0,0,0,1,0,0
0,1,,0,1,1,1,1,0,0,0
1,1,1,1,0,0,1,0,0,0,0
1,1,1,1,1,0,0,0,0,0,0
0,1,0,1,1,0,0,0,0,1,0
1,0,0,1,0,1,0,0,,0,0
1,1,1,0,0,0,0,0,0,0,0
1,0,0,1,0,0,0,0,0,0,0
"""


def pingouin_data():
    return np.genfromtxt(io.StringIO(PINGOUIN_WIDE_MISSING), delimiter=",")


def test_pingouin_documented_example_median_imputed():
    """pingouin.cronbach_alpha docs: after imputing column medians,
    ``(0.7380191693290734, array([0.447, 0.911]))`` (checked there against R psych)."""
    x = pingouin_data()
    x = np.where(np.isnan(x), np.nanmedian(x, axis=0), x)
    alpha, low, high, n = cronbach_alpha(x)
    assert alpha == pytest.approx(0.7380191693290734, rel=1e-12)
    assert low == pytest.approx(0.447, abs=5e-4)  # documented to 3 decimals
    assert high == pytest.approx(0.911, abs=5e-4)
    assert n == 12


def test_pingouin_documented_example_listwise():
    """pingouin docs (R: psych::alpha(data, use="complete.obs")): alpha 0.8016949152542373.

    pingouin's interval for this case ([0.581, 0.933]) uses n = 12, the rows *before*
    deletion; Feldt's interval belongs to the 9 complete rows, so we check it against
    the F quantiles directly instead.
    """
    alpha, low, high, n = cronbach_alpha(pingouin_data())
    assert alpha == pytest.approx(0.8016949152542373, rel=1e-12)
    assert n == 9
    f_hi, f_lo = st.f.ppf([0.975, 0.025], 8, 8 * 10)
    assert low == pytest.approx(1 - (1 - alpha) * f_hi, rel=1e-12)
    assert high == pytest.approx(1 - (1 - alpha) * f_lo, rel=1e-12)


def test_small_example_by_hand():
    """Four respondents, three items.

    Item variances (ddof 1): 5/3, 19/12, 5/3 -> sum 59/12. Totals 5, 8, 10, 14 have
    variance 57/4. alpha = 3/2 * (1 - (59/12) / (57/4)) = 3/2 * (1 - 59/171) = 56/57.
    """
    alpha, _, _, n = cronbach_alpha([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 5]])
    assert alpha == pytest.approx(56 / 57, rel=1e-14)
    assert n == 4


def test_two_identical_items_have_alpha_one():
    x = np.array([[1, 1], [2, 2], [4, 4], [5, 5.0]])
    alpha, low, high, _ = cronbach_alpha(x)
    assert alpha == pytest.approx(1.0, abs=1e-14)
    assert low == pytest.approx(1.0, abs=1e-12)
    assert high == pytest.approx(1.0, abs=1e-12)


def test_alpha_errors():
    with pytest.raises(ValueError, match="2 items"):
        cronbach_alpha([[1], [2]])
    with pytest.raises(ValueError, match="no variance"):
        cronbach_alpha([[1, 1], [1, 1], [1, 1]])


def test_wave_reliability_marks_fact_dimensions_not_applicable(worker, item_ids):
    codes, _ = make_wave(worker, 5, 80, seed=4)
    scores = score_items(worker, codes, item_ids, living_wage=18.0)
    results = {r.dimension_id: r for r in wave_reliability(worker, scores, item_ids, k=5)}
    assert results["pay"].applicable is False
    assert results["pay"].alpha is None
    assert results["benefits"].note.startswith("not applicable")
    voice = results["voice"]
    columns = [item_ids.index(i.id) for i in worker.items_in("voice")]
    expected = cronbach_alpha(scores[:, columns])
    assert voice.alpha == pytest.approx(expected[0], rel=1e-12)
    assert voice.below_threshold == (voice.alpha < 0.70)
    assert voice.n == expected[3]


def test_wave_reliability_hides_small_samples(worker, item_ids):
    codes, _ = make_wave(worker, 1, 4, seed=4, missing=0.0)
    scores = score_items(worker, codes, item_ids, living_wage=18.0)
    results = wave_reliability(worker, scores, item_ids, k=5)
    assert all(r.alpha is None for r in results)


def test_criterion_validity_matches_scipy_pearsonr():
    """r and its Fisher-z interval equal scipy.stats.pearsonr(...).confidence_interval()."""
    rng = np.random.default_rng(1)
    jqi = rng.normal(55, 12, 200)
    good = np.clip(np.round((jqi - 55) / 12 + rng.normal(0, 1, 200) + 3), 1, 5) * 25 - 25
    jqi[::17] = np.nan
    got = criterion_validity(jqi, good, k=5)
    keep = ~np.isnan(jqi)
    ref = st.pearsonr(jqi[keep], good[keep])
    ci = ref.confidence_interval(0.95)
    assert got.r == pytest.approx(ref.statistic, rel=1e-12)
    assert got.low == pytest.approx(ci.low, rel=1e-12)
    assert got.high == pytest.approx(ci.high, rel=1e-12)
    assert got.n == int(keep.sum())


def test_criterion_validity_small_or_constant():
    assert criterion_validity([1, 2, 3], [1, 2, 3], k=5).r is None
    assert criterion_validity(np.arange(10.0), np.ones(10), k=5).note == "all answers identical"
