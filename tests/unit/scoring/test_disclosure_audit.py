"""An audit of a whole release: what can be worked out from everything it shows?

SECURITY.md asks for an audit that derives every group recoverable by subtraction from
the published figures and checks that each has at least k responses (Census cell
suppression audits; Denning et al. 1979 on differencing). Here the published figures
of each statistic are the sector n and mean, the shown employers' n and means, and the
peer median and quartiles.
"""

from __future__ import annotations

import numpy as np
import pytest

from surveyapp.scoring import release

K = 5


def _wave(worker, sizes, seed):
    from surveyapp.scoring import choice_item_ids

    rng = np.random.default_rng(seed)
    ids = choice_item_ids(worker)
    employers = np.repeat(np.arange(len(sizes)), sizes)
    codes = np.zeros((employers.size, len(ids)), dtype=np.int16)
    for column, item_id in enumerate(ids):
        real = [o.code for o in worker.item(item_id).options if not o.missing]
        codes[:, column] = rng.choice(real, size=employers.size)
    return codes, employers


@pytest.mark.parametrize(
    ("sizes", "seed"),
    [
        ([4, 66, 80, 90, 110, 120, 140, 160, 180, 220, 260], 1),  # one small, odd peer count
        ([3, 2, 40, 41, 42, 43, 44, 45], 2),  # two small employers
        ([1, 30, 31, 32, 33, 34, 35], 3),
        ([6, 7, 8, 9, 10, 11, 12], 4),  # everybody just above k
    ],
)
def test_no_hidden_group_below_k_can_be_recovered(worker, sizes, seed):
    codes, employers = _wave(worker, sizes, seed)
    result = release(worker, codes, employers, k=K, living_wage=20.0, n_resamples=199)
    for s, statistic in enumerate(result.statistics):
        sector = result.sector[s]
        if sector.mean is None:
            continue
        estimates = [e.estimates[s] for e in result.employers]
        shown = [x for x in estimates if x.mean is not None]
        hidden_count = sector.n - sum(x.n for x in shown)
        hidden_employers = [
            e for e, x in zip(result.employers, estimates, strict=True) if x.mean is None
        ]
        # Subtraction gives the hidden employers' combined figure: it must rest on at
        # least k answers from at least two employers (or on none at all).
        if hidden_count:
            assert hidden_count >= K, statistic
            assert len(hidden_employers) >= 2, statistic
        # Peer figures are a function of the shown means only, so they add nothing
        # about any hidden employer.
        peers = result.peers[s]
        if peers.median is not None:
            means = np.array([x.mean for x in shown if x.n >= K])
            q1, median, q3 = np.quantile(means, [0.25, 0.5, 0.75])
            assert (peers.q1, peers.median, peers.q3) == (q1, median, q3), statistic
            assert peers.n_employers == means.size


def test_hidden_and_missing_look_the_same(worker):
    codes, employers = _wave(worker, [2, 40, 50, 60], 5)
    # Employer 4 exists but has no responses; employer 0 has too few.
    result = release(
        worker, codes, employers, k=K, living_wage=20.0, n_resamples=199, n_employers=5
    )
    too_few, nobody = result.employers[0], result.employers[4]
    assert too_few.estimates == nobody.estimates
    assert too_few.percentiles == nobody.percentiles
