"""Input checks shared by the scoring functions.

Every public function validates its arrays here and raises :class:`ValueError` with a
message that names the argument, so a caller never sees a bare numpy error or an
``AssertionError`` (which ``python -O`` would silently remove).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Codes are stored as small integers: 0 is a blank answer, 1-99 are option codes.
MAX_CODE = 99


def as_codes(codes: ArrayLike, n_items: int | None = None) -> NDArray[np.integer]:
    """Check a response-by-item matrix of answer codes and return it as an integer array.

    Integer arrays (int8 to int64, any unsigned) are used as they are, without a copy;
    anything else must hold whole numbers and is converted to int32.
    """
    array = np.asarray(codes)
    if array.ndim != 2:
        raise ValueError(f"codes must be a 2-D array (responses x items), got {array.ndim}-D")
    if n_items is not None and array.shape[1] != n_items:
        raise ValueError(f"codes has {array.shape[1]} columns but {n_items} item ids were given")
    if array.dtype.kind in "iu":
        return array
    if array.dtype.kind == "b" or array.dtype.kind not in "f":
        raise ValueError(f"codes must be an integer array, got dtype {array.dtype}")
    if array.size and not np.all(np.isfinite(array)):
        raise ValueError("codes must not contain NaN or infinity (use 0 for a blank answer)")
    as_int = array.astype(np.int32)
    if not np.array_equal(as_int, array):
        raise ValueError("codes must be whole numbers")
    return as_int


def as_groups(
    groups: ArrayLike, n_rows: int, name: str, n_groups: int | None = None
) -> NDArray[Any]:
    """Check a vector of group indices 0..G-1 (one per response); return it as intp."""
    array = np.asarray(groups)
    if array.ndim != 1 or array.shape[0] != n_rows:
        raise ValueError(f"{name} must be a 1-D array with one entry per response ({n_rows})")
    if array.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer indices, got dtype {array.dtype}")
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must not be negative")
    if n_groups is not None and array.size and array.max() >= n_groups:
        raise ValueError(f"{name} has index {int(array.max())} but only {n_groups} groups")
    return array.astype(np.intp, copy=False)


def as_values(values: ArrayLike, name: str, ndim: int = 1) -> NDArray[np.float64]:
    """A float64 array of scores in which NaN means missing."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got {array.ndim}-D")
    if np.any(np.isinf(array)):
        raise ValueError(f"{name} must not contain infinity")
    return array


def check_k(k: int) -> int:
    """The minimum reporting group size: a whole number, never below 3 (DESIGN.md)."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise ValueError(f"k must be a whole number, got {k!r}")
    if k < 3:
        raise ValueError(f"k must be at least 3 (DESIGN.md anonymity rules), got {k}")
    return int(k)


def check_confidence(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return float(confidence)
