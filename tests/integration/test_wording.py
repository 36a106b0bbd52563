"""Wording a worker could misread (issue 8, section 7), checked on the rendered pages.

A worker who misreads who will see a comment, which code to type, or which answer
means "I'd rather not say" may answer differently or be scared off; these tests hold
the pages to the words agreed in DESIGN.md (anonymity rule 4) and in worker-v2.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale
from sqlalchemy import select

from surveyapp.demo import create_demo
from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.models import Response, Wave
from surveyapp.survey.answers import required_message

from ..factories import link_for, make_wave
from ..survey_driver import SurveyDriver, default_answers

ROOT = Path(__file__).resolve().parents[2]
V1 = get_instrument("worker", 1)
V2 = get_instrument("worker", 2)
COMMENT_PAGE = next(n for n, p in enumerate(V2.pages, 1) if "CHANGE" in p.items)

#: DESIGN.md anonymity rule 4, in the words shown on the first page and beside the
#: comment box; ``{n}`` is the partnership's quote threshold (anonymity rule 6).
PROMISE = {
    "en": (
        "Your employer never sees what you typed. The staff who run this survey read it. "
        "They may quote a short part, with names and details taken out, in reports that "
        "employers see, and only when at least {n} people from your workplace answered."
    ),
    "es": (
        "Su empleador nunca ve lo que usted escribió. Lo lee el personal a cargo de esta "
        "encuesta. El personal puede citar una parte corta, quitando nombres y detalles, en "
        "informes que ven los empleadores, y solo si respondieron al menos {n} personas de su "
        "lugar de trabajo."
    ),
}
LANGUAGES = {"en": "en", "es": "es-MX,es;q=0.9"}


def _text(response) -> str:
    """What a reader sees: tags removed, entities decoded, whitespace collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


# ------------------------------------------------------------- the comment promise


@pytest.mark.parametrize("lang", ["en", "es"])
def test_comment_promise_is_the_same_on_the_first_page_and_beside_the_comment_box(sqlite_app, lang):
    token = make_wave(sqlite_app)[0]  # quote threshold 10, the default
    driver = SurveyDriver(sqlite_app.test_client(), token, language=LANGUAGES[lang])
    promise = PROMISE[lang].format(n=10)
    first = driver.get()
    assert first.status_code == 200
    assert promise in _text(first)
    driver.start()
    comment_page = driver.get(f"/p/{COMMENT_PAGE}")
    assert comment_page.status_code == 200
    text = _text(comment_page)
    assert V2.item("CHANGE").text[lang] in text
    assert promise in text
    # The old promise named "the partnership", which includes employers.
    assert "shared with the partnership" not in text
    assert "compartir con la alianza" not in text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_both_pages_state_the_partnerships_own_quote_threshold(sqlite_app, lang):
    token = make_wave(sqlite_app, k=15)[0]  # the factory sets quote_min_responses = 15
    driver = SurveyDriver(sqlite_app.test_client(), token, language=LANGUAGES[lang])
    text = _text(driver.get())
    assert PROMISE[lang].format(n=15) in text
    assert "partnership’s staff" not in text
    driver.start()
    beside_the_box = _text(driver.get(f"/p/{COMMENT_PAGE}"))
    assert PROMISE[lang].format(n=15) in beside_the_box
    assert PROMISE[lang].format(n=10) not in beside_the_box


# ------------------------------------------------------------- "choose an answer"


def _message(app, item_id: str, lang: str) -> str:
    with app.test_request_context(), force_locale(lang):
        return str(required_message(V2.item(item_id), lang))


@pytest.mark.parametrize(
    ("item_id", "lang", "expected"),
    [
        # PAY1 offers both "Not sure" and "Prefer not to say".
        (
            "PAY1",
            "en",
            "Choose an answer. If you do not know, choose “Not sure”. "
            "If you would rather not answer, choose “Prefer not to say”.",
        ),
        (
            "PAY1",
            "es",
            "Elija una respuesta. Si no sabe, elija “No estoy seguro/a”. "
            "Si prefiere no responder, elija “Prefiero no decir”.",
        ),
        # BEN2 (yes/no) offers only "Not sure".
        ("BEN2", "en", "Choose an answer. If you do not know, choose “Not sure”."),
        ("BEN2", "es", "Elija una respuesta. Si no sabe, elija “No estoy seguro/a”."),
        # PAY2 (agree/disagree) offers only "Prefer not to say".
        (
            "PAY2",
            "en",
            "Choose an answer. If you would rather not answer, choose “Prefer not to say”.",
        ),
        ("PAY2", "es", "Elija una respuesta. Si prefiere no responder, elija “Prefiero no decir”."),
    ],
)
def test_required_message_names_the_questions_own_way_out(sqlite_app, item_id, lang, expected):
    assert _message(sqlite_app, item_id, lang) == expected


@pytest.mark.parametrize("lang", ["en", "es"])
def test_required_message_never_names_an_answer_the_question_lacks(sqlite_app, lang):
    for item in V2.items:
        if item.kind != "choice" or not item.required:
            continue
        message = _message(sqlite_app, item.id, lang)
        named = set(re.findall(r"“([^”]+)”", message))
        ways_out = {o.label[lang] for o in item.options if o.missing}
        # Every way out the question offers is named, and nothing else is.
        assert named == ways_out, (item.id, message)


def test_page_shows_the_spanish_message_for_each_kind_of_way_out(sqlite_app):
    token = make_wave(sqlite_app)[0]
    driver = SurveyDriver(sqlite_app.test_client(), token, language=LANGUAGES["es"])
    driver.start()
    answers = default_answers(V2)
    for item_id in ("PAY1", "PAY2"):
        del answers[item_id]
    text = _text(driver.answer_page(1, answers))
    both = (
        "Si no sabe, elija “No estoy seguro/a”. "
        "Si prefiere no responder, elija “Prefiero no decir”."
    )
    assert both in text
    assert "Elija una respuesta. Si prefiere no responder, elija “Prefiero no decir”." in text
    driver.answer_page(1, default_answers(V2))
    answers = default_answers(V2)
    del answers["BEN2"]
    text = _text(driver.answer_page(2, answers))
    assert "Elija una respuesta. Si no sabe, elija “No estoy seguro/a”." in text
    # BEN2 has no "Prefiero no decir", so no message may send the worker looking for it.
    assert "Si prefiere no responder" not in text


# ------------------------------------------------------------- two codes, two names


def _template_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "surveyapp" / "templates"), [("**.html", "jinja2")], keywords={"_": None}
    ):
        if isinstance(message, str):
            found.add(message)
    return found


def test_every_template_names_the_save_code_and_the_one_time_code_apart():
    with (ROOT / "surveyapp/translations/es/LC_MESSAGES/messages.po").open("rb") as handle:
        spanish = {m.id: m.string for m in read_po(handle) if m.id}
    # A QR code is a picture, not a code anyone types.
    about_codes = [m for m in _template_messages() if re.search(r"(?<!QR )\bcode\b", m)]
    assert len(about_codes) >= 6
    for message in about_codes:
        english, translation = message.lower(), spanish[message].lower()
        assert "resume code" not in english
        # A bare "code" must sit next to its full name, so nobody types the wrong one.
        assert "save code" in english or "one-time code" in english, message
        assert "código para continuar" in translation or "código de un solo uso" in translation
        assert ("save code" in english) == ("código para continuar" in translation), message
        assert ("one-time code" in english) == ("código de un solo uso" in translation), message


@pytest.mark.parametrize(
    ("lang", "one_time", "resume_link"),
    [
        ("en", "One-time code from your slip", "I saved my answers before and have a save code"),
        (
            "es",
            "Código de un solo uso de su papel",
            "Guardé mis respuestas antes y tengo un código para continuar",
        ),
    ],
)
def test_code_pages_use_the_two_names(sqlite_app, lang, one_time, resume_link):
    token = make_wave(sqlite_app, require_codes=True)[0]
    driver = SurveyDriver(sqlite_app.test_client(), token, language=LANGUAGES[lang])
    start = _text(driver.get())
    assert one_time in start
    assert resume_link in start
    assert "Tengo un código para continuar" not in start
    assert "resume code" not in start
    resume = _text(driver.get("/resume"))
    assert ("Save code" if lang == "en" else "Código para continuar") in resume
    assert (
        "It is not the one-time code from your slip."
        if lang == "en"
        else "No es el código de un solo uso de su papel."
    ) in resume


def test_resume_page_mentions_no_slip_when_the_round_uses_no_codes(sqlite_app):
    token = make_wave(sqlite_app)[0]
    resume = _text(SurveyDriver(sqlite_app.test_client(), token).get("/resume"))
    assert "Save code" in resume
    assert "slip" not in resume


@pytest.mark.parametrize("lang", ["en", "es"])
def test_saved_page_points_to_the_link_the_start_page_shows(sqlite_app, lang):
    token = make_wave(sqlite_app)[0]
    driver = SurveyDriver(sqlite_app.test_client(), token, language=LANGUAGES[lang])
    start = _text(driver.get())
    driver.start()
    assert driver.answer_page(1, {"PAY1": 1}, action="save").status_code == 302
    saved = driver.get("/saved")
    assert saved.status_code == 200
    text = _text(saved)
    link_text = (
        "I saved my answers before and have a save code"
        if lang == "en"
        else "Guardé mis respuestas antes y tengo un código para continuar"
    )
    assert (f"choose “{link_text}”" if lang == "en" else f"elija “{link_text}”") in text
    assert link_text in start
    assert ("Your save code is:" if lang == "en" else "Su código para continuar es:") in text


# ------------------------------------------------------------- the header


@pytest.mark.parametrize(
    ("lang", "name"), [("en", "Job quality survey"), ("es", "Encuesta sobre la calidad del empleo")]
)
def test_error_page_header_names_the_survey_in_the_workers_language(sqlite_app, lang, name):
    response = sqlite_app.test_client().get(
        "/s/" + "x" * 32, headers={"Accept-Language": LANGUAGES[lang]}
    )
    assert response.status_code == 404
    text = _text(response)
    assert text.startswith(f"{name} ") or f" {name} " in text
    assert "surveyapp" not in text


# ------------------------------------------------------------- versions


def test_new_waves_ask_v2_and_a_v1_wave_keeps_its_wording(sqlite_app):
    v2_token = make_wave(sqlite_app)[0]
    v1_token = make_wave(sqlite_app)[0]
    with sqlite_app.app_context():
        assert link_for(v2_token).wave.worker_instrument_version == 2
        # A wave that opened before v2 existed (the column has no server default).
        link_for(v1_token).wave.worker_instrument_version = 1
        db.session.commit()
    security = next(n for n, p in enumerate(V2.pages, 1) if "SEC2" in p.items)
    pages = {}
    for token in (v1_token, v2_token):
        driver = SurveyDriver(sqlite_app.test_client(), token, language=LANGUAGES["es"])
        driver.start()
        pages[token] = _text(driver.get(f"/p/{security}"))
        assert driver.complete().status_code == 302
    assert "Por llamada, o día a día" in pages[v1_token]
    assert "Me llaman cuando me necesitan, o trabajo por día" in pages[v2_token]
    assert "día a día" not in pages[v2_token]
    with sqlite_app.app_context():
        stored = {
            row.wave_id: (row.instrument_version, row.instrument_checksum)
            for row in db.session.scalars(select(Response))
        }
        assert stored == {
            link_for(v1_token).wave_id: (1, V1.checksum),
            link_for(v2_token).wave_id: (2, V2.checksum),
        }


def test_demo_closed_wave_uses_v1_and_its_open_wave_uses_v2(sqlite_app):
    with sqlite_app.app_context():
        result = create_demo()
        waves = {w.status: w for w in db.session.scalars(select(Wave))}
        assert waves["closed"].worker_instrument_version == 1
        assert waves["open"].worker_instrument_version == 2
        versions = set(
            db.session.execute(
                select(Response.instrument_version, Response.instrument_checksum).where(
                    Response.wave_id == waves["closed"].id
                )
            ).all()
        )
        assert versions == {(1, V1.checksum)}
    token = result.links[0][1]
    driver = SurveyDriver(sqlite_app.test_client(), token)
    assert driver.complete().status_code == 302
    with sqlite_app.app_context():
        newest = db.session.scalar(select(Response).where(Response.wave_id == waves["open"].id))
        assert (newest.instrument_version, newest.instrument_checksum) == (2, V2.checksum)
