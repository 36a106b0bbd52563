"""The steps of :func:`~.release.release`, one family of figures each.

Every step reads a :class:`~.scored_wave.ScoredWave` (rows in canonical order, scored,
with what may be shown already decided) and returns figures already suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

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
from .proportions import Proportion
from .ranktests import all_tied, tie_rounded
from .reliability import criterion_validity, wave_reliability
from .results import (
    AlphaResult,
    EmployerResult,
    EquityResult,
    Estimate,
    GapResult,
    PeerSummary,
    ProportionResult,
    TrendResult,
    ValidityResult,
)
from .scored_wave import ScoredWave
from .suppression import NOT_ENOUGH, disclose

Subgroupings = dict[str, tuple[NDArray[np.intp], tuple[str, ...]]]


# ---------------------------------------------------------------------------- sector
def sector_estimates(wave: ScoredWave) -> tuple[Estimate, ...]:
    """Each statistic over the whole wave, with a t-interval clustered by employer."""
    sector = []
    for s, name in enumerate(wave.names):
        if not wave.sector_shown[s]:
            sector.append(Estimate.hidden(name))
            continue
        interval = ratio_t_interval(wave.sums[:, s], wave.counts[:, s], wave.confidence)
        sector.append(Estimate.from_interval(name, int(wave.counts[:, s].sum()), interval))
    return tuple(sector)


# ---------------------------------------------------------------------------- employers
def employer_estimates(wave: ScoredWave, e: int, *, seed: int, n_resamples: int) -> list[Estimate]:
    """One employer's estimates: "identical", a t-interval below 20 answers, else BCa.

    Reads the shared arrays, writes nothing shared, so employers can run on threads.
    """
    names, confidence = wave.names, wave.confidence
    result = [Estimate.hidden(name) for name in names]
    rows = wave.rows_of(e)
    block = wave.values[rows]
    answered = wave.answered[rows]
    means = wave.means[e]
    boot = []
    for s, name in enumerate(names):
        if not wave.shown[e, s]:
            continue
        x = block[:, s][answered[:, s]]
        if all_tied(x):
            mean = float(means[s])
            result[s] = Estimate(name, int(x.size), mean, mean, mean, "identical", IDENTICAL)
        elif x.size < BOOTSTRAP_FROM:
            t = t_interval(x, confidence)
            result[s] = Estimate(name, int(x.size), float(means[s]), t.low, t.high, "t")
        else:
            boot.append(s)
    if boot:
        _, low, high = bca_intervals(
            np.where(answered[:, boot], block[:, boot], 0.0),
            answered[:, boot].astype(np.float64),
            rng=data_rng(seed, block),
            n_resamples=n_resamples,
            confidence=confidence,
            estimate=means[boot],
        )
        for j, s in enumerate(boot):
            result[s] = Estimate(
                names[s],
                int(wave.counts[e, s]),
                float(means[s]),
                float(np.clip(low[j], 0.0, 100.0)),
                float(np.clip(high[j], 0.0, 100.0)),
                "bca",
            )
    return result


def peer_figures(
    wave: ScoredWave,
) -> tuple[tuple[PeerSummary, ...], NDArray[np.float64]]:
    """Peer median and quartiles of each statistic; each employer's percentile ranks."""
    summaries = []
    percentiles = np.full((wave.n_employers, len(wave.names)), np.nan)
    for s, name in enumerate(wave.names):
        summary, ranks = peer_comparison(
            name, wave.means[:, s], wave.counts[:, s], wave.shown[:, s], k=wave.k
        )
        summaries.append(summary)
        percentiles[:, s] = ranks
    return tuple(summaries), percentiles


# ---------------------------------------------------------------------------- proportions
def proportion_figures(
    wave: ScoredWave, specs: Sequence[Proportion]
) -> tuple[list[list[ProportionResult]], tuple[ProportionResult, ...]]:
    """Each share per employer and for the sector, with Wilson intervals."""
    employer_props: list[list[ProportionResult]] = [[] for _ in range(wave.n_employers)]
    sector_props = []
    for spec in specs:
        per_employer, sector = _one_proportion(wave, spec)
        for e, figure in enumerate(per_employer):
            employer_props[e].append(figure)
        sector_props.append(sector)
    return employer_props, tuple(sector_props)


def _one_proportion(
    wave: ScoredWave, spec: Proportion
) -> tuple[list[ProportionResult], ProportionResult]:
    if spec.item_id not in wave.columns:
        raise ValueError(f"proportion {spec.name!r}: item {spec.item_id!r} is not a column")
    item = wave.instrument.item(spec.item_id)
    real = [o.code for o in item.options if not o.missing]
    column = wave.coded[:, wave.columns[spec.item_id]]
    is_real = np.isin(column, real)
    is_yes = np.isin(column, list(spec.codes)) & is_real
    n_emp, confidence = wave.n_employers, wave.confidence
    n_real = np.bincount(wave.group, weights=is_real, minlength=n_emp).astype(np.int64)
    n_yes = np.bincount(wave.group, weights=is_yes, minlength=n_emp).astype(np.int64)
    decision = disclose(n_real, wave.k, employers=True)
    low, high = wilson_bounds(n_yes, np.maximum(n_real, 1), confidence)
    per_employer = [
        ProportionResult(
            spec.name,
            spec.item_id,
            int(n_real[e]),
            float(n_yes[e] / n_real[e]),
            float(low[e]),
            float(high[e]),
        )
        if decision.cells[e]
        else ProportionResult.hidden(spec.name, spec.item_id)
        for e in range(n_emp)
    ]
    if not decision.total:
        return per_employer, ProportionResult.hidden(spec.name, spec.item_id)
    total_real, total_yes = int(n_real.sum()), int(n_yes.sum())
    t_low, t_high = wilson_bounds(np.array([total_yes]), np.array([total_real]), confidence)
    sector = ProportionResult(
        spec.name,
        spec.item_id,
        total_real,
        total_yes / total_real,
        float(t_low[0]),
        float(t_high[0]),
    )
    return per_employer, sector


# ---------------------------------------------------------------------------- reliability
def reliability_figures(wave: ScoredWave) -> tuple[AlphaResult, ...]:
    """Cronbach's alpha of each perception dimension, pooled over the wave."""
    instrument = wave.instrument
    alpha_ids = [
        item.id
        for d in instrument.dimensions
        if d.reliability == "alpha"
        for item in instrument.items_in(d.id)
    ]
    return wave_reliability(
        instrument, wave.item_scores(alpha_ids), alpha_ids, k=wave.k, confidence=wave.confidence
    )


def validity_figure(wave: ScoredWave) -> ValidityResult:
    """Correlation of the JQI with the overall "good job" item, when there is one."""
    criterion = [item.id for item in wave.plan.items if item.role == "criterion"]
    if not criterion:
        return ValidityResult(None, None, None, None, "no criterion item")
    c = wave.columns[criterion[0]]
    return criterion_validity(
        wave.scores.jqi,
        wave.plan.tables[c][wave.coded[:, c]],
        k=wave.k,
        confidence=wave.confidence,
    )


# ---------------------------------------------------------------------------- gaps
def gap_figures(
    wave: ScoredWave, claims: ArrayLike | None, claim_item_ids: Sequence[str] | None
) -> tuple[tuple[GapResult, ...], ...]:
    """Employers' claims against their workers' reports; nothing without claims."""
    if claims is None:
        return tuple(() for _ in range(wave.n_employers))
    gap_ids = tuple(claim_item_ids) if claim_item_ids is not None else gap_item_ids(wave.instrument)
    missing = [i for i in gap_ids if i not in wave.columns]
    if missing:
        raise ValueError(f"claim item {missing[0]!r} is not a column")
    gaps = employer_gaps(wave.item_scores(gap_ids), wave.group, claims, gap_ids, k=wave.k)
    if len(gaps) != wave.n_employers:
        raise ValueError(
            f"claims has {len(gaps)} rows but the wave has {wave.n_employers} employers"
        )
    return gaps


# ---------------------------------------------------------------------------- equity
def subgroupings(
    wave: ScoredWave, groupings: Mapping[str, tuple[ArrayLike, Sequence[str]]] | None
) -> Subgroupings:
    """The instrument's subgroup items, then the caller's groupings, in canonical order."""
    found: Subgroupings = {}
    language = wave.instrument.languages[0]
    for item in wave.plan.items:
        if item.role == "subgroup":
            real = [o for o in item.options if not o.missing]
            lookup = np.full(100, -1, dtype=np.intp)
            lookup[[o.code for o in real]] = np.arange(len(real))
            index = lookup[wave.coded[:, wave.columns[item.id]]]
            found[item.id] = (index, tuple(o.label[language] for o in real))
    for name, (index, labels) in (groupings or {}).items():
        raw_index = np.asarray(index)
        if raw_index.shape != (wave.n_rows,) or raw_index.dtype.kind not in "iu":
            raise ValueError(f"grouping {name!r} needs one integer per response")
        found[name] = (raw_index[wave.order].astype(np.intp), tuple(labels))
    return found


def equity_figures(
    wave: ScoredWave, groups: Subgroupings
) -> tuple[tuple[EquityResult, ...], list[tuple[EquityResult, ...]]]:
    """JQI differences among subgroups, for the sector and for each employer."""
    jqi, k = wave.scores.jqi, wave.k
    sector = tuple(
        equity(jqi, index, labels, k=k, grouping=name)
        if wave.sector_shown[0]
        else _hidden_equity(name, labels)
        for name, (index, labels) in groups.items()
    )
    employers = []
    for e in range(wave.n_employers):
        rows = wave.rows_of(e)
        employers.append(
            tuple(
                equity(jqi[rows], index[rows], labels, k=k, grouping=name)
                if wave.shown[e, 0]
                else _hidden_equity(name, labels)
                for name, (index, labels) in groups.items()
            )
        )
    return sector, _across_employers(wave, groups, sector, employers)


def _across_employers(
    wave: ScoredWave,
    groups: Subgroupings,
    sector: tuple[EquityResult, ...],
    employers: list[tuple[EquityResult, ...]],
) -> list[tuple[EquityResult, ...]]:
    """Complementary suppression across the employer x subgroup table.

    A shown sector subgroup minus the same subgroup of every employer whose table is
    shown is the subgroup's workers at the other employers: a group that must be empty
    or hold at least k (the workers in no subgroup likewise). And an employer whose
    table of one grouping is hidden shows none: its other tables would otherwise split
    the hidden cells (its day shift minus the newcomers recovered above is the rest of
    its day shift). Employers are hidden smallest first until both hold.
    """
    jqi = wave.scores.jqi
    answered = ~np.isnan(jqi)
    k = wave.k
    hidden = np.array([not _any_shown(results) for results in employers], dtype=bool)
    # cells[g]: employers x (subgroups..., in none), JQI answers only (as equity counts)
    cells = []
    for index, labels in groups.values():
        column = np.where(index >= 0, index, len(labels))
        table = np.zeros((wave.n_employers, len(labels) + 1), dtype=np.int64)
        np.add.at(table, (wave.group[answered], column[answered]), 1)
        cells.append(table)
    partial = np.array(
        [
            any(
                not _any_shown((results[g],)) and cells[g][e, :-1].any()
                for g in range(len(results))
            )
            for e, results in enumerate(employers)
        ],
        dtype=bool,
    )
    hidden |= partial & wave.shown[:, 0]
    while True:
        changed = False
        for g, result in enumerate(sector):
            if not _any_shown((result,)):
                continue
            shown_rows = ~hidden
            rest = cells[g].sum(axis=0) - cells[g][shown_rows].sum(axis=0)
            for c in np.flatnonzero((rest > 0) & (rest < k)):
                candidates = np.flatnonzero(shown_rows & (cells[g][:, c] > 0))
                if candidates.size:
                    smallest = candidates[np.argmin(cells[g][candidates].sum(axis=1))]
                    hidden[smallest] = changed = True
                    break
            if changed:
                break
        if not changed:
            break
    return [
        tuple(_hidden_equity(r.grouping, r.groups) for r in results) if hidden[e] else results
        for e, results in enumerate(employers)
    ]


def _any_shown(results: Sequence[EquityResult]) -> bool:
    return any(estimate.mean is not None for r in results for estimate in r.estimates)


def _hidden_equity(name: str, labels: Sequence[str]) -> EquityResult:
    labels = tuple(labels)
    hidden = tuple(Estimate.hidden("jqi") for _ in labels)
    return EquityResult("jqi", name, labels, hidden, None, None, NOT_ENOUGH)


# ---------------------------------------------------------------------------- assemble
def employer_results(
    wave: ScoredWave,
    *,
    estimates: Sequence[Sequence[Estimate]],
    percentiles: NDArray[np.float64],
    proportions: Sequence[Sequence[ProportionResult]],
    gaps: Sequence[Sequence[GapResult]],
    equity: Sequence[tuple[EquityResult, ...]],
    trend: Sequence[tuple[TrendResult, ...]],
) -> tuple[EmployerResult, ...]:
    """Each employer's figures in one :class:`~.results.EmployerResult`."""
    instrument = wave.instrument
    dimension_columns = [wave.names.index(d.id) for d in instrument.dimensions]
    thresholds = np.array([instrument.threshold_for(d.id) for d in instrument.dimensions])
    response_counts = np.bincount(wave.group, minlength=wave.n_employers)
    results = []
    for e in range(wave.n_employers):
        all_dims = bool(wave.shown[e, dimension_columns].all())
        # A mean equal to the threshold up to summation order (49.99999999999999 for
        # an exact 50) reaches it, as the brief's rounded figure says it does.
        reached = tie_rounded(wave.means[e, dimension_columns]) >= thresholds
        results.append(
            EmployerResult(
                employer=e,
                n_responses=int(response_counts[e]) if response_counts[e] >= wave.k else None,
                estimates=tuple(estimates[e]),
                percentiles=tuple(_finite(p) for p in percentiles[e]),
                dimensions_at_threshold=int(reached.sum()) if all_dims else None,
                proportions=tuple(proportions[e]),
                gaps=tuple(gaps[e]) if wave.shown[e].any() else _hidden_gaps(gaps[e]),
                equity=equity[e],
                trend=trend[e],
            )
        )
    return tuple(results)


def _hidden_gaps(gaps: Sequence[GapResult]) -> tuple[GapResult, ...]:
    """An employer none of whose figures is shown (complementary suppression can hide
    one with k or more responses) has its gap tests hidden too, each reading like a
    missing one; only its own claim stays."""
    return tuple(
        GapResult(g.item_id, g.claim, None, None, None, None, None, None, NOT_ENOUGH) for g in gaps
    )


def _finite(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)
