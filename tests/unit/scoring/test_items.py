"""Item scores on 0-100: hand-computed values from the instrument file's rules."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.scoring import choice_item_ids, code_table, score_items, wage_band_score


def test_choice_items_in_file_order_without_free_text(worker):
    """The default columns are every choice item in file order; CHANGE is free text."""
    ids = choice_item_ids(worker)
    assert ids[:3] == ("PAY1", "PAY2", "PAY3")
    assert "CHANGE" not in ids
    assert len(ids) == 42
    assert sum(worker.item(i).is_scored for i in ids) == 37


def test_agreement_scale_is_percent_of_maximum(worker):
    """Agree5 codes 1-5 score (x - 1) / 4 * 100: 0, 25, 50, 75, 100 (exact)."""
    scores = score_items(worker, [[1], [2], [3], [4], [5]], ["PAY2"])
    assert scores[:, 0].tolist() == [0.0, 25.0, 50.0, 75.0, 100.0]


def test_reverse_item_is_flipped(worker):
    """PAY3 ("how often did your pay change a lot") is reversed: 'Never' scores 100."""
    scores = score_items(worker, [[1], [5], [3]], ["PAY3"])
    assert scores[:, 0].tolist() == [100.0, 0.0, 50.0]


def test_missing_options_and_blanks_are_nan_never_zero(worker):
    """'Prefer not to say' (99), 'Not sure' (98) and blank (0) are missing."""
    scores = score_items(worker, [[99, 98, 0]], ["PAY2", "BEN1", "SKL2"])
    assert np.isnan(scores).all()


def test_factual_items_use_their_option_scores(worker):
    """BEN1 options score 100/50/25/0; SAF2 'No' (code 2) is the good answer (100)."""
    scores = score_items(worker, [[1, 2], [2, 1], [3, 2], [4, 1]], ["BEN1", "SAF2"])
    assert scores.tolist() == [[100, 100], [50, 0], [25, 100], [0, 0]]


@pytest.mark.parametrize(
    ("code", "living_wage", "expected"),
    [
        # midpoint 16.5 / 20 = 0.825 -> "0.8 to 1.0" band -> 25
        (3, 20.0, 25.0),
        # midpoint 16.5 / 16.5 = 1.0 exactly -> "1.0 to 1.2" band -> 50 (limits are "below")
        (3, 16.5, 50.0),
        # 10.5 / 20 = 0.525 -> below 0.8 -> 0
        (1, 20.0, 0.0),
        # 28.5 / 20 = 1.425 -> "1.2 to 1.5" -> 75
        (7, 20.0, 75.0),
        # 32.5 / 20 = 1.625 -> open top band -> 100
        (8, 20.0, 100.0),
    ],
)
def test_wage_is_scored_by_living_wage_bands(worker, code, living_wage, expected):
    """PAY1: band midpoint / living wage, scored by the bands in worker-v1.toml."""
    assert score_items(worker, [[code]], ["PAY1"], living_wage=living_wage)[0, 0] == expected


def test_wage_items_need_a_living_wage(worker):
    with pytest.raises(ValueError, match="living_wage"):
        score_items(worker, [[3]], ["PAY1"])
    with pytest.raises(ValueError, match="living_wage"):
        score_items(worker, [[3]], ["PAY1"], living_wage=0.0)


def test_wage_band_score_edges(worker):
    pay1 = worker.item("PAY1")
    assert wage_band_score(pay1, 0.7999) == 0.0
    assert wage_band_score(pay1, 0.8) == 25.0
    assert wage_band_score(pay1, 1.5) == 100.0


def test_invalid_code_names_row_and_item(worker):
    with pytest.raises(ValueError, match=r"row 1, item 'PAY2': code 6"):
        score_items(worker, [[4], [6]], ["PAY2"])
    with pytest.raises(ValueError, match=r"row 0, item 'PAY2': code -3"):
        score_items(worker, [[-3]], ["PAY2"])
    with pytest.raises(ValueError, match="code 150"):
        score_items(worker, [[150]], ["PAY2"])


@pytest.mark.parametrize(
    ("item_ids", "message"),
    [(["NOPE"], "not in instrument"), (["CHANGE"], "free text"), (["PAY2", "PAY2"], "two")],
)
def test_bad_item_ids(worker, item_ids, message):
    with pytest.raises(ValueError, match=message):
        score_items(worker, np.zeros((1, len(item_ids)), dtype=int), item_ids)


def test_codes_must_be_whole_numbers(worker):
    with pytest.raises(ValueError, match="whole numbers"):
        score_items(worker, [[1.5]], ["PAY2"])
    with pytest.raises(ValueError, match="2-D"):
        score_items(worker, [1, 2], ["PAY2"])


def _valid_codes(worker, item_ids):
    options = [[0, *[o.code for o in worker.item(i).options]] for i in item_ids]
    return st.lists(st.tuples(*[st.sampled_from(o) for o in options]), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), living_wage=st.floats(5, 60))
def test_every_score_is_within_0_and_100(worker, item_ids, data, living_wage):
    """Property: any valid answers give scores in [0, 100] or NaN."""
    rows = data.draw(_valid_codes(worker, item_ids))
    scores = score_items(worker, np.array(rows), item_ids, living_wage=living_wage)
    finite = scores[~np.isnan(scores)]
    assert np.all((finite >= 0) & (finite <= 100))


@settings(max_examples=30, deadline=None)
@given(item_id=st.sampled_from(["PAY2", "SCH1", "BEN1", "SEC2", "SAF3"]))
def test_reverse_coding_twice_gives_the_original(worker, item_id):
    """Property: flipping an item's direction twice restores every code's score."""
    item = worker.item(item_id)
    flip = {"positive": "reverse", "reverse": "positive"}
    once = dataclasses.replace(item, direction=flip[item.direction])
    twice = dataclasses.replace(once, direction=flip[once.direction])
    original = code_table(item)
    np.testing.assert_array_equal(code_table(twice), original)  # exact: 100 - (100 - s)
    answered = ~np.isnan(original)
    np.testing.assert_array_equal(code_table(once)[answered], 100 - original[answered])
