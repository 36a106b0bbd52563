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

Speed: the bootstraps dominate (a million responses, 200 employers, 9,999 resamples:
about a minute on one core). Employers are independent, so they are bootstrapped on
several threads at once (``workers``); numpy releases the interpreter lock while it
draws, counts and multiplies, and the result is the same on any number of threads.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..instruments.model import Instrument
from ._arrays import as_codes, as_groups, check_confidence, check_k
from .dimensions import ScoringPlan
from .equity import equity
from .gaps import employer_gaps, gap_item_ids
from .intervals import (
    BOOTSTRAP_FROM,
    IDENTICAL,
    bca_intervals,
    data_rng,
    ratio_t_interval,
    t_interval,
    wilson_bounds,
)
from .peers import peer_comparison
from .proportions import Proportion, default_proportions
from .ranktests import all_tied, tie_rounded
from .reliability import criterion_validity, wave_reliability
from .results import (
    EmployerResult,
    EquityResult,
    Estimate,
    ProportionResult,
    Release,
    ValidityResult,
)
from .suppression import NOT_ENOUGH, disclose

__all__ = ["canonical_order", "release", "statistic_names"]

try:  # optional: without it OpenBLAS may start threads that slow the bootstrap down
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - depends on the environment
    threadpool_limits = None

_MIX = np.uint64(0x9E3779B97F4A7C15)
#: Most threads :func:`release` uses by default (employers' bootstraps at once).
_MAX_WORKERS = 4

_T = TypeVar("_T")


def statistic_names(instrument: Instrument) -> tuple[str, ...]:
    """The summarised statistics: "jqi", each dimension id, "at_threshold"."""
    names = ("jqi", *(d.id for d in instrument.dimensions), "at_threshold")
    if len(set(names)) != len(names):
        raise ValueError("a dimension may not be called 'jqi' or 'at_threshold'")
    return names


def canonical_order(codes: NDArray[np.integer]) -> NDArray[np.intp]:
    """Row order by a 64-bit hash of each row's codes (a loop over columns only).

    Identical rows are interchangeable, so sums taken in this order do not depend on
    the order the rows came in.
    """
    h = np.zeros(codes.shape[0], dtype=np.uint64)
    for column in range(codes.shape[1]):
        h ^= codes[:, column].astype(np.uint64)
        h *= _MIX
        h ^= h >> np.uint64(31)
    return np.argsort(h, kind="stable")


def _on_one_blas_thread(function: Callable[..., _T]) -> Callable[..., _T]:
    """Run ``function`` with BLAS limited to one thread.

    The bootstrap's matrix products are small; on a 2-core machine OpenBLAS's worker
    threads spin against numpy's own work and made a release 2x slower in the
    benchmark, and the release runs employers on threads of its own. With one thread a
    product is computed the same way however many cores the machine has.
    """

    @functools.wraps(function)
    def limited(*args: object, **kwargs: object) -> _T:
        if threadpool_limits is None:
            return function(*args, **kwargs)
        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return limited


def _default_workers() -> int:
    """The CPUs this process may run on, at most :data:`_MAX_WORKERS`."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        available = os.cpu_count() or 1
    return max(1, min(available, _MAX_WORKERS))


def _map(function: Callable[[int], _T], items: Sequence[int], workers: int) -> list[_T]:
    """``[function(i) for i in items]``, on up to ``workers`` threads, in order.

    numpy releases the interpreter lock while it draws random numbers, counts and
    multiplies matrices, so threads share the bootstrap's work without copying data.
    """
    if workers <= 1 or len(items) <= 1:
        return [function(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(function, items))


def _f(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _subgroup_index(item_codes: NDArray, options: Sequence[int]) -> NDArray[np.intp]:
    lookup = np.full(100, -1, dtype=np.intp)
    lookup[list(options)] = np.arange(len(options))
    return lookup[item_codes]


@_on_one_blas_thread
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
    if workers is None:
        workers = _default_workers()
    elif isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise ValueError(f"workers must be a whole number of at least 1, got {workers!r}")
    plan = ScoringPlan(instrument, item_ids, living_wage=living_wage)
    raw = as_codes(codes, len(plan.items))
    n_rows = raw.shape[0]
    group_raw = as_groups(employers, n_rows, "employers", n_employers)
    n_emp = int(n_employers if n_employers is not None else (group_raw.max() + 1 if n_rows else 0))
    names = statistic_names(instrument)
    order = canonical_order(raw)
    coded = raw[order]
    group = group_raw[order]
    columns = {item_id: j for j, item_id in enumerate(plan.item_ids)}

    scores = plan.score(coded)
    values = np.asfortranarray(scores.statistics())  # (n, S): jqi, dimensions, at_threshold
    answered = ~np.isnan(values)
    filled = np.where(answered, values, 0.0)
    n_stats = len(names)
    counts = np.stack(
        [np.bincount(group, weights=answered[:, s], minlength=n_emp) for s in range(n_stats)],
        axis=1,
    ).astype(np.int64)
    sums = np.stack(
        [np.bincount(group, weights=filled[:, s], minlength=n_emp) for s in range(n_stats)],
        axis=1,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    by_employer = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[by_employer], np.arange(n_emp + 1))

    # ---------------------------------------------------------------- what may be shown
    decisions = [disclose(counts[:, s], k, employers=True) for s in range(n_stats)]
    shown = np.array([d.cells for d in decisions], dtype=bool).T.reshape(n_emp, n_stats)
    sector_shown = [d.total for d in decisions]

    # ---------------------------------------------------------------- sector
    sector = []
    for s, name in enumerate(names):
        if not sector_shown[s]:
            sector.append(Estimate.hidden(name))
            continue
        interval = ratio_t_interval(sums[:, s], counts[:, s], confidence)
        sector.append(Estimate.from_interval(name, int(counts[:, s].sum()), interval))

    # ---------------------------------------------------------------- employer intervals
    def employer_estimates(e: int) -> list[Estimate]:
        """One employer's estimates; reads the shared arrays, writes nothing shared."""
        result = [Estimate.hidden(name) for name in names]
        rows = by_employer[starts[e] : starts[e + 1]]
        block = values[rows]
        boot = []
        for s, name in enumerate(names):
            if not shown[e, s]:
                continue
            x = block[:, s][answered[rows, s]]
            if all_tied(x):
                mean = float(means[e, s])
                result[s] = Estimate(name, int(x.size), mean, mean, mean, "identical", IDENTICAL)
            elif x.size < BOOTSTRAP_FROM:
                t = t_interval(x, confidence)
                result[s] = Estimate(name, int(x.size), float(means[e, s]), t.low, t.high, "t")
            else:
                boot.append(s)
        if boot:
            numerators = np.where(answered[rows][:, boot], block[:, boot], 0.0)
            denominators = answered[rows][:, boot].astype(np.float64)
            _, low, high = bca_intervals(
                numerators,
                denominators,
                rng=data_rng(seed, block),
                n_resamples=n_resamples,
                confidence=confidence,
                estimate=means[e, boot],
            )
            for j, s in enumerate(boot):
                result[s] = Estimate(
                    names[s],
                    int(counts[e, s]),
                    float(means[e, s]),
                    float(np.clip(low[j], 0.0, 100.0)),
                    float(np.clip(high[j], 0.0, 100.0)),
                    "bca",
                )
        return result

    # Employers are independent (each bootstrap draws from its own data's generator),
    # so they can be computed in any order, on several threads, with the same result.
    estimates = [[Estimate.hidden(name) for name in names] for _ in range(n_emp)]
    busy = [e for e in range(n_emp) if shown[e].any()]
    for e, result in zip(busy, _map(employer_estimates, busy, workers), strict=True):
        estimates[e] = result

    # ---------------------------------------------------------------- peers
    peer_summaries = []
    percentiles = np.full((n_emp, n_stats), np.nan)
    for s, name in enumerate(names):
        summary, ranks = peer_comparison(name, means[:, s], counts[:, s], shown[:, s], k=k)
        peer_summaries.append(summary)
        percentiles[:, s] = ranks

    # ---------------------------------------------------------------- proportions
    specs = (
        tuple(proportions)
        if proportions is not None
        else default_proportions(instrument, living_wage)
    )
    employer_props: list[list[ProportionResult]] = [[] for _ in range(n_emp)]
    sector_props = []
    for spec in specs:
        if spec.item_id not in columns:
            raise ValueError(f"proportion {spec.name!r}: item {spec.item_id!r} is not a column")
        item = instrument.item(spec.item_id)
        real = [o.code for o in item.options if not o.missing]
        column = coded[:, columns[spec.item_id]]
        is_real = np.isin(column, real)
        is_yes = np.isin(column, list(spec.codes)) & is_real
        n_real = np.bincount(group, weights=is_real, minlength=n_emp).astype(np.int64)
        n_yes = np.bincount(group, weights=is_yes, minlength=n_emp).astype(np.int64)
        decision = disclose(n_real, k, employers=True)
        safe_n = np.maximum(n_real, 1)
        low, high = wilson_bounds(n_yes, safe_n, confidence)
        for e in range(n_emp):
            if decision.cells[e]:
                employer_props[e].append(
                    ProportionResult(
                        spec.name,
                        spec.item_id,
                        int(n_real[e]),
                        float(n_yes[e] / n_real[e]),
                        float(low[e]),
                        float(high[e]),
                    )
                )
            else:
                employer_props[e].append(ProportionResult.hidden(spec.name, spec.item_id))
        if decision.total:
            total_real, total_yes = int(n_real.sum()), int(n_yes.sum())
            t_low, t_high = wilson_bounds(np.array([total_yes]), np.array([total_real]), confidence)
            sector_props.append(
                ProportionResult(
                    spec.name,
                    spec.item_id,
                    total_real,
                    total_yes / total_real,
                    float(t_low[0]),
                    float(t_high[0]),
                )
            )
        else:
            sector_props.append(ProportionResult.hidden(spec.name, spec.item_id))

    # ---------------------------------------------------------------- reliability, validity
    alpha_ids = [
        item.id
        for d in instrument.dimensions
        if d.reliability == "alpha"
        for item in instrument.items_in(d.id)
    ]
    item_scores = (
        np.column_stack([plan.tables[columns[i]][coded[:, columns[i]]] for i in alpha_ids])
        if alpha_ids
        else np.empty((n_rows, 0))
    )
    reliability = wave_reliability(instrument, item_scores, alpha_ids, k=k, confidence=confidence)
    criterion = [item.id for item in plan.items if item.role == "criterion"]
    if criterion:
        c = columns[criterion[0]]
        validity = criterion_validity(
            scores.jqi, plan.tables[c][coded[:, c]], k=k, confidence=confidence
        )
    else:
        validity = ValidityResult(None, None, None, None, "no criterion item")

    # ---------------------------------------------------------------- gaps
    if claims is not None:
        gap_ids = tuple(claim_item_ids) if claim_item_ids is not None else gap_item_ids(instrument)
        missing = [i for i in gap_ids if i not in columns]
        if missing:
            raise ValueError(f"claim item {missing[0]!r} is not a column")
        gap_scores = (
            np.column_stack([plan.tables[columns[i]][coded[:, columns[i]]] for i in gap_ids])
            if gap_ids
            else np.empty((n_rows, 0))
        )
        gaps = employer_gaps(gap_scores, group, claims, gap_ids, k=k)
        if len(gaps) != n_emp:
            raise ValueError(f"claims has {len(gaps)} rows but the wave has {n_emp} employers")
    else:
        gaps = tuple(() for _ in range(n_emp))

    # ---------------------------------------------------------------- equity (JQI)
    subgroupings: dict[str, tuple[NDArray[np.intp], tuple[str, ...]]] = {}
    for item in plan.items:
        if item.role == "subgroup":
            real = [o for o in item.options if not o.missing]
            index = _subgroup_index(coded[:, columns[item.id]], [o.code for o in real])
            subgroupings[item.id] = (index, tuple(o.label[instrument.languages[0]] for o in real))
    for name, (index, labels) in (groupings or {}).items():
        raw_index = np.asarray(index)
        if raw_index.shape != (n_rows,) or raw_index.dtype.kind not in "iu":
            raise ValueError(f"grouping {name!r} needs one integer per response")
        subgroupings[name] = (raw_index[order].astype(np.intp), tuple(labels))
    sector_equity = tuple(
        equity(scores.jqi, index, labels, k=k, grouping=name)
        if sector_shown[0]
        else _hidden_equity(name, labels)
        for name, (index, labels) in subgroupings.items()
    )
    employer_equity = []
    for e in range(n_emp):
        rows = by_employer[starts[e] : starts[e + 1]]
        employer_equity.append(
            tuple(
                equity(scores.jqi[rows], index[rows], labels, k=k, grouping=name)
                if shown[e, 0]
                else _hidden_equity(name, labels)
                for name, (index, labels) in subgroupings.items()
            )
        )

    # ---------------------------------------------------------------- assemble
    dimension_columns = [names.index(d.id) for d in instrument.dimensions]
    thresholds = np.array([instrument.threshold_for(d.id) for d in instrument.dimensions])
    response_counts = np.bincount(group, minlength=n_emp)
    employer_results = []
    for e in range(n_emp):
        all_dims = bool(shown[e, dimension_columns].all())
        # A mean equal to the threshold up to summation order (49.99999999999999 for
        # an exact 50) reaches it, as the brief's rounded figure says it does.
        reached = tie_rounded(means[e, dimension_columns]) >= thresholds
        at = int(reached.sum()) if all_dims else None
        employer_results.append(
            EmployerResult(
                employer=e,
                n_responses=int(response_counts[e]) if response_counts[e] >= k else None,
                estimates=tuple(estimates[e]),
                percentiles=tuple(_f(p) for p in percentiles[e]),
                dimensions_at_threshold=at,
                proportions=tuple(employer_props[e]),
                gaps=tuple(gaps[e]),
                equity=employer_equity[e],
            )
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
        n_responses=n_rows if n_rows >= k else None,
        statistics=names,
        sector=tuple(sector),
        sector_proportions=tuple(sector_props),
        peers=tuple(peer_summaries),
        reliability=reliability,
        validity=validity,
        equity=sector_equity,
        employers=tuple(employer_results),
    )


def _hidden_equity(name: str, labels: Sequence[str]) -> EquityResult:
    labels = tuple(labels)
    hidden = tuple(Estimate.hidden("jqi") for _ in labels)
    return EquityResult("jqi", name, labels, hidden, None, None, NOT_ENOUGH)
