"""Issue 12: the quote queue (staff read comments, approve quotes with edits, reject) and
rule 6 (quotes of an employer's workers only from the quote threshold of responses)."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Comment, Employer, Wave
from surveyapp.quotes import quotes

from ..factories import add_responses
from ..staff_driver import Console, text

K = 5
THRESHOLD = 10  # the partnership's quote threshold (make_wave's default)


def _comment(wave_id: int, employer_id: int, body: str, language: str = "en") -> str:
    ident = secrets.token_hex(16)
    db.session.add(
        Comment(
            id=ident,
            wave_id=wave_id,
            employer_id=employer_id,
            item_id="CHANGE",
            language=language,
            text=body,
        )
    )
    db.session.commit()
    return ident


@pytest.fixture
def queue(app):
    """A round with employers at threshold-1, threshold and threshold+1 responses,
    and one comment from each employer's workers."""
    console = Console.make(app, employers=3, k=K)
    wave_id = console.wave()
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        add_responses(wave, [THRESHOLD - 1, THRESHOLD, THRESHOLD + 1])
        employers = list(
            db.session.scalars(
                select(Employer.id)
                .where(Employer.partnership_id == console.partnership)
                .order_by(Employer.name)
            )
        )
        ids = [
            _comment(wave_id, employer, f"Comment {n} about Maria at the night desk")
            for n, employer in enumerate(employers)
        ]
    return console, wave_id, employers, ids


def _review(console: Console, comment_id: str, action: str, body: str = ""):
    return console.post(f"/staff/quotes/{comment_id}", {"action": action, "text": body})


def _row(console: Console, comment_id: str) -> tuple:
    return console.read(Comment, comment_id, "text", "approved", "reviewed")


def test_staff_read_every_waiting_comment(queue):
    console, _wave, _employers, ids = queue
    page = text(console.get("/staff/quotes"))
    assert "3 comments waiting." in page
    for n in range(3):
        assert f"Comment {n} about Maria at the night desk" in page


def test_an_approved_edit_replaces_the_original(queue):
    console, _wave, _employers, ids = queue
    response = _review(console, ids[2], "approve", "Comment about a colleague at work")
    assert response.status_code == 302
    assert _row(console, ids[2]) == ("Comment about a colleague at work", True, True)
    with console.app.app_context():
        stored = db.session.scalars(select(Comment.text)).all()
    assert not any("Maria" in body and "Comment 2" in body for body in stored)
    assert "Comment 2" not in text(console.get("/staff/quotes"))  # out of the queue


def test_a_rejected_comment_leaves_the_queue_and_every_brief(queue):
    console, wave_id, _employers, ids = queue
    assert _review(console, ids[2], "reject").status_code == 302
    assert _row(console, ids[2])[1:] == (False, True)
    with console.app.app_context():
        assert quotes(db.session, db.session.get(Wave, wave_id)) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "Write the quote, or reject the comment."),
        ("x" * 1001, "Write at most 1000 characters."),
        ("hidden\x00null", "Remove the hidden control characters"),
        ("reversed \u202etext", "Remove the hidden control characters"),
    ],
)
def test_bad_quotes_are_refused_and_nothing_changes(queue, body, message):
    console, _wave, _employers, ids = queue
    before = _row(console, ids[1])
    response = _review(console, ids[1], "approve", body)
    assert response.status_code == 400
    assert message in text(response)
    assert _row(console, ids[1]) == before


def test_rule_6_quotes_only_from_employers_at_the_threshold(queue):
    """Threshold-1 responses: never quoted; threshold and threshold+1: quoted."""
    console, wave_id, employers, ids = queue
    for n, ident in enumerate(ids):
        _review(console, ident, "approve", f"Quote {n}")
    with console.app.app_context():
        wave = db.session.get(Wave, wave_id)
        sector = {q.text for q in quotes(db.session, wave)}
        assert sector == {"Quote 1", "Quote 2"}
        assert quotes(db.session, wave, employers[0]) == []
        assert [q.text for q in quotes(db.session, wave, employers[1])] == ["Quote 1"]
    page = text(console.get("/staff/quotes/approved"))
    assert page.count("Appears in briefs.") == 2
    assert page.count("fewer responses than the quote threshold") == 1


def test_a_hostile_comment_is_escaped(queue):
    console, wave_id, employers, _ids = queue
    with console.app.app_context():
        ident = _comment(wave_id, employers[2], "<script>alert(1)</script> & \u202eevil")
    page = text(console.get("/staff/quotes"))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # Markup approved as a quote is stored as text and shown escaped.
    assert _review(console, ident, "approve", "<script>alert(1)</script>").status_code == 302
    approved = text(console.get("/staff/quotes/approved"))
    assert "<script>alert" not in approved


def test_other_partnerships_comments_answer_404(queue):
    console, _wave, _employers, _ids = queue
    other_wave = console.wave(console.other)
    with console.app.app_context():
        wave = db.session.get(Wave, other_wave)
        other_employer = db.session.scalar(
            select(Employer.id).where(Employer.partnership_id == wave.partnership_id)
        )
        theirs = _comment(other_wave, other_employer, "Theirs")
    missing = _review(console, "f" * 32, "approve", "x")
    stolen = _review(console, theirs, "approve", "x")
    assert missing.status_code == stolen.status_code == 404
    assert text(missing) == text(stolen)
    assert console.read(Comment, theirs, "approved", "reviewed") == (False, False)
    assert "Theirs" not in text(console.get("/staff/quotes"))


def test_employer_users_never_see_comments(queue):
    console, _wave, _employers, ids = queue
    employer = console.employer_user()
    assert employer.get("/staff/quotes").status_code == 404
    assert employer.get("/staff/quotes/approved").status_code == 404


def test_an_unknown_action_and_missing_csrf_change_nothing(queue):
    console, _wave, _employers, ids = queue
    before = _row(console, ids[0])
    assert _review(console, ids[0], "publish", "x").status_code == 400
    response = console.post(
        f"/staff/quotes/{ids[0]}", {"action": "approve", "text": "x"}, csrf=False
    )
    assert response.status_code == 400
    assert _row(console, ids[0]) == before
