"""Self-assessment scores on the staff page and in ``self_assessment_figures``, over two
rounds, against values worked out by hand (levels: 1 -> 0, 2 -> 33.3, 3 -> 66.7,
4 -> 100; 98 "Don't know" is missing).

Round 1 (three sent):
  A: every statement 3                      -> every element 66.67
  B: every statement 2, LVA1 4              -> leadership (100 + 33.33) / 2 = 66.67,
                                               the others 33.33
  C: LVA1 1, LVA2 1, everything else 98     -> leadership 0, nothing elsewhere
  leadership: n 3, mean (66.67 + 66.67 + 0) / 3 = 44.44, lowest 0, highest 66.67
  resources and the rest: n 2, mean (66.67 + 33.33) / 2 = 50, no spread (below 3)
Round 2 (three sent, one not sent, one never answered):
  every statement 4, 3, 2 -> every element: mean 66.67, lowest 33.33, highest 100;
  the unsent respondent (every statement 1) counts nowhere.
"""

from __future__ import annotations

import re

import pytest

from surveyapp.extensions import db
from surveyapp.models import Wave
from surveyapp.selfassessment import self_assessment_figures

from ..staff_driver import text
from .test_self_assessment_driver import SA, add_wave, every, sa_url, seed

ELEMENTS = ["leadership", "resources", "industry", "services", "improvement"]
CENTRE = ["partnerships", "data", "worker_voice"]
ROUND_1 = [every(3), every(2, LVA1=4), every(98, LVA1=1, LVA2=1)]
ROUND_2 = [every(4), every(3), every(2)]


@pytest.fixture
def console(app):
    from ..staff_driver import Console

    return Console.make(app, status="open", employers=2)


@pytest.fixture
def two_rounds(console):
    first = console.wave()
    seed(console.app, first, ROUND_1)
    second = add_wave(console, "Spring 2027")
    seed(console.app, second, ROUND_2, unsent=[every(1)])
    return first, second


def _figures(console, wave_id):
    with console.app.app_context():
        return self_assessment_figures(db.session, db.session.get(Wave, wave_id))


def _row(page: str, name: str) -> list[str]:
    """The cells of the first table row headed ``name``."""
    found = re.search(rf'<th scope="row">{re.escape(name)}</th>(.*?)</tr>', page)
    assert found, name
    cells = re.findall(r'<td class="num">(.*?)</td>', found.group(1))
    # The range sits under the score, in <small>.
    return [part for cell in cells for part in re.split(r"</?small>", cell) if part]


def test_figures_of_the_first_round(console, two_rounds):
    first, _second = two_rounds
    figures = _figures(console, first)
    assert figures["status"] == "closed"
    assert figures["instrument"] == "partnership-v1"
    assert (figures["invited"], figures["sent"], figures["roles"]) == (3, 3, {"other": 3})
    assert figures["min_for_spread"] == 3
    elements = {e["id"]: e for e in figures["elements"]}
    assert [e["id"] for e in figures["elements"]] == ELEMENTS + CENTRE
    assert [elements[i]["group"] for i in ELEMENTS + CENTRE] == ["element"] * 5 + ["centre"] * 3
    leadership = elements["leadership"]
    assert leadership["name"]["en"] == "Leadership, vision and alignment"
    assert leadership["n"] == 3
    assert leadership["mean"] == pytest.approx(400 / 9)
    assert leadership["lowest"] == 0.0
    assert leadership["highest"] == pytest.approx(200 / 3)
    for other in ELEMENTS[1:] + CENTRE:
        assert elements[other]["n"] == 2
        assert elements[other]["mean"] == pytest.approx(50.0)
        assert (elements[other]["lowest"], elements[other]["highest"]) == (None, None)
    assert [point["wave_id"] for point in figures["history"]] == [first]


def test_figures_of_the_second_round_and_the_history(console, two_rounds):
    first, second = two_rounds
    figures = _figures(console, second)
    assert (figures["invited"], figures["sent"]) == (4, 3)  # the unsent one is not scored
    for element in figures["elements"]:
        assert element["n"] == 3
        assert element["mean"] == pytest.approx(200 / 3)
        assert element["lowest"] == pytest.approx(100 / 3)
        assert element["highest"] == 100.0
    history = figures["history"]
    assert [(p["wave_id"], p["wave_name"], p["respondents"]) for p in history] == [
        (first, _name(console, first), 3),
        (second, "Spring 2027", 3),
    ]
    assert history[0]["means"]["leadership"] == pytest.approx(400 / 9)
    assert history[0]["means"]["data"] == pytest.approx(50.0)
    assert history[1]["means"] == {i: pytest.approx(200 / 3) for i in ELEMENTS + CENTRE}


def _name(console, wave_id):
    with console.app.app_context():
        return db.session.get(Wave, wave_id).name


def test_the_staff_page_shows_the_same_numbers(console, two_rounds):
    first, second = two_rounds
    page = text(console.get(sa_url(first)))
    # Element, score, lowest-highest, respondents; below 3 respondents only n and mean.
    assert _row(page, "Leadership, vision and alignment") == ["44", "0–67", "3"]
    assert _row(page, "Resources and capacity") == ["50", "–", "2"]
    assert _row(page, "Worker voice and job quality") == ["50", "–", "2"]
    assert 'class="chart"' in page
    later = text(console.get(sa_url(second)))
    assert _row(later, "Data-informed decision making")[:3] == ["67", "33–100", "3"]
    # Across rounds: each element's mean in round 1, then round 2.
    history = later.split('id="history-heading"')[1]
    assert _row(history, "Leadership, vision and alignment") == ["44", "67"]
    assert _row(history, "Respondents") == ["3", "3"]


def test_the_spanish_page_names_the_elements_in_spanish(console, two_rounds):
    first, _second = two_rounds
    page = text(console.get(sa_url(first), query_string={"lang": "es"}))
    assert _row(page, "Liderazgo, visión y alineación") == ["44", "0–67", "3"]


def test_no_score_while_open_so_nobody_is_read_by_difference(console):
    wave = console.wave()
    seed(console.app, wave, ROUND_2, close=False)
    figures = _figures(console, wave)
    assert (figures["status"], figures["sent"], figures["elements"]) == ("open", 3, [])
    page = text(console.get(sa_url(wave)))
    assert 'class="chart"' not in page
    assert "Scores" not in page


def test_a_round_without_a_self_assessment(console):
    wave = console.wave()
    figures = _figures(console, wave)
    assert figures == {
        "wave_id": wave,
        "status": "not_started",
        "instrument": None,
        "closed_on": None,
        "invited": 0,
        "sent": 0,
        "roles": {},
        "min_for_spread": 3,
        "elements": [],
        "history": [],
    }


def test_another_partnerships_rounds_are_not_in_the_history(console, two_rounds):
    _first, second = two_rounds
    theirs = add_wave(console, "Their round", console.other)
    seed(console.app, theirs, [every(1)] * 3)
    assert [p["wave_id"] for p in _figures(console, theirs)["history"]] == [theirs]
    assert len(_figures(console, second)["history"]) == 2
    assert SA.key == "partnership"
