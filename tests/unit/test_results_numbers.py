"""Figures on results pages read exactly as Babel's format_decimal would write them."""

from __future__ import annotations

import random

import pytest
from flask import Flask
from flask_babel import Babel, force_locale, format_decimal

from surveyapp.results_view import decimals, score

EDGES = [0.15, 0.25, 0.35, 2.675, 59.95, 99.95, -0.04, -0.0, 0.0, 1e-7, 100.0, 1234.5, 7, 1e16]


@pytest.fixture
def request_context():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


@pytest.mark.parametrize("locale", ["en", "es"])
def test_scores_and_coefficients_match_babel(request_context, locale):
    rng = random.Random(7)
    values = EDGES + [rng.uniform(-5, 105) for _ in range(2000)]
    values += [round(rng.uniform(0, 100), 2) for _ in range(2000)]
    with force_locale(locale):
        for value in values:
            assert score(value) == format_decimal(value, "0.0"), value
            for places in (2, 3):
                assert decimals(value, places) == format_decimal(value, "0." + "0" * places)


def test_the_page_language_decides_the_decimal_sign(request_context):
    with force_locale("es"):
        assert score(59.94) == "59,9"
        assert score(0.15) == "0,2"  # the shortest decimal, half to even, as Babel
        assert decimals(-0.004) == "-0,00"
    with force_locale("en"):
        assert score(59.94) == "59.9"
    assert score(None) is None
    assert decimals(None) is None


def test_a_figure_formats_its_mean_and_interval_in_the_page_language(request_context):
    from surveyapp.results_view import figure

    with force_locale("es"):
        shown = figure("JQI", {"mean": 0.15, "low": -0.04, "high": 2.675, "n": 5})
    assert (shown.mean, shown.low, shown.high, shown.n) == ("0,2", "-0,0", "2,7", 5)
    assert figure("JQI", {"mean": None, "n": 3}).mean is None
