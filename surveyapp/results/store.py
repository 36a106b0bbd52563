"""A closed wave's results, computed by the same code the offline scorer runs.

Employer-level figures are released only once a wave closes (anonymity rule 3), so
this refuses open waves: nobody can watch a number move one response at a time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..models import Wave
from ..scoring import Release, release
from .offline import language_grouping, release_to_dict
from .wave_data import WaveAnswers, load_wave_answers


class WaveNotClosed(ValueError):
    """Results of a wave that is still open (or not yet open) were asked for."""


def wave_release(
    session: Session, wave: Wave, *, seed: int = 0, n_resamples: int = 9999
) -> tuple[Release, WaveAnswers]:
    """Every figure of a closed wave, suppressed for display, and the arrays behind it."""
    if wave.status != "closed":
        raise WaveNotClosed(f"wave {wave.name!r} is {wave.status}: results come when it closes")
    answers = load_wave_answers(session, wave)
    result = release(
        answers.instrument,
        answers.codes,
        answers.employers,
        k=wave.min_group_size,
        living_wage=float(wave.partnership.living_wage),
        item_ids=answers.item_ids,
        n_employers=len(answers.employer_names),
        groupings=language_grouping(answers.languages),
        seed=seed,
        n_resamples=n_resamples,
    )
    return result, answers


def wave_release_dict(
    session: Session, wave: Wave, *, seed: int = 0, n_resamples: int = 9999
) -> dict[str, Any]:
    """JSON-ready results, in the same shape ``surveyapp score`` writes."""
    result, answers = wave_release(session, wave, seed=seed, n_resamples=n_resamples)
    data = release_to_dict(result, answers.employer_names)
    data["wave"] = wave.name
    return data
