"""The whole wave computation: invariances, suppression, and agreement with scipy."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as st_h

from surveyapp.scoring import (
    NOT_ENOUGH,
    canonical_order,
    data_rng,
    gap_item_ids,
    release,
    score_responses,
)

from .conftest import make_wave

LW = 18.0
RESAMPLES = 199  # the resample count is not what these tests are about


def run(worker, codes, employers, **kwargs):
    options = {"k": 5, "living_wage": LW, "n_resamples": RESAMPLES} | kwargs
    return release(worker, codes, employers, **options)


def walk(value):
    """Every scalar in a nested asdict() structure."""
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from walk(v)
    else:
        yield value


@pytest.fixture(scope="module")
def wave(worker):
    sizes = [40, 25, 30, 3, 12, 60, 22, 0, 35, 15]
    codes, employers = make_wave(worker, len(sizes), 0, seed=9, sizes=sizes)
    claims = np.full((len(sizes), len(gap_item_ids(worker))), 75.0)
    return codes, employers, claims


@pytest.fixture(scope="module")
def result(worker, wave):
    codes, employers, claims = wave
    return run(worker, codes, employers, claims=claims, n_employers=10)


def test_no_nan_reaches_the_caller(result):
    for value in walk(dataclasses.asdict(result)):
        assert not (isinstance(value, float) and math.isnan(value))


def test_every_shown_estimate_has_at_least_k(result):
    for employer in result.employers:
        for estimate in employer.estimates:
            assert estimate.mean is None or estimate.n >= result.k
        for gap in employer.gaps:
            assert gap.n is None or gap.n >= result.k
        for share in employer.proportions:
            assert share.n is None or share.n >= result.k


def test_small_employer_is_hidden_and_protected(result):
    """Employer 3 has 3 responses: hidden, looking exactly like employer 7 with none;
    the sector total is shown, so another employer is hidden with it (complementary)."""
    small, empty = result.employers[3], result.employers[7]
    assert small.n_responses is None
    assert empty.n_responses is None
    assert small.estimates == empty.estimates
    assert all(e.note == NOT_ENOUGH for e in small.estimates)
    assert result.sector[0].mean is not None
    jqi_hidden = [e.employer for e in result.employers if e.estimates[0].mean is None]
    assert len([e for e in jqi_hidden if e not in (3, 7)]) >= 1


def test_employer_means_and_intervals_match_direct_computation(worker, wave, result):
    """Employer 5 (60 responses): each mean equals the mean of its responses' scores,
    and each BCa interval equals scipy.stats.bootstrap on the same rows with the same
    generator (paired ratio statistic, so missing answers are handled the same way).

    "at_threshold" is a count, so every sum is exact and the intervals agree to 1e-9.
    Dimension means such as 175/3 are not exact in binary; scipy then decides ties
    between a resample and the estimate on rounding noise, which moves z0 slightly, so
    those endpoints are compared within a tenth of the bootstrap standard error."""
    codes, employers, _ = wave
    order = canonical_order(codes)
    rows = order[employers[order] == 5]
    block = score_responses(worker, codes[rows], living_wage=LW).statistics()
    employer = result.employers[5]

    def ratio(a, b, axis=-1):
        return a.sum(axis=axis) / b.sum(axis=axis)

    for s, estimate in enumerate(employer.estimates):
        x = block[:, s]
        assert estimate.mean == pytest.approx(np.nanmean(x), rel=1e-12)
        assert estimate.n == np.count_nonzero(~np.isnan(x))
        if estimate.method != "bca":
            continue
        answered = (~np.isnan(x)).astype(float)
        ref = st.bootstrap(
            (np.nan_to_num(x), answered),
            ratio,
            paired=True,
            vectorized=True,
            method="BCa",
            n_resamples=RESAMPLES,
            rng=data_rng(0, block),
        )
        low, high = max(ref.confidence_interval.low, 0), min(ref.confidence_interval.high, 100)
        if estimate.statistic == "at_threshold":
            assert estimate.low == pytest.approx(low, rel=1e-9)
            assert estimate.high == pytest.approx(high, rel=1e-9)
        else:
            assert estimate.low == pytest.approx(low, abs=0.1 * ref.standard_error)
            assert estimate.high == pytest.approx(high, abs=0.1 * ref.standard_error)


def test_small_employers_get_t_intervals(result):
    employer = result.employers[9]  # 15 responses
    assert employer.estimates[0].method == "t"
    assert result.employers[4].estimates[0].mean is None  # 12: hidden with the 3


def test_peers_and_percentiles(result):
    jqi_peers = result.peers[0]
    # 10 employers, minus those with 3 and 0 responses, minus the one hidden with the
    # 3-response employer by complementary suppression
    assert jqi_peers.n_employers == 7
    shown = [e for e in result.employers if e.estimates[0].mean is not None]
    assert all(e.percentiles[0] is not None for e in shown)
    means = [e.estimates[0].mean for e in shown]
    assert jqi_peers.q1 <= jqi_peers.median <= jqi_peers.q3
    assert min(means) <= jqi_peers.median <= max(means)


def test_dimensions_at_threshold_per_employer(worker, result):
    employer = result.employers[0]
    dims = [employer.estimate(d.id).mean for d in worker.dimensions]
    assert employer.dimensions_at_threshold == sum(m >= 50 for m in dims)


def test_reliability_validity_and_sector_are_present(result):
    assert {r.dimension_id for r in result.reliability if r.applicable} == {
        "schedule",
        "safety",
        "skills",
        "voice",
        "respect",
        "security",
    }
    assert result.validity.r is not None
    assert -1 <= result.validity.r <= 1
    assert result.sector[0].method == "t-cluster"
    assert result.sector_proportions[0].name == "living_wage"


def test_an_employer_hidden_with_a_small_one_has_its_gaps_hidden_too(result):
    """Complementary suppression hides an employer with k or more responses; its gap
    tests read exactly like those of the employer with none, only its claims stay."""
    protected = [
        e for e in result.employers if e.estimates[0].mean is None and e.n_responses is not None
    ]
    assert protected, "the wave should hide a large employer with the small one"
    empty = result.employers[7]
    for employer in protected:
        assert [g.claim for g in employer.gaps] == [75.0] * len(employer.gaps)
        for mine, none in zip(employer.gaps, empty.gaps, strict=True):
            assert dataclasses.replace(mine, claim=None) == dataclasses.replace(none, claim=None)
            assert mine.n is None
            assert mine.note == NOT_ENOUGH


def test_gaps_in_the_release(result):
    gaps = result.employers[0].gaps
    assert [g.item_id for g in gaps][:3] == ["PAY1", "PAY2", "PAY4"]
    assert all(g.claim == 75.0 for g in gaps)


def test_row_order_and_employer_numbering_change_nothing(worker, wave, result):
    """Shuffle the rows and renumber the employers: every figure is identical."""
    codes, employers, claims = wave
    perm = np.random.default_rng(1).permutation(len(employers))
    relabel = np.array([8, 0, 7, 1, 6, 2, 5, 3, 4, 9])  # old index -> new index
    again = run(
        worker,
        codes[perm],
        relabel[employers[perm]],
        n_employers=10,
        claims=claims[np.argsort(relabel)],
    )
    for old in range(10):
        a = dataclasses.asdict(result.employers[old])
        b = dataclasses.asdict(again.employers[relabel[old]])
        a.pop("employer"), b.pop("employer")
        assert a == b
    assert again.sector == result.sector
    assert again.peers == result.peers
    assert again.reliability == result.reliability
    assert again.validity == result.validity


@settings(max_examples=5, deadline=None)
@given(seed=st_h.integers(0, 10**6))
def test_permuting_respondents_changes_nothing(worker, seed):
    """Property: the release is a function of the multiset of responses."""
    codes, employers = make_wave(worker, 6, 0, seed=seed, sizes=[8, 21, 5, 30, 6, 9])
    perm = np.random.default_rng(seed).permutation(len(employers))
    a = run(worker, codes, employers, n_resamples=49)
    b = run(worker, codes[perm], employers[perm], n_resamples=49)
    assert a == b


def test_threads_change_nothing(worker, wave, result):
    """Employers' bootstraps may run on several threads: the release is identical."""
    codes, employers, claims = wave
    for workers in (1, 3):
        again = run(worker, codes, employers, claims=claims, n_employers=10, workers=workers)
        assert again == result


def test_input_checks(worker, wave):
    codes, employers, _ = wave
    with pytest.raises(ValueError, match="at least 3"):
        run(worker, codes, employers, k=2)
    with pytest.raises(ValueError, match="employers"):
        run(worker, codes, employers[:-1])
    with pytest.raises(ValueError, match="only 9 groups"):
        run(worker, codes, employers, n_employers=9)
    with pytest.raises(ValueError, match="workers"):
        run(worker, codes, employers, workers=0)
