"""Threads for the release: employers' bootstraps at once, BLAS on one thread each.

numpy releases the interpreter lock while it draws random numbers, counts and
multiplies matrices, so threads share the bootstrap's work without copying data. Every
employer's bootstrap draws from its own generator, so the result is the same on any
number of threads.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

try:  # optional: without it OpenBLAS may start threads that slow the bootstrap down
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - depends on the environment
    threadpool_limits = None

#: Most threads :func:`~.release.release` uses by default (employers' bootstraps at once).
MAX_WORKERS = 4

_T = TypeVar("_T")


def on_one_blas_thread(function: Callable[..., _T]) -> Callable[..., _T]:
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


def check_workers(workers: int | None) -> int:
    """``workers`` checked, or the CPUs this process may run on, at most :data:`MAX_WORKERS`."""
    if workers is None:
        try:
            available = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not Linux
            available = os.cpu_count() or 1
        return max(1, min(available, MAX_WORKERS))
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise ValueError(f"workers must be a whole number of at least 1, got {workers!r}")
    return int(workers)


def parallel_map(function: Callable[[int], _T], items: Sequence[int], workers: int) -> list[_T]:
    """``[function(i) for i in items]``, on up to ``workers`` threads, in order."""
    if workers <= 1 or len(items) <= 1:
        return [function(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(function, items))
