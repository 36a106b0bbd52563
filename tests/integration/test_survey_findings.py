"""Findings from outside testing of the worker survey, each tried the way it was found."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import Answer, Draft, PendingComment, Response, Wave
from surveyapp.survey.drafts import SENT, save_answers

from ..conftest import SECRET
from ..factories import make_wave
from ..sealed import draft_cookie, open_draft
from ..survey_driver import SurveyDriver, default_answers


def _stored(app) -> tuple[int, int, int, int]:
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        return count(Response), count(Answer), count(PendingComment), count(Draft)


def _unsent_drafts(app) -> int:
    """Drafts still holding answers (a sent one leaves only its sent mark)."""
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Draft).where(Draft.contents != SENT)
        )


# --------------------------------------------------------------- the landing page


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("en", "Job quality surveys for sector partnerships"),
        ("es", "Encuestas sobre la calidad del empleo para alianzas sectoriales"),
    ],
)
def test_the_site_root_is_a_plain_landing_page(sqlite_app, language, heading):
    response = sqlite_app.test_client().get("/", headers={"Accept-Language": language})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in html
    assert f'<html lang="{language}">' in html
    assert "QR" in html


# ------------------------------------------------------ links and redirects


def test_the_language_link_on_an_error_page_stays_on_this_site(sqlite_app):
    response = sqlite_app.test_client().get("/%5Cevil.example")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'href="?lang=es"' in html
    assert "evil.example" not in html


def test_a_forged_host_header_is_not_reflected_in_a_redirect(sqlite_app):
    token = make_wave(sqlite_app)[0]
    response = sqlite_app.test_client().get(f"/s//{token}", headers={"Host": "evil.example"})
    assert response.status_code in (301, 308)
    location = response.headers["Location"]
    assert location == f"/s/{token}"
    assert "evil.example" not in location


def test_with_a_public_url_other_host_names_are_refused(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SURVEYAPP_PUBLIC_URL", "https://survey.example.org")
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": SECRET})
    client = app.test_client()
    assert client.get("/", headers={"Host": "survey.example.org"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost"}).status_code == 200
    forged = client.get("/", headers={"Host": "evil.example"})
    assert forged.status_code == 400
    assert "evil.example" not in forged.get_data(as_text=True)


def test_a_405_says_which_methods_are_allowed(sqlite_app):
    token = make_wave(sqlite_app)[0]
    response = sqlite_app.test_client().put(f"/s/{token}/submit")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"POST", "OPTIONS"}
    assert "Something went wrong with that page" in response.get_data(as_text=True)


# -------------------------------------------------------------------- cookies


def _https_app(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    return create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": SECRET, "HTTPS": True})


def test_every_cookie_is_prefixed_over_https(sqlite_url, tmp_path, monkeypatch):
    app = _https_app(sqlite_url, tmp_path, monkeypatch)
    token = make_wave(app)[0]
    client = app.test_client()
    driver = SurveyDriver(client, token)
    base = {"base_url": "https://localhost"}
    driver.get("?lang=es", **base)
    driver.post("/start", {}, **base)
    driver.answer_page(1, default_answers(driver.instrument), **base)
    names = {cookie.key for cookie in client._cookies.values()}  # noqa: SLF001
    assert names, "no cookies were set"
    for name in names:
        assert name.startswith(("__Host-", "__Secure-")), name
    assert {"__Host-lang", "__Host-session", "__Secure-draft"} <= names
    for number in range(2, len(driver.instrument.pages) + 1):
        driver.answer_page(number, default_answers(driver.instrument), **base)
    driver.get("/check", **base)
    sent = driver.post("/submit", {}, **base)
    assert sent.status_code == 302
    done = [c for c in sent.headers.getlist("Set-Cookie") if c.startswith("__Secure-done")]
    assert len(done) == 1
    assert "; Secure" in done[0]


def test_over_https_forms_work_without_a_referer_and_refuse_other_sites(
    sqlite_url, tmp_path, monkeypatch
):
    """Pages send no Referer (no-referrer), so the token and Fetch metadata do the work."""
    app = _https_app(sqlite_url, tmp_path, monkeypatch)
    token = make_wave(app)[0]
    https = {"base_url": "https://localhost"}
    worker = SurveyDriver(app.test_client(), token)
    worker.get("", **https)
    # What Chromium sends with a same-origin form under no-referrer.
    same = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert worker.post("/start", {}, headers=same, **https).status_code == 302
    for hostile in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
    ):
        forged = SurveyDriver(app.test_client(), token)
        forged.get("", **https)
        refused = forged.post("/start", {}, headers=hostile, **https)
        assert refused.status_code == 400, hostile
    assert _stored(app)[3] == 1


def test_the_answered_mark_lasts_until_the_wave_closes(sqlite_app):
    token = make_wave(sqlite_app)[0]
    closes = datetime.now(UTC).date() + timedelta(days=10)
    with sqlite_app.app_context():
        db.session.scalar(select(Wave)).closes_on = closes
        db.session.commit()
    sent = SurveyDriver(sqlite_app.test_client(), token).complete()
    cookie = next(c for c in sent.headers.getlist("Set-Cookie") if c.startswith("done"))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert expires == datetime.combine(closes + timedelta(days=1), datetime.min.time(), UTC)


def test_without_a_closing_date_the_answered_mark_lasts_ninety_days(sqlite_app):
    token = make_wave(sqlite_app)[0]
    sent = SurveyDriver(sqlite_app.test_client(), token).complete()
    cookie = next(c for c in sent.headers.getlist("Set-Cookie") if c.startswith("done"))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    today = datetime.now(UTC).date()
    assert expires == datetime.combine(today + timedelta(days=91), datetime.min.time(), UTC)


def test_the_answered_page_tells_someone_sharing_the_phone_what_to_do(sqlite_app):
    token = make_wave(sqlite_app)[0]
    driver = SurveyDriver(sqlite_app.test_client(), token)
    driver.complete()
    html = driver.get().get_data(as_text=True)
    assert "You have already answered this survey" in html
    assert "another phone or computer" in html
    assert "private (incognito) window" in html


# ------------------------------------------------ drafts: clearing, scope, CSRF


def test_a_worker_can_delete_unsent_answers_from_a_shared_phone(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.answer_page(1, default_answers(driver.instrument))
    start = driver.get().get_data(as_text=True)
    assert "Delete my unsent answers" in start
    assert _stored(app)[3] == 1
    cleared = driver.post("/discard", {})
    assert cleared.status_code == 302
    assert cleared.headers["Location"] == f"/s/{token}?cleared=1"
    assert _stored(app) == (0, 0, 0, 0)
    assert draft_cookie(client, token) is None
    notice = driver.get("?cleared=1").get_data(as_text=True)
    assert "Your unsent answers were deleted" in notice
    # The next person to pick up the phone finds nothing to continue.
    assert "Continue where you left off" not in notice
    assert driver.get("/p/2").status_code == 302


def test_deleting_unsent_answers_needs_the_form_token(app, client):
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    refused = client.post(f"/s/{token}/discard", data={})
    assert refused.status_code == 400
    assert _stored(app)[3] == 1


def test_a_draft_cookie_from_one_employer_never_opens_on_another(app, client):
    token_a, token_b = make_wave(app, employers=2)
    worker = SurveyDriver(client, token_a)
    worker.start()
    worker.answer_all()
    cookie = draft_cookie(client, token_a)
    # A crafted request carries link A's draft cookie to link B.
    other = SurveyDriver(app.test_client(), token_b)
    other.client.set_cookie("draft", cookie, path=f"/s/{token_b}")
    assert other.get("/check").status_code == 302  # no draft here: back to the start
    other.get()
    assert other.post("/submit", {}).headers["Location"] == f"/s/{token_b}?expired=1"
    assert _stored(app)[0] == 0
    # Link A's answers are still where they were, for link A only.
    assert worker.submit().status_code == 302
    with app.app_context():
        employers = db.session.scalars(select(Response.employer_id)).all()
    assert len(employers) == 1


def test_resume_needs_the_form_token_like_every_other_form(app, client):
    """Another site must not post its own save code and plant a draft in a browser."""
    token = make_wave(app)[0]
    owner = SurveyDriver(app.test_client(), token)
    owner.start()
    owner.answer_page(1, default_answers(owner.instrument), action="save")
    html = owner.get("/saved").get_data(as_text=True)
    code = html.split('class="code"><strong>')[1].split("<")[0]
    victim = app.test_client()
    forged = victim.post(f"/s/{token}/resume", data={"code": code})
    assert forged.status_code == 400
    assert draft_cookie(victim, token) is None


@pytest.mark.parametrize("planted", [77, True, 1.0, "1", None])
def test_the_last_check_refuses_an_answer_that_is_not_an_option(app, client, planted):
    """A draft holding a value no page would accept is refused at submit."""
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.answer_all()
    draft = open_draft(app, client, token)
    with app.test_request_context():
        answers = {"PAY1": planted} if planted is not None else {}
        cleared = ("PAY1",) if planted is None else ()
        save_answers(db.session, draft, answers, cleared)
        db.session.commit()
    refused = driver.submit()
    assert refused.status_code == 200
    assert "1 question not answered yet" in refused.get_data(as_text=True)
    assert _stored(app)[:3] == (0, 0, 0)


# -------------------------------------------------------------------- logging


def _security_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "surveyapp.security"]


def test_security_events_are_one_line_each_with_nothing_identifying(app, client, caplog):
    token = make_wave(app, require_codes=True)[0]
    with app.app_context():
        from surveyapp.models import DistributionLink
        from surveyapp.survey.services import new_access_codes

        link = db.session.scalar(select(DistributionLink).filter_by(token=token))
        code = new_access_codes(db.session, link, 1)[0]
        db.session.commit()
    first, second = SurveyDriver(client, token), SurveyDriver(app.test_client(), token)
    first.start(code)
    second.start(code)
    first.answer_all()
    second.answer_all()
    with caplog.at_level(logging.INFO):
        app.test_client().post(f"/s/{token}/p/1", data={"action": "continue"})  # no token
        first.post("/p/1", {"action": "continue", "SURPRISE": "1"})  # tampered form
        assert first.submit().status_code == 302
        assert second.submit().status_code == 409  # the code is spent
    assert _security_lines(caplog) == [
        "security event: CSRF check failed on survey.page",
        "security event: tampered form on survey.page",
        "security event: single-use code reused on survey.submit",
    ]
    for record in caplog.records:
        message = record.getMessage()
        assert token not in message
        assert code.replace("-", "") not in message.replace("-", "")
        assert "127.0.0.1" not in message


def test_a_whole_walk_writes_no_log_line(app, caplog):
    token = make_wave(app)[0]
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            assert SurveyDriver(app.test_client(), token).complete().status_code == 302
    assert [(r.name, r.getMessage()) for r in caplog.records] == []


def test_sql_errors_never_carry_their_parameters(app):
    marker = "a worker's words 8f3a"
    with app.app_context():
        statement = text(
            "INSERT INTO comments (id, wave_id, employer_id, item_id, language, text,"
            " approved) VALUES (:id, 999999, 999999, 'X', 'en', :text, false)"
        )
        with pytest.raises(IntegrityError) as raised:
            db.session.execute(statement, {"id": "c" * 32, "text": marker})
        db.session.rollback()
    assert marker not in str(raised.value)
    assert "parameters hidden" in str(raised.value)


def test_the_answered_mark_expires_at_midnight_never_at_the_time_of_sending():
    from surveyapp.survey.cookies import done_expires

    now = datetime(2027, 3, 1, 15, 47, 12, tzinfo=UTC)
    assert done_expires(date(2027, 3, 20), now) == datetime(2027, 3, 21, tzinfo=UTC)
    assert done_expires(date(2027, 3, 1), now) == datetime(2027, 3, 2, tzinfo=UTC)
    # A wave still open after its planned closing day: until the end of tomorrow.
    assert done_expires(date(2027, 2, 1), now) == datetime(2027, 3, 3, tzinfo=UTC)
    assert done_expires(None, now) == datetime(2027, 5, 31, tzinfo=UTC)  # 1 March + 90 days


def test_a_double_tap_on_send_stores_one_response(app, client):
    """Eight simultaneous sends of one draft (a phone on a weak connection, tapped
    again and again): one response, and every tap gets a calm answer, never a 500."""
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.start()
    driver.answer_all()
    driver.get("/check")
    cookies = [(c.key, c.value, c.path) for c in client._cookies.values()]  # noqa: SLF001
    taps = []
    for _ in range(8):
        tap = app.test_client()
        for key, value, path in cookies:
            tap.set_cookie(key, value, path=path)
        taps.append(tap)
    barrier = threading.Barrier(len(taps))
    statuses: list[int] = []
    pages: list[str] = []

    def send(tap) -> None:
        barrier.wait()
        answer = tap.post(f"/s/{token}/submit", data={"csrf_token": driver.csrf})
        statuses.append(answer.status_code)
        pages.append(answer.get_data(as_text=True))

    threads = [threading.Thread(target=send, args=(tap,)) for tap in taps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # The thank-you page, or (a tap that came after the first was stored) the page
    # saying these answers were already sent.
    assert set(statuses) <= {200, 302}
    assert 302 in statuses
    for status, page in zip(statuses, pages, strict=True):
        assert status == 302 or "Your answers were already sent" in page
    assert _stored(app)[0] == 1
    assert _unsent_drafts(app) == 0
