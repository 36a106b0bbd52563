"""A worker whose thank-you page never arrived (the connection dropped, the server
crashed after storing) and who sends again or opens the link again is told the answers
were already sent, and is never counted twice."""

from __future__ import annotations

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Draft, Response

from ..factories import make_wave
from ..sealed import pending_comment_texts
from ..survey_driver import SurveyDriver, default_answers

ALREADY = {"en": "Your answers were already sent", "es": "Sus respuestas ya se enviaron"}


def _responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def _sent_but_thanks_lost(app, token: str, language: str) -> SurveyDriver:
    """A worker who pressed Send; the answers were stored but the answer to that request
    (its cookies too) never reached the phone, which holds what it held before."""
    client = app.test_client()
    driver = SurveyDriver(client, token, language=language)
    driver.start()
    answers = default_answers(driver.instrument)
    answers["CHANGE"] = f"marker-{language}-lost-thanks"
    driver.answer_all(answers)
    driver.get("/check")
    before = [(c.key, c.value, c.path) for c in client._cookies.values()]  # noqa: SLF001
    assert driver.post("/submit", {}).status_code == 302
    client._cookies.clear()  # noqa: SLF001
    for key, value, path in before:
        client.set_cookie(key, value, path=path)
    return driver


def _check_already(response, language: str) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    assert ALREADY[language] in html
    # What the lost thank-you would have set: the done mark, and no draft cookie.
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("done") for c in cookies)
    assert any(c.startswith("draft=;") for c in cookies)


def test_send_again_after_a_lost_thank_you_counts_once(app):
    token = make_wave(app)[0]
    for language in ("en", "es"):
        driver = _sent_but_thanks_lost(app, token, language)
        _check_already(driver.post("/submit", {}), language)
    assert _responses(app) == 2
    assert pending_comment_texts(app) == ["marker-en-lost-thanks", "marker-es-lost-thanks"]
    # The mark a sent draft leaves holds no answers and no key.
    with app.app_context():
        rows = db.session.execute(
            select(Draft.contents, Draft.key_by_cookie, Draft.key_by_resume, Draft.resume_hash)
        ).all()
    assert rows == [("sent", "sent", None, None)] * 2


def test_opening_the_link_again_after_a_lost_thank_you_counts_once(app):
    token = make_wave(app)[0]
    visits = [
        ("es", lambda d: d.get("")),
        ("en", lambda d: d.get("")),
        ("en", lambda d: d.get("/p/3")),
        ("en", lambda d: d.get("/check")),
        # Starting over, or saving a page, from the phone that sent is refused too.
        ("en", lambda d: d.post("/start", {})),
        ("es", lambda d: d.post("/p/1", {"action": "continue"})),
    ]
    for language, visit in visits:
        driver = _sent_but_thanks_lost(app, token, language)
        _check_already(visit(driver), language)
        # From then on the phone holds the done mark, as after a thank-you page.
        assert "already answered" in driver.get("", headers={"Accept-Language": "en"}).get_data(
            as_text=True
        )
    assert _responses(app) == len(visits)
