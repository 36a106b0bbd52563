"""The briefs' PDFs made from plain values (no database): hostile and Spanish text,
metadata, vector charts, and a release in which nothing may be shown.

The briefs speak through Flask-Babel, so each test runs inside an app context with
the language forced, as ``surveyapp brief`` does; the app's database is never opened.
"""

from __future__ import annotations

import getpass
import io
import re
import socket
from datetime import UTC, date, datetime

import pypdf
import pytest
from flask_babel import force_locale

from surveyapp import create_app
from surveyapp.reports.brief_charts import (
    SPREAD_ROWS,
    ChartRow,
    dot_rows,
    peers_chart,
    profile_chart,
    spread_chart,
)
from surveyapp.reports.brief_data import RoundFacts
from surveyapp.reports.employer_brief import employer_brief_pdf
from surveyapp.reports.sector_brief import SectorBrief, sector_brief_pdf
from surveyapp.reports.sector_figures import band_table

from ..conftest import SECRET
from .test_pdf import HOSTILE_NAME, _outside_streams

K = 5
WHEN = datetime(2027, 4, 2, 9, 30, tzinfo=UTC)
SPANISH_NAME = "Clínica «Año» ¡Sí! ¿Qué? Ñandú Útil Pingüino éxito"


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    # A database file that is never created: nothing here reads one.
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/unused.sqlite3"}
    app = create_app({**config, "SECRET_KEY": SECRET, "TESTING": True})
    with app.app_context():
        yield app


def _facts(**names: str) -> RoundFacts:
    defaults = {"wave": "Spring 2027", "partnership": "Valley Partnership"}
    defaults.update(names)
    return RoundFacts(
        wave_id=7,
        wave=defaults["wave"],
        partnership=defaults["partnership"],
        sector="Healthcare",
        region="Valley",
        closed_on=date(2027, 3, 31),
    )


def _reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def _flat(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in _reader(data).pages).split())


def _hidden(name: str, facts: RoundFacts | None = None, lang: str = "en") -> bytes:
    with force_locale(lang):
        return employer_brief_pdf(facts or _facts(), name, None, k=K, created=WHEN)


def test_a_hidden_brief_says_only_that_results_need_k_responses(app):
    data = _hidden("Employer A")
    assert len(_reader(data).pages) == 1
    flat = _flat(data)
    assert "Results for a workplace are shown only when at least 5 of its workers" in flat
    assert "Nothing else about the answers is shown" in flat
    assert flat.startswith("Employer A: results of Spring 2027")
    # Only k, the dates and the page number are numbers on it.
    left = flat.replace("Spring 2027", "").replace("March 31, 2027", "")
    left = left.replace("April 2, 2027", "")
    assert re.findall(r"\d+", left) == ["5", "1"]


def test_a_hostile_name_is_literal_text_and_cut_at_the_database_limit(app):
    facts = _facts(partnership="<b>P</b> & <img src='/etc/passwd'/>", wave="<font size=100>W")
    data = _hidden(HOSTILE_NAME, facts)
    reader = _reader(data)
    assert len(reader.pages) == 1  # a 5,000-character word does not fill pages
    flat = _flat(data)
    assert (
        "<font size=100>Big</font> & <script>alert(1)</script> ? ????? "
        "<img src='/etc/passwd'/> &amp; WWW"
    ) in flat
    assert "<b>P</b> & <img src='/etc/passwd'/>" in flat
    assert "results of <font size=100>W" in flat
    joined = flat.replace(" ", "")
    assert "W" * 100 in joined
    assert "W" * 250 not in joined  # cut at 200 characters, the database's limit
    assert "…" in flat
    assert b"/URI" not in data
    # <img> made no picture (nothing was read from disk): the file holds no image object.
    assert b"/Subtype /Image" not in data
    assert not reader.pages[0]["/Resources"].get("/XObject")
    assert reader.metadata["/Title"].startswith("<font size=100>Big</font> & <script>")


def test_spanish_reads_back_intact(app):
    data = _hidden(SPANISH_NAME, _facts(partnership="Alianza Salud Ñuble"), lang="es")
    flat = _flat(data)
    assert f"{SPANISH_NAME}: resultados de Spring 2027" in flat
    assert "Alianza Salud Ñuble" in flat
    assert "Los resultados de un lugar de trabajo se muestran solo" in flat
    assert "31 de marzo de 2027" in flat
    assert _reader(data).trailer["/Root"]["/Lang"] == "es"


def test_metadata_names_no_machine_or_person(app):
    data = _hidden("Employer A")
    reader = _reader(data)
    meta = reader.metadata
    assert meta["/Title"] == "Employer A: results of Spring 2027"
    assert meta["/Author"] == ""
    assert meta["/Creator"] == meta["/Producer"] == "surveyapp"
    assert meta["/CreationDate"] == "D:20270402093000+00'00'"
    assert reader.trailer["/Root"]["/Lang"] == "en-US"
    visible = _outside_streams(data).decode("latin-1")
    for who in {socket.gethostname(), getpass.getuser()}:
        pattern = re.compile(rf"(?<![/\w]){re.escape(who)}(?!\w)")
        assert not pattern.search(visible), who
        assert not pattern.search(_flat(data)), who


def _empty_sector(lang: str = "en") -> bytes:
    from surveyapp.staff.results import dashboard

    figures = {"k": K, "statistics": [], "sector": [], "peers": [], "employers": []}
    with force_locale(lang):
        brief = SectorBrief(
            facts=_facts(),
            figures=figures,
            page=dashboard(figures),
            bands=band_table([("1-49", 3), ("50-249", 1)], K, ("1-49", "50-249")),
            gaps=[],
            spread=[],
            threshold=50.0,
        )
        return sector_brief_pdf(brief, created=WHEN)


def test_a_release_with_nothing_shown_reads_not_enough_responses_throughout(app):
    data = _empty_sector()
    flat = _flat(data)
    for heading in ("Who answered", "The profile: eight dimensions", "How employers compare"):
        assert heading in flat
    assert "Job Quality Index: not enough responses" in flat
    assert "1-49 1 not enough responses 50-249 1 not enough responses" in flat
    assert "All employers 2 not enough responses" in flat
    assert "There is no earlier closed round to compare with." in flat
    assert "How the numbers are made" in flat
    # No count (3, 1 or 4) is printed: only k, employers per band, dates, page numbers.
    assert "Based on" not in flat
    spanish = _flat(_empty_sector("es"))
    assert "Índice de calidad del empleo: no hay suficientes respuestas" in spanish
    assert "Quién respondió" in spanish


# -- the charts -------------------------------------------------------------------------


def _shapes(drawing) -> list[str]:
    return [type(shape).__name__ for shape in drawing.contents]


def test_charts_draw_vector_shapes_and_nothing_for_a_hidden_value():
    rows = [
        ChartRow("Pay", 40.0, 30.0, 50.0, 60.0, 55.0, 65.0),
        ChartRow("Hidden", None, None, None, 60.0, 55.0, 65.0),
    ]
    profile = _shapes(profile_chart(rows, 500, "not enough responses", 50.0))
    assert profile.count("Rect") == 1  # one bar: the hidden row has none
    peers = peers_chart(rows, 500, "not enough responses", 50.0)
    assert _shapes(peers).count("Circle") == 1
    assert _shapes(peers).count("Rect") == 2  # both rows show the peers' middle half
    texts = [s.text for s in peers.contents if type(s).__name__ == "String"]
    assert "not enough responses" in texts
    assert texts[-5:] == ["0", "25", "50", "75", "100"]  # the scale reads after the rows
    spread = spread_chart([40.0, 40.5, 70.0], ChartRow("", None, None, None, 55, 45, 65), 500)
    assert _shapes(spread).count("Circle") == 3
    assert not any(s for s in spread.contents if type(s).__name__ == "String" and s.text.isalpha())


def test_a_chart_label_is_cut_to_its_room():
    drawing = profile_chart([ChartRow("<b>" + "W" * 5000, 50.0)], 500, "not enough", None)
    label = next(s for s in drawing.contents if type(s).__name__ == "String")
    assert label.text.startswith("<b>WWW")
    assert label.text.endswith("…")
    assert len(label.text) < 40


def test_spread_dots_stack_without_touching_and_stop_at_eight_rows():
    assert dot_rows([10.0, 11.0, 30.0, 31.0, 32.0], 3.2) == [0, 1, 0, 1, 2]
    crowded = [50.0 + i / 100 for i in range(200)]
    rows = dot_rows(crowded, 1.6)
    assert max(rows) == SPREAD_ROWS - 1
    drawing = spread_chart(crowded, ChartRow("", None, None, None, 50, 49, 51), 500)
    assert _shapes(drawing).count("Circle") == 200
    assert drawing.height < 80  # one chart, however many employers
