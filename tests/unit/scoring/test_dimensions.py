"""Dimension scores, JQI and dimensions at threshold, against hand values and a naive
per-response reference written independently here (a plain Python loop)."""

from __future__ import annotations

import copy
import dataclasses
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.scoring import ScoringPlan, dimensions, score_responses

from .conftest import make_wave

LIVING_WAGE = 18.0


def naive_scores(instrument, item_ids, row, living_wage):
    """Reference: the DESIGN.md rules applied to one response, in plain Python."""
    answers = dict(zip(item_ids, row, strict=True))

    def item_score(item, code):
        option = next((o for o in item.options if o.code == code), None)
        if code == 0 or option is None or option.missing:
            return None
        if item.scoring == "living_wage_ratio":
            ratio = option.hourly / living_wage
            score = next(b.score for b in item.bands if b.below is None or ratio < b.below)
        else:
            score = option.score
        return 100 - score if item.direction == "reverse" else score

    dims = []
    for dimension in instrument.dimensions:
        items = instrument.items_in(dimension.id)
        got = [s for i in items if (s := item_score(i, int(answers[i.id]))) is not None]
        need = math.ceil(instrument.settings.min_item_share * len(items))
        dims.append(sum(got) / len(got) if len(got) >= need else None)
    scored = [(d, dim) for d, dim in zip(dims, instrument.dimensions, strict=True) if d is not None]
    if len(scored) < instrument.settings.min_dimensions:
        return dims, None, None
    jqi = sum(d * dim.weight for d, dim in scored) / sum(dim.weight for _, dim in scored)
    at = sum(d >= instrument.threshold_for(dim.id) for d, dim in scored)
    return dims, jqi, at


def first_codes(instrument, item_ids):
    """A valid answer to every item: its first real option."""
    return {i: next(o.code for o in instrument.item(i).options if not o.missing) for i in item_ids}


def test_hand_computed_response(worker, item_ids):
    """One response worked by hand.

    Pay: PAY1 code 5 (22.5/18 = 1.25 -> 75), PAY2 4 (75), PAY3 2 reversed (75), PAY4
    blank -> 3 of 4 answered, mean 75. Benefits: BEN1 1 (100), BEN2 2 (0), BEN3 98
    (not sure), BEN4 0, BEN5 99 -> 2 of 5 answered, below half: missing. Every other
    dimension: agree/often items at code 3 (50, reversed 50), yes/no items 'Yes'/'No'.
    """
    answers = dict.fromkeys(item_ids, 3)
    answers.update(PAY1=5, PAY2=4, PAY3=2, PAY4=0, BEN1=1, BEN2=2, BEN3=98, BEN4=0, BEN5=99)
    # schedule: SCH1 3 (50), SCH3 1 'same' (100), SCH4 3 (50), SCH5 3, SCH6 3 -> 300/5 = 60
    # safety: SAF1 3 (50), SAF2 2 'No' (100), SAF3 3, SAF4 3 (50 each), SAF5 3 -> 300/5 = 60
    answers.update(SCH3=1, SAF2=2)
    # skills: SKL1 1 'Yes' (100), SKL2-5 3 -> 300/5 = 60; voice: VOI3 2 'No' (0) -> 150/4
    answers.update(SKL1=1, VOI3=2)
    # respect: RES3 2 'No' (100) -> 250/4 = 62.5; security: SEC1 3 (50), SEC2 1 (100) -> 60
    answers.update(RES3=2, SEC2=1, SHIFT=1, TENURE=2, FTPT=1, G1=4, SCH2=4)
    row = np.array([[answers[i] for i in item_ids]])
    result = score_responses(worker, row, item_ids, living_wage=LIVING_WAGE)
    expected = [75.0, np.nan, 60.0, 60.0, 60.0, 37.5, 62.5, 60.0]
    np.testing.assert_array_equal(result.dimensions[0], expected)
    # JQI over the 7 scored dimensions (>= 6): (75 + 60*4 + 37.5 + 62.5) / 7
    assert result.jqi[0] == pytest.approx((75 + 240 + 37.5 + 62.5) / 7, rel=1e-15)
    # at threshold 50: pay, schedule, safety, skills, respect, security = 6 (voice 37.5)
    assert result.at_threshold[0] == 6.0


def test_jqi_needs_six_dimensions(worker, item_ids):
    """With only 5 scored dimensions the JQI and the threshold count are missing."""
    answers = first_codes(worker, item_ids)
    for dim in ("pay", "benefits", "schedule"):
        for item in worker.items_in(dim):
            answers[item.id] = 0
    row = np.array([[answers[i] for i in item_ids]])
    result = score_responses(worker, row, item_ids, living_wage=LIVING_WAGE)
    assert np.isnan(result.dimensions[0, :3]).all()
    assert np.isnan(result.jqi[0])
    assert np.isnan(result.at_threshold[0])


def test_half_the_items_is_enough(worker, item_ids):
    """Voice has 4 items: 2 answered gives a score, 1 does not."""
    answers = first_codes(worker, item_ids)
    answers.update(VOI1=5, VOI2=1, VOI3=0, VOI4=99)
    two = score_responses(
        worker, [[answers[i] for i in item_ids]], item_ids, living_wage=LIVING_WAGE
    )
    assert two.dimensions[0, 5] == 50.0  # (100 + 0) / 2
    answers.update(VOI2=0)
    one = score_responses(
        worker, [[answers[i] for i in item_ids]], item_ids, living_wage=LIVING_WAGE
    )
    assert np.isnan(one.dimensions[0, 5])


def test_weights_and_thresholds_from_the_instrument(worker, item_ids):
    """A weight of 3 on pay and a threshold of 80 on schedule change JQI and the count."""
    dims = tuple(
        dataclasses.replace(d, weight=3.0)
        if d.id == "pay"
        else dataclasses.replace(d, threshold=80.0)
        if d.id == "schedule"
        else d
        for d in worker.dimensions
    )
    weighted = dataclasses.replace(worker, dimensions=dims)
    codes, _ = make_wave(worker, 1, 200, seed=11)
    got = score_responses(weighted, codes, item_ids, living_wage=LIVING_WAGE)
    for row, jqi, at in zip(codes[:50], got.jqi[:50], got.at_threshold[:50], strict=True):
        _, want_jqi, want_at = naive_scores(weighted, item_ids, row, LIVING_WAGE)
        if want_jqi is None:
            assert np.isnan(jqi)
            assert np.isnan(at)
        else:
            assert jqi == pytest.approx(want_jqi, rel=1e-12)
            assert at == want_at


def test_matches_naive_reference_on_a_synthetic_wave(worker, item_ids):
    """Every response of a random wave agrees with the plain-Python reference (1e-12)."""
    codes, _ = make_wave(worker, 4, 150, seed=5, missing=0.25)
    got = score_responses(worker, codes, item_ids, living_wage=LIVING_WAGE)
    for r, row in enumerate(codes):
        dims, jqi, at = naive_scores(worker, item_ids, row, LIVING_WAGE)
        want = np.array([np.nan if d is None else d for d in dims])
        np.testing.assert_allclose(got.dimensions[r], want, rtol=1e-12, atol=0)
        if jqi is None:
            assert np.isnan(got.jqi[r])
            assert np.isnan(got.at_threshold[r])
        else:
            assert got.jqi[r] == pytest.approx(jqi, rel=1e-12)
            assert got.at_threshold[r] == at


def test_combination_tables_and_direct_path_agree_exactly(worker, item_ids):
    """The fast table path and the direct path do the same arithmetic: equal bit for bit."""
    codes, _ = make_wave(worker, 3, 3000, seed=8, missing=0.3)
    plan = ScoringPlan(worker, item_ids, living_wage=LIVING_WAGE)
    assert plan.uses_combination_tables
    fast, direct = plan.score(codes), plan.score(codes, direct=True)
    for name in ("dimensions", "jqi", "at_threshold"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(direct, name))


def with_thirds(instrument, dimension_ids):
    """The instrument with the option scores of these dimensions' items divided by 3.

    Scores such as 8.333... are not whole numbers, so those dimensions get mixed-radix
    keys instead of sum-and-count keys, and too many keys to share a look-up.
    """

    def thirds(item):
        if item.dimension not in dimension_ids or item.scoring != "options":
            return item
        options = tuple(
            dataclasses.replace(o, score=None if o.score is None else o.score / 3)
            for o in item.options
        )
        return dataclasses.replace(item, options=options)

    return dataclasses.replace(instrument, items=tuple(thirds(i) for i in instrument.items))


ALL_DIMENSIONS = ("pay", "benefits", "schedule", "safety", "skills", "voice", "respect", "security")


@pytest.mark.parametrize(
    ("thirds", "groups"),
    [
        ((), ((0, 1), (2, 3), (4, 5), (6, 7))),
        (("pay",), ((0,), (1, 2), (3, 4), (5, 6), (7,))),
        (ALL_DIMENSIONS, tuple((d,) for d in range(8))),
    ],
)
def test_key_encodings_and_groups_agree_with_the_reference(worker, item_ids, thirds, groups):
    """Sum-and-count keys (whole-number scores), mixed-radix keys (others), dimensions
    paired or alone: the table path equals the direct path bit for bit, and the
    plain-Python reference to 1e-12."""
    instrument = with_thirds(worker, thirds)
    plan = ScoringPlan(instrument, item_ids, living_wage=LIVING_WAGE)
    assert plan.groups == groups
    assert plan.uses_combination_tables
    codes, _ = make_wave(worker, 2, 1500, seed=4, missing=0.3)
    fast, direct = plan.score(codes), plan.score(codes, direct=True)
    for name in ("dimensions", "jqi", "at_threshold"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(direct, name))
    for r, row in enumerate(codes[:150]):
        dims, jqi, at = naive_scores(instrument, item_ids, row, LIVING_WAGE)
        want = np.array([np.nan if d is None else d for d in dims])
        np.testing.assert_allclose(fast.dimensions[r], want, rtol=1e-12, atol=0)
        if jqi is None:
            assert np.isnan(fast.jqi[r])
        else:
            assert fast.jqi[r] == pytest.approx(jqi, rel=1e-12)
            assert fast.at_threshold[r] == at


def test_scores_are_the_same_in_blocks_of_any_size(worker, item_ids, monkeypatch):
    """Scratch arrays are reused from block to block and call to call: a wave scored in
    uneven blocks, then a smaller one, and by a copy of the plan, gives the
    same numbers as in one block."""
    codes, _ = make_wave(worker, 3, 700, seed=6, missing=0.2)
    plan = ScoringPlan(worker, item_ids, living_wage=LIVING_WAGE)
    whole = plan.score(codes)
    monkeypatch.setattr(dimensions, "_BLOCK", 256)
    small = ScoringPlan(worker, item_ids, living_wage=LIVING_WAGE)
    duplicate = copy.deepcopy(small)  # as pickle copies it: without the scratch arrays
    for scores in (
        small.score(codes),
        small.score(codes[:300]),
        plan.score(codes[:1]),
        duplicate.score(codes),
    ):
        n = scores.jqi.size
        np.testing.assert_array_equal(scores.dimensions, whole.dimensions[:n])
        np.testing.assert_array_equal(scores.jqi, whole.jqi[:n])
        np.testing.assert_array_equal(scores.at_threshold, whole.at_threshold[:n])


def test_one_plan_scores_on_several_threads(worker, item_ids):
    """Each thread gets its own scratch arrays: concurrent calls do not mix."""
    plan = ScoringPlan(worker, item_ids, living_wage=LIVING_WAGE)
    waves = [make_wave(worker, 2, 3000, seed=s, missing=0.2)[0] for s in range(4)]
    alone = [plan.score(codes).jqi for codes in waves]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda codes: plan.score(codes).jqi, waves * 3))
    for got, want in zip(together, alone * 3, strict=True):
        np.testing.assert_array_equal(got, want)


def test_columns_in_any_order_with_int32(worker, item_ids):
    """Columns are matched by item id, not position; int32 codes work as int16 ones."""
    codes, _ = make_wave(worker, 2, 100, seed=2)
    order = np.random.default_rng(0).permutation(len(item_ids))
    shuffled_ids = [item_ids[j] for j in order]
    a = score_responses(worker, codes, item_ids, living_wage=LIVING_WAGE)
    b = score_responses(
        worker, codes[:, order].astype(np.int32), shuffled_ids, living_wage=LIVING_WAGE
    )
    np.testing.assert_array_equal(a.dimensions, b.dimensions)
    np.testing.assert_array_equal(a.jqi, b.jqi)


def test_missing_scored_column_is_an_error(worker, item_ids):
    ids = [i for i in item_ids if i != "SAF3"]
    with pytest.raises(ValueError, match="'SAF3' of dimension 'safety'"):
        ScoringPlan(worker, ids, living_wage=LIVING_WAGE)


def test_invalid_code_is_named_in_a_large_block(worker, item_ids):
    codes, _ = make_wave(worker, 1, 9000, seed=1)
    codes[8123, item_ids.index("SEC2")] = 5
    with pytest.raises(ValueError, match=r"row 8123, item 'SEC2': code 5"):
        score_responses(worker, codes, item_ids, living_wage=LIVING_WAGE)
    codes[8123, item_ids.index("SEC2")] = 1
    codes[10, item_ids.index("FTPT")] = -1
    with pytest.raises(ValueError, match=r"row 10, item 'FTPT': code -1"):
        score_responses(worker, codes, item_ids, living_wage=LIVING_WAGE)


def test_empty_input(worker, item_ids):
    result = score_responses(
        worker, np.zeros((0, len(item_ids)), np.int16), item_ids, living_wage=LIVING_WAGE
    )
    assert result.dimensions.shape == (0, 8)
    assert result.jqi.shape == (0,)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60))
def test_permuting_respondents_permutes_scores(worker, item_ids, seed, n):
    """Property: per-response scores depend on the response only (exactly)."""
    codes, _ = make_wave(worker, 1, n, seed=seed % 1000, missing=0.2)
    perm = np.random.default_rng(seed).permutation(n)
    a = score_responses(worker, codes, item_ids, living_wage=LIVING_WAGE)
    b = score_responses(worker, codes[perm], item_ids, living_wage=LIVING_WAGE)
    np.testing.assert_array_equal(a.dimensions[perm], b.dimensions)
    np.testing.assert_array_equal(a.jqi[perm], b.jqi)
    finite = a.dimensions[~np.isnan(a.dimensions)]
    assert np.all((finite >= 0) & (finite <= 100))
