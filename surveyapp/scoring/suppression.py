"""What may be shown: minimum group size, complementary suppression, the employer rule.

DESIGN.md anonymity rules implemented here, and only here:

* Rule 2: a number is shown only when it comes from at least *k* responses; a
  breakdown is shown only when every cell has at least *k*; and no hidden cell may be
  recovered by subtracting shown cells from a shown total (complementary suppression).
* Rule 7: an aggregate over employers (a sector figure, a peer group) needs at least 3
  employers with *k* or more responses, and no employer may contribute 80 % or more of
  its responses (the BLS QCEW "80/3" rule).
* Rule 8: a hidden figure looks exactly like a missing one. Callers never learn *why*
  a cell is hidden; the result types carry the same "not enough responses" note for
  both.

Complementary suppression (Glint's "next-smallest group", BLS secondary suppression):
in a one-way table whose total is shown, the responses in the hidden cells (plus any
responses in no cell, the *residual*) are recoverable as a group: total minus the shown
cells. That group must therefore be empty, or hold at least *k* responses spread over at
least two cells, so that no single small cell can be read off. Cells are hidden
smallest first until that holds. The guarantee is for one table against its own total;
the release applies it to every table it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._arrays import check_k

__all__ = [
    "MAX_EMPLOYER_SHARE",
    "MIN_EMPLOYERS",
    "NOT_ENOUGH",
    "Disclosure",
    "disclose",
]

#: What a hidden or missing figure says, identically (rule 8).
NOT_ENOUGH = "not enough responses"
#: Rule 7: employers with at least k responses needed for an aggregate over employers.
MIN_EMPLOYERS = 3
#: Rule 7: no employer may contribute this share of an aggregate's responses or more.
MAX_EMPLOYER_SHARE = 0.8


@dataclass(frozen=True)
class Disclosure:
    """The decision for one table.

    Attributes
    ----------
    cells : tuple of bool
        Whether each cell may be shown.
    total : bool
        Whether the table's total (the aggregate over all cells) may be shown.
    """

    cells: tuple[bool, ...]
    total: bool


def disclose(
    counts: ArrayLike,
    k: int,
    *,
    total_shown: bool = True,
    residual: int = 0,
    breakdown: bool = False,
    employers: bool = False,
) -> Disclosure:
    """Decide which cells of a one-way table, and whether its total, may be shown.

    Parameters
    ----------
    counts : array_like of int
        Responses behind each cell (for a mean: the answers it averages).
    k : int
        Minimum reporting group size (at least 3).
    total_shown : bool
        Whether the caller shows the table's total. If it does (and the total is
        allowed), complementary suppression protects the hidden cells.
    residual : int
        Responses counted in the total but in no cell (e.g. workers who did not say
        their shift). They can be recovered from the total like a hidden cell.
    breakdown : bool
        All or nothing: if any non-empty cell (or a non-empty residual) is below *k*,
        no cell is shown (rule 2, "a breakdown is shown only when every cell has ≥ k").
    employers : bool
        The cells are employers and the total is an aggregate over them: the total also
        needs rule 7 (3 employers with ≥ k responses, none with 80 % or more).

    Returns
    -------
    Disclosure

    Examples
    --------
    Employer C (2 responses) is hidden; with only one hidden cell its figure would be
    total minus A minus B, so the next smallest, B, is hidden too:

    >>> disclose([40, 12, 2], k=5).cells
    (True, False, False)
    """
    k = check_k(k)
    n = np.asarray(counts)
    if n.ndim != 1:
        raise ValueError("counts must be a 1-D array")
    if n.size and (n.dtype.kind not in "iu" or n.min() < 0):
        if n.dtype.kind == "f" and np.all(n == np.floor(n)) and n.min() >= 0:
            n = n.astype(np.int64)
        else:
            raise ValueError("counts must be non-negative whole numbers")
    if residual < 0:
        raise ValueError("residual must not be negative")
    n = n.astype(np.int64)
    total_n = int(n.sum()) + int(residual)
    total = bool(total_shown) and total_n >= k
    if employers and total:
        total = _employer_rule(n, k)
    shown = n >= k
    if breakdown and (np.any((n > 0) & (n < k)) or 0 < residual < k):
        shown[:] = False
    if total:
        _complement(n, shown, int(residual), k)
    return Disclosure(tuple(bool(s) for s in shown), total)


def _employer_rule(n: np.ndarray, k: int) -> bool:
    """Rule 7 (BLS "80/3"): 3 employers with ≥ k responses, none with ≥ 80 % of all."""
    if int((n >= k).sum()) < MIN_EMPLOYERS:
        return False
    return bool(n.max() < MAX_EMPLOYER_SHARE * n.sum())


def _complement(n: np.ndarray, shown: np.ndarray, residual: int, k: int) -> None:
    """Hide the smallest shown cells until the hidden group is empty or safe (in place).

    Safe: at least k responses and, if any part of it is below k, at least two parts,
    so that subtraction gives only their combined figure. Loops over cells (employers
    or subgroups), never over responses.
    """
    while True:
        hidden = (~shown) & (n > 0)
        parts = int(hidden.sum()) + (1 if residual > 0 else 0)
        size = int(n[hidden].sum()) + residual
        small = np.any(hidden & (n < k)) or 0 < residual < k
        if parts == 0 or (size >= k and (parts >= 2 or not small)):
            return
        candidates = np.flatnonzero(shown & (n > 0))
        if candidates.size == 0:
            return  # everything is hidden; the total alone is what is shown
        smallest = candidates[np.argmin(n[candidates])]
        shown[smallest] = False
