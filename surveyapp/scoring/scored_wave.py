"""A wave's responses in canonical order, scored, summed per employer, and what may be shown.

:func:`score_wave` is the first step of :func:`~.release.release`; every later step
reads the :class:`ScoredWave` it returns and writes nothing shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..instruments.model import Instrument
from ._arrays import as_codes, as_groups
from .dimensions import ResponseScores, ScoringPlan
from .suppression import disclose

__all__ = ["ScoredWave", "canonical_order", "score_wave", "statistic_names"]

_MIX = np.uint64(0x9E3779B97F4A7C15)


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


@dataclass(frozen=True, eq=False)
class ScoredWave:
    """Everything the release's steps share, computed once.

    Rows are in canonical order; ``values`` has one column per statistic of ``names``
    (NaN where not scored); ``counts``, ``sums`` and ``means`` one row per employer.
    ``shown`` says which employer figures the anonymity rules allow (employers x
    statistics), ``sector_shown`` which sector figures.
    """

    instrument: Instrument
    plan: ScoringPlan
    k: int
    confidence: float
    names: tuple[str, ...]
    #: Canonical position -> row of the caller's arrays.
    order: NDArray[np.intp]
    coded: NDArray[np.integer]
    group: NDArray[np.intp]
    n_employers: int
    columns: dict[str, int]
    scores: ResponseScores
    values: NDArray[np.float64]
    answered: NDArray[np.bool_]
    counts: NDArray[np.int64]
    sums: NDArray[np.float64]
    means: NDArray[np.float64]
    by_employer: NDArray[np.intp]
    starts: NDArray[np.intp]
    shown: NDArray[np.bool_]
    sector_shown: tuple[bool, ...]

    @property
    def n_rows(self) -> int:
        return int(self.coded.shape[0])

    def rows_of(self, employer: int) -> NDArray[np.intp]:
        """The (canonical) rows of one employer's responses."""
        return self.by_employer[self.starts[employer] : self.starts[employer + 1]]

    def item_scores(self, item_ids: Sequence[str]) -> NDArray[np.float64]:
        """0-100 scores of the given items, one column each (NaN: missing)."""
        if not item_ids:
            return np.empty((self.n_rows, 0))
        return np.column_stack(
            [self.plan.tables[self.columns[i]][self.coded[:, self.columns[i]]] for i in item_ids]
        )


def score_wave(
    instrument: Instrument,
    codes: ArrayLike,
    employers: ArrayLike,
    *,
    k: int,
    confidence: float,
    living_wage: float | None,
    item_ids: Sequence[str] | None,
    n_employers: int | None,
) -> ScoredWave:
    """Check the arrays, put rows in canonical order, score them and sum per employer."""
    plan = ScoringPlan(instrument, item_ids, living_wage=living_wage)
    raw = as_codes(codes, len(plan.items))
    n_rows = raw.shape[0]
    group_raw = as_groups(employers, n_rows, "employers", n_employers)
    n_emp = int(n_employers if n_employers is not None else (group_raw.max() + 1 if n_rows else 0))
    names = statistic_names(instrument)
    order = canonical_order(raw)
    coded = raw[order]
    group = group_raw[order]
    scores = plan.score(coded)
    values = np.asfortranarray(scores.statistics())  # (n, S): jqi, dimensions, at_threshold
    answered = ~np.isnan(values)
    counts, sums = _per_employer(group, values, answered, n_emp)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    by_employer = np.argsort(group, kind="stable")
    decisions = [disclose(counts[:, s], k, employers=True) for s in range(len(names))]
    return ScoredWave(
        instrument=instrument,
        plan=plan,
        k=k,
        confidence=confidence,
        names=names,
        order=order,
        coded=coded,
        group=group,
        n_employers=n_emp,
        columns={item_id: j for j, item_id in enumerate(plan.item_ids)},
        scores=scores,
        values=values,
        answered=answered,
        counts=counts,
        sums=sums,
        means=means,
        by_employer=by_employer,
        starts=np.searchsorted(group[by_employer], np.arange(n_emp + 1)),
        shown=np.array([d.cells for d in decisions], dtype=bool).T.reshape(n_emp, len(names)),
        sector_shown=tuple(bool(d.total) for d in decisions),
    )


def _per_employer(
    group: NDArray[np.intp], values: NDArray[np.float64], answered: NDArray[np.bool_], n_emp: int
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Answered counts and sums of every statistic, employers x statistics."""
    filled = np.where(answered, values, 0.0)
    columns = range(values.shape[1])
    counts = np.stack(
        [np.bincount(group, weights=answered[:, s], minlength=n_emp) for s in columns], axis=1
    ).astype(np.int64)
    sums = np.stack(
        [np.bincount(group, weights=filled[:, s], minlength=n_emp) for s in columns], axis=1
    )
    # numpy's stubs give bincount an int result; with weights it is float64.
    return counts, sums  # type: ignore[return-value]
