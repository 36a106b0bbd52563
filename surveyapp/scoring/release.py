"""A wave's results, computed once when it closes: :func:`release`.

This is the function both the app (codes read from the database) and the offline
``surveyapp score`` command (codes read from a CSV export) call, so both show the same
numbers to the last digit. It returns only figures that the anonymity rules allow
(:mod:`~surveyapp.scoring.suppression`), as frozen dataclasses
(:mod:`~surveyapp.scoring.results`).

Reproducibility: rows are put in a canonical order (by a hash of their answers) before
anything is summed, and every bootstrap draws from a generator seeded by ``seed`` and
the employer's own data. The result therefore does not depend on the order of the
responses, on how employers are numbered, or on which other employers are in the wave
(apart from the figures that compare employers: peers, sector, suppression).

The function is a short sequence of named steps: :func:`~.scored_wave.score_wave` puts
rows in canonical order, scores them and decides what may be shown; each step of
:mod:`~.release_steps` (and :mod:`~.wave_trend`) then computes one family of figures.

Speed: the bootstraps dominate (a million responses, 200 employers, 9,999 resamples:
about a minute on one core). Employers are independent, so they are bootstrapped on
several threads at once (``workers``); numpy releases the interpreter lock while it
draws, counts and multiplies, and the result is the same on any number of threads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from numpy.typing import ArrayLike

from ..instruments.model import Instrument
from ._arrays import check_confidence, check_k
from ._parallel import check_workers, on_one_blas_thread, parallel_map
from .proportions import Proportion, default_proportions
from .release_steps import (
    employer_estimates,
    employer_results,
    equity_figures,
    gap_figures,
    peer_figures,
    proportion_figures,
    reliability_figures,
    sector_estimates,
    subgroupings,
    validity_figure,
)
from .results import Estimate, Release
from .scored_wave import ScoredWave, canonical_order, score_wave, statistic_names
from .wave_trend import PreviousWave, trend_figures

__all__ = ["PreviousWave", "canonical_order", "release", "statistic_names"]


@on_one_blas_thread
def release(
    instrument: Instrument,
    codes: ArrayLike,
    employers: ArrayLike,
    *,
    k: int,
    living_wage: float | None,
    item_ids: Sequence[str] | None = None,
    n_employers: int | None = None,
    claims: ArrayLike | None = None,
    claim_item_ids: Sequence[str] | None = None,
    groupings: Mapping[str, tuple[ArrayLike, Sequence[str]]] | None = None,
    proportions: Sequence[Proportion] | None = None,
    seed: int = 0,
    n_resamples: int = 9999,
    confidence: float = 0.95,
    previous: PreviousWave | None = None,
    workers: int | None = None,
) -> Release:
    """Every figure of a closed wave, suppressed for display.

    Parameters
    ----------
    instrument : Instrument
        The worker instrument of the wave.
    codes : array_like of int, shape (n_responses, n_items)
        Stored option codes, 0 for blank; one column per item of ``item_ids``.
    employers : array_like of int, shape (n_responses,)
        Employer index 0..n_employers-1 of each response.
    k : int
        The partnership's minimum reporting group size (at least 3).
    living_wage : float or None
        The partnership's hourly living wage (needed when an item is scored by it).
    item_ids : sequence of str, optional
        The item of each column; default every choice item in file order.
    n_employers : int, optional
        Number of employers in the wave (some may have no responses); default
        ``max(employers) + 1``.
    claims : array_like, shape (n_employers, n_claim_items), optional
        Employer claims on the 0-100 scale of each mirrored item (NaN: no claim); see
        :func:`~.gaps.claim_scores`. Without it no gaps are computed.
    claim_item_ids : sequence of str, optional
        The worker item of each column of ``claims``; default every mirrored item
        (:func:`~.gaps.gap_item_ids`).
    groupings : mapping, optional
        Extra subgroupings for equity, name -> (group index per response, -1 for none;
        labels), e.g. ``{"language": (language_index, ("en", "es"))}``. Subgroup items
        of the instrument (role "subgroup") are always used.
    proportions : sequence of Proportion, optional
        Shares to report; default :func:`~.proportions.default_proportions`.
    seed : int
        Base seed of every bootstrap.
    n_resamples : int
        Bootstrap resamples (9,999, scipy's default).
    confidence : float
        Level of every interval.
    previous : PreviousWave, optional
        The partnership's previous wave, for the change of every statistic since then
        (:mod:`~.wave_trend`); without it ``trend`` is empty.
    workers : int, optional
        Threads that compute employers' intervals at once; default the CPUs the
        process may use, at most 4. The result does not depend on it: every employer's
        bootstrap draws from its own generator.

    Returns
    -------
    Release
        Only figures the anonymity rules allow; see :mod:`~.results`.
    """
    k = check_k(k)
    confidence = check_confidence(confidence)
    workers = check_workers(workers)
    wave = score_wave(
        instrument,
        codes,
        employers,
        k=k,
        confidence=confidence,
        living_wage=living_wage,
        item_ids=item_ids,
        n_employers=n_employers,
    )
    estimates = _all_employer_estimates(wave, seed=seed, n_resamples=n_resamples, workers=workers)
    peers, percentiles = peer_figures(wave)
    if proportions is None:
        proportions = default_proportions(instrument, living_wage)
    employer_props, sector_props = proportion_figures(wave, tuple(proportions))
    reliability = reliability_figures(wave)
    validity = validity_figure(wave)
    gaps = gap_figures(wave, claims, claim_item_ids)
    sector_equity, employer_equity = equity_figures(wave, subgroupings(wave, groupings))
    sector_trend, employer_trend = trend_figures(
        wave, previous, seed=seed, n_resamples=n_resamples, workers=workers
    )
    return Release(
        instrument=instrument.key,
        instrument_version=instrument.version,
        instrument_checksum=instrument.checksum,
        k=k,
        living_wage=None if living_wage is None else float(living_wage),
        seed=int(seed),
        n_resamples=int(n_resamples),
        confidence=confidence,
        n_responses=wave.n_rows if wave.n_rows >= k else None,
        statistics=wave.names,
        sector=sector_estimates(wave),
        sector_proportions=sector_props,
        peers=peers,
        reliability=reliability,
        validity=validity,
        equity=sector_equity,
        employers=employer_results(
            wave,
            estimates=estimates,
            percentiles=percentiles,
            proportions=employer_props,
            gaps=gaps,
            equity=employer_equity,
            trend=employer_trend,
        ),
        trend=sector_trend,
    )


def _all_employer_estimates(
    wave: ScoredWave, *, seed: int, n_resamples: int, workers: int
) -> list[list[Estimate]]:
    """Every employer's estimates; employers with nothing shown are not bootstrapped.

    Employers are independent (each bootstrap draws from its own data's generator), so
    they can be computed in any order, on several threads, with the same result.
    """
    estimates = [[Estimate.hidden(name) for name in wave.names] for _ in range(wave.n_employers)]
    busy = [e for e in range(wave.n_employers) if wave.shown[e].any()]

    def one(e: int) -> list[Estimate]:
        return employer_estimates(wave, e, seed=seed, n_resamples=n_resamples)

    for e, result in zip(busy, parallel_map(one, busy, workers), strict=True):
        estimates[e] = result
    return estimates
