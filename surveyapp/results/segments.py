"""Separate peer groups: score each segment of a responses CSV as a wave of its own.

A responses CSV with a ``segment`` column (or the column named by ``surveyapp score
--segment-column``; ``surveyapp export --segment size_band|industry`` writes one)
puts every employer in one segment, e.g. its size band. Each segment is then scored
exactly as a file holding only its rows would be (:func:`~.offline.score_responses`):
its employers are compared only with peers of the same segment, and the anonymity
rules apply inside it, so a segment with fewer than 3 employers with at least *k*
responses gets no peer figures (DESIGN.md rule 7, applied by the scoring package).

The other inputs follow the segment: its employers' claims (a segment where nobody
claims anything is scored without claims, as a wave without employer surveys is),
and its employers' rows of the previous wave (matched by label; employers that took
part only in the previous wave belong to no segment). The result is
``{"segments": {name: release, ...}}`` with segments in sorted order.

Pure Python and numpy, like :mod:`.offline`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..instruments.model import Instrument
from .offline import OfflineResponses, score_responses

__all__ = ["employer_segments", "only_employers", "score_segments"]


def employer_segments(responses: OfflineResponses) -> NDArray[np.str_]:
    """The segment of each employer of ``responses`` (in label order)."""
    if responses.segments is None:
        raise ValueError("the responses have no segment column")
    _labels, first = np.unique(responses.employers, return_index=True)
    return responses.segments[first]


def only_employers(responses: OfflineResponses, keep: NDArray[np.bool_]) -> OfflineResponses:
    """The rows of the employers where ``keep`` (one flag per employer label) is true.

    Labels stay sorted and employers are numbered again from 0, exactly as reading a
    file of only those rows would number them.
    """
    rows = keep[responses.employers]
    number = np.cumsum(keep) - 1
    return dataclasses.replace(
        responses,
        codes=responses.codes[rows],
        employers=number[responses.employers[rows]].astype(np.intp),
        employer_labels=tuple(
            label for label, kept in zip(responses.employer_labels, keep, strict=True) if kept
        ),
        languages=None if responses.languages is None else responses.languages[rows],
        segments=None if responses.segments is None else responses.segments[rows],
    )


def score_segments(
    responses: OfflineResponses,
    instrument: Instrument,
    *,
    k: int,
    living_wage: float | None,
    seed: int = 0,
    n_resamples: int = 9999,
    claims: NDArray[np.float64] | None = None,
    previous: OfflineResponses | None = None,
    previous_instrument: Instrument | None = None,
    previous_k: int | None = None,
) -> dict[str, Any]:
    """One release per segment; the arguments are those of :func:`~.offline.score_responses`.

    ``claims`` has one row per employer label of ``responses`` (the whole file).
    """
    of_employer = employer_segments(responses)
    releases: dict[str, Any] = {}
    for segment in np.unique(of_employer).tolist():
        keep = of_employer == segment
        part = only_employers(responses, keep)
        part_claims = None if claims is None else claims[keep]
        if part_claims is not None and np.isnan(part_claims).all():
            part_claims = None
        releases[str(segment)] = score_responses(
            part,
            instrument,
            k=k,
            living_wage=living_wage,
            seed=seed,
            n_resamples=n_resamples,
            claims=part_claims,
            previous=_previous_of(previous, part.employer_labels),
            previous_instrument=previous_instrument,
            previous_k=previous_k,
        )
    return {"segments": releases}


def _previous_of(
    previous: OfflineResponses | None, labels: tuple[str, ...]
) -> OfflineResponses | None:
    """The previous wave's rows of these employers; None when none of them took part."""
    if previous is None:
        return None
    wanted = set(labels)
    keep = np.array([label in wanted for label in previous.employer_labels], dtype=bool)
    return only_employers(previous, keep) if keep.any() else None
