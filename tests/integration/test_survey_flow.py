"""A worker completes the survey: storage, languages, Back, errors, resume, check page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.models import Draft, Response
from surveyapp.survey.drafts import SENT

from ..factories import make_wave
from ..sealed import draft_answers, pending_comment_texts
from ..survey_driver import SurveyDriver, default_answers

# make_wave opens waves with the default instrument, worker-v2.
WORKER = get_instrument("worker", 2)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_complete_survey_stores_one_response_with_its_answers(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    answers = default_answers(WORKER)
    answers["PAY2"] = 4
    answers["SEC1"] = 98  # "Not sure" is stored as an answer, and scores as missing
    response = driver.complete(answers)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/s/{token}/thanks")
    thanks = client.get(response.headers["Location"])
    assert "Thank you: your answers have been sent" in thanks.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalars(select(Response)).all()
        assert len(stored) == 1
        row = stored[0]
        assert (row.instrument_key, row.instrument_version) == ("worker", 2)
        assert row.instrument_checksum == WORKER.checksum
        assert row.language == "en"
        assert row.submitted_on == datetime.now(UTC).date()
        codes = {a.item_id: a.code for a in row.answers}
        choice_items = {i.id for i in WORKER.items if i.kind == "choice"}
        assert set(codes) == choice_items
        assert codes["PAY2"] == 4
        assert codes["SEC1"] == 98
        # The draft is now the bare sent mark: no answers, no key.
        marks = db.session.execute(select(Draft.contents, Draft.key_by_cookie, Draft.key_by_resume))
        assert marks.all() == [(SENT, SENT, None)]
    assert pending_comment_texts(app) == ["More notice of schedule changes."]


def test_response_ids_are_random_not_sequential(app, client):
    token = make_wave(app)[0]
    for _ in range(3):
        SurveyDriver(app.test_client(), token).complete()
    with app.app_context():
        ids = db.session.scalars(select(Response.id)).all()
    assert len(set(ids)) == 3
    for value in ids:
        assert re.fullmatch(r"[0-9a-f]{32}", value)
    numbers = sorted(int(v, 16) for v in ids)
    # Three 128-bit random values: consecutive ones would be astronomically unlikely.
    assert all(b - a > 2**64 for a, b in zip(numbers, numbers[1:], strict=False))


def test_spanish_from_accept_language(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token, language="es-MX,es;q=0.9,en;q=0.5")
    first = driver.get().get_data(as_text=True)
    assert '<html lang="es">' in first
    assert "Qué guardamos y qué no" in first
    assert "Su trabajo, su voz" in first
    driver.post("/start", {})
    page = driver.get("/p/1").get_data(as_text=True)
    assert "Paso 1 de 10" in page
    assert WORKER.item("PAY2").text["es"] in page
    assert "Prefiero no decir" in page
    driver.answer_all()
    driver.submit()
    with app.app_context():
        assert db.session.scalar(select(Response.language)) == "es"


def test_language_switch_link_on_every_page_sets_the_choice(app, client):
    token = make_wave(app)[0]
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert f'href="/s/{token}?lang=es" lang="es" hreflang="es">Español</a>' in page
    switched = client.get(f"/s/{token}?lang=es")
    assert '<html lang="es">' in switched.get_data(as_text=True)
    # The choice sticks on the next page without the parameter.
    again = client.get(f"/s/{token}").get_data(as_text=True)
    assert '<html lang="es">' in again
    assert "English</a>" in again


def test_progress_and_back_keep_answers(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    answers = default_answers(WORKER)
    answers["PAY2"] = 2
    assert driver.answer_page(1, answers).status_code == 302
    page2 = driver.get("/p/2").get_data(as_text=True)
    assert "Step 2 of 10" in page2
    assert f'class="back" href="/s/{token}/p/1"' in page2
    back = driver.get("/p/1").get_data(as_text=True)
    assert 'id="PAY2-2" name="PAY2" value="2" checked' in back
    assert 'id="PAY1-1" name="PAY1" value="1" checked' in back


def test_missing_required_answer_shows_errors_and_stores_nothing(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    answers = default_answers(WORKER)
    del answers["PAY3"]
    response = driver.answer_page(1, answers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r"<title>Error: Pay", html)
    assert 'class="error-summary"' in html
    # The summary names the question, trimmed, and says what to do in one short line;
    # the whole message is beside the question.
    assert ('<a href="#PAY3-1">In the last 3 months, how often…: Choose an answer</a>') in html
    assert (
        "Choose an answer. If you would rather not answer, choose “Prefer not to say”.</p>"
    ) in html
    assert 'id="PAY3-error"' in html
    assert 'aria-describedby="PAY3-error"' in html
    assert html.count('aria-invalid="true"') == len(WORKER.item("PAY3").options)
    # Everything the worker picked is still selected.
    assert 'id="PAY2-1" name="PAY2" value="1" checked' in html
    assert draft_answers(app, client, token) == {}


def test_optional_question_is_marked_and_may_be_left_empty(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    last = len(WORKER.pages)
    page = driver.get(f"/p/{last}").get_data(as_text=True)
    assert page.count("(optional)") == 3
    assert "*" not in re.sub(r"<style.*?</style>", "", page)
    assert driver.answer_page(last, {}).status_code == 302


def test_check_page_lists_answers_with_change_links(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.answer_all()
    html = driver.get("/check").get_data(as_text=True)
    assert "Check your answers before sending them" in html
    # One Change link per question group, to the group's page.
    assert html.count(">Change<") == len(WORKER.pages)
    assert f'href="/s/{token}/p/5?check=1">Change<span class="vh"> Skills and moving up' in html
    # Changing an answer from the check page returns to the check page.
    answers = default_answers(WORKER)
    answers["SKL2"] = 5
    response = driver.answer_page(5, answers, query="?check=1")
    assert response.headers["Location"].endswith(f"/s/{token}/check")
    assert "Strongly agree" in driver.get("/check").get_data(as_text=True)


def test_submit_with_unanswered_required_items_goes_back_to_check_page(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.answer_page(1, default_answers(WORKER))
    response = driver.submit()
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error:" in html
    # The summary links to the card of each group with questions not answered.
    assert '<a href="#group-2">Benefits: 5 questions not answered yet</a>' in html
    assert 'href="#group-1"' not in html
    assert '<div class="card card--error" id="group-2">' in html
    with app.app_context():
        assert _count(Response) == 0


def test_resume_code_finishes_later_on_another_device(app, client):
    token = make_wave(app)[0]
    phone = SurveyDriver(client, token)
    phone.start()
    answers = default_answers(WORKER)
    phone.answer_page(1, answers)
    partial = {"BEN1": 1, "BEN2": 2}  # page 2 half answered: saved without errors
    saved = phone.answer_page(2, partial, action="save")
    # POST/redirect/GET: reloading the page that shows the code re-sends nothing.
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/s/{token}/saved"
    html = phone.get("/saved").get_data(as_text=True)
    code = re.search(r'class="code"[^>]*><strong>([A-Z0-9-]+)</strong>', html).group(1)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert code not in saved.headers.get("Location", "")

    laptop = SurveyDriver(app.test_client(), token)
    laptop.get("/resume")
    resumed = laptop.post("/resume", {"code": code.lower().replace("-", " ")})
    assert resumed.status_code == 302
    assert resumed.headers["Location"].endswith(f"/s/{token}/p/2")
    page2 = laptop.get("/p/2").get_data(as_text=True)
    assert 'id="BEN1-1" name="BEN1" value="1" checked' in page2
    # The phone's cookie no longer opens the draft.
    assert phone.get("/p/2").status_code == 302
    laptop.answer_all()
    assert laptop.submit().status_code == 302
    with app.app_context():
        assert _count(Response) == 1
    # After submission the code reveals nothing.
    stranger = SurveyDriver(app.test_client(), token)
    stranger.get("/resume")
    again = stranger.post("/resume", {"code": code})
    assert again.status_code == 200
    assert "We could not find answers saved with that save code" in again.get_data(as_text=True)


def test_wrong_resume_code_is_a_calm_error(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.get("/resume")
    response = driver.post("/resume", {"code": "AAAA-BBBB-CCCC"})
    html = response.get_data(as_text=True)
    assert "<title>Error:" in html
    assert 'id="code-error"' in html
    empty = driver.post("/resume", {"code": ""})
    assert "Enter your save code." in empty.get_data(as_text=True)


def test_first_page_is_the_anonymity_receipt(app, client):
    token = make_wave(app, k=7)[0]
    html = client.get(f"/s/{token}").get_data(as_text=True)
    for phrase in (
        "It takes about 10 minutes",
        "anonymous and voluntary",
        "What we keep, and what we do not",
        "We do not ask for your name",
        "internet address",
        "groups of at least 7 people",
        "kept apart from your other answers",
    ):
        assert phrase in html
    assert "Test Partnership" in html


def test_exit_button_only_when_the_wave_asks_for_it(app, client):
    plain = make_wave(app)[0]
    sensitive = make_wave(app, show_exit_button=True)[0]
    assert "Exit this page" not in client.get(f"/s/{plain}").get_data(as_text=True)
    assert "Exit this page" in client.get(f"/s/{sensitive}").get_data(as_text=True)


def test_thank_you_then_already_answered_on_the_same_browser(app, client):
    token = make_wave(app)[0]
    SurveyDriver(client, token).complete()
    html = client.get(f"/s/{token}").get_data(as_text=True)
    assert "You have already answered this survey" in html


def test_expired_draft_is_not_found_and_is_purged(app, client):
    from datetime import timedelta

    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.answer_page(1, default_answers(WORKER))
    with app.app_context():
        draft = db.session.scalar(select(Draft))
        draft.expires_on = datetime.now(UTC).date() - timedelta(days=1)
        db.session.commit()
    response = driver.get("/p/2")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/s/{token}?expired=1")
    notice = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "They may have expired" in notice
    # The next worker who starts clears expired drafts away.
    SurveyDriver(app.test_client(), token).start()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 1


def test_one_draft_keeps_one_resume_code_for_its_whole_life(app, client):
    """Saving again, or reloading the saved page, never kills the code written down."""
    token = make_wave(app)[0]
    phone = SurveyDriver(client, token)
    phone.start()
    phone.answer_page(1, default_answers(WORKER), action="save")
    first = _resume_code(phone.get("/saved"))
    assert _resume_code(phone.get("/saved")) == first  # a reload
    phone.answer_page(2, {"BEN1": 1}, action="save")
    assert _resume_code(phone.get("/saved")) == first  # a second save
    phone.answer_page(3, {}, action="save")
    assert _resume_code(phone.get("/saved")) == first
    # The code written down after the first save still opens the latest answers.
    laptop = SurveyDriver(app.test_client(), token)
    laptop.get("/resume")
    assert laptop.post("/resume", {"code": first}).status_code == 302
    assert draft_answers(app, laptop.client, token)["BEN1"] == 1


def test_saved_page_without_a_draft_sends_the_worker_to_the_start(app, client):
    token = make_wave(app)[0]
    response = SurveyDriver(client, token).get("/saved")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/s/{token}?expired=1"


def _resume_code(response) -> str:
    assert response.status_code == 200
    match = re.search(r'class="code"[^>]*><strong>([A-Z0-9-]+)</strong>', response.get_data(True))
    assert match, "no resume code on the page"
    return match.group(1)
