"""Shares of workers: their values, their denominators and their Wilson intervals.

"Not sure", "Prefer not to say" and blank answers are missing, never zero (DESIGN.md
"Scoring"): a share counts among the workers who gave a real answer. The Wilson
interval is written out below, independently of the code, and checked first against
the published figures of Newcombe (1998), Table II, method 3 (score interval without
continuity correction).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from surveyapp.scoring import (
    NOT_ENOUGH,
    choice_item_ids,
    default_proportions,
    release,
    wilson_interval,
)

from .conftest import make_wave

K = 5
Z = 1.959963984540054  # the 97.5 % point of the standard normal


def wilson(successes: int, n: int) -> tuple[float, float]:
    """Wilson (1927) score interval at 95 %, no continuity correction:
    (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)."""
    p = successes / n
    centre = p + Z**2 / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return (centre - half) / (1 + Z**2 / n), (centre + half) / (1 + Z**2 / n)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_formula_reproduces_newcombe_1998(successes, n, low, high):
    """Newcombe, R. G. (1998), Statistics in Medicine 17, 857-872, Table II, method 3:
    the written-out formula and wilson_interval both give the published 4 decimals."""
    assert wilson(successes, n) == pytest.approx((low, high), abs=5e-5)
    got = wilson_interval(successes, n)
    assert (got.low, got.high) == pytest.approx((low, high), abs=5e-5)
    assert (got.low, got.high) == pytest.approx(wilson(successes, n), rel=1e-12, abs=1e-15)


def test_default_shares_count_the_right_options(worker):
    """Living wage $18: bands whose midpoint is at least $18 (code 4, $18-20.99 with
    midpoint 19.5, and up); yes/no facts count the option scored 100 (BEN2 'Yes' = 1,
    RES3 'No' = 2, not harassed). Missing options are never among the counted codes."""
    shares = {p.name: p for p in default_proportions(worker, 18.0)}
    assert shares["living_wage"].codes == frozenset(range(4, 11))
    assert shares["BEN2"].codes == frozenset({1})
    assert shares["RES3"].codes == frozenset({2})
    # a band midpoint exactly at the living wage counts ("at least"); a cent above
    # the midpoint it does not
    assert 4 in {p.name: p for p in default_proportions(worker, 19.5)}["living_wage"].codes
    assert 4 not in {p.name: p for p in default_proportions(worker, 19.51)}["living_wage"].codes


#: Employer 0's 20 answers to three items, written out: code (count).
PAY1 = [(1, 1), (2, 2), (3, 3), (4, 4), (6, 3), (10, 1), (98, 2), (99, 2), (0, 2)]
BEN2 = [(1, 9), (2, 6), (98, 3), (0, 2)]
RES3 = [(2, 11), (1, 3), (99, 6)]


def expand(counts: list[tuple[int, int]]) -> np.ndarray:
    return np.repeat([c for c, _ in counts], [m for _, m in counts])


@pytest.fixture(scope="module")
def controlled(worker):
    """A wave of four employers (20, 30, 30, 30 workers); employer 0's PAY1, BEN2 and
    RES3 answers replaced by the lists above, shuffled."""
    codes, employers = make_wave(worker, 4, 0, seed=31, missing=0.05, sizes=[20, 30, 30, 30])
    columns = {item_id: j for j, item_id in enumerate(choice_item_ids(worker))}
    rng = np.random.default_rng(0)
    for item_id, counts in (("PAY1", PAY1), ("BEN2", BEN2), ("RES3", RES3)):
        codes[employers == 0, columns[item_id]] = rng.permutation(expand(counts))
    return codes, employers, columns


def test_shares_exclude_not_sure_prefer_not_and_blank(worker, controlled):
    """Employer 0, living wage $18:
    * living wage: 14 real PAY1 answers (2 'Not sure', 2 'Prefer not to say' and 2
      blanks left out); 4 + 3 + 1 = 8 at or above: 8/14, not 8/20;
    * BEN2 paid sick days: 9 'Yes' of 15 ('No' 6; 3 'Not sure', 2 blanks out): 0.6;
    * RES3 not harassed: 11 'No' of 14 (6 'Prefer not to say' out), not 11/20.
    Each with the Wilson interval written out above."""
    codes, employers, _ = controlled
    result = release(worker, codes, employers, k=K, living_wage=18.0, n_resamples=99)
    shares = {p.name: p for p in result.employers[0].proportions}
    for name, successes, n in (("living_wage", 8, 14), ("BEN2", 9, 15), ("RES3", 11, 14)):
        share = shares[name]
        assert share.n == n, name
        assert share.share == pytest.approx(successes / n, rel=1e-15), name
        assert (share.low, share.high) == pytest.approx(wilson(successes, n), rel=1e-12), name
    # 9 of 15: Wilson 0.3575 to 0.8018 (4 d.p., from the formula by hand)
    assert (shares["BEN2"].low, shares["BEN2"].high) == pytest.approx((0.3575, 0.8018), abs=5e-5)


def test_sector_share_pools_real_answers_only(worker, controlled):
    """The sector share is all employers' yes answers over all their real answers,
    counted here straight from the codes."""
    codes, employers, columns = controlled
    result = release(worker, codes, employers, k=K, living_wage=18.0, n_resamples=99)
    column = codes[:, columns["BEN2"]]
    yes = int(np.count_nonzero(column == 1))
    real = int(np.count_nonzero((column == 1) | (column == 2)))
    assert real < column.size  # the wave does have missing answers
    sector = {p.name: p for p in result.sector_proportions}["BEN2"]
    assert (sector.n, sector.share) == (real, pytest.approx(yes / real, rel=1e-15))
    assert (sector.low, sector.high) == pytest.approx(wilson(yes, real), rel=1e-12)


def test_share_below_the_claim_counts_only_answering_workers(worker, controlled):
    """Employer 0 claims paid sick days for everyone (BEN2 = 'Yes', 100). The gap's
    share below the claim is the 6 'No' among the 15 who answered Yes or No: 0.4,
    not 6/20 (the 'Not sure' and blank answers are not 'No')."""
    codes, employers, _ = controlled
    claims = np.full((4, 1), 100.0)
    result = release(
        worker,
        codes,
        employers,
        k=K,
        living_wage=18.0,
        n_resamples=99,
        claims=claims,
        claim_item_ids=["BEN2"],
    )
    gap = result.employers[0].gaps[0]
    assert gap.n == 15
    assert gap.share_below == 6 / 15
    assert gap.median_gap == 0.0  # 9 of 15 at the claim: the middle one is a zero


@pytest.mark.parametrize("real", [K - 1, K, K + 1])
def test_share_from_k_real_answers_is_shown(worker, real):
    """Employer 0 has 20 workers but only `real` answered BEN2 (the rest 'Not sure'
    or blank). The share comes from `real` workers, so it is shown from k."""
    codes, employers = make_wave(worker, 4, 0, seed=32, missing=0.0, sizes=[20, 30, 30, 30])
    column = choice_item_ids(worker).index("BEN2")
    answers = [1] * (real - 2) + [2, 2] + [98] * (12 - real) + [0] * 8
    codes[employers == 0, column] = answers
    result = release(worker, codes, employers, k=K, living_wage=18.0, n_resamples=99)
    share = {p.name: p for p in result.employers[0].proportions}["BEN2"]
    if real < K:
        assert (share.n, share.share, share.low, share.high) == (None, None, None, None)
        assert share.note == NOT_ENOUGH
        return
    assert share.n == real
    assert share.share == pytest.approx((real - 2) / real, rel=1e-15)
    assert (share.low, share.high) == pytest.approx(wilson(real - 2, real), rel=1e-12)
