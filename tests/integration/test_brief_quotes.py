"""Issue 12: staff-approved quotes reach the PDF briefs under rule 6.

Employers with the quote threshold minus one, the threshold and one more responses;
each with an approved and a rejected comment. The sector brief quotes only the two
employers at or above the threshold (and names no employer); each employer's brief
quotes only its own workers, and only at or above the threshold.
"""

from __future__ import annotations

import io
import secrets

import pypdf
import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Comment, Employer, Wave
from surveyapp.waves import close_wave

from ..factories import add_responses
from ..staff_driver import Console

K = 5
THRESHOLD = 10


def _flat(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def closed(app):
    console = Console.make(app, employers=3, k=K)
    wave_id = console.wave()
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        add_responses(wave, [THRESHOLD - 1, THRESHOLD, THRESHOLD + 1])
        close_wave(db.session, wave)
        employers = list(
            db.session.execute(
                select(Employer.id, Employer.name)
                .where(Employer.partnership_id == console.partnership)
                .order_by(Employer.name)
            ).all()
        )
        for n, (employer_id, _name) in enumerate(employers):
            for approved in (True, False):
                db.session.add(
                    Comment(
                        id=secrets.token_hex(16),
                        wave_id=wave_id,
                        employer_id=employer_id,
                        item_id="CHANGE",
                        language="es" if n == 2 else "en",
                        text=f"{'Approved' if approved else 'Rejected'} quote number {n} señal",
                        approved=approved,
                        reviewed=True,
                    )
                )
        db.session.commit()
    return console, wave_id, employers


def test_the_sector_brief_quotes_only_employers_at_the_threshold(closed):
    console, wave_id, employers = closed
    response = console.get(f"/staff/waves/{wave_id}/brief.pdf")
    assert response.status_code == 200
    body = _flat(response.data)
    assert "What workers said" in body
    assert "Approved quote number 0" not in body  # threshold - 1
    assert "Approved quote number 1 señal" in body  # threshold
    assert "Approved quote number 2 señal" in body  # threshold + 1
    assert "Rejected" not in body
    for _ident, name in employers:
        assert name not in body


@pytest.mark.parametrize(("index", "quoted"), [(0, False), (1, True), (2, True)])
def test_an_employer_brief_quotes_only_its_own_workers(closed, index, quoted):
    console, wave_id, employers = closed
    employer_id = employers[index][0]
    response = console.get(f"/staff/waves/{wave_id}/employers/{employer_id}/brief.pdf")
    assert response.status_code == 200
    body = _flat(response.data)
    assert (f"Approved quote number {index}" in body) is quoted
    for other in {0, 1, 2} - {index}:
        assert f"quote number {other}" not in body
    assert "Rejected" not in body


def test_the_sector_brief_shows_the_closed_self_assessment(closed):
    """Three respondents: every statement at level 3, 2 and 4 -> each element's mean
    (66.67 + 33.33 + 100) / 3 = 66.7, lowest 33.3, highest 100.0 (hand-computed)."""
    from .test_self_assessment_driver import every, seed

    console, wave_id, _employers = closed
    before = _flat(console.get(f"/staff/waves/{wave_id}/brief.pdf").data)
    assert "How the partnership rates itself" not in before
    seed(console.app, wave_id, [every(3), every(2), every(4)])
    body = _flat(console.get(f"/staff/waves/{wave_id}/brief.pdf").data)
    assert "How the partnership rates itself" in body
    assert "3 sent their answers" in body
    assert body.count("66.7 33.3 – 100.0") == 8  # five elements and three centre themes


def test_the_same_words_are_quoted_once(closed):
    console, wave_id, employers = closed
    with console.app.app_context():
        for _ in range(3):
            db.session.add(
                Comment(
                    id=secrets.token_hex(16),
                    wave_id=wave_id,
                    employer_id=employers[2][0],
                    item_id="CHANGE",
                    language="en",
                    text="Post the schedule two weeks ahead.",
                    approved=True,
                    reviewed=True,
                )
            )
        db.session.commit()
    body = _flat(console.get(f"/staff/waves/{wave_id}/brief.pdf").data)
    assert body.count("Post the schedule two weeks ahead.") == 1
