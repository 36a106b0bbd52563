"""Shared fixtures for the scoring tests: the shipped instrument and synthetic waves."""

from __future__ import annotations

import numpy as np
import pytest

from surveyapp.instruments import get_instrument
from surveyapp.scoring import choice_item_ids


@pytest.fixture(scope="session")
def worker():
    return get_instrument("worker", 1)


@pytest.fixture(scope="session")
def item_ids(worker):
    return choice_item_ids(worker)


def make_wave(instrument, n_employers, per_employer, *, seed=0, missing=0.05, sizes=None):
    """Synthetic answers: an employer effect and a worker effect on a latent level.

    Reverse-directed items get the mirrored answer, so dimensions hang together.
    Returns (codes int16, employer index).
    """
    ids = choice_item_ids(instrument)
    rng = np.random.default_rng(seed)
    counts = np.full(n_employers, per_employer) if sizes is None else np.asarray(sizes)
    employers = np.repeat(np.arange(n_employers), counts)
    n = employers.size
    level = rng.normal(0, 0.8, n_employers)[employers] + rng.normal(0, 0.6, n)
    codes = np.zeros((n, len(ids)), dtype=np.int16)
    for column, item_id in enumerate(ids):
        item = instrument.item(item_id)
        real = [o for o in item.options if not o.missing]
        missing_codes = [o.code for o in item.options if o.missing]
        if real and real[0].score is not None:
            real = sorted(real, key=lambda o: o.score)
        if item.direction == "reverse":
            real = real[::-1]
        position = (level + rng.normal(0, 1, n)) * len(real) / 4 + len(real) / 2
        chosen = np.array([o.code for o in real])[
            np.clip(np.round(position), 0, len(real) - 1).astype(int)
        ]
        gone = rng.random(n) < missing
        fill = rng.choice([*missing_codes, 0], n)
        codes[:, column] = np.where(gone, fill, chosen)
    return codes, employers


@pytest.fixture(scope="session")
def small_wave(worker):
    return make_wave(worker, 12, 30, seed=3)
