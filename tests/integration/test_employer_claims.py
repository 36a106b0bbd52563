"""Issue 10: employers' sent survey answers become claims in the release stored at close.

The expected gaps are computed here from claims written out by hand on the worker
items' 0-100 scale (14 days of notice is SCH1's "14 days or more", 100; "Agree" is 75
on an agree5 item) and the workers' own item scores, with
:func:`surveyapp.scoring.employer_gaps` called directly.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.models import EmployerAnswer, EmployerSurvey, Wave
from surveyapp.results import stored_release, stored_release_row
from surveyapp.results.claims import mirrors_the_wave
from surveyapp.results.wave_data import load_wave_answers
from surveyapp.scoring import employer_gaps, gap_item_ids, score_items
from surveyapp.waves import close_wave

from ..accounts_driver import employer_ids
from ..factories import add_responses, make_wave

K = 5
EMPLOYER = get_instrument("employer", 1)
#: Hand-placed claims: SCH1 "14 days or more" scores 100; agree5 "Agree" (4) scores 75,
#: "Strongly agree" (5) 100; BEN2 "Yes" 100.
ANSWERS = {"E4": Decimal(14), "E15_PAY2": 4, "E15_VOI1": 5, "E3b_ft": 1}
#: Stored times are naive UTC.
SENT = datetime(2027, 3, 2, tzinfo=UTC).replace(tzinfo=None)
EXPECTED = {"SCH1": 100.0, "PAY2": 75.0, "VOI1": 100.0, "BEN2": 100.0}


def _wave() -> Wave:
    return db.session.scalar(select(Wave).order_by(Wave.id.desc()))


def _survey(wave: Wave, employer_id: int, answers: dict, *, sent: bool = True) -> None:
    survey = EmployerSurvey(
        wave_id=wave.id,
        employer_id=employer_id,
        instrument_key=EMPLOYER.key,
        instrument_version=EMPLOYER.version,
        instrument_checksum=EMPLOYER.checksum,
        sent_at=SENT if sent else None,
        updated_at=SENT,
    )
    db.session.add(survey)
    for item_id, value in answers.items():
        number = isinstance(value, Decimal)
        db.session.add(
            EmployerAnswer(
                wave_id=wave.id,
                employer_id=employer_id,
                item_id=item_id,
                code=None if number else value,
                number=value if number else None,
            )
        )
    db.session.commit()


def _open(app, sizes: list[int]) -> list[int]:
    make_wave(app, status="open", employers=len(sizes), k=K)
    with app.app_context():
        add_responses(_wave(), sizes)
        wave = _wave()
        return employer_ids(app, wave.partnership_id)


def _close() -> Wave:
    wave = _wave()
    close_wave(db.session, wave)
    db.session.commit()
    return wave


def test_sent_answers_become_the_claims_of_the_gap_tests(app):
    employers = _open(app, [14, 11, 9])
    with app.app_context():
        _survey(_wave(), employers[0], ANSWERS)
        answers = load_wave_answers(db.session, _wave())
        wave = _close()
        figures = stored_release(db.session, wave)
        parameters = json.loads(stored_release_row(db.session, wave).parameters)
    worker = answers.instrument
    ids = gap_item_ids(worker)
    claims = np.full((3, len(ids)), np.nan)
    for item_id, value in EXPECTED.items():
        claims[0, ids.index(item_id)] = value
    columns = [answers.item_ids.index(item_id) for item_id in ids]
    scores = score_items(worker, answers.codes[:, columns], ids, living_wage=24.0)
    expected = employer_gaps(scores, answers.employers, claims, ids, k=K)
    first = answers.employer_ids.index(employers[0])
    assert parameters["claims"][first] == [None if np.isnan(c) else c for c in claims[0]]
    stored = figures["employers"][first]["gaps"]
    assert [g["item_id"] for g in stored] == list(ids)
    by_item = {g["item_id"]: g for g in stored}
    for item_id, value in EXPECTED.items():
        assert by_item[item_id]["claim"] == value
        result = expected[0][ids.index(item_id)]
        assert by_item[item_id]["median_gap"] == result.median_gap
        assert by_item[item_id]["share_below"] == result.share_below
        assert by_item[item_id]["flagged"] == result.flagged
        assert by_item[item_id]["note"] == result.note
    # Items without a claim are not tested; employers without a survey have no claims.
    assert by_item["PAY4"]["claim"] is None
    assert by_item["PAY4"]["median_gap"] is None
    for other in figures["employers"][1:]:
        assert all(g["claim"] is None for g in other["gaps"])


def test_a_survey_not_sent_or_answered_not_sure_claims_nothing(app):
    employers = _open(app, [12, 10])
    with app.app_context():
        _survey(_wave(), employers[0], ANSWERS, sent=False)
        # "Not sure" beside a number (stored as its option code) and as a choice.
        _survey(_wave(), employers[1], {"E4": 98, "E15_PAY2": 98})
        wave = _close()
        figures = stored_release(db.session, wave)
        parameters = json.loads(stored_release_row(db.session, wave).parameters)
    assert parameters["claims"] is None
    assert all(e["gaps"] == [] for e in figures["employers"])


def test_claims_of_an_employer_with_no_responses_are_left_out(app):
    employers = _open(app, [12, 10, 0])
    with app.app_context():
        _survey(_wave(), employers[2], ANSWERS)
        wave = _close()
        parameters = json.loads(stored_release_row(db.session, wave).parameters)
    assert parameters["claims"] is None
    assert employers[2] not in parameters["employer_ids"]


@pytest.mark.parametrize(("version", "compares"), [(1, True), (2, True)])
def test_employer_v1_compares_with_both_worker_versions(version, compares):
    """worker-v1 and v2 differ only in wording: a claim is the same option code."""
    assert mirrors_the_wave(EMPLOYER, get_instrument("worker", version)) is compares
