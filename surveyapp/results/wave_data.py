"""Read a wave's stored answers into the arrays the scoring package takes.

The same arrays feed the app's results and the CSV export, so the numbers the app
shows and the numbers ``surveyapp score`` computes from an export are the same.
Rows come out ordered by the responses' random ids, which says nothing about when
anyone answered.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select

from ..db import Session
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
        response_ids = [row.id for row in responses]
        with _collector_paused():
            _fill_codes(session, wave.id, codes, response_ids, item_ids)
    return WaveAnswers(
        instrument=instrument,
        codes=codes,
        employers=_employer_positions(responses, employer_index),
        employer_ids=tuple(employer_id for _name, employer_id in employers),
        employer_names=tuple(name for name, _employer_id in employers),
        item_ids=item_ids,
        languages=np.array([row.language for row in responses], dtype=str),
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while millions of answer tuples are alive.

    Each fetched chunk is hundreds of thousands of new tuples and strings; with the
    collector running, every few thousand of them it walks all the survivors again,
    which cost more than half of reading a 100,000-response wave (5 s of 8.8 s). The
    tuples hold no cycles, so nothing is left for the collector once they are freed.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: Answers read per fetch: a few megabytes of tuples at a time.
CHUNK = 200_000


def _fill_codes(
    session: Session,
    wave_id: int,
    codes: NDArray[np.int16],
    response_ids: list[str],
    item_ids: tuple[str, ...],
) -> None:
    """Put every stored answer of the wave in its cell of ``codes``.

    A large wave has millions of answers: they are read from the driver's own cursor
    a chunk at a time, as plain tuples (SQLAlchemy's row objects cost several times
    the fetch itself), and placed with dictionary look-ups.
    """
    row_of = {response_id: n for n, response_id in enumerate(response_ids)}
    column_of = {item_id: j for j, item_id in enumerate(item_ids)}
    result = session.connection().execute(
        select(Answer.response_id, Answer.item_id, Answer.code)
        .join(Response, Answer.response_id == Response.id)
        .where(Response.wave_id == wave_id)
    )
    cursor = result.cursor
    try:
        while chunk := cursor.fetchmany(CHUNK):
            answer_ids, answer_items, answer_codes = zip(*chunk, strict=True)
            rows = np.fromiter(map(row_of.__getitem__, answer_ids), np.intp, len(chunk))
            # Answers to items no longer asked (-1) are ignored.
            columns = np.fromiter(
                (column_of.get(item, -1) for item in answer_items), np.intp, len(chunk)
            )
            known = columns >= 0
            codes[rows[known], columns[known]] = np.array(answer_codes, dtype=np.int16)[known]
    finally:
        result.close()


def _employer_positions(responses: list, employer_index: dict[int, int]) -> NDArray[np.intp]:
    """Each response's position in the employer list, mapped per distinct employer."""
    ids = np.array([row.employer_id for row in responses], dtype=np.int64)
    distinct, inverse = np.unique(ids, return_inverse=True)
    return np.array([employer_index[int(e)] for e in distinct], dtype=np.intp)[inverse]
