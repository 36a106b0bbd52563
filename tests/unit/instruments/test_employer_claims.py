"""An employer's answers -> worker option codes -> the worker item's 0-100 score.

Expected codes are read off the worker-v2 option labels by hand, at, just below and
just above every threshold; expected scores are the worker-v2 option scores.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from surveyapp.instruments import get_instrument
from surveyapp.instruments.claims import claim_code_row, claim_codes
from surveyapp.scoring import claim_scores, gap_item_ids

EMPLOYER = get_instrument("employer", 1)
WORKER = get_instrument("worker", 2)
D = Decimal

# E1 starting wage -> PAY1 band: "Less than $12" 1, "$12 to $14.99" 2, "$15 to $17.99" 3,
# "$18 to $20.99" 4, "$21 to $23.99" 5, "$24 to $26.99" 6, "$27 to $29.99" 7,
# "$30 to $34.99" 8, "$35 to $39.99" 9, "$40 or more" 10.
E1_CASES = [
    (1, 1),  # the item's minimum
    (D("11.99"), 1),
    (D("12.00"), 2),
    (D("12.01"), 2),
    (D("14.99"), 2),
    (15, 3),
    (D("15.01"), 3),
    (D("17.99"), 3),
    (18, 4),
    (D("18.01"), 4),
    (D("20.99"), 4),
    (21, 5),
    (D("21.01"), 5),
    (D("23.99"), 5),
    (24, 6),
    (D("24.01"), 6),
    (D("26.99"), 6),
    (27, 7),
    (D("27.01"), 7),
    (D("29.99"), 7),
    (30, 8),
    (D("30.01"), 8),
    (D("34.99"), 8),
    (35, 9),
    (D("35.01"), 9),
    (D("39.99"), 9),
    (40, 10),
    (D("40.01"), 10),
    (500, 10),  # the item's maximum
]

# E4 days of notice -> SCH1: "Less than 1 day" 1, "1 to 2 days" 2, "3 to 6 days" 3,
# "7 to 13 days" 4, "14 days or more" 5.
E4_CASES = [
    (0, 1),
    (1, 2),
    (2, 2),
    (3, 3),
    (4, 3),
    (6, 3),
    (7, 4),
    (8, 4),
    (13, 4),
    (14, 5),
    (15, 5),
    (365, 5),
]

# E7 paid training hours -> SKL1 "Yes" 1 / "No" 2.
E7_CASES = [(0, 2), (1, 1), (2, 1), (2000, 1)]


@pytest.mark.parametrize(("wage", "code"), E1_CASES, ids=str)
def test_starting_wage_claims_the_pay1_band_that_holds_it(wage, code):
    assert claim_codes(EMPLOYER, WORKER, {"E1": wage}) == {"PAY1": code}


@pytest.mark.parametrize(("days", "code"), E4_CASES, ids=str)
def test_schedule_notice_claims_the_sch1_band(days, code):
    assert claim_codes(EMPLOYER, WORKER, {"E4": days}) == {"SCH1": code}


@pytest.mark.parametrize(("hours", "code"), E7_CASES, ids=str)
def test_training_hours_claim_skl1_yes_from_one_hour(hours, code):
    assert claim_codes(EMPLOYER, WORKER, {"E7": hours}) == {"SKL1": code}


@pytest.mark.parametrize(
    ("item_id", "answer", "expected"),
    [
        ("E3a_ft", 1, {"BEN1": 1}),  # Yes -> "Yes, and I have it"
        ("E3a_ft", 2, {"BEN1": 4}),  # No -> "No"
        ("E3b_ft", 1, {"BEN2": 1}),
        ("E3b_ft", 2, {"BEN2": 2}),
        ("E3c_ft", 1, {"BEN3": 1}),
        ("E3c_ft", 2, {"BEN3": 2}),
        ("E3d_ft", 1, {"BEN4": 1}),
        ("E3d_ft", 2, {"BEN4": 2}),
        ("E9_together", 1, {"VOI3": 1}),
        ("E9_together", 2, {"VOI3": 2}),
    ],
)
def test_yes_no_answers_claim_code_to_code(item_id, answer, expected):
    assert claim_codes(EMPLOYER, WORKER, {item_id: answer}) == expected


@pytest.mark.parametrize("answer", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("item_id", ["PAY2", "SCH5", "VOI1", "SEC5"])
def test_a_prediction_claims_the_same_code(item_id, answer):
    assert claim_codes(EMPLOYER, WORKER, {f"E15_{item_id}": answer}) == {item_id: answer}


@pytest.mark.parametrize(
    "answers",
    [
        {"E3a_ft": 98},  # Not sure
        {"E9_together": 98},
        {"E15_RES1": 98},
        {"E3a_ft": 0},  # left blank, as in a codes matrix
        {"E3a_ft": None},
        {"E1": None},  # "Not sure" or "Prefer not to say" beside a number box
        {"E4": None},
        {},
    ],
    ids=str,
)
def test_not_sure_or_blank_makes_no_claim(answers):
    assert claim_codes(EMPLOYER, WORKER, answers) == {}


def test_answers_that_claim_nothing_are_ignored():
    answers = {"E13": 40, "E14": 12, "E2": D("16.50"), "E3a_pt": 3, "E3a_wait": 90, "E8": 1}
    assert claim_codes(EMPLOYER, WORKER, answers) == {}


@pytest.mark.parametrize(
    ("answers", "error", "match"),
    [
        ({"E4": 366}, ValueError, "not between 0 and 365"),
        ({"E4": -1}, ValueError, "not between 0 and 365"),
        ({"E4": D("2.5")}, ValueError, "decimal places"),
        ({"E1": D("12.345")}, ValueError, "decimal places"),
        ({"E1": D("0.99")}, ValueError, "not between 1 and 500"),
        ({"E1": D("NaN")}, ValueError, "not between"),
        ({"E1": 12.5}, TypeError, "not an int or Decimal"),
        ({"E4": True}, TypeError, "not an int or Decimal"),
        ({"E3a_ft": 3}, ValueError, "not one of its options"),
        ({"E3a_ft": D(1)}, TypeError, "option code"),
        ({"E99": 1}, ValueError, "has no item 'E99'"),
    ],
    ids=str,
)
def test_impossible_answers_are_errors_not_silence(answers, error, match):
    with pytest.raises(error, match=match):
        claim_codes(EMPLOYER, WORKER, answers)


def test_the_worker_instrument_must_be_the_one_the_file_names():
    with pytest.raises(ValueError, match="mirrors worker-v2, not worker-v1"):
        claim_codes(EMPLOYER, get_instrument("worker", 1), {"E4": 3})


def test_row_follows_gap_item_ids_with_zero_for_no_claim():
    answers = {"E1": D("13.00"), "E4": 14, "E15_PAY2": 4, "E3b_ft": 98}
    row = claim_code_row(EMPLOYER, WORKER, answers)
    expected = dict.fromkeys(gap_item_ids(WORKER), 0) | {"PAY1": 2, "SCH1": 5, "PAY2": 4}
    assert row == tuple(expected.values())


# Scores are the worker-v2 option scores: SCH1 "7 to 13 days" 75, "14 days or more" 100;
# BEN1 "Yes, and I have it" 100, "No" 0; yes_good "Yes" 100, "No" 0; agree5 "Agree" 75,
# "Strongly disagree" 0. PAY1 is scored from its band midpoint over the living wage
# ($15 here): band 2 ($13.50) is 0.9, scored 25; band 10 ($42.50) is 2.83, scored 100.
@pytest.mark.parametrize(
    ("answers", "scores"),
    [
        ({"E4": 13}, {"SCH1": 75.0}),
        ({"E4": 14}, {"SCH1": 100.0}),
        ({"E3a_ft": 1}, {"BEN1": 100.0}),
        ({"E3a_ft": 2}, {"BEN1": 0.0}),
        ({"E3b_ft": 2}, {"BEN2": 0.0}),
        ({"E7": 0}, {"SKL1": 0.0}),
        ({"E7": 8}, {"SKL1": 100.0}),
        ({"E9_together": 1}, {"VOI3": 100.0}),
        ({"E15_PAY2": 4}, {"PAY2": 75.0}),
        ({"E15_RES2": 1}, {"RES2": 0.0}),
        ({"E1": D("12.00")}, {"PAY1": 25.0}),
        ({"E1": 40}, {"PAY1": 100.0}),
    ],
    ids=str,
)
def test_claim_scores_of_the_mapped_codes_are_the_worker_option_scores(answers, scores):
    item_ids = gap_item_ids(WORKER)
    row = claim_code_row(EMPLOYER, WORKER, answers)
    scored = claim_scores(WORKER, item_ids, [row], living_wage=15.0)[0]
    for item_id, value in zip(item_ids, scored, strict=True):
        if item_id in scores:
            assert value == scores[item_id]
        else:
            assert np.isnan(value), item_id
