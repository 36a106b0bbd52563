"""Bad input to the self-assessment is refused with a clear message and changes nothing:
a level outside the rubric, a note over the limit or with hidden characters, a missing
CSRF token, a bad invitation; hostile text that is allowed is shown escaped.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import SelfAssessment, SelfAssessmentAnswer, SelfAssessmentRespondent

from ..staff_driver import HOSTILE, Console, text
from ..survey_driver import csrf_from
from .test_self_assessment_driver import (
    answer,
    every,
    invite,
    page_form,
    post,
    sa_url,
    stored_answers,
)

DONT_KNOW = "Choose an answer. If you do not know, choose “Don&#39;t know”."
NOT_SHOWN = "Choose one of the answers shown."
HIDDEN = "Your note has characters we cannot save. Remove them and try again."
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def console(app):
    return Console.make(app, status="open", employers=2)


@pytest.fixture
def link(console):
    """A partner's first page, and everything stored before they post it."""
    token = invite(console, console.wave())
    return f"/self-assessment/{token}", console.app.test_client()


def _refused(console, response, anchor: str, message: str, before) -> str:
    page = text(response)
    assert response.status_code == 400
    assert "<title>Error:" in page
    assert f'href="#{anchor}"' in page  # the error summary links to the field
    assert message in page
    assert SCRIPT not in page
    assert stored_answers(console.app) == before
    return page


@pytest.mark.parametrize(
    ("level", "message"),
    [
        ("", DONT_KNOW),
        ("0", NOT_SHOWN),  # just below Not yet
        ("5", NOT_SHOWN),  # just above Established
        ("97", NOT_SHOWN),
        ("99", NOT_SHOWN),  # a way out this rubric does not offer
        ("-1", NOT_SHOWN),
        ("1.5", NOT_SHOWN),
        ("4 ", NOT_SHOWN),
        ("４", NOT_SHOWN),  # a digit of another script
        ("four", NOT_SHOWN),
        ("9" * 5000, NOT_SHOWN),
        (SCRIPT, NOT_SHOWN),
    ],
)
def test_a_level_outside_the_rubric_is_refused(console, link, level, message):
    base, client = link
    before = stored_answers(console.app)
    form = page_form(every(3), {"LVA1": "Kept as typed"}, 1) | {"LVA1": level}
    page = _refused(console, post(client, f"{base}/1", form), "LVA1-1", message, before)
    assert "Kept as typed" in page  # what was typed comes back
    assert 'value="3" checked' in page  # and so does the other statement's level


def test_the_edges_of_the_rubric_and_dont_know_are_saved(console, link):
    base, client = link
    response = post(client, f"{base}/1", page_form({"LVA1": 1, "LVA2": 98}, {}, 1))
    assert response.status_code == 302
    response = post(client, f"{base}/2", page_form({"RES1": 4, "RES2": 4}, {}, 2))
    assert response.status_code == 302
    with console.app.app_context():
        rows = db.session.execute(
            select(SelfAssessmentAnswer.item_id, SelfAssessmentAnswer.code)
        ).all()
    assert dict(rows) == {"LVA1": 1, "LVA2": 98, "RES1": 4, "RES2": 4}


def test_a_note_at_the_limit_is_saved_and_one_over_is_refused(console, link):
    base, client = link
    before = stored_answers(console.app)
    over = post(client, f"{base}/1", page_form(every(2), {"LVA2": "é" * 501}, 1))
    _refused(
        console,
        over,
        "LVA2-note",
        "Your note is 501 characters long. Make it 500 characters or fewer.",
        before,
    )
    # Line breaks count once, however the browser sends them.
    at_limit = "a" * 498 + "\r\nb"
    assert post(client, f"{base}/1", page_form(every(2), {"LVA2": at_limit}, 1)).status_code == 302
    with console.app.app_context():
        note = db.session.scalar(
            select(SelfAssessmentAnswer.note).where(SelfAssessmentAnswer.item_id == "LVA2")
        )
    assert note == "a" * 498 + "\nb"


@pytest.mark.parametrize(
    "note", ["a\x00b", "evil \u202egnp.exe", "bell\x07", "bad \ufffd byte", "\x1b[31mred"]
)
def test_a_note_with_hidden_characters_is_refused(console, link, note):
    base, client = link
    before = stored_answers(console.app)
    response = post(client, f"{base}/1", page_form(every(2), {"LVA1": note}, 1))
    _refused(console, response, "LVA1-note", HIDDEN, before)


def test_hostile_text_is_saved_as_typed_and_shown_escaped(console):
    wave = console.wave()
    token = invite(console, wave, "community", "Helpers & Co")
    hostile = {"LVA1": SCRIPT, "CI2": '"><img src=x onerror=alert(1)>', "WV1": "{{ 7*7 }}"}
    client = console.app.test_client()
    base = f"/self-assessment/{token}"
    answer(client, base, every(3), hostile)
    with console.app.app_context():
        notes = dict(
            db.session.execute(
                select(SelfAssessmentAnswer.item_id, SelfAssessmentAnswer.note).where(
                    SelfAssessmentAnswer.note.is_not(None)
                )
            ).all()
        )
    assert notes == hostile
    overview = text(client.get(base))
    first = text(client.get(f"{base}/1"))
    console.post(sa_url(wave, "/close"))
    staff = text(console.get(sa_url(wave)))
    for page in (overview, first, staff):
        assert SCRIPT not in page
        assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in overview
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in first
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in staff  # evidence notes, no names
    assert "{{ 7*7 }}" in overview  # shown as text, never evaluated as a template
    assert "{{ 7*7 }}" in staff
    assert "Helpers &amp; Co" in staff


def test_a_page_without_its_form_token_is_refused_and_nothing_changes(console, link):
    base, client = link
    before = stored_answers(console.app)
    response = post(client, f"{base}/1", page_form(every(3), {}, 1), csrf=False)
    assert response.status_code == 400
    assert "This page timed out" in text(response)
    assert stored_answers(console.app) == before


def test_sending_without_a_form_token_or_unfinished_is_refused(console, link):
    base, client = link
    answer(client, base, every(3), send=False)
    assert client.post(f"{base}/send").status_code == 400
    assert stored_answers(console.app)[-1]  # answers stay
    with console.app.app_context():
        assert db.session.scalar(select(SelfAssessmentRespondent.sent_at)) is None
    # With a page left unrated, "Send" only says what is missing.
    fresh, second = console.app.test_client(), f"/self-assessment/{invite(console, console.wave())}"
    assert post(fresh, f"{second}/1", page_form(every(3), {}, 1)).status_code == 302
    response = post(fresh, f"{second}/send", {}, page=f"{second}/2")
    assert response.headers["Location"].endswith("changed=incomplete")
    with console.app.app_context():
        assert (
            db.session.scalar(
                select(SelfAssessmentRespondent.id).where(
                    SelfAssessmentRespondent.sent_at.is_not(None)
                )
            )
            is None
        )


@pytest.mark.parametrize("number", [0, 9, 100])
def test_a_page_that_does_not_exist(console, link, number):
    base, client = link
    assert client.get(f"{base}/{number}").status_code == 404


@pytest.mark.parametrize(
    ("form", "anchor", "message"),
    [
        ({"role": "", "label": "x"}, "role", "Choose who they are."),
        ({"role": "staff", "label": "x"}, "role", "Choose who they are."),
        ({"role": "ceo", "label": "x"}, "role", "Choose who they are."),
        ({"role": "union", "label": HOSTILE["long"]}, "label", "100 characters or fewer"),
        ({"role": "union", "label": HOSTILE["markup"]}, "label", "no &lt; or &gt;"),
        ({"role": "union", "label": HOSTILE["rtl"]}, "label", "no &lt; or &gt;"),
        ({"role": "union", "label": HOSTILE["nul"]}, "label", "no &lt; or &gt;"),
    ],
)
def test_a_bad_invitation_is_refused_and_makes_no_link(console, form, anchor, message):
    wave = console.wave()
    before = stored_answers(console.app)
    response = console.post(sa_url(wave, "/invite"), form)
    _refused(console, response, anchor, message, before)
    assert "/self-assessment/" not in text(response).split("<main")[1].split("<form")[0]


def test_an_invitation_or_closing_without_a_form_token_changes_nothing(console):
    wave = console.wave()
    invite(console, wave)
    before = stored_answers(console.app)
    for url in (sa_url(wave, "/invite"), sa_url(wave, "/close")):
        response = console.post(url, {"role": "union", "label": "x"}, csrf=False)
        assert response.status_code == 400
    assert stored_answers(console.app) == before
    with console.app.app_context():
        assert db.session.scalar(select(SelfAssessment.closed_at)) is None


def test_the_csrf_token_of_the_form_page_is_what_counts(console, link):
    """A token from another browser's session is refused like a missing one."""
    base, client = link
    other = console.app.test_client()
    foreign = csrf_from(other.get(f"{base}/1"))
    before = stored_answers(console.app)
    form = page_form(every(3), {}, 1) | {"csrf_token": foreign}
    assert client.post(f"{base}/1", data=form).status_code == 400
    assert stored_answers(console.app) == before
