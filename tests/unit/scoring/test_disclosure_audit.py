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


def _subgroup_wave(worker, newcomers):
    """Employers 0-2 small (4, 5, 6: each one night-shift worker, one who gave no
    shift); employers 3 and 4 show every shift and tenure cell at k or k+1; employer 5
    has ``newcomers`` workers under 6 months among its day shift, one more day worker
    of 6-12 months, and 5 each of night and no shift."""
    from surveyapp.scoring import choice_item_ids

    ids = choice_item_ids(worker)
    shift, tenure = ids.index("SHIFT"), ids.index("TENURE")
    cells = [
        [(0, 1, 0, 2), (0, 3, 0, 1), (0, 0, 0, 1)],
        [(1, 1, 0, 3), (1, 3, 0, 1), (1, 0, 0, 1)],
        [(2, 1, 0, 4), (2, 3, 0, 1), (2, 0, 0, 1)],
        [(3, 1, 1, 5), (3, 3, 2, 5), (3, 0, 3, 5)],
        [(4, 1, 1, 6), (4, 3, 2, 6), (4, 0, 3, 6)],
        [(5, 1, 1, newcomers), (5, 1, 2, 1), (5, 3, 2, 5), (5, 0, 3, 5)],
    ]
    rows = [(e, s, t) for employer in cells for e, s, t, n in employer for _ in range(n)]
    codes, _ = _wave(worker, [len(rows)], 6)
    employers = np.array([e for e, _s, _t in rows])
    codes[:, shift] = [s for _e, s, _t in rows]
    codes[:, tenure] = [t for _e, _s, t in rows]
    return codes, employers


@pytest.mark.parametrize("newcomers", [K - 1, K, K + 1])
def test_sector_subgroup_minus_shown_employers_leaves_nobody_or_k(worker, newcomers):
    """Regression (issue 13 audit): the sector's "less than 6 months" minus employers
    3 and 4's was employer 5's newcomers alone (4 of them), and its shown shift table
    then split its day shift down to one worker; the small employers' night shift
    (3 workers) was the sector's night shift minus the shown employers'."""
    codes, employers = _subgroup_wave(worker, newcomers)
    result = release(worker, codes, employers, k=K, living_wage=20.0, n_resamples=199)
    for g, sector in enumerate(result.equity):
        if sector.estimates[0].mean is None and sector.estimates[-1].mean is None:
            continue
        tables = [e.equity[g] for e in result.employers]
        for c, total in enumerate(sector.estimates):
            if total.n is None:
                continue
            rest = total.n - sum(t.estimates[c].n or 0 for t in tables)
            assert rest == 0 or rest >= K, (sector.grouping, c)
    shown = [any(x.mean is not None for x in t.estimates) for t in result.employers[5].equity]
    # Employer 5 shows its tables only when its newcomers reach k (no grouping of it
    # hidden, so none of its tables splits another).
    assert any(shown) == (newcomers >= K)
