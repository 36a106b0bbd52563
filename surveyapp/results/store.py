"""A closed wave's release: computed once, when it closes, and stored (anonymity rule 3).

Employer-level figures are released only once a wave closes, never one response at a
time, so nobody can learn one person's answers by watching a number move. Closing
scores the wave with :func:`surveyapp.scoring.release` (the function ``surveyapp score``
runs on an export), including the trend against the partnership's previous closed
wave, and stores the JSON (:class:`~surveyapp.models.StoredRelease`); every page
reads that row. ``surveyapp results recompute`` writes it again after a scoring change.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlalchemy import select

from ..db import Session
from ..models import DistributionLink, Employer, StoredRelease, Wave
from ..scoring import SCORING_VERSION, PreviousWave, release
from .claims import load_wave_claims
from .offline import language_grouping, release_to_dict
from .wave_data import WaveAnswers, load_wave_answers

#: Bootstrap seed and resamples of a stored release, unless told otherwise.
DEFAULT_SEED = 0
DEFAULT_RESAMPLES = 9999
#: What :func:`compute_release` reports to ``progress``, in order.
STEPS = ("read answers", "read previous wave", "score")


class WaveNotClosed(ValueError):
    """Results of a wave that is still open (or not yet open) were asked for."""


class NoStoredRelease(LookupError):
    """A closed wave has no stored release (closed before releases were stored)."""


@dataclass(frozen=True)
class ComputedRelease:
    #: JSON-ready figures, exactly what ``surveyapp score`` writes for the wave's export.
    figures: dict[str, Any]
    #: k, living wage, seed, resamples, previous wave id, employer ids in figure order,
    #: employers' claims on 0-100 (rows in figure order; None without employer surveys).
    parameters: dict[str, Any]
    instrument_checksum: str


def previous_closed_wave(session: Session, wave: Wave) -> Wave | None:
    """The partnership's closed wave that closed last before ``wave`` (ties: lower id)."""
    candidates = session.scalars(
        select(Wave).where(
            Wave.partnership_id == wave.partnership_id,
            Wave.status == "closed",
            Wave.id != wave.id,
        )
    )

    def key(w: Wave) -> tuple[date, int]:
        return (w.closes_on or date.min, w.id)

    mine = (wave.closes_on or date.max, wave.id)
    return max((w for w in candidates if key(w) < mine), key=key, default=None)


def compute_release(
    session: Session,
    wave: Wave,
    *,
    seed: int = DEFAULT_SEED,
    n_resamples: int = DEFAULT_RESAMPLES,
    progress: Callable[[str], None] | None = None,
) -> ComputedRelease:
    """Score ``wave`` (whatever its status) without storing anything.

    :param progress: called with each of :data:`STEPS` once it is done.
    """
    step = progress or (lambda _name: None)
    answers = load_wave_answers(session, wave)
    step(STEPS[0])
    earlier = previous_closed_wave(session, wave)
    previous = _previous_wave(session, earlier, answers, wave) if earlier else None
    step(STEPS[1])
    living_wage = float(wave.partnership.living_wage)
    claims = load_wave_claims(session, wave, answers, living_wage)
    result = release(
        answers.instrument,
        answers.codes,
        answers.employers,
        k=wave.min_group_size,
        living_wage=living_wage,
        item_ids=answers.item_ids,
        n_employers=len(answers.employer_names),
        groupings=language_grouping(answers.languages),
        claims=claims,
        seed=seed,
        n_resamples=n_resamples,
        previous=previous,
    )
    step(STEPS[2])
    figures = release_to_dict(result, answers.employer_names)
    figures["wave"] = wave.name
    parameters = {
        "k": wave.min_group_size,
        "living_wage": living_wage,
        "seed": seed,
        "n_resamples": n_resamples,
        "previous_wave_id": earlier.id if earlier else None,
        "employer_ids": list(answers.employer_ids),
        "claims": None if claims is None else _json_claims(claims),
    }
    return ComputedRelease(figures, parameters, answers.instrument.checksum)


def _json_claims(claims: np.ndarray) -> list[list[float | None]]:
    """Claims as stored beside the figures (so a check can score the same data again)."""
    return [[None if np.isnan(c) else float(c) for c in row] for row in claims]


def _previous_wave(
    session: Session, earlier: Wave, answers: WaveAnswers, wave: Wave
) -> PreviousWave:
    """The previous wave's answers, its employers matched to this wave's by id."""
    before = load_wave_answers(session, earlier)
    position = {employer_id: i for i, employer_id in enumerate(answers.employer_ids)}
    return PreviousWave(
        instrument=before.instrument,
        codes=before.codes,
        employers=before.employers,
        same_employer=np.array([position.get(e, -1) for e in before.employer_ids], dtype=np.intp),
        # Both waves are scored against today's living wage, as `surveyapp score` does.
        living_wage=float(wave.partnership.living_wage),
        item_ids=before.item_ids,
        k=earlier.min_group_size,
    )


def store_release(
    session: Session, wave: Wave, computed: ComputedRelease, *, now: datetime | None = None
) -> StoredRelease:
    """Store (or replace) a closed wave's release; flushes, the caller commits."""
    _require_closed(wave)
    row = session.get(StoredRelease, wave.id) or StoredRelease(wave_id=wave.id)
    row.scoring_version = SCORING_VERSION
    row.instrument_checksum = computed.instrument_checksum
    row.parameters = json.dumps(computed.parameters, sort_keys=True)
    row.figures = json.dumps(computed.figures, ensure_ascii=False, allow_nan=False)
    row.computed_at = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
    row.revision = secrets.token_hex(16)
    session.add(row)
    session.flush()
    return row


def recompute_release(
    session: Session, wave: Wave, *, progress: Callable[[str], None] | None = None
) -> StoredRelease:
    """Score a closed wave again (after a scoring change) with its stored seed and resamples."""
    _require_closed(wave)
    old = session.get(StoredRelease, wave.id)
    settings = json.loads(old.parameters) if old else {}
    computed = compute_release(
        session,
        wave,
        seed=int(settings.get("seed", DEFAULT_SEED)),
        n_resamples=int(settings.get("n_resamples", DEFAULT_RESAMPLES)),
        progress=progress,
    )
    return store_release(session, wave, computed)


def employers_without_responses(session: Session, wave: Wave) -> list[tuple[int, str]]:
    """Id and name of the round's employers (those with a link) that are not in its
    stored release because none of their workers answered, by name. Outputs list them
    beside hidden employers, reading alike (anonymity rule 8).

    :raises WaveNotClosed: a draft or open wave.
    :raises NoStoredRelease: the wave closed before releases were stored.
    """
    parameters = json.loads(stored_release_row(session, wave).parameters)
    in_release = {int(i) for i in parameters.get("employer_ids", [])}
    rows = session.execute(
        select(Employer.id, Employer.name)
        .join(DistributionLink, DistributionLink.employer_id == Employer.id)
        .where(DistributionLink.wave_id == wave.id, Employer.id.not_in(in_release or {-1}))
        .order_by(Employer.name)
    ).all()
    return [(int(employer_id), str(name)) for employer_id, name in rows]


def stored_release_row(session: Session, wave: Wave) -> StoredRelease:
    """The stored release row of a closed wave.

    :raises WaveNotClosed: the wave is a draft or open: nothing is released yet.
    :raises NoStoredRelease: the wave closed before releases were stored.
    """
    _require_closed(wave)
    row = session.get(StoredRelease, wave.id)
    if row is None:
        raise NoStoredRelease(
            f"wave {wave.name!r} has no stored results: run `surveyapp results recompute"
            f" --wave {wave.id}`"
        )
    return row


def stored_release(session: Session, wave: Wave) -> dict[str, Any]:
    """A closed wave's figures as stored: the JSON ``surveyapp score`` writes.

    Top-level keys are those of :class:`surveyapp.scoring.Release` plus ``wave``;
    each entry of ``employers`` carries its ``employer`` name.
    """
    row = stored_release_row(session, wave)
    return _parsed(wave.id, row.revision, lambda: row.figures)


#: Parsed figures of the last few releases read: by wave id, with their revision.
_PARSED: OrderedDict[int, tuple[str, dict[str, Any]]] = OrderedDict()
_PARSED_LOCK = threading.Lock()
_PARSED_KEPT = 8


def _parsed(wave_id: int, revision: str, text: Callable[[], str]) -> dict[str, Any]:
    """The figures of ``revision``, parsed once per process rather than once per page.

    A large wave's release is a megabyte of JSON; reading and parsing it cost more
    than drawing the whole page. The row's revision is read on every call and every
    store writes a new one, so a release written again (``surveyapp results
    recompute``, another process) is never served stale. A row without a revision
    (stored before revisions were) is read and parsed each time. Callers share the
    returned dict and must not change it.
    """
    if revision:
        with _PARSED_LOCK:
            cached = _PARSED.get(wave_id)
            if cached is not None and cached[0] == revision:
                _PARSED.move_to_end(wave_id)
                return cached[1]
    figures: dict[str, Any] = json.loads(text())
    if revision:
        with _PARSED_LOCK:
            _PARSED[wave_id] = (revision, figures)
            _PARSED.move_to_end(wave_id)
            while len(_PARSED) > _PARSED_KEPT:
                _PARSED.popitem(last=False)
    return figures


def _require_closed(wave: Wave) -> None:
    if wave.status != "closed":
        raise WaveNotClosed(f"wave {wave.name!r} is {wave.status}: results come when it closes")
