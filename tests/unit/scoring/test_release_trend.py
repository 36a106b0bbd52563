"""Trend inside the release: against the previous wave, shown only where both waves show."""

from __future__ import annotations

import numpy as np
import pytest

from surveyapp.instruments import get_instrument
from surveyapp.scoring import (
    PreviousWave,
    TrendResult,
    release,
    score_responses,
    statistic_names,
    trend,
)

from .conftest import make_wave

LW = 18.0
RESAMPLES = 199


def run(worker, codes, employers, **kwargs):
    options = {"k": 5, "living_wage": LW, "n_resamples": RESAMPLES} | kwargs
    return release(worker, codes, employers, **options)


@pytest.fixture(scope="module")
def waves(worker):
    # Previous wave: employers A, B, C (C has 3 responses: hidden), D (not in this wave).
    before = make_wave(worker, 4, 0, seed=1, sizes=[30, 12, 3, 25])
    # This wave: A, B, C (now 20), E (new).
    now = make_wave(worker, 4, 0, seed=2, sizes=[28, 15, 20, 9])
    previous = PreviousWave(
        instrument=worker,
        codes=before[0],
        employers=before[1],
        same_employer=[0, 1, 2, -1],
        living_wage=LW,
    )
    return before, now, previous


def test_no_previous_wave_no_trend(worker, waves):
    _, (codes, employers), _ = waves
    result = run(worker, codes, employers)
    assert result.trend == ()
    assert all(e.trend == () for e in result.employers)


def test_trend_matches_the_trend_function(worker, waves):
    (before_codes, before_emp), (codes, employers), previous = waves
    result = run(worker, codes, employers, previous=previous)
    assert [t.statistic for t in result.trend] == list(result.statistics)
    jqi_before = run(worker, before_codes, before_emp)
    assert result.trend[0].previous.n == jqi_before.sector[0].n
    # Employer A's JQI change, computed directly from the rows of both waves.
    before_jqi = score_responses(worker, before_codes, living_wage=LW).jqi[before_emp == 0]
    now_jqi = score_responses(worker, codes, living_wage=LW).jqi[employers == 0]
    expected = trend(before_jqi, now_jqi, k=5, n_resamples=RESAMPLES)
    got = result.employers[0].trend[0]
    assert got.difference == pytest.approx(expected.difference, abs=1e-9)
    assert got.p_value == pytest.approx(expected.p_value, abs=1e-12)
    assert got.cliffs_delta == pytest.approx(expected.cliffs_delta, abs=1e-12)


def test_trend_hidden_unless_both_waves_show_the_figure(worker, waves):
    (before_codes, before_emp), (codes, employers), previous = waves
    result = run(worker, codes, employers, previous=previous)
    earlier = run(worker, before_codes, before_emp)
    # B is shown now, but the previous release hid it (complementary to C's 3): hidden.
    assert earlier.employers[1].estimates[0].mean is None
    assert result.employers[1].estimates[0].mean is not None
    for e, employer in enumerate(result.employers):
        then = earlier.employers[e].estimates if e < 3 else None
        for s, change in enumerate(employer.trend):
            shown = then is not None and then[s].shown and employer.estimates[s].shown
            assert (change.difference is not None) == shown
            if not shown:  # exactly like a missing figure
                assert change == TrendResult.hidden(change.statistic)
    assert result.employers[0].trend[0].difference is not None


def test_trend_does_not_depend_on_row_order(worker, waves):
    _, (codes, employers), previous = waves
    base = run(worker, codes, employers, previous=previous)
    flip = np.arange(len(previous.codes))[::-1]
    shuffled = PreviousWave(
        worker, previous.codes[flip], previous.employers[flip], [0, 1, 2, -1], LW
    )
    assert run(worker, codes, employers, previous=shuffled).trend == base.trend


def test_trend_across_instrument_versions_keeps_common_statistics(worker, waves):
    _, _, previous = waves
    v2 = get_instrument("worker", 2)
    codes, employers = make_wave(v2, 3, 25, seed=4)
    result = run(v2, codes, employers, previous=previous)
    before = statistic_names(worker)
    assert [t.statistic for t in result.trend] == [s for s in result.statistics if s in before]
    assert result.trend[0].statistic == "jqi"


@pytest.mark.parametrize(
    ("same", "message"),
    [([0, 1, 5, -1], "outside"), ([0, 0, 1, -1], "two previous"), ([[0, 1]], "one integer")],
)
def test_same_employer_is_checked(worker, waves, same, message):
    (before_codes, before_emp), (codes, employers), _ = waves
    previous = PreviousWave(worker, before_codes, before_emp, same, LW)
    with pytest.raises(ValueError, match=message):
        run(worker, codes, employers, previous=previous)
