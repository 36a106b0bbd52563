"""Every page a worker can meet weighs at most 15 KB, and goes out compressed.

The weight of a page is its HTML plus the stylesheet it links to, uncompressed: what
a phone downloads to show it the first time. (Pages with errors also load our one
small script, which is capped on its own in test_pages.py.)
Workers answer on cheap phones over weak connections, in English or Spanish, so
every page is measured in both languages with realistic content: every error
shown, every answer filled in, a 300-character comment.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from surveyapp.assets import minify_css

from ..factories import make_wave
from ..survey_driver import SurveyDriver, default_answers

BUDGET = 15 * 1024

#: A realistic comment at 300 characters, in each language.
COMMENT = {
    "en": (
        "More notice when the schedule changes, please. Last month my shift was moved "
        "twice with one day of notice and I had to pay extra for childcare. A chair at "
        "the front desk would help too: we stand for eight hours. And fix the broken "
        "lift on the east side, people carry boxes up the stairs all day long."
    ),
    "es": (
        "Más aviso cuando cambia el horario, por favor. El mes pasado me cambiaron el "
        "turno dos veces con un día de aviso y tuve que pagar más por el cuidado de mis "
        "hijos. Una silla en la recepción también ayudaría: estamos de pie ocho horas. Y "
        "que arreglen el elevador del lado este, cargamos cajas a diario."
    ),
}
LINKED = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


def test_the_comments_are_300_characters():
    assert {lang: len(text) for lang, text in COMMENT.items()} == {"en": 300, "es": 300}


def _worker_pages(app: Flask, lang: str) -> Iterator[tuple[str, TestResponse]]:
    """(name, response) for every page a worker can reach, in ``lang``."""
    accept = {"Accept-Language": lang}
    token = make_wave(app)[0]
    driver = SurveyDriver(app.test_client(), token, language=lang)
    pages = len(driver.instrument.pages)
    yield "start", driver.get()
    yield "resume", driver.get("/resume")
    yield "resume with error", driver.post("/resume", {"code": "AAAA-BBBB-CCCC"})
    driver.start()
    for number in range(1, pages + 1):
        yield f"question page {number}", driver.get(f"/p/{number}")
        # Continue with nothing chosen: every required question shows its error.
        errors = driver.post(f"/p/{number}", {"action": "continue"})
        if errors.status_code == 200:
            yield f"question page {number}, every error shown", errors
    driver.get(f"/p/{pages - 1}")
    too_long = driver.post(f"/p/{pages - 1}", {"action": "continue", "CHANGE": "x" * 1001})
    yield "comment too long", too_long
    yield "check page with errors", driver.post("/submit", {})
    assert driver.answer_page(1, default_answers(driver.instrument), "save").status_code == 302
    yield "saved, with save code", driver.get("/saved")
    answers = {**default_answers(driver.instrument), "CHANGE": COMMENT[lang]}
    for number in range(1, pages + 1):
        # The longest answer of every question, so the check page is at its heaviest.
        for item in driver.instrument.page_items(driver.instrument.pages[number - 1]):
            if item.kind == "choice":
                answers[item.id] = max(item.options, key=lambda o: len(o.label[lang])).code
        assert driver.answer_page(number, answers).status_code == 302
    for number in range(1, pages + 1):
        yield f"question page {number}, answered", driver.get(f"/p/{number}")
    check = driver.get("/check")
    assert COMMENT[lang] in check.get_data(as_text=True)
    yield "check page, everything answered", check
    sent = driver.post("/submit", {})
    yield "thanks", driver.client.get(sent.headers["Location"], headers=accept)
    yield "already answered", driver.get()

    coded = SurveyDriver(app.test_client(), make_wave(app, require_codes=True)[0], language=lang)
    yield "start with one-time code", coded.get()
    yield "start with code error", coded.post("/start", {"code": "WRONG-12345"})
    exit_button = SurveyDriver(
        app.test_client(), make_wave(app, show_exit_button=True)[0], language=lang
    )
    yield "start with exit button", exit_button.get()
    client = app.test_client()
    yield "not found", client.get("/s/" + "B" * 32, headers=accept)
    closed = make_wave(app, status="closed")[0]
    yield (
        "what you told us, no results",
        client.get(f"/s/{closed}", headers=accept, follow_redirects=True),
    )
    yield "survey closed", client.get(f"/s/{closed}/p/1", headers=accept)
    yield "timed out (CSRF)", client.post(f"/s/{token}/start", headers=accept)
    yield "too large", client.post(f"/s/{token}/start", data={"x": "y" * 100_000}, headers=accept)


def _weight(client: FlaskClient, html: str, cache: dict[str, int]) -> int:
    size = len(html.encode("utf-8"))
    for url in LINKED.findall(html):
        url = url.replace("&amp;", "&")
        if url not in cache:
            linked = client.get(url)
            assert linked.status_code == 200, url
            cache[url] = len(linked.get_data())
            linked.close()
        size += cache[url]
    return size


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_worker_page_with_its_css_is_at_most_15_kb(sqlite_app, lang):
    client = sqlite_app.test_client()
    cache: dict[str, int] = {}
    weights = {}
    for name, response in _worker_pages(sqlite_app, lang):
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html, name
        weights[name] = _weight(client, html, cache)
    assert len(weights) >= 40
    heavy = {name: size for name, size in weights.items() if size > BUDGET}
    assert not heavy, f"pages over {BUDGET} bytes in {lang}: {heavy}"


def test_the_stylesheet_is_served_minified(sqlite_app):
    client = sqlite_app.test_client()
    html = client.get("/s/" + make_wave(sqlite_app)[0]).get_data(as_text=True)
    (url,) = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    served = client.get(url.replace("&amp;", "&"))
    assert served.mimetype == "text/css"
    assert "public" in served.headers["Cache-Control"]
    text = served.get_data(as_text=True)
    with open(sqlite_app.static_folder + "/survey.css", encoding="utf-8") as source:
        readable = source.read()
    assert text == minify_css(readable)
    assert len(text) < 0.85 * len(readable)
    assert "/*" not in text
    assert "\n" not in text
    # Rules survive: a selector list, a media query and an empty content string.
    assert ".choice :checked + label::after{opacity:1}" in text
    assert "@media (forced-colors:active){" in text
    assert 'content:"";' in text


def test_minify_css_keeps_what_matters():
    source = """/* note */
    a:focus, .b > c, .d :checked + e { content: ""; font-family: "Segoe UI", sans-serif; }
    @media (min-width: 40rem) and (max-width: 60rem) { .x { width: calc(100% - 2rem); } }
    """
    assert minify_css(source) == (
        'a:focus,.b > c,.d :checked + e{content:"";font-family:"Segoe UI",sans-serif}'
        "@media (min-width:40rem) and (max-width:60rem){.x{width:calc(100% - 2rem)}}"
    )


# ------------------------------------------------------------------ compression


def _page_and_css(app: Flask, token: str, headers: dict[str, str]) -> list[TestResponse]:
    client = app.test_client()
    page = client.get(f"/s/{token}", headers=headers)
    plain = client.get(f"/s/{token}").get_data(as_text=True)
    (url,) = re.findall(r'<link rel="stylesheet" href="([^"]+)"', plain)
    css = client.get(url.replace("&amp;", "&"), headers=headers)
    return [page, css]


def test_html_and_css_are_gzipped_when_the_browser_accepts_it(sqlite_app):
    token = make_wave(sqlite_app)[0]
    plain = [r.get_data() for r in _page_and_css(sqlite_app, token, {})]
    gzipped = _page_and_css(sqlite_app, token, {"Accept-Encoding": "gzip"})
    for response, uncompressed in zip(gzipped, plain, strict=True):
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        body = response.get_data()
        assert int(response.headers["Content-Length"]) == len(body)
        assert len(body) < 0.75 * len(uncompressed)
        inflated = gzip.decompress(body)
        if response.mimetype == "text/css":
            assert inflated == uncompressed
        else:  # the page's CSRF token differs between two requests
            tokenless = re.compile(rb'name="csrf_token" value="[^"]+"')
            assert tokenless.sub(b"", inflated) == tokenless.sub(b"", uncompressed)
        # Compression brings back no validators (security.py removes them on purpose).
        assert "ETag" not in response.headers
        assert "Last-Modified" not in response.headers


def test_nothing_is_compressed_for_a_client_that_does_not_ask(sqlite_app):
    for response in _page_and_css(sqlite_app, make_wave(sqlite_app)[0], {}):
        assert "Content-Encoding" not in response.headers
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.get_data()[:1] in (b"<", b"*")


def test_brotli_is_preferred_when_offered(sqlite_app):
    brotli = pytest.importorskip("brotli")
    token = make_wave(sqlite_app)[0]
    page, css = _page_and_css(sqlite_app, token, {"Accept-Encoding": "gzip, deflate, br"})
    for response in (page, css):
        assert response.headers["Content-Encoding"] == "br"
        assert brotli.decompress(response.get_data())[:1] in (b"<", b"*")


def test_static_files_are_sent_as_they_are(sqlite_app):
    """Streamed static files are not compressed (and their file is closed after)."""
    response = sqlite_app.test_client().get(
        "/static/survey.js", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    with open(sqlite_app.static_folder + "/survey.js", "rb") as source:
        assert response.get_data() == source.read()
    response.close()
