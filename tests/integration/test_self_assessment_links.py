"""Partner links: shown once, stored only as a hash; one respondent's, who may come back
to change answers until staff close the self-assessment; and a link that is unknown,
expired, withdrawn, closed ("used up") or sent to another partnership's pages answers
the same 404 everywhere.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import SelfAssessmentAnswer, SelfAssessmentRespondent
from surveyapp.selfassessment.service import LINK_LIFETIME, now

from ..staff_driver import Console, text
from .test_self_assessment_driver import (
    answer,
    every,
    invite,
    page_form,
    post,
    respond_by_link,
    sa_url,
    stored_answers,
)


@pytest.fixture
def console(app):
    return Console.make(app, status="open", employers=2)


def _respondent(console: Console) -> SelfAssessmentRespondent:
    with console.app.app_context():
        row = db.session.scalar(
            select(SelfAssessmentRespondent).order_by(SelfAssessmentRespondent.id.desc())
        )
        db.session.expunge(row)
        return row


def test_the_link_is_shown_once_and_only_its_hash_is_stored(console):
    wave = console.wave()
    token = invite(console, wave, "training_provider", "Valley Community College")
    assert len(token) >= 43  # 256 random bits, URL-safe
    row = _respondent(console)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (row.role, row.label, row.user_id) == (
        "training_provider",
        "Valley Community College",
        None,
    )
    assert row.expires_at - row.created_at == LINK_LIFETIME
    with console.app.app_context():
        everything = repr(stored_answers(console.app))
    assert token not in everything
    # Nowhere else on the console: not on the round's page, not on the list.
    for url in (sa_url(wave), "/staff/self-assessment", "/staff/"):
        assert token not in text(console.get(url))
    assert "Valley Community College" in text(console.get(sa_url(wave)))


def test_each_invitation_gets_its_own_link(console):
    wave = console.wave()
    assert invite(console, wave) != invite(console, wave)


def test_a_partner_can_change_answers_after_sending_until_staff_close(console):
    wave = console.wave()
    token = respond_by_link(console, wave, every(2))
    client = console.app.test_client()
    base = f"/self-assessment/{token}"
    assert "Sent on" in text(client.get(base))
    changed = post(client, f"{base}/1", page_form(every(4), {"LVA1": "Charter"}, 1))
    assert changed.status_code == 302
    with console.app.app_context():
        rows = db.session.execute(
            select(SelfAssessmentAnswer.item_id, SelfAssessmentAnswer.code)
        ).all()
        codes = dict(rows)
    assert (codes["LVA1"], codes["LVA2"], codes["RES1"]) == (4, 4, 2)
    # The partner has the page open when staff close; their save then changes nothing.
    form = page_form(every(1), {}, 1) | {"csrf_token": _token_from(client, f"{base}/1")}
    assert console.post(sa_url(wave, "/close")).status_code == 302
    before = stored_answers(console.app)
    assert client.post(f"{base}/1", data=form).status_code == 404
    assert client.post(f"{base}/send", data=form).status_code == 404
    assert client.get(base).status_code == 404
    assert stored_answers(console.app) == before


def _unusable_links(console: Console, wave: int) -> dict[str, str]:
    """One link in each unusable state, by name."""
    expired = invite(console, wave, "union", "Expired")
    with console.app.app_context():
        row = db.session.scalar(
            select(SelfAssessmentRespondent).where(SelfAssessmentRespondent.label == "Expired")
        )
        row.expires_at = now() - timedelta(seconds=1)
        db.session.commit()
    withdrawn = invite(console, wave, "union", "Withdrawn")
    withdrawn_id = _respondent(console).id
    response = console.post(sa_url(wave, f"/respondents/{withdrawn_id}/withdraw"))
    assert response.status_code == 302
    return {
        "unknown": "A" * 43,
        "expired": expired,
        "withdrawn": withdrawn,
        "too long": "A" * 500,
        "odd": "..%2F..%2Fstaff",
    }


@pytest.mark.parametrize("where", ["", "/1", "/8"])
def test_every_unusable_link_is_the_same_404(console, where):
    wave = console.wave()
    links = _unusable_links(console, wave)
    client = console.app.test_client()
    bodies = {}
    for name, token in links.items():
        response = client.get(f"/self-assessment/{token}{where}")
        assert response.status_code == 404, name
        bodies[name] = text(response).replace(token, "")
    reference = text(client.get("/no-such-page"))
    assert set(bodies.values()) == {reference}


def test_a_closed_self_assessments_links_are_used_up(console):
    wave = console.wave()
    token = invite(console, wave)
    client = console.app.test_client()
    unknown = text(client.get("/self-assessment/" + "B" * 43))
    assert client.get(f"/self-assessment/{token}").status_code == 200
    console.post(sa_url(wave, "/close"))
    for tail in ("", "/1"):
        response = client.get(f"/self-assessment/{token}{tail}")
        assert response.status_code == 404
        assert text(response) == unknown
    sent = client.post(f"/self-assessment/{token}/send", data={})
    assert sent.status_code in (400, 404)  # no form token either: refused either way


def test_posting_to_an_unusable_link_changes_nothing(console):
    wave = console.wave()
    links = _unusable_links(console, wave)
    client = console.app.test_client()
    live = invite(console, wave)
    before = stored_answers(console.app)
    for token in (links["expired"], links["withdrawn"], links["unknown"]):
        form = page_form(every(3), {}, 1)
        form["csrf_token"] = _token_from(client, f"/self-assessment/{live}/1")
        assert client.post(f"/self-assessment/{token}/1", data=form).status_code == 404
        assert client.post(f"/self-assessment/{token}/send", data=form).status_code == 404
    assert stored_answers(console.app) == before


def _token_from(client, url):
    from ..survey_driver import csrf_from

    return csrf_from(client.get(url))


def test_another_partnerships_respondents_are_out_of_reach(console):
    """B's staff make a link; A's staff cannot withdraw it through either round's URL."""
    mine = console.wave()
    theirs = console.wave(console.other)
    from ..accounts_driver import make_user, sign_in

    other_staff = Console(
        console.app,
        console.app.test_client(),
        console.other,
        console.partnership,
        make_user(console.app, "staff@b.example.org", console.other),
    )
    assert sign_in(other_staff.client, other_staff.email).status_code == 302
    token = invite(other_staff, theirs)
    their_row = _respondent(console).id
    missing = text(console.get("/staff/no-such-page"))
    for url in (
        sa_url(mine, f"/respondents/{their_row}/withdraw"),
        sa_url(theirs, f"/respondents/{their_row}/withdraw"),
    ):
        response = console.post(url)
        assert response.status_code == 404
        assert text(response) == missing
    # Their link shows their partnership, and still works.
    page = text(console.app.test_client().get(f"/self-assessment/{token}"))
    assert "Test Partnership" in page
    with console.app.app_context():
        assert db.session.get(SelfAssessmentRespondent, their_row) is not None


def test_a_staff_users_own_answers_are_theirs_alone(console):
    wave = console.wave()
    answer(console.client, sa_url(wave, "/answer"), every(3))
    with console.app.app_context():
        row = db.session.scalar(select(SelfAssessmentRespondent))
        assert (row.role, row.token_hash, row.expires_at) == ("staff", None, None)
        assert row.sent_at is not None
    page = text(console.get(sa_url(wave)))
    assert console.email in page
    assert "Sent on" in page
