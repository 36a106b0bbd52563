"""Wrong, missing, oversized and hostile input: a clear message, nothing stored, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.models import Answer, PendingComment, Response, Wave

from ..factories import make_wave
from ..sealed import draft_answers
from ..survey_driver import SurveyDriver, default_answers

WORKER = get_instrument("worker", 2)  # make_wave's default
OVERALL_PAGE = next(n for n, p in enumerate(WORKER.pages, 1) if "CHANGE" in p.items)


def _stored(app) -> tuple[int, int, int]:
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        return count(Response), count(Answer), count(PendingComment)


def _draft_answers(app, driver) -> dict | None:
    return draft_answers(app, driver.client, driver.token)


@pytest.fixture
def started(app, client):
    """A worker who has started the survey and answered page 1."""
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.answer_page(1, default_answers(WORKER))
    return driver


def test_missing_csrf_token_is_refused_and_stores_nothing(app, started):
    before = _draft_answers(app, started)
    response = started.client.post(
        f"{started.base}/p/2", data={"action": "continue", "BEN1": "1", "BEN2": "1"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This page timed out" in html
    assert "Your earlier answers are saved" in html
    assert "Traceback" not in html
    assert _draft_answers(app, started) == before


def test_wrong_csrf_token_is_refused(app, started):
    before = _draft_answers(app, started)
    started.csrf = "ImFhYWEi.Zm9v.YmFy"
    response = started.post("/p/2", {"action": "continue", "BEN1": "1"})
    assert response.status_code == 400
    assert _draft_answers(app, started) == before


def test_csrf_token_from_another_session_is_refused(app, started):
    other = SurveyDriver(app.test_client(), started.token)
    other.get()
    started.csrf = other.csrf
    response = started.post("/p/2", {"action": "continue", "BEN1": "1"})
    assert response.status_code == 400


def test_submit_without_csrf_stores_no_response(app, started):
    started.answer_all()
    response = started.client.post(f"{started.base}/submit", data={})
    assert response.status_code == 400
    assert _stored(app) == (0, 0, 0)


def test_csrf_failure_page_is_in_the_workers_language(app, client):
    token = make_wave(app)[0]
    response = client.post(f"/s/{token}/start", headers={"Accept-Language": "es"})
    assert response.status_code == 400
    assert "Esta página caducó" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["7", "0", "-1", "abc", "1e3", "١", " 1", "99999", "3.0", "１"])
def test_choice_not_among_the_options_is_an_error_beside_the_question(app, started, value):
    answers = default_answers(WORKER)
    answers["BEN5"] = value
    before = _draft_answers(app, started)
    response = started.answer_page(2, answers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error:" in html
    assert 'id="BEN5-error"' in html
    assert "Choose one of the answers shown." in html
    assert _draft_answers(app, started) == before


def test_repeated_field_for_one_question_is_an_error(app, started):
    started.get("/p/2")
    data = [("csrf_token", started.csrf), ("action", "continue"), ("BEN1", "1"), ("BEN1", "2")]
    data += [
        (k, str(v))
        for k, v in started.page_answers(2, default_answers(WORKER)).items()
        if k != "BEN1"
    ]
    from werkzeug.datastructures import MultiDict

    response = started.client.post(f"{started.base}/p/2", data=MultiDict(data))
    assert "Choose one of the answers shown." in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["PAY1", "NOPE", "csrf", "BEN1[]", "__proto__"])
def test_answers_for_items_not_on_the_page_are_refused(app, started, field):
    before = _draft_answers(app, started)
    data = {"action": "continue", **started.page_answers(2, default_answers(WORKER)), field: "1"}
    started.get("/p/2")
    response = started.post("/p/2", data)
    assert response.status_code == 400
    assert "Something went wrong with that page" in response.get_data(as_text=True)
    assert _draft_answers(app, started) == before


def test_unknown_fields_on_start_and_submit_are_refused(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.get()
    assert driver.post("/start", {"wave_id": "1"}).status_code == 400
    driver.start()
    driver.answer_all()
    driver.get("/check")
    assert driver.post("/submit", {"employer_id": "2"}).status_code == 400
    assert _stored(app) == (0, 0, 0)


def test_body_over_the_size_limit_is_413_with_a_plain_page(app, started):
    started.get(f"/p/{OVERALL_PAGE}")
    response = started.post(
        f"/p/{OVERALL_PAGE}", {"action": "continue", "G1": "4", "CHANGE": "x" * 200_000}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "That was too much to send" in html
    assert "Traceback" not in html
    assert "CHANGE" not in _draft_answers(app, started)


def test_thousands_of_fields_are_refused(app, started):
    started.get("/p/2")
    data = {"csrf_token": started.csrf, **{f"f{i}": "1" for i in range(5000)}}
    # URL-encoded: within the byte limit, refused as fields no question asks.
    response = started.client.post(f"{started.base}/p/2", data=data)
    assert response.status_code == 400
    # Multipart: Flask's MAX_FORM_PARTS answers 413 before any field is read.
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart(data)
    multipart = started.client.post(
        f"{started.base}/p/2",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert multipart.status_code == 413


def test_chunked_body_without_length_is_limited(app, started):
    """A body with no Content-Length (chunked) is still cut at MAX_CONTENT_LENGTH."""
    import io

    started.get(f"/p/{OVERALL_PAGE}")
    body = f"csrf_token={started.csrf}&action=continue&G1=4&CHANGE=" + "x" * 200_000
    response = started.client.post(
        f"{started.base}/p/{OVERALL_PAGE}",
        input_stream=io.BytesIO(body.encode()),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
        # What a WSGI server sets once it has de-chunked the body (werkzeug #1096).
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert "CHANGE" not in _draft_answers(app, started)


def test_invalid_utf8_in_free_text_is_an_error(app, started):
    started.get(f"/p/{OVERALL_PAGE}")
    body = f"csrf_token={started.csrf}&action=continue&G1=4&CHANGE=bad%FF%FEbytes".encode()
    response = started.client.post(
        f"{started.base}/p/{OVERALL_PAGE}",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your answer has characters we cannot save" in html
    assert "CHANGE" not in _draft_answers(app, started)


@pytest.mark.parametrize(
    "text", ["nul\x00byte", "bell\x07", "escape\x1b[31m", "bidi \u202eevil", "del\x7f"]
)
def test_control_characters_in_free_text_are_an_error(app, started, text):
    response = started.answer_page(OVERALL_PAGE, {"G1": 4, "CHANGE": text})
    assert "Your answer has characters we cannot save" in response.get_data(as_text=True)
    assert "CHANGE" not in _draft_answers(app, started)


def test_free_text_over_its_limit_is_an_error_saying_the_length(app, started):
    response = started.answer_page(OVERALL_PAGE, {"G1": 4, "CHANGE": "é" * 1001})
    html = response.get_data(as_text=True)
    assert "Your answer is 1001 characters long. Make it 1000 characters or fewer." in html
    assert "CHANGE" not in _draft_answers(app, started)


def test_free_text_at_its_limit_with_newlines_and_accents_is_kept(app, started):
    text = ("línea\n" * 166) + "fin"
    assert len(text) <= 1000
    response = started.answer_page(OVERALL_PAGE, {"G1": 4, "CHANGE": text + "\r\n"})
    assert response.status_code == 302
    assert _draft_answers(app, started)["CHANGE"] == text


def test_hostile_text_is_shown_escaped_on_the_check_page(app, started):
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
    started.answer_page(OVERALL_PAGE, {"G1": 4, "CHANGE": payload})
    html = started.get("/check").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_posting_to_a_closed_wave_is_410_and_stores_nothing(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.answer_all()
    driver.get("/check")
    with app.app_context():
        wave = db.session.scalar(select(Wave))
        wave.status = "closed"
        db.session.commit()
    response = driver.post("/submit", {})
    assert response.status_code == 410
    assert "This survey has closed" in response.get_data(as_text=True)
    assert driver.post("/p/1", {"action": "continue"}).status_code == 410
    assert _stored(app) == (0, 0, 0)


def test_replaying_a_submission_after_it_succeeded_stores_nothing_more(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.answer_all()
    driver.get("/check")
    form = {"csrf_token": driver.csrf}
    cookies = {c.key: c.value for c in client._cookies.values()}
    first = client.post(f"/s/{token}/submit", data=form)
    assert first.status_code == 302
    stored = _stored(app)
    # The same browser again, and a raw replay that carries the old cookies.
    assert client.post(f"/s/{token}/submit", data=form).status_code in (200, 302)
    replay = app.test_client()
    for key, value in cookies.items():
        replay.set_cookie(key, value, path="/")
    again = replay.post(f"/s/{token}/submit", data=form)
    assert again.status_code in (200, 302, 400)
    assert _stored(app) == stored


def test_unknown_inactive_and_draft_links_look_the_same(app, client):
    tokens = make_wave(app, employers=2)
    draft_token = make_wave(app, status="draft")[0]
    with app.app_context():
        from surveyapp.models import DistributionLink

        link = db.session.scalar(
            select(DistributionLink).where(DistributionLink.token == tokens[1])
        )
        link.active = False
        db.session.commit()
    paths = ["/s/" + "A" * 32, f"/s/{tokens[1]}", f"/s/{draft_token}", "/s/x"]
    bodies = set()
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404
        assert set(response.headers.keys()) == set(client.get(paths[0]).headers.keys())
        # The page differs only by the path in its language link.
        bodies.add(response.get_data(as_text=True).replace(path, "PATH"))
    assert len(bodies) == 1
    assert "This page is not available" in bodies.pop()


def test_closed_link_is_410_on_every_survey_url(app, client):
    token = make_wave(app, status="closed")[0]
    for path in ("/p/1", "/check", "/resume", "/thanks"):
        response = client.get(f"/s/{token}{path}")
        assert response.status_code == 410, path
    # The link itself leads to "What you told us".
    first = client.get(f"/s/{token}")
    assert first.status_code == 303
    assert first.headers["Location"].endswith(f"/s/{token}/told")


def test_page_number_out_of_range_is_404(app, started):
    assert started.get("/p/0").status_code == 404
    assert started.get("/p/11").status_code == 404
    assert started.get("/p/99999999999999999999").status_code == 404


def test_method_not_allowed_is_a_plain_page(app, client):
    token = make_wave(app)[0]
    response = client.put(f"/s/{token}")
    assert response.status_code == 405
    assert "Something went wrong with that page" in response.get_data(as_text=True)


def test_oversized_resume_code_is_just_not_found(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.get("/resume")
    response = driver.post("/resume", {"code": "Z" * 5000})
    assert response.status_code == 200
    assert "We could not find answers saved with that save code" in response.get_data(as_text=True)


def test_tampered_draft_cookie_finds_nothing(app, client):
    token = make_wave(app)[0]
    client.set_cookie("draft", "x" * 43, path=f"/s/{token}")
    response = client.get(f"/s/{token}/p/1")
    assert response.status_code == 302
    assert "expired=1" in response.headers["Location"]
    client.set_cookie("draft", "y" * 3000, path=f"/s/{token}")
    assert client.get(f"/s/{token}/check").status_code == 302
