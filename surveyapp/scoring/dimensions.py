r"""Per-response scores: dimensions, the Job Quality Index and dimensions at threshold.

For one response, with :math:`s_{j}` the 0-100 score of item *j* (missing allowed):

* **Dimension score** of dimension *d* with items :math:`J_d`:

  .. math:: D_d = \frac{1}{|A_d|} \sum_{j \in A_d} s_j,
            \qquad A_d = \{ j \in J_d : s_j \text{ answered} \},

  given only when :math:`|A_d| \ge \lceil m \cdot |J_d| \rceil` with *m* the
  instrument's ``min_item_share`` (0.5: at least half the items answered); else missing.
* **Job Quality Index** (JQI): the weighted mean of the scored dimensions,

  .. math:: \mathrm{JQI} = \frac{\sum_{d \in S} w_d D_d}{\sum_{d \in S} w_d},

  with :math:`S` the scored dimensions and :math:`w_d` the dimension weights (1 unless
  the instrument says otherwise); given only when :math:`|S| \ge` ``min_dimensions``
  (6 of 8 in worker-v1).
* **Dimensions at threshold**: the number of scored dimensions with
  :math:`D_d \ge t_d` (the dimension's threshold, else the instrument's, default 50);
  given under the same condition as the JQI, so that counts are comparable.

Missing-data policy: a missing dimension is never counted as zero; it is left out of
the JQI (re-weighting the others) and does not count as reaching the threshold.

References
----------
ETUI European Job Quality Index (Leschke & Watt 2008): the index is the unweighted
mean of its dimensions. American Job Quality Study (JFF 2025): thresholds met per
dimension. See ``shared/MEASUREMENT.md`` section 4.

Implementation
--------------
:class:`ScoringPlan` compiles the instrument once into lookup tables. Each item's
score is one of a few values, so the answers of one dimension form a small number of
combinations; the plan enumerates them and stores each combination's dimension score.
Scoring a block of responses is then: one table look-up per answer, a matrix product
that turns the answers of each dimension into the index of its combination, and one
look-up per dimension. No Python loop runs over responses. Instruments with too many
combinations (more than about a million in one dimension) use a direct path with the
same arithmetic in the same order, so both paths give identical numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..instruments.model import Instrument, Item
from ._arrays import MAX_CODE, as_codes
from .items import check_codes, code_table, resolve_items, valid_code_table

__all__ = ["ResponseScores", "ScoringPlan", "score_responses"]

#: Largest number of answer combinations tabulated for one dimension.
_MAX_COMBINATIONS = 1 << 20
#: Combination indices are summed in float32, exact below 2**24.
_MAX_TABLE = 1 << 24
#: Responses scored per block: small enough to stay in the CPU cache.
_BLOCK = 4096


@dataclass(frozen=True)
class ResponseScores:
    """Scores of each response (one row per response, in the order given).

    Attributes
    ----------
    dimension_ids : tuple of str
        The instrument's dimensions, in file order.
    dimensions : ndarray, shape (n_responses, n_dimensions)
        Dimension scores on 0-100; NaN where missing.
    jqi : ndarray, shape (n_responses,)
        Job Quality Index on 0-100; NaN where fewer than ``min_dimensions`` are scored.
    at_threshold : ndarray, shape (n_responses,)
        Number of dimensions at or above threshold (float, NaN where the JQI is).
    """

    dimension_ids: tuple[str, ...]
    dimensions: NDArray[np.float64]
    jqi: NDArray[np.float64]
    at_threshold: NDArray[np.float64]

    def statistics(self) -> NDArray[np.float64]:
        """The columns summarised per employer: JQI, each dimension, at threshold."""
        return np.column_stack([self.jqi, self.dimensions, self.at_threshold])


@dataclass(frozen=True)
class _DimensionRule:
    id: str
    columns: tuple[int, ...]  # positions in the codes matrix, instrument order
    need: int  # answered items needed for a score
    weight: float
    threshold: float


class ScoringPlan:
    """An instrument compiled for fast per-response scoring.

    Build one per (instrument, columns, living wage) and reuse it; building costs a few
    milliseconds, scoring a million responses a fraction of a second.

    Parameters
    ----------
    instrument : Instrument
        The loaded instrument.
    item_ids : sequence of str, optional
        The item of each column of the codes matrices this plan will score; default
        every choice item in file order. Every scored item must be a column.
    living_wage : float, optional
        Hourly living wage; required when an item is scored against it.
    """

    def __init__(
        self,
        instrument: Instrument,
        item_ids: Sequence[str] | None = None,
        *,
        living_wage: float | None = None,
    ) -> None:
        self.instrument = instrument
        self.items: tuple[Item, ...] = resolve_items(instrument, item_ids)
        self.item_ids = tuple(item.id for item in self.items)
        self.living_wage = living_wage
        position = {item.id: column for column, item in enumerate(self.items)}
        settings = instrument.settings
        rules = []
        for dimension in instrument.dimensions:
            members = instrument.items_in(dimension.id)
            missing = [item.id for item in members if item.id not in position]
            if missing:
                raise ValueError(
                    f"item {missing[0]!r} of dimension {dimension.id!r} is not among the"
                    " columns: every scored item needs a column"
                )
            if not np.isfinite(dimension.weight) or dimension.weight <= 0:
                raise ValueError(f"dimension {dimension.id!r}: weight must be positive")
            need = max(1, math.ceil(settings.min_item_share * len(members) - 1e-9))
            rules.append(
                _DimensionRule(
                    id=dimension.id,
                    columns=tuple(position[item.id] for item in members),
                    need=need,
                    weight=float(dimension.weight),
                    threshold=float(instrument.threshold_for(dimension.id)),
                )
            )
        self.rules: tuple[_DimensionRule, ...] = tuple(rules)
        self.dimension_ids = tuple(rule.id for rule in rules)
        self.min_dimensions = settings.min_dimensions
        width = MAX_CODE + 1
        self.tables = np.stack(
            [code_table(item, living_wage) for item in self.items] or [np.empty(width)]
        )[: len(self.items)]
        self.valid = np.stack(
            [valid_code_table(item) for item in self.items] or [np.empty(width, dtype=bool)]
        )[: len(self.items)]
        self._fast = self._compile()

    # ------------------------------------------------------------------ compile
    def _compile(self) -> dict[str, NDArray] | None:
        """Lookup tables of the combination path, or None when they would be too big."""
        n_columns = len(self.items)
        len(self.rules)
        first = np.zeros((n_columns, MAX_CODE + 1), dtype=np.float32)
        first[~self.valid] = np.nan
        means, rows = [], []
        offset = 0
        for _d, rule in enumerate(self.rules):
            levels, radix, size = [], [], 1
            for column in rule.columns:
                table = self.tables[column]
                answered = np.unique(table[~np.isnan(table)])
                levels.append(answered)
                radix.append(size)
                size *= len(answered) + 1
            if size > _MAX_COMBINATIONS or offset + size > _MAX_TABLE:
                return None
            combination = np.arange(size)
            total = np.zeros(size)
            count = np.zeros(size)
            for column, answered, step in zip(rule.columns, levels, radix, strict=True):
                state = (combination // step) % (len(answered) + 1)
                score = np.where(state > 0, np.append(0.0, answered)[state], 0.0)
                total += score
                count += state > 0
                table = self.tables[column]
                states = np.searchsorted(answered, table)  # level index of each code
                codes_state = np.where(np.isnan(table), 0, states + 1).astype(np.float32)
                valid = self.valid[column]
                first[column, valid] = codes_state[valid] * step
            first[rule.columns[0], self.valid[rule.columns[0]]] += offset
            ok = count >= rule.need
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(ok, total / np.where(ok, count, 1.0), np.nan)
            means.append(mean)
            at = ok & (mean >= rule.threshold)
            rows.append(
                np.column_stack(
                    [
                        np.where(ok, rule.weight * np.where(ok, mean, 0.0), 0.0),
                        rule.weight * ok,
                        ok.astype(np.float64),
                        at.astype(np.float64),
                    ]
                )
            )
            offset += size
        in_dimension = {column for rule in self.rules for column in rule.columns}
        index_type = np.int16 if n_columns * (MAX_CODE + 1) <= np.iinfo(np.int16).max else np.intp
        return {
            "first": first.ravel(),
            "offsets": (np.arange(n_columns) * (MAX_CODE + 1)).astype(index_type)[:, None],
            "others": np.array(sorted(set(range(n_columns)) - in_dimension), dtype=np.intp),
            "means": np.concatenate(means) if means else np.empty(0),
            "rows": np.concatenate(rows) if rows else np.empty((0, 4)),
        }

    @property
    def uses_combination_tables(self) -> bool:
        """Whether the fast combination path is in use (False: the direct path)."""
        return self._fast is not None

    # ------------------------------------------------------------------ score
    def score(self, codes: ArrayLike, *, direct: bool = False) -> ResponseScores:
        """Score every response of ``codes`` (shape (n_responses, n_columns)).

        ``direct=True`` forces the direct path (used by tests to check the two paths
        against each other).

        Raises
        ------
        ValueError
            For a code that is not an option of its item, naming the row (its index
            in ``codes``, from 0) and the item.
        """
        array = as_codes(codes, len(self.items))
        if array.dtype == np.uint64:
            if array.size and array.max() > MAX_CODE:
                check_codes(self.items, array.astype(np.int64))
            array = array.astype(np.int64)
        n = array.shape[0]
        n_dims = len(self.rules)
        # Column-major: each dimension's scores are contiguous, which is how they are
        # read afterwards (per employer, per dimension).
        dims = np.empty((n, n_dims), order="F")
        jqi = np.empty(n)
        at = np.empty(n)
        unsigned = np.dtype(f"u{array.dtype.itemsize}")
        fast = None if direct else self._fast
        for start in range(0, n, _BLOCK):
            block = array[start : start + _BLOCK]
            stop = start + block.shape[0]
            # One reduction finds both negative codes (huge when read unsigned) and
            # codes above 99; the exact culprit is then named by check_codes.
            if block.size and block.view(unsigned).max() > MAX_CODE:
                check_codes(self.items, block, first_row=start)
            if fast is None:
                sums = self._block_direct(block, start, dims[start:stop])
            else:
                sums = self._block_fast(fast, block, start, dims[start:stop])
            good = sums[:, 2] >= self.min_dimensions
            with np.errstate(invalid="ignore", divide="ignore"):
                np.divide(sums[:, 0], np.where(good, sums[:, 1], np.nan), out=jqi[start:stop])
            np.copyto(at[start:stop], np.where(good, sums[:, 3], np.nan))
        for array_out in (dims, jqi, at):
            array_out.flags.writeable = False
        return ResponseScores(self.dimension_ids, dims, jqi, at)

    def _block_fast(
        self, fast: dict[str, NDArray], block: NDArray, start: int, dims_out: NDArray
    ) -> NDArray[np.float64]:
        # Work column-wise (columns x responses) so that every step reads contiguous
        # memory; no BLAS call here (OpenBLAS's thread pool slows small products down).
        index = np.add(block.T, fast["offsets"], order="C", dtype=fast["offsets"].dtype)
        states = fast["first"].take(index)  # (columns, block) float32
        combined = np.empty((len(self.rules), block.shape[0]), dtype=np.float32)
        for d, rule in enumerate(self.rules):
            row = combined[d]
            np.copyto(row, states[rule.columns[0]])
            for column in rule.columns[1:]:
                row += states[column]
        # An invalid code looks up NaN: in a dimension it reaches the combined index,
        # elsewhere the check below sees it. check_codes then names row and item.
        if np.isnan(combined).any() or np.isnan(states[fast["others"]]).any():
            check_codes(self.items, block, first_row=start)
        combination = combined.astype(np.intp)
        np.take(fast["means"], combination, out=dims_out.T, mode="clip")
        # (n_dims, block, 4): adding the dimensions one after another in file order
        # keeps the sums identical to the direct path.
        rows = fast["rows"].take(combination, axis=0, mode="clip")
        sums = rows[0].copy()
        for d in range(1, len(self.rules)):
            sums += rows[d]
        return sums

    def _block_direct(self, block: NDArray, start: int, dims_out: NDArray) -> NDArray[np.float64]:
        check_codes(self.items, block, first_row=start)
        sums = np.zeros((block.shape[0], 4))
        for d, rule in enumerate(self.rules):
            total = np.zeros(block.shape[0])
            count = np.zeros(block.shape[0])
            for column in rule.columns:
                score = self.tables[column][block[:, column]]
                answered = ~np.isnan(score)
                total += np.where(answered, score, 0.0)
                count += answered
            ok = count >= rule.need
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(ok, total / np.where(ok, count, 1.0), np.nan)
            dims_out[:, d] = mean
            sums[:, 0] += np.where(ok, rule.weight * np.where(ok, mean, 0.0), 0.0)
            sums[:, 1] += rule.weight * ok
            sums[:, 2] += ok
            sums[:, 3] += ok & (mean >= rule.threshold)
        return sums


def score_responses(
    instrument: Instrument,
    codes: ArrayLike,
    item_ids: Sequence[str] | None = None,
    *,
    living_wage: float | None = None,
) -> ResponseScores:
    """Dimension scores, JQI and dimensions at threshold of every response.

    A convenience wrapper around :class:`ScoringPlan`; see the module docstring for the
    formulas and the missing-data policy.

    Examples
    --------
    >>> from surveyapp.instruments import get_instrument
    >>> inst = get_instrument("worker", 1)
    >>> ids = [i.id for i in inst.scored_items]
    >>> first = [next(o.code for o in i.options if not o.missing) for i in inst.scored_items]
    >>> scores = score_responses(inst, [first], ids, living_wage=20.0)
    >>> scores.dimensions.shape
    (1, 8)
    """
    return ScoringPlan(instrument, item_ids, living_wage=living_wage).score(codes)
