"""Pages a worker sees: small, translated, rate limited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from surveyapp import create_app

from ..conftest import SECRET
from ..factories import make_wave
from ..survey_driver import SurveyDriver, default_answers

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = sorted((ROOT / "surveyapp" / "translations").glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _source_messages() -> set[str]:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {
        "_": None,
        "gettext": None,
        "lazy_gettext": None,
        "_l": None,
        "ngettext": (1, 2),
    }
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "surveyapp"), method_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_there_is_a_spanish_catalog():
    assert [p.parent.parent.name for p in CATALOGS] == ["es"]


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_interface_string_is_translated(path):
    with path.open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id: m.string for m in catalog if m.id}
    missing = sorted(_source_messages() - set(translated))
    assert missing == [], "run pybabel extract/update (README, Translations)"
    for message in catalog:
        if not message.id:
            continue
        # Plural entries (ngettext) have a tuple of ids and of translations.
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {message.id!r}"
        assert not message.fuzzy, f"fuzzy: {message.id!r}"
        for string in strings:
            assert sorted(PLACEHOLDER.findall(ids[-1])) == sorted(PLACEHOLDER.findall(string))


def _pages(driver: SurveyDriver):
    yield "start", driver.get()
    driver.post("/start", {})
    for number in range(1, len(driver.instrument.pages) + 1):
        yield f"page {number}", driver.get(f"/p/{number}")
        driver.answer_page(number, default_answers(driver.instrument))
    yield "check", driver.get("/check")
    yield "resume", driver.get("/resume")
    submitted = driver.post("/submit", {})
    yield "thanks", driver.client.get(submitted.headers["Location"])


#: The only script a page may load: ours, deferred, and only on pages with errors.
OUR_SCRIPT = '<script src="/static/survey.js" defer></script>'


def test_pages_use_no_images_inline_scripts_or_third_party_content(sqlite_app):
    token = make_wave(sqlite_app)[0]
    driver = SurveyDriver(sqlite_app.test_client(), token)
    pages = list(_pages(driver))
    errors = SurveyDriver(sqlite_app.test_client(), token)
    errors.start()
    errors.get("/p/1")
    pages.append(("page 1 with errors", errors.post("/p/1", {"action": "continue"})))
    for name, response in pages:
        html = response.get_data(as_text=True)
        assert "<img" not in html, name
        scripts = re.findall(r"<script[^>]*>.*?</script>", html, re.DOTALL)
        assert scripts == ([OUR_SCRIPT] if "error-summary" in html else []), name
        assert not re.search(r'(src|href)="(https?:)?//', html), name


def test_our_script_is_small_and_served_from_our_origin(sqlite_app):
    response = sqlite_app.test_client().get("/static/survey.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    body = response.get_data(as_text=True)
    response.close()
    assert len(body) < 1024  # and cached: it is a static file
    assert "http" not in body
    assert 'querySelector(".error-summary")' in body


def test_resume_code_guessing_is_rate_limited(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    # The limit comes from the environment (the default allows 30 a minute).
    monkeypatch.setenv("SURVEYAPP_LIMIT_RESUME", "10/minute")
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": True}
    )
    from surveyapp.extensions import limiter

    with app.app_context():
        limiter.reset()
    token = make_wave(app)[0]
    driver = SurveyDriver(app.test_client(), token)
    driver.get("/resume")
    statuses = [
        driver.post("/resume", {"code": f"AAAA-BBBB-CC{i:02d}"}).status_code for i in range(12)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]
    blocked = driver.post("/resume", {"code": "AAAA-BBBB-CCCC"})
    assert blocked.headers["Retry-After"] == "60"
    assert "Please wait a moment" in blocked.get_data(as_text=True)
    # A rotating X-Forwarded-For does not open a new bucket (no proxy is trusted).
    rotated = driver.post(
        "/resume", {"code": "AAAA-BBBB-CCCD"}, headers={"X-Forwarded-For": "192.0.2.99"}
    )
    assert rotated.status_code == 429


def _language_link(html: str) -> str:
    match = re.search(r'<a href="([^"]+)" lang="es" hreflang="es">', html)
    assert match, "no language switch"
    return match.group(1).replace("&amp;", "&")


def test_language_switch_on_pages_answering_a_post_leads_to_a_page(sqlite_app):
    """Pages shown after a POST (errors, already answered) switch language on a GET page."""
    token = make_wave(sqlite_app, require_codes=True)[0]
    client = sqlite_app.test_client()
    driver = SurveyDriver(client, token)
    wrong_code = driver.start("WRONG-12345")
    assert wrong_code.status_code == 200
    link = _language_link(wrong_code.get_data(as_text=True))
    assert link == f"/s/{token}?lang=es"
    assert client.get(link).status_code == 200

    token = make_wave(sqlite_app)[0]
    driver = SurveyDriver(sqlite_app.test_client(), token)
    driver.start()
    check_errors = driver.submit()
    assert "error-summary" in check_errors.get_data(as_text=True)
    link = _language_link(check_errors.get_data(as_text=True))
    assert link == f"/s/{token}/check?lang=es"
    switched = driver.client.get(link)
    assert switched.status_code == 200
    assert '<html lang="es">' in switched.get_data(as_text=True)
