"""The sector brief's own tables (surveyapp/reports/sector_figures.py): what each may show.

Every case is worked out by hand from the rule in the module's docstring: a group's
count is shown when it is at least k and, for every employer in it, the total minus
that employer's count is 0 or at least k; with the total shown, the bands left
hidden must pass the same rule together, or the smallest shown band is hidden too.
"""

from __future__ import annotations

import itertools
import random

import pytest

from surveyapp.reports.sector_figures import (
    BandRow,
    band_table,
    effect_size,
    gap_counts,
    spread_values,
)

K = 5
ORDER = ("1-49", "50-249", "250-999", "1000+")


def _shown(table) -> dict[str, int | None]:
    return {row.band: row.responses for row in table.rows}


def test_bands_at_or_above_k_are_shown_with_their_employers_and_the_total():
    table = band_table([("50-249", 40), ("1-49", 6), ("50-249", 30), ("1000+", 200)], K, ORDER)
    assert table.rows == (
        BandRow("1-49", 1, 6),
        BandRow("50-249", 2, 70),
        BandRow("1000+", 1, 200),
    )
    assert table.total == 276
    assert table.total_employers == 4


def test_a_band_below_k_is_hidden_and_so_are_others_until_the_rest_is_safe():
    """3 alone is recoverable as total minus the shown bands, so the next smallest (6)
    is hidden too; but the employer with 6 would read 9 - 6 = 3 off that pair, so the
    200 goes as well and only the total is left."""
    table = band_table([("1-49", 3), ("50-249", 6), ("1000+", 200)], K, ORDER)
    assert _shown(table) == {"1-49": None, "50-249": None, "1000+": None}
    assert table.total == 209
    # With two employers of 6 the hidden pair (6 + 6) leaves each one 6: safe.
    table = band_table([("1-49", 3), ("50-249", 6), ("50-249", 6), ("1000+", 200)], K, ORDER)
    assert _shown(table) == {"1-49": None, "50-249": None, "1000+": 200}


def test_a_band_whose_member_could_subtract_itself_is_hidden():
    """66 + 4 = 70 is at least k, but the employer with 66 saw its own count while the
    round was open, and 70 - 66 = 4 would be the other employer's count."""
    table = band_table([("1-49", 66), ("1-49", 4), ("50-249", 300), ("1000+", 500)], K, ORDER)
    shown = _shown(table)
    assert shown["1-49"] is None
    # The hidden 1-49 band (70) is recoverable from the total, and 70 - 66 = 4 again:
    # the smallest shown band is hidden with it.
    assert shown["50-249"] is None
    assert shown["1000+"] == 500
    assert table.total == 870


def test_employers_with_no_responses_count_as_employers_and_hide_nothing():
    table = band_table([("1-49", 0), ("1-49", 12), ("1000+", 40), ("1000+", 0)], K, ORDER)
    assert table.rows == (BandRow("1-49", 2, 12), BandRow("1000+", 2, 40))
    assert table.total == 52


def test_a_band_with_no_responses_reads_not_enough_but_needs_no_complement():
    table = band_table([("1-49", 0), ("50-249", 12), ("1000+", 40)], K, ORDER)
    assert _shown(table) == {"1-49": None, "50-249": 12, "1000+": 40}


def test_no_size_given_is_a_band_of_its_own_and_comes_last():
    table = band_table([("", 20), ("1000+", 40), ("other", 30)], K, ORDER)
    assert [row.band for row in table.rows] == ["1000+", "other", ""]


def test_the_total_is_hidden_when_one_employer_could_subtract_itself_from_it():
    table = band_table([("1-49", 40), ("50-249", 3)], K, ORDER)
    assert table.total is None
    assert _shown(table) == {"1-49": 40, "50-249": None}


@pytest.mark.parametrize("seed", range(40))
def test_no_shown_count_or_difference_reveals_a_count_below_k(seed):
    """An audit by brute force: every group whose count can be worked out from what is
    shown (any sum of shown bands; the total minus any of them), minus any one of its
    employers' own count, leaves 0 or at least k."""
    rng = random.Random(seed)
    members = [
        (rng.choice(ORDER), rng.choice([0, 1, 2, 4, 5, 6, 9, 30, 66]))
        for _ in range(rng.randint(2, 9))
    ]
    table = band_table(members, K, ORDER)
    shown = [row.band for row in table.rows if row.responses is not None]
    everyone = [n for _band, n in members]
    derivable = []
    for size in range(1, len(shown) + 1):
        for bands in itertools.combinations(shown, size):
            derivable.append([n for band, n in members if band in bands])
    if table.total is not None:
        derivable.append(everyone)
        for size in range(1, len(shown) + 1):
            for bands in itertools.combinations(shown, size):
                derivable.append([n for band, n in members if band not in bands])
    for counts in derivable:
        if sum(counts) == 0:
            continue
        for own in counts:
            left = sum(counts) - own
            assert left == 0 or left >= K, (members, counts)


# -- gaps across employers ---------------------------------------------------------------


def _gap(item, *, claim=100.0, n=12, median=-25.0, flagged=True, note=None):
    return {
        "item_id": item,
        "claim": claim,
        "n": n,
        "median_gap": median,
        "share_below": 0.5,
        "p_value": 0.01,
        "p_adjusted": 0.02,
        "flagged": flagged,
        "note": note,
    }


def test_gap_counts_tally_verdicts_per_question_without_names():
    entries = [
        {"employer": "A", "gaps": [_gap("PAY2"), _gap("BEN2", median=10.0)]},
        {"employer": "B", "gaps": [_gap("PAY2", flagged=False, median=-5.0), _gap("BEN2")]},
        {"employer": "C", "gaps": [_gap("PAY2", flagged=None, note="too few to test")]},
        {"employer": "D", "gaps": [_gap("PAY2", claim=None), _gap("BEN2", n=None, median=None)]},
    ]
    counts = {c.item_id: c for c in gap_counts(entries)}
    pay = counts["PAY2"]
    assert (pay.compared, pay.less, pay.more, pay.no_clear, pay.too_few) == (3, 1, 0, 1, 1)
    # BEN2: A's is a clear gap upward, B's downward, D's is hidden: 2 employers, too few.
    ben = counts["BEN2"]
    assert ben.compared == 2
    assert (ben.less, ben.more, ben.no_clear, ben.too_few) == (None, None, None, None)
    assert [c.item_id for c in gap_counts(entries)] == ["PAY2", "BEN2"]


def test_no_claims_no_rows():
    assert gap_counts([{"gaps": [_gap("PAY2", claim=None)]}, {"gaps": []}]) == []


# -- the spread ---------------------------------------------------------------------------


def _entry(jqi):
    return {"estimates": [{"statistic": "jqi", "mean": jqi}, {"statistic": "pay", "mean": 1.0}]}


def test_spread_values_are_the_shown_jqis_sorted_and_need_a_peer_median():
    figures = {"peers": [{"statistic": "jqi", "median": 50.0, "q1": 40.0, "q3": 60.0}]}
    assert spread_values(figures, [_entry(70.0), _entry(None), _entry(40.5)]) == [40.5, 70.0]
    hidden_peers = {"peers": [{"statistic": "jqi", "median": None, "q1": None, "q3": None}]}
    assert spread_values(hidden_peers, [_entry(70.0), _entry(40.5)]) == []


@pytest.mark.parametrize(
    ("delta", "word"),
    [
        (None, None),
        (0.0, "negligible"),
        (-0.146, "negligible"),
        (0.147, "small"),
        (-0.329, "small"),
        (0.33, "medium"),
        (0.473, "medium"),
        (-0.474, "large"),
        (1.0, "large"),
    ],
)
def test_effect_size_words_follow_romano(delta, word):
    assert effect_size(delta) == word
