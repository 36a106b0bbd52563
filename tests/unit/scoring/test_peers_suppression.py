"""Peer comparison and the suppression rules (DESIGN.md anonymity rules 2, 7, 8)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as st_h

from surveyapp.scoring import NOT_ENOUGH, disclose, peer_comparison, percentile_ranks


def test_percentile_rank_measurement_example():
    """MEASUREMENT.md 4.6: 62 among [55, 60, 62, 70, 75] is 50 with kind 'mean'."""
    assert percentile_ranks([55, 60, 62, 70, 75], [62])[0] == 50.0


def test_percentile_ranks_match_scipy():
    rng = np.random.default_rng(0)
    peers = np.round(rng.normal(55, 8, 40), 1)
    scores = np.concatenate([peers[:10], [0, 100, 55.0]])
    want = [st.percentileofscore(peers, x, kind="mean") for x in scores]
    np.testing.assert_allclose(percentile_ranks(peers, scores), want, rtol=1e-12)


def test_peer_comparison_rules():
    means = np.array([40.0, 50, 60, 70, 80, 90])
    counts = np.array([10, 10, 10, 10, 10, 2])
    summary, ranks = peer_comparison("jqi", means, counts, counts >= 5, k=5)
    # 5 peers (the 6th has 2 < k answers): quartiles of 40..80 (linear), percentiles
    assert summary.n_employers == 5
    assert (summary.q1, summary.median, summary.q3) == (50.0, 60.0, 70.0)
    np.testing.assert_allclose(ranks[:5], [10, 30, 50, 70, 90], rtol=1e-12)
    assert np.isnan(ranks[5])
    # 4 peers: the summary is shown (>= 3) but no percentile (< 5)
    summary, ranks = peer_comparison("jqi", means[:4], counts[:4], np.ones(4, bool), k=5)
    assert summary.n_employers == 4
    assert np.isnan(ranks).all()
    # one employer with 80 % of the peer group's answers: nothing (rule 7)
    summary, ranks = peer_comparison(
        "jqi", means[:3], np.array([80, 10, 10]), np.ones(3, bool), k=5
    )
    assert summary.median is None
    assert summary.note == NOT_ENOUGH
    # an employer whose own mean is hidden (complementary suppression) is no peer: it
    # gets no percentile and its mean reaches neither the quartiles nor others' ranks
    many = np.array([40.0, 50, 60, 70, 80, 90])
    summary, ranks = peer_comparison(
        "jqi", many, np.full(6, 10), np.array([True, True, False, True, True, True]), k=5
    )
    assert np.isnan(ranks[2])
    assert summary.n_employers == 5
    assert (summary.q1, summary.median, summary.q3) == (50.0, 70.0, 80.0)
    np.testing.assert_allclose(ranks[[0, 1, 3, 4, 5]], [10, 30, 50, 70, 90], rtol=1e-12)


def test_disclose_examples():
    assert disclose([40, 12, 2], 5).cells == (True, False, False)
    assert disclose([40, 12, 2], 5, total_shown=False).cells == (True, True, False)
    # hidden 3 + 1 = 4 < k: the next smallest (12) is hidden too
    assert disclose([40, 12, 20, 3, 1], 5).cells == (True, False, True, False, False)
    # a lone hidden 3 would be total minus the rest: the next smallest (6) joins it
    assert disclose([40, 6, 20, 3], 5).cells == (True, False, True, False)
    assert disclose([10, 12, 20], 5, residual=3, breakdown=True).cells == (False,) * 3
    assert disclose([10, 12, 20], 5, residual=7, breakdown=True).cells == (True,) * 3
    # employer rule: only 2 employers with >= k responses -> no total
    assert disclose([40, 12, 2], 5, employers=True).total is False
    # 80 %: 80 of 100 responses from one employer -> no total
    assert disclose([80, 10, 10], 5, employers=True).total is False
    assert disclose([79, 11, 10], 5, employers=True).total is True


def test_k_must_be_at_least_three():
    with pytest.raises(ValueError, match="at least 3"):
        disclose([5], 2)
    with pytest.raises(ValueError, match="non-negative"):
        disclose([-1, 4], 5)


def derivable_groups(counts, shown, residual):
    """Every set of cells whose combined figure can be read or subtracted out.

    Shown cells can be read; the total can be read; any shown cells can be subtracted
    from the total. Yields (cells, includes_residual) for each derivable figure that
    involves hidden data.
    """
    hidden = [i for i, s in enumerate(shown) if not s]
    visible = [i for i, s in enumerate(shown) if s]
    for r in range(len(visible) + 1):
        for subtracted in itertools.combinations(visible, r):
            rest = [i for i in visible if i not in subtracted]
            yield hidden + rest, residual > 0


@settings(max_examples=300, deadline=None)
@given(
    counts=st_h.lists(st_h.integers(0, 30), min_size=1, max_size=7),
    k=st_h.integers(3, 10),
    residual=st_h.integers(0, 12),
    employers=st_h.booleans(),
)
def test_no_shown_figure_comes_from_fewer_than_k(counts, k, residual, employers):
    """Property (brute force over every subtraction): every figure that can be read or
    derived from the shown cells and the shown total comes from 0 or >= k responses,
    and no single hidden cell below k can be isolated."""
    decision = disclose(counts, k, residual=residual, employers=employers)
    n = np.array(counts)
    for cell, shown in zip(counts, decision.cells, strict=True):
        assert not shown or cell >= k
    if not decision.total:
        return
    assert n.sum() + residual >= k
    for cells, with_residual in derivable_groups(counts, decision.cells, residual):
        size = int(n[cells].sum()) + (residual if with_residual else 0)
        assert size == 0 or size >= k
        parts = [c for c in cells if n[c] > 0] + ([-1] if with_residual else [])
        if len(parts) == 1:  # exactly one component is recovered: it must be >= k
            only = residual if parts[0] == -1 else n[parts[0]]
            assert only >= k
