"""Issue 12: a closed round's survey links show workers "What you told us", and staff
write its "What happens next" note.

The expected sentences are worked out here from the stored release's JSON (the
highest and lowest shown sector and employer means), not from the page's code.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.models import DistributionLink, Employer, Wave
from surveyapp.results import stored_release, stored_release_row
from surveyapp.waves import close_wave

from ..factories import add_responses
from ..staff_driver import Console, text

K = 5
V2 = get_instrument("worker", 2)
NO_WORKPLACE = "There are no results to show for this workplace."


def _round(app, sizes: list[int]) -> tuple[Console, int, dict[str, str]]:
    """A closed round with ``sizes`` responses per employer (by name); tokens by name."""
    console = Console.make(app, employers=len(sizes), k=K)
    wave_id = console.wave()
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        add_responses(wave, sizes)
        close_wave(db.session, wave)
        db.session.commit()
        tokens = dict(
            db.session.execute(
                select(Employer.name, DistributionLink.token)
                .join(DistributionLink, DistributionLink.employer_id == Employer.id)
                .where(DistributionLink.wave_id == wave_id)
                .order_by(Employer.name)
            ).all()
        )
    return console, wave_id, tokens


def _told(app, token: str, lang: str = "en") -> str:
    response = app.test_client().get(f"/s/{token}?lang={lang}", follow_redirects=True)
    assert response.status_code == 200
    return text(response)


def _ends(estimates: list[dict], lang: str = "en") -> tuple[str, str]:
    shown = {
        e["statistic"]: e["mean"]
        for e in estimates
        if e["statistic"] not in ("jqi", "at_threshold") and e["mean"] is not None
    }
    high = max(shown, key=shown.__getitem__)
    low = min(shown, key=shown.__getitem__)
    return V2.dimension(high).name[lang], V2.dimension(low).name[lang]


def _figures(app, wave_id: int) -> tuple[dict, list[int]]:
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        figures = stored_release(db.session, wave)
        ids = json.loads(stored_release_row(db.session, wave).parameters)["employer_ids"]
        return figures, ids


def _employer_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Employer.id).where(Employer.name == name))


def test_the_link_of_a_closed_round_says_what_workers_told_us(app):
    console, wave_id, tokens = _round(app, [14, 11, 9, K - 1])
    figures, ids = _figures(app, wave_id)
    names = sorted(tokens)
    strongest, weakest = _ends(figures["sector"])
    page = _told(app, tokens[names[0]])
    assert f"Workers rated {strongest} highest and {weakest} lowest." in page
    mine = figures["employers"][ids.index(_employer_id(app, names[0]))]
    own_high, own_low = _ends(mine["estimates"])
    assert page.count("Workers rated") == 2
    assert f"Workers rated {own_high} highest and {own_low} lowest." in page
    assert "<script" not in page


def test_a_workplace_below_k_reads_like_one_with_no_answers(app):
    console, wave_id, tokens = _round(app, [14, 11, 9, K - 1, 0])
    names = sorted(tokens)
    small, empty = names[3], names[4]
    small_page = _told(app, tokens[small])
    empty_page = _told(app, tokens[empty])
    assert NO_WORKPLACE in small_page

    # Only the names and tokens differ.
    def neutral(page: str, name: str, token: str) -> str:
        return page.replace(name, "NAME").replace(token, "TOKEN")

    assert neutral(small_page, small, tokens[small]) == neutral(empty_page, empty, tokens[empty])
    assert small_page.count("Workers rated") == 1  # the sector only


def test_an_employer_hidden_with_a_small_one_shows_nothing_either(app):
    """Complementary suppression hides an employer with k or more responses too."""
    console, wave_id, tokens = _round(app, [14, 11, 9, K - 1])
    figures, ids = _figures(app, wave_id)
    hidden = [
        name
        for name in tokens
        if figures["employers"][ids.index(_employer_id(app, name))]["estimates"][0]["mean"] is None
    ]
    assert len(hidden) == 2  # the small one and the one hidden with it
    for name in hidden:
        assert NO_WORKPLACE in _told(app, tokens[name])


def test_spanish_workers_read_it_in_spanish(app):
    console, wave_id, tokens = _round(app, [14, 11, 9])
    figures, _ids = _figures(app, wave_id)
    strongest, weakest = _ends(figures["sector"], "es")
    page = _told(app, tokens[sorted(tokens)[0]], "es")
    assert '<html lang="es">' in page
    assert f"{strongest}" in page
    assert f"{weakest}" in page
    assert "Lo que nos dijeron" in page


def test_staff_write_the_note_workers_read_in_their_language(app):
    console, wave_id, tokens = _round(app, [14, 11, 9])
    token = tokens[sorted(tokens)[0]]
    assert "will share what it learned" in _told(app, token)
    note = {
        "note_en": "We meet employers in March.\nWatch the break room board.",
        "note_es": "Nos reunimos con los empleadores en marzo.",
    }
    saved = console.post(f"/staff/waves/{wave_id}/closing-note", note)
    assert saved.status_code == 302
    english, spanish = _told(app, token), _told(app, token, "es")
    assert "<p>We meet employers in March.</p><p>Watch the break room board.</p>" in english
    assert "Nos reunimos con los empleadores en marzo." in spanish
    assert "We meet" not in spanish
    assert "We meet employers in March." in text(console.get(f"/staff/waves/{wave_id}"))


def test_a_hostile_note_is_escaped_everywhere(app):
    console, wave_id, tokens = _round(app, [14, 11, 9])
    hostile = '<script>alert(1)</script> & "quotes" ' + "x" * 900
    assert (
        console.post(
            f"/staff/waves/{wave_id}/closing-note", {"note_en": hostile, "note_es": ""}
        ).status_code
        == 302
    )
    for page in (
        _told(app, tokens[sorted(tokens)[0]]),
        text(console.get(f"/staff/waves/{wave_id}")),
    ):
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("x" * 1001, "Write at most 1000 characters."),
        ("hidden\x00null", "Remove the hidden control characters"),
        ("reversed \u202etext", "Remove the hidden control characters"),
    ],
)
def test_bad_notes_are_refused_and_nothing_changes(app, note, message):
    console, wave_id, _tokens = _round(app, [6, 6])
    response = console.post(f"/staff/waves/{wave_id}/closing-note", {"note_en": note})
    assert response.status_code == 400
    assert message in text(response)
    assert console.read(Wave, wave_id, "closing_note") == (None,)


def test_the_note_form_needs_csrf_and_the_partnerships_own_round(app):
    console, wave_id, _tokens = _round(app, [6, 6])
    url = f"/staff/waves/{wave_id}/closing-note"
    other = console.wave(console.other)
    missing = console.get("/staff/waves/999999/closing-note")
    mine_elsewhere = console.get(f"/staff/waves/{other}/closing-note")
    assert missing.status_code == mine_elsewhere.status_code == 404
    assert text(missing) == text(mine_elsewhere)
    assert console.employer_user().get(url).status_code == 404
    # Last: a failed CSRF check also ends the staff member's session.
    assert console.post(url, {"note_en": "hello"}, csrf=False).status_code == 400
    assert console.read(Wave, wave_id, "closing_note") == (None,)


def test_an_open_round_link_still_starts_the_survey(app):
    console = Console.make(app, k=K)
    token = console.links(console.wave())[0][1]
    client = app.test_client()
    assert client.get(f"/s/{token}").status_code == 200
    assert client.get(f"/s/{token}/told").headers["Location"].endswith(f"/s/{token}")
    assert client.get("/s/" + "B" * 32 + "/told").status_code == 404


def test_the_page_is_small_and_has_no_script(app):
    console, wave_id, tokens = _round(app, [14, 11, 9])
    page = _told(app, tokens[sorted(tokens)[0]])
    assert len(page.encode()) < 15 * 1024
    assert not re.search(r"<script", page)
