"""Read a wave's stored answers into the arrays the scoring package takes.

The same arrays feed the app's results and the CSV export, so the numbers the app
shows and the numbers ``surveyapp score`` computes from an export are the same.
Rows come out ordered by the responses' random ids, which says nothing about when
anyone answered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..instruments import Instrument, get_instrument
from ..models import Answer, Employer, Response, Wave
from ..scoring import choice_item_ids


class InstrumentMismatch(ValueError):
    """Responses were collected with a different version of the instrument file."""


@dataclass(frozen=True)
class WaveAnswers:
    instrument: Instrument
    #: Option codes, responses x items, 0 where a question was left blank.
    codes: NDArray[np.int16]
    #: Index into ``employer_names`` / ``employer_ids`` of each response.
    employers: NDArray[np.intp]
    employer_ids: tuple[int, ...]
    employer_names: tuple[str, ...]
    item_ids: tuple[str, ...]
    #: Survey language of each response (an equity subgroup).
    languages: NDArray[np.str_]

    @property
    def n_responses(self) -> int:
        return int(self.codes.shape[0])


def load_wave_answers(session: Session, wave: Wave) -> WaveAnswers:
    """Every response of ``wave`` as arrays; employers with responses, by name.

    :raises InstrumentMismatch: when a response was collected with an instrument file
        whose checksum differs from the one shipped now (an edited published file).
    """
    instrument = get_instrument(wave.worker_instrument_key, wave.worker_instrument_version)
    # Sorted here, not by the database: searchsorted below needs code-point order.
    responses = sorted(
        session.execute(
            select(
                Response.id, Response.employer_id, Response.language, Response.instrument_checksum
            ).where(Response.wave_id == wave.id)
        ).all(),
        key=lambda row: row.id,
    )
    checksums = {row.instrument_checksum for row in responses}
    if checksums - {instrument.checksum}:
        raise InstrumentMismatch(
            f"responses of wave {wave.name!r} were collected with a different version of "
            f"{instrument.source}: restore the published file instead of editing it"
        )
    # Employers that have responses, in code-point order of their names: the order
    # an export's sorted employer labels have, whatever the database's collation.
    with_responses = {row.employer_id for row in responses}
    employers = sorted(
        (name, employer_id)
        for employer_id, name in session.execute(select(Employer.id, Employer.name)).all()
        if employer_id in with_responses
    )
    employer_index = {employer_id: i for i, (_name, employer_id) in enumerate(employers)}
    item_ids = choice_item_ids(instrument)
    codes = np.zeros((len(responses), len(item_ids)), dtype=np.int16)
    if responses:
        response_ids = np.array([row.id for row in responses])
        answers = session.execute(
            select(Answer.response_id, Answer.item_id, Answer.code)
            .join(Response, Answer.response_id == Response.id)
            .where(Response.wave_id == wave.id)
        ).all()
        if answers:
            answer_response, answer_item, answer_code = zip(*answers, strict=True)
            rows = np.searchsorted(response_ids, np.array(answer_response))
            # Map item ids to columns once per distinct id, not once per answer.
            distinct, inverse = np.unique(np.array(answer_item), return_inverse=True)
            column_of = {item_id: j for j, item_id in enumerate(item_ids)}
            columns = np.array([column_of.get(str(i), -1) for i in distinct])[inverse]
            known = columns >= 0  # answers to items no longer asked are ignored
            codes[rows[known], columns[known]] = np.array(answer_code, dtype=np.int16)[known]
    return WaveAnswers(
        instrument=instrument,
        codes=codes,
        employers=_employer_positions(responses, employer_index),
        employer_ids=tuple(employer_id for _name, employer_id in employers),
        employer_names=tuple(name for name, _employer_id in employers),
        item_ids=item_ids,
        languages=np.array([row.language for row in responses], dtype=str),
    )


def _employer_positions(responses: list, employer_index: dict[int, int]) -> NDArray[np.intp]:
    """Each response's position in the employer list, mapped per distinct employer."""
    ids = np.array([row.employer_id for row in responses], dtype=np.int64)
    distinct, inverse = np.unique(ids, return_inverse=True)
    return np.array([employer_index[int(e)] for e in distinct], dtype=np.intp)[inverse]
