"""Who may reach the self-assessment's staff pages: only the partnership's own staff.

Staff of another partnership and employer users get the 404 of a page that does not
exist, for every page and every form, and change nothing; nobody signed out gets past
the sign-in page. A closed self-assessment takes no more invitations or answers.
"""

from __future__ import annotations

import pytest

from ..accounts_driver import make_user, sign_in
from ..staff_driver import Console, text
from ..survey_driver import csrf_from
from .test_self_assessment_driver import answer, every, invite, page_form, sa_url, stored_answers


@pytest.fixture
def console(app):
    return Console.make(app, status="open", employers=2)


def _pages(wave: int, respondent: int) -> tuple[list[str], list[str]]:
    gets = [
        sa_url(wave),
        sa_url(wave, "/invite"),
        sa_url(wave, "/answer"),
        sa_url(wave, "/answer/1"),
    ]
    posts = [
        sa_url(wave, "/invite"),
        sa_url(wave, "/close"),
        sa_url(wave, f"/respondents/{respondent}/withdraw"),
        sa_url(wave, "/answer/1"),
        sa_url(wave, "/answer/send"),
    ]
    return gets, posts


def _respondent_id(console: Console) -> int:
    from sqlalchemy import select

    from surveyapp.extensions import db
    from surveyapp.models import SelfAssessmentRespondent

    with console.app.app_context():
        # The newest: the last link made.
        return db.session.scalar(
            select(SelfAssessmentRespondent.id).order_by(SelfAssessmentRespondent.id.desc())
        )


def _outsider(console: Console, kind: str):
    if kind == "employer user":
        return console.employer_user(), "/employer/"
    email = make_user(console.app, "staff@b.example.org", console.other)
    client = console.app.test_client()
    assert sign_in(client, email).status_code == 302
    return client, "/staff/"


@pytest.mark.parametrize("kind", ["employer user", "other partnership's staff"])
def test_outsiders_get_the_404_of_a_missing_page_and_change_nothing(console, kind):
    wave = console.wave()
    invite(console, wave)
    gets, posts = _pages(wave, _respondent_id(console))
    client, home = _outsider(console, kind)
    missing = text(client.get("/staff/waves/999999/self-assessment"))
    assert "This page is not available" in missing
    before = stored_answers(console.app)
    for url in [*gets, "/staff/self-assessment"] if kind == "employer user" else gets:
        response = client.get(url)
        assert response.status_code == 404, url
        assert text(response) == missing, url
    for url in posts:
        form = page_form(every(3), {}, 1) | {"role": "union", "label": "x"}
        form["csrf_token"] = csrf_from(client.get(home))
        response = client.post(url, data=form)
        assert response.status_code == 404, url
    assert stored_answers(console.app) == before


def test_other_partnerships_staff_see_only_their_own_rounds_in_the_list(console):
    mine = console.wave()
    client, _home = _outsider(console, "other partnership's staff")
    page = text(client.get("/staff/self-assessment"))
    assert f'href="/staff/waves/{mine}/self-assessment"' not in page
    theirs = console.wave(console.other)
    assert f'href="/staff/waves/{theirs}/self-assessment"' in page


def test_signed_out_visitors_go_to_sign_in(console):
    wave = console.wave()
    client = console.app.test_client()
    for url in ("/staff/self-assessment", sa_url(wave), sa_url(wave, "/answer")):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_the_console_home_links_the_self_assessment(console):
    home = text(console.get("/staff/"))
    assert 'href="/staff/self-assessment"' in home
    listing = text(console.get("/staff/self-assessment"))
    assert f'href="{sa_url(console.wave())}"' in listing
    assert "Not started" in listing


def test_a_closed_self_assessment_takes_no_more_invitations_or_answers(console):
    wave = console.wave()
    answer(console.client, sa_url(wave, "/answer"), every(3))
    invite(console, wave)
    respondent = _respondent_id(console)
    assert console.post(sa_url(wave, "/close")).status_code == 302
    before = stored_answers(console.app)
    assert console.get(sa_url(wave, "/invite")).status_code == 409
    assert console.post(sa_url(wave, "/invite"), {"role": "union"}).status_code == 409
    assert console.get(sa_url(wave, "/answer/1")).status_code == 409
    assert console.post(sa_url(wave, "/answer/1"), page_form(every(1), {}, 1)).status_code == 409
    assert console.post(sa_url(wave, f"/respondents/{respondent}/withdraw")).status_code == 409
    # Staff can still read their own answers; the overview says it has closed.
    overview = text(console.get(sa_url(wave, "/answer")))
    assert "This self-assessment has closed" in overview
    assert "Developing" in overview
    assert stored_answers(console.app) == before
    listing = text(console.get("/staff/self-assessment"))
    assert "Closed on" in listing
    assert "2 respondents" not in listing  # the unanswered link was never sent
    assert "1 respondent" in listing
