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
:class:`ScoringPlan` compiles the instrument once into lookup tables, so that scoring
runs no Python loop over responses and no arithmetic per response beyond look-ups and
one matrix product:

* **Keys.** The answers of one dimension are summarised by a whole number, its *key*,
  to which each answer adds a part. When the dimension's scores are whole numbers (in
  worker-v1 all are multiples of 25) the key is the sum of the answered scores in units
  of their greatest common divisor plus a multiple of the number of items answered: at
  most 126 keys for five 0-100 items. Otherwise it is a mixed-radix code of the items'
  states (each item missing or at one of its score levels). Each key's dimension
  score, "scored" and "at threshold" are tabulated with the arithmetic of the direct
  path.
* **Groups.** Two neighbouring dimensions whose keys together number at most 65,536
  share one key (:math:`k_a + K_a k_b`), so one look-up serves both.
* **A block of responses** is then scored by one table look-up per answer (its part of
  its group's key), a float32 matrix product with a 0/1 matrix that adds up each
  group's parts (whole numbers below :math:`2^{24}`, so the sums are exact in any
  order), one look-up per dimension for its score and one per group for what the JQI
  needs. An invalid code looks up NaN, which reaches its group's key, and is then named
  by row and item.

Plans with too many keys (over about a million in one dimension) use a direct path.
Both paths do the same arithmetic in the same order, so they give identical numbers:
a dimension's mean is the sum of its answered scores, added in item order, divided by
their count; the JQI adds the dimensions of a group first, then the groups in file
order.
"""

from __future__ import annotations

import itertools
import math
import operator
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..instruments.model import Instrument, Item
from ._arrays import MAX_CODE, as_codes
from .items import check_codes, code_table, resolve_items, valid_code_table

__all__ = ["ResponseScores", "ScoringPlan", "score_responses"]

#: Largest number of keys (answer combinations) tabulated for one dimension.
_MAX_KEYS = 1 << 20
#: Two neighbouring dimensions share one key, and one look-up, up to this many keys.
_MAX_PAIR = 1 << 16
#: Largest number of table rows for all groups together (memory cap).
_MAX_TABLE = 1 << 21
#: Look-up positions (column x 100 + code) must fit the int16 index array.
_MAX_INDEX = 1 << 15
#: "Dimensions scored" is counted in units of _FLAG, "at threshold" in units of 1.
_FLAG = 256
#: Responses scored per block: large enough to spread numpy's per-call cost, small
#: enough for the block's work arrays to stay in the CPU cache.
_BLOCK = 8192


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
class _Key:
    """How one dimension's answers become a whole number, its key (see the module notes).

    ``parts[i][code]`` is what item *i*'s answer adds to the key (0 when missing);
    ``total[key]`` and ``count[key]`` are the sum of the answered scores and their
    number, computed as :meth:`ScoringPlan._block_direct` computes them.
    """

    parts: tuple[NDArray[np.float64], ...]
    size: int
    total: NDArray[np.float64]
    count: NDArray[np.float64]


@dataclass(frozen=True)
class _Tables:
    """The compiled look-up tables of the combination path (see the module notes)."""

    first: NDArray[np.float32]  # (column x 100 + code) -> part of its group's key
    selector: NDArray[np.float32]  # (columns, groups): 1 where the column's key lives
    group_of: tuple[int, ...]  # each dimension's group
    means: tuple[NDArray[np.float64], ...]  # per dimension: group key -> its score
    rows: tuple[NDArray[np.float64], ...]  # per group: key -> [weighted, flags(, w, 0)]
    unit_weights: bool  # every weight is 1: the JQI's divisor is the dimension count
    tile: NDArray[np.int16]  # (_BLOCK, columns): each column's offset into ``first``


class _Workspace:
    """Flat scratch arrays for up to ``rows`` rows; :meth:`array` gives a contiguous
    view of the first ``prod(shape)`` elements."""

    def __init__(self, rows: int, **per_row: tuple[int, type]) -> None:
        self._flat: dict[str, NDArray[Any]] = {
            name: np.empty(rows * width, dtype=dtype) for name, (width, dtype) in per_row.items()
        }

    def array(self, name: str, *shape: int) -> NDArray[Any]:
        return self._flat[name][: math.prod(shape)].reshape(shape)


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
    milliseconds, scoring a million responses a fraction of a second. A plan keeps a few
    MB of scratch arrays per thread that scores with it (fresh memory costs a page fault
    per 4 KiB, as much as the arithmetic on it).

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
        keys = [self._dimension_key(rule) for rule in self.rules]
        self.groups = _pair_up([math.inf if key is None else key.size for key in keys])
        self._fast = self._compile(keys)
        self._local = threading.local()

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        del state["_local"]  # scratch arrays are per thread, and not worth copying
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    # ------------------------------------------------------------------ compile
    def _dimension_key(self, rule: _DimensionRule) -> _Key | None:
        """The smaller of the dimension's two key encodings, or None above _MAX_KEYS."""
        scores = [self.tables[column] for column in rule.columns]
        answered = [np.unique(table[~np.isnan(table)]) for table in scores]
        # Mixed radix: an item's state is 0 (missing) or 1 + the index of its score.
        radix = [1, *itertools.accumulate((len(levels) + 1 for levels in answered), operator.mul)]
        # Sum and count, for whole-number scores (multiples of their greatest common
        # divisor u): key = (sum of the answered scores) / u + width x (answered items).
        values = np.concatenate(answered) if answered else np.empty(0)
        whole = bool(np.all((values >= 0) & (values == np.round(values))))
        unit = max(1, math.gcd(*(int(v) for v in values))) if whole else 1
        width = int(sum(levels.max(initial=0) for levels in answered)) // unit + 1
        if whole and width * (len(scores) + 1) <= min(radix[-1], _MAX_KEYS):
            size = width * (len(scores) + 1)
            key = np.arange(size)
            shifted = tuple(np.where(np.isnan(t), 0.0, t / unit + width) for t in scores)
            # numpy's stubs call int array * float floating[Any]; it is float64.
            return _Key(shifted, size, (key % width) * float(unit), (key // width) * 1.0)  # type: ignore[arg-type]
        if radix[-1] > _MAX_KEYS:
            return None
        size = int(radix[-1])
        key = np.arange(size)
        total = np.zeros(size)
        count = np.zeros(size)
        parts = []
        for table, levels, step in zip(scores, answered, radix[:-1], strict=True):
            state = (key // step) % (len(levels) + 1)
            # The sum in item order, as _block_direct adds the scores.
            total += np.where(state > 0, np.append(0.0, levels)[state], 0.0)
            count += state > 0
            level = np.searchsorted(levels, table)
            parts.append(np.where(np.isnan(table), 0.0, (level + 1.0) * step))
        return _Key(tuple(parts), size, total, count)

    def _compile(self, keys: list[_Key | None]) -> _Tables | None:
        """Lookup tables of the combination path, or None when they would be too big."""
        n_columns, n_dims = len(self.items), len(self.rules)
        if not n_dims or n_columns * (MAX_CODE + 1) > _MAX_INDEX or n_dims >= _FLAG:
            return None
        full = [key for key in keys if key is not None]
        if len(full) < len(keys):
            return None
        sizes = [math.prod(full[d].size for d in group) for group in self.groups]
        if sum(sizes) > _MAX_TABLE:
            return None
        unit_weights = all(rule.weight == 1.0 for rule in self.rules)
        first = np.zeros((n_columns, MAX_CODE + 1))
        selector = np.zeros((n_columns, len(self.groups)), dtype=np.float32)
        selector[:, 0] = 1.0  # items outside every dimension: only their validity counts
        group_of = [0] * n_dims
        means: list[NDArray[np.float64]] = [np.empty(0)] * n_dims
        rows = []
        for g, (group, size) in enumerate(zip(self.groups, sizes, strict=True)):
            group_key = np.arange(size)
            place = 1
            columns: list[NDArray[Any]] = []
            for d in group:
                rule, key = self.rules[d], full[d]
                own = (group_key // place) % key.size  # the dimension's key in the group's
                # The arithmetic of _block_direct, once per key.
                ok = key.count >= rule.need
                with np.errstate(invalid="ignore", divide="ignore"):
                    mean = np.where(ok, key.total / np.where(ok, key.count, 1.0), np.nan)
                at = ok & (mean >= rule.threshold)
                weighted = np.where(ok, rule.weight * np.where(ok, mean, 0.0), 0.0)
                own_columns = [weighted, _FLAG * ok.astype(np.float64) + at]
                if not unit_weights:
                    own_columns += [rule.weight * ok, np.zeros(key.size)]
                # Within a group, dimensions are added in file order, as _block_direct.
                own_rows = [column[own] for column in own_columns]
                if columns:
                    own_rows = [a + b for a, b in zip(columns, own_rows, strict=True)]
                columns = own_rows
                means[d] = mean[own]
                group_of[d] = g
                for column, part in zip(rule.columns, key.parts, strict=True):
                    first[column] = part * place
                    selector[column] = 0.0
                    selector[column, g] = 1.0
                place *= key.size
            rows.append(np.ascontiguousarray(np.column_stack(columns)))
        first[~self.valid] = np.nan
        return _Tables(
            first=first.astype(np.float32).ravel(),
            selector=selector,
            group_of=tuple(group_of),
            means=tuple(means),
            rows=tuple(rows),
            unit_weights=unit_weights,
            tile=np.tile(np.arange(n_columns, dtype=np.int16) * (MAX_CODE + 1), (_BLOCK, 1)),
        )

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
        # Column-major: each dimension's scores are contiguous, which is how they are
        # read afterwards (per employer, per dimension).
        dims = np.empty((n, len(self.rules)), order="F")
        jqi = np.empty(n)
        at = np.empty(n)
        fast = None if direct else self._fast
        if n and fast is not None:
            self._score_fast(fast, array, dims, jqi, at)
        elif n:
            self._score_direct(array, dims, jqi, at)
        for array_out in (dims, jqi, at):
            array_out.flags.writeable = False
        return ResponseScores(self.dimension_ids, dims, jqi, at)

    def _score_fast(
        self,
        fast: _Tables,
        array: NDArray[Any],
        dims: NDArray[Any],
        jqi: NDArray[Any],
        at: NDArray[Any],
    ) -> None:
        n, n_columns = array.shape
        n_groups, width = len(self.groups), fast.rows[0].shape[1]
        work = self._workspace(fast)
        min_flags = float(_FLAG * self.min_dimensions)
        unsigned = np.dtype(f"u{array.dtype.itemsize}")
        # Blocks of (nearly) equal size, so that the last one is not a tiny remainder.
        n_blocks = -(-n // len(fast.tile))
        size = -(-n // n_blocks)
        for start in range(0, n, size):
            block = array[start : start + size]
            stop = start + block.shape[0]
            m = stop - start
            if start == 0 or m < size:  # contiguous views of the scratch arrays
                small = work.array("small", m, n_columns)
                index = work.array("index", m, n_columns)
                states = work.array("states", m, n_columns)
                words = work.array("words", m, n_groups)
                keys = work.array("keys", n_groups, m)
                picked = work.array("picked", n_groups, m, width)
                sums = work.array("sums", m, width)
                count = work.array("count", m)
                good = work.array("good", m)
                tile = fast.tile[:m]
            # One reduction finds both negative codes (huge when read unsigned) and
            # codes above 99; the exact culprit is then named by check_codes.
            if block.view(unsigned).max() > MAX_CODE:
                check_codes(self.items, block, first_row=start)
            # 1. One look-up per answer: its part of its group's key. (np.take would
            #    convert an int16 index to a new intp array every time.)
            np.add(block, tile, out=small, casting="unsafe")
            np.copyto(index, small)
            np.take(fast.first, index, out=states, mode="wrap")
            # 2. Each group's key: the sum of its items' parts, as a matrix product with
            #    a 0/1 matrix. The parts are whole numbers and every key is below 2**24,
            #    so float32 sums them exactly, in any order.
            np.matmul(states, fast.selector, out=words)
            # An invalid code looks up NaN, and every item reaches one key (the sum of
            # all keys is NaN exactly when one of them is: they are never negative).
            if np.isnan(np.add.reduce(words, axis=None)):
                check_codes(self.items, block, first_row=start)
            np.copyto(keys, words.T, casting="unsafe")
            # 3. One look-up per dimension for its score, one per group for what the
            #    JQI needs, summed over the groups in file order (a reduction over the
            #    first axis adds one row after the other), as _block_direct does.
            for d, g in enumerate(fast.group_of):
                np.take(fast.means[d], keys[g], out=dims[start:stop, d], mode="wrap")
            for g in range(n_groups):
                np.take(fast.rows[g], keys[g], axis=0, out=picked[g], mode="wrap")
            np.add.reduce(picked, axis=0, out=sums)
            flags = sums[:, 1]  # FLAG x (dimensions scored) + (dimensions at threshold)
            np.greater_equal(flags, min_flags, out=good)
            np.multiply(flags, 1.0 / _FLAG, out=count)
            np.floor(count, out=count)  # dimensions scored
            weights = count if fast.unit_weights else sums[:, 2]
            out = jqi[start:stop]
            out.fill(np.nan)
            with np.errstate(invalid="ignore", divide="ignore"):
                np.divide(sums[:, 0], weights, out=out, where=good)
            out = at[start:stop]
            out.fill(np.nan)
            count *= _FLAG
            np.subtract(flags, count, out=out, where=good)

    def _workspace(self, fast: _Tables) -> _Workspace:
        """This thread's scratch arrays (allocated once per plan and thread: fresh
        memory costs a page fault per 4 KiB, as much as the arithmetic on it)."""
        work = getattr(self._local, "work", None)
        if work is None:
            n_columns, n_groups = len(self.items), len(self.groups)
            width = fast.rows[0].shape[1]
            work = self._local.work = _Workspace(
                len(fast.tile),
                small=(n_columns, np.int16),
                index=(n_columns, np.intp),
                states=(n_columns, np.float32),
                words=(n_groups, np.float32),
                keys=(n_groups, np.intp),
                picked=(n_groups * width, np.float64),
                sums=(width, np.float64),
                count=(1, np.float64),
                good=(1, np.bool_),
            )
        return work

    def _score_direct(
        self, array: NDArray[Any], dims: NDArray[Any], jqi: NDArray[Any], at: NDArray[Any]
    ) -> None:
        for start in range(0, array.shape[0], _BLOCK):
            block = array[start : start + _BLOCK]
            stop = start + block.shape[0]
            sums = self._block_direct(block, start, dims[start:stop])
            good = sums[:, 2] >= self.min_dimensions
            with np.errstate(invalid="ignore", divide="ignore"):
                np.divide(sums[:, 0], np.where(good, sums[:, 1], np.nan), out=jqi[start:stop])
            np.copyto(at[start:stop], np.where(good, sums[:, 3], np.nan))

    def _block_direct(
        self, block: NDArray[Any], start: int, dims_out: NDArray[Any]
    ) -> NDArray[np.float64]:
        check_codes(self.items, block, first_row=start)
        m = block.shape[0]
        weighted, weight = np.zeros((len(self.rules), m)), np.zeros((len(self.rules), m))
        sums = np.zeros((m, 4))
        for d, rule in enumerate(self.rules):
            total = np.zeros(m)
            count = np.zeros(m)
            for column in rule.columns:
                score = self.tables[column][block[:, column]]
                answered = ~np.isnan(score)
                total += np.where(answered, score, 0.0)
                count += answered
            ok = count >= rule.need
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(ok, total / np.where(ok, count, 1.0), np.nan)
            dims_out[:, d] = mean
            weighted[d] = np.where(ok, rule.weight * np.where(ok, mean, 0.0), 0.0)
            weight[d] = rule.weight * ok
            sums[:, 2] += ok
            sums[:, 3] += ok & (mean >= rule.threshold)
        # The JQI's sums: dimensions added within each group, then group after group.
        for first, *rest in self.groups:
            sums[:, 0] += weighted[first] + weighted[rest[0]] if rest else weighted[first]
            sums[:, 1] += weight[first] + weight[rest[0]] if rest else weight[first]
        return sums


def _pair_up(sizes: Sequence[float]) -> tuple[tuple[int, ...], ...]:
    """Groups of one or two neighbouring dimensions, in file order: two whenever their
    keys together number at most _MAX_PAIR."""
    groups: list[tuple[int, ...]] = []
    d = 0
    while d < len(sizes):
        if d + 1 < len(sizes) and sizes[d] * sizes[d + 1] <= _MAX_PAIR:
            groups.append((d, d + 1))
            d += 2
        else:
            groups.append((d,))
            d += 1
    return tuple(groups)


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
