"""Employers' claims at close: their sent survey answers on the worker items' 0-100 scale.

An employer's survey answers become worker option codes through the employer
instrument's rules (:mod:`surveyapp.instruments.claims`), and those codes are scored
like workers' answers (:func:`surveyapp.scoring.claim_scores`), so the gap tests
compare like with like. Only surveys the employer sent count; one still being filled
in claims nothing.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select

from ..db import Session
from ..instruments import Instrument, get_instrument
from ..instruments.claims import Answer, claim_code_row
from ..models import EmployerSurvey, Wave
from ..scoring import claim_scores, gap_item_ids
from .wave_data import InstrumentMismatch, WaveAnswers


def survey_answers(survey: EmployerSurvey, instrument: Instrument) -> dict[str, Answer]:
    """A survey's stored answers as :func:`claim_code_row` takes them.

    "Not sure" and "Prefer not to say" beside a number question are stored as option
    codes; they claim nothing, like a blank.
    """
    answers: dict[str, Answer] = {}
    for answer in survey.answers:
        if answer.number is not None:
            answers[answer.item_id] = Decimal(answer.number)
            continue
        try:
            item = instrument.item(answer.item_id)
        except KeyError:
            continue  # a question no longer asked
        answers[answer.item_id] = None if item.kind == "number" else answer.code
    return answers


def mirrors_the_wave(employer: Instrument, worker: Instrument) -> bool:
    """Whether ``employer``'s claims can be compared with answers to ``worker``.

    True for the worker instrument it names, and for another version of it whose
    mirrored questions have the same options with the same scores (worker-v1 and v2
    differ only in wording), since a claim is an option code of those questions.
    """
    named = get_instrument(*_key_version(employer.mirrors_instrument))
    if (named.key, named.version) == (worker.key, worker.version):
        return True
    ids = gap_item_ids(named)
    if named.key != worker.key or gap_item_ids(worker) != ids:
        return False
    return all(
        _scale(named.item(item_id)) == _scale(worker.item(item_id))
        and named.item(item_id).scoring == worker.item(item_id).scoring
        for item_id in ids
    )


def load_wave_claims(
    session: Session, wave: Wave, answers: WaveAnswers, living_wage: float
) -> NDArray[np.float64] | None:
    """Claims of the wave's sent employer surveys, one row per employer of ``answers``.

    Columns are ``gap_item_ids`` of the wave's worker instrument; NaN where an employer
    made no claim (or sent no survey). None when no employer with responses made a
    claim, so a wave without employer surveys is scored exactly as before.

    :raises InstrumentMismatch: a survey was answered with an employer instrument file
        that has changed since.
    """
    worker = answers.instrument
    row_of = {employer_id: n for n, employer_id in enumerate(answers.employer_ids)}
    surveys = session.scalars(
        select(EmployerSurvey).where(
            EmployerSurvey.wave_id == wave.id, EmployerSurvey.sent_at.is_not(None)
        )
    ).all()
    ids = gap_item_ids(worker)
    codes = np.zeros((len(answers.employer_ids), len(ids)), dtype=np.int16)
    claimed = False
    for survey in surveys:
        row = row_of.get(survey.employer_id)
        if row is None:
            continue  # no worker answered: nothing to compare the claims with
        employer = get_instrument(survey.instrument_key, survey.instrument_version)
        if employer.checksum != survey.instrument_checksum:
            raise InstrumentMismatch(
                f"the employer survey of wave {wave.name!r} was answered with a different"
                f" version of {employer.source}: restore the published file"
            )
        if not mirrors_the_wave(employer, worker):
            continue
        named = get_instrument(*_key_version(employer.mirrors_instrument))
        codes[row] = claim_code_row(employer, named, survey_answers(survey, employer))
        claimed = claimed or bool(codes[row].any())
    if not claimed:
        return None
    return claim_scores(worker, ids, codes, living_wage=living_wage)


def _key_version(name: str | None) -> tuple[str, int]:
    key, _, version = (name or "").rpartition("-v")
    return key, int(version)


def _scale(item: object) -> tuple[tuple[int, float | None, bool, float | None], ...]:
    return tuple(
        (o.code, o.score, o.missing, o.hourly)
        for o in item.options  # type: ignore[attr-defined]
    )
