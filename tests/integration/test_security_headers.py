"""Every kind of response carries the protective headers (SECURITY.md header audit)."""

from __future__ import annotations

import pytest

from ..factories import make_wave
from ..survey_driver import SurveyDriver

REQUIRED = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def _check(response, *, cacheable: bool = False) -> None:
    headers = response.headers
    for name, value in REQUIRED.items():
        assert headers.get(name) == value, (name, headers.get(name))
    csp = headers["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "ETag" not in headers
    assert "Last-Modified" not in headers
    assert "Server" not in headers or "Werkzeug" not in headers.get("Server", "")
    if not cacheable:
        assert headers["Cache-Control"] == "no-store"


@pytest.fixture
def token(sqlite_app):
    return make_wave(sqlite_app)[0]


def test_survey_pages(sqlite_app, token):
    driver = SurveyDriver(sqlite_app.test_client(), token)
    _check(driver.get())
    started = driver.start()
    _check(started)
    _check(driver.get("/p/1"))
    _check(driver.get("/check"))
    _check(driver.get("/resume"))


def test_error_responses(sqlite_app, token):
    client = sqlite_app.test_client()
    _check(client.get("/s/" + "B" * 32))  # 404
    _check(client.post(f"/s/{token}/start"))  # 400 CSRF
    _check(client.put(f"/s/{token}"))  # 405
    big = client.post(f"/s/{token}/start", data={"x": "y" * 100_000})
    assert big.status_code == 413
    _check(big)


def test_closed_wave(sqlite_app):
    token = make_wave(sqlite_app, status="closed")[0]
    response = sqlite_app.test_client().get(f"/s/{token}/p/1")
    assert response.status_code == 410
    _check(response)
    told = sqlite_app.test_client().get(f"/s/{token}", follow_redirects=True)
    assert told.status_code == 200
    _check(told)


def test_internal_error_is_plain_and_has_headers(sqlite_app):
    @sqlite_app.get("/boom")
    def boom():
        raise RuntimeError("secret detail 42")

    sqlite_app.testing = False
    sqlite_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = sqlite_app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret detail 42" not in html
    assert "Traceback" not in html
    assert "Sorry, something went wrong on our side" in html
    _check(response)


def test_static_css_is_cacheable_without_validators(sqlite_app):
    response = sqlite_app.test_client().get("/static/survey.css")
    assert response.status_code == 200
    assert "public" in response.headers["Cache-Control"]
    _check(response, cacheable=True)
    response.close()


def test_cookies_are_httponly_and_samesite(sqlite_app, token):
    client = sqlite_app.test_client()
    started = SurveyDriver(client, token).start()
    cookies = started.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_https_mode_adds_hsts_and_secure_host_cookies(sqlite_url, tmp_path, monkeypatch):
    from surveyapp import create_app

    from ..conftest import SECRET

    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": sqlite_url,
            "SECRET_KEY": SECRET,
            "HTTPS": True,
            "RATELIMIT_ENABLED": False,
        }
    )
    token = make_wave(app)[0]
    client = app.test_client()
    response = client.get(f"/s/{token}", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("__Host-session="))
    assert "Secure" in session_cookie
    assert "Path=/" in session_cookie
    assert "Domain" not in session_cookie
