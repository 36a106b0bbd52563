"""Self-assessment scores against values worked out by hand (MEASUREMENT.md 3.3).

Levels score (level - 1) / 3 x 100: 1 -> 0, 2 -> 33.33, 3 -> 66.67, 4 -> 100;
"Don't know" (98) is missing. A respondent's element score is the mean of their scored
statements there (at least half of them); the element's score is the mean across
respondents, with the lowest and highest shown from 3 respondents.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from surveyapp.instruments import get_instrument
from surveyapp.selfassessment.scores import (
    MIN_FOR_SPREAD,
    element_scores,
    level_score,
    respondent_scores,
)

SA = get_instrument("partnership", 1)
THIRD = 100 / 3


def _by_id(scores):
    return {score.dimension: score for score in scores}


@pytest.mark.parametrize(("level", "score"), [(1, 0.0), (2, THIRD), (3, 2 * THIRD), (4, 100.0)])
def test_a_level_scores_as_measurement_says(level, score):
    assert level_score(level) == pytest.approx(score)
    # The instrument's rubric gives each option the same score.
    assert SA.item("LVA1").option(level).score == pytest.approx(score)


@pytest.mark.parametrize("level", [0, 5, 98])
def test_a_level_outside_the_rubric_is_refused(level):
    with pytest.raises(ValueError, match="is not from 1 to 4"):
        level_score(level)


def test_one_respondent_is_the_mean_of_their_statements():
    scores = respondent_scores(SA, {"LVA1": 4, "LVA2": 2, "RES1": 1, "RES2": 98, "WV1": 3})
    assert scores == {
        "leadership": pytest.approx((100 + THIRD) / 2),  # 66.67
        "resources": 0.0,  # RES2 "Don't know" is missing, not zero: RES1 alone
        "worker_voice": pytest.approx(2 * THIRD),  # WV2 not answered: half is enough
    }


def test_dont_know_everywhere_gives_no_score():
    assert respondent_scores(SA, {"LVA1": 98, "LVA2": 98}) == {}


def test_a_code_or_item_the_instrument_lacks_is_refused():
    with pytest.raises(ValueError, match="has no option 5"):
        respondent_scores(SA, {"LVA1": 5})
    with pytest.raises(ValueError, match="has no item 'LVA9'"):
        respondent_scores(SA, {"LVA9": 1})


def test_elements_across_four_respondents():
    respondents = [
        {"LVA1": 4, "LVA2": 2, "DAT1": 2, "DAT2": 2},  # leadership 66.67, data 33.33
        {"LVA1": 1, "LVA2": 98, "DAT1": 4, "DAT2": 4},  # leadership 0, data 100
        {"LVA1": 98, "LVA2": 98, "DAT1": 3, "DAT2": 98},  # leadership none, data 66.67
        {"LVA1": 3, "LVA2": 3, "DAT1": 1, "DAT2": 2},  # leadership 66.67, data 16.67
    ]
    scores = _by_id(element_scores(SA, respondents))
    leadership = scores["leadership"]
    assert (leadership.n, leadership.group) == (3, "element")
    assert leadership.mean == pytest.approx((200 / 3 + 0 + 200 / 3) / 3)  # 44.44
    assert leadership.lowest == 0.0
    assert leadership.highest == pytest.approx(200 / 3)
    data = scores["data"]
    assert (data.n, data.group) == (4, "centre")
    assert data.mean == pytest.approx((THIRD + 100 + 2 * THIRD + THIRD / 2) / 4)  # 54.17
    assert data.lowest == pytest.approx(THIRD / 2)
    assert data.highest == 100.0
    nobody = scores["resources"]
    assert (nobody.n, nobody.mean, nobody.lowest, nobody.highest) == (0, None, None, None)


def test_below_three_respondents_only_n_and_the_mean():
    assert MIN_FOR_SPREAD == 3
    scores = _by_id(element_scores(SA, [{"CI1": 4, "CI2": 4}, {"CI1": 2, "CI2": 1}]))
    improvement = scores["improvement"]
    assert improvement.n == 2
    assert improvement.mean == pytest.approx((100 + THIRD / 2) / 2)  # 58.33
    assert (improvement.lowest, improvement.highest) == (None, None)


def test_every_element_and_theme_comes_back_in_instrument_order():
    ids = [score.dimension for score in element_scores(SA, [])]
    assert ids == [d.id for d in SA.dimensions]
    assert len(ids) == 8


def test_the_scores_import_neither_flask_nor_the_database():
    code = (
        "import sys, surveyapp.selfassessment.scores;"
        "print(sorted(m for m in ('flask', 'sqlalchemy', 'flask_babel') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
