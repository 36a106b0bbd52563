"""Issue 10: one employer's results page, for its own users and for partnership staff.

Every number on the page is checked against the release stored at close and against
``surveyapp score`` on the wave's export; the pages that must say nothing about an
employer's responses (round open, fewer than k, hidden by complementary suppression)
are checked to read the same whatever the count; every id in every URL is checked.
"""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal

import numpy as np
from sqlalchemy import delete, select

from surveyapp.employer.advice import PRACTICES
from surveyapp.employer.gap_view import gap_lines
from surveyapp.employer.peer_chart import PeerRow, against_peers
from surveyapp.extensions import db
from surveyapp.models import Answer, Employer, Response, StoredRelease, Wave
from surveyapp.results_view import Names
from surveyapp.waves import ensure_links

from ..employer_results_driver import (
    GAP_IDS,
    V2,
    K,
    by_name,
    close,
    employer_client,
    entry_of,
    gaps_offline,
    main_of,
    make_round,
    offline_score,
    page_url,
    reader_text,
    rows,
    score_with_claims,
    send_survey,
    staff_url,
    stored,
)
from ..factories import add_responses
from ..staff_driver import text

NOT_ENOUGH = "not enough responses"
CLOSES = "Results come when the round closes."
HIDDEN = "Results for a workplace are shown only when at least"
DIMENSIONS = [d.id for d in V2.dimensions]


def _names(app, partnership: int) -> list[tuple[int, str]]:
    """(id, name) of the partnership's employers, by name: add_responses's order."""
    with app.app_context():
        found = db.session.execute(
            select(Employer.id, Employer.name)
            .where(Employer.partnership_id == partnership)
            .order_by(Employer.name)
        )
        return [(row.id, row.name) for row in found]


def _one(value: float | None) -> str:
    assert value is not None
    return f"{value:.1f}"


def _add_round(app, partnership: int, name: str, sizes: list[int], seed: int) -> int:
    """Another round of the partnership with these responses, closed; its id."""
    from surveyapp.waves import close_wave

    with app.app_context():
        wave = Wave(partnership_id=partnership, name=name, status="open", min_group_size=K)
        db.session.add(wave)
        db.session.flush()
        ensure_links(db.session, wave)
        db.session.commit()
        add_responses(wave, sizes, seed=seed)
        close_wave(db.session, wave)
        db.session.commit()
        return wave.id


# ------------------------------------------------------------- every number shown


def _check_profile(page: str, entry: dict, peers: dict) -> None:
    profile = rows(page, "profile", small=True)
    for statistic, rank in zip(
        ["jqi", *DIMENSIONS], [entry["percentiles"][0], *entry["percentiles"][1:9]], strict=True
    ):
        estimate = next(e for e in entry["estimates"] if e["statistic"] == statistic)
        peer = peers[statistic]
        label = "Job Quality Index" if statistic == "jqi" else V2.dimension(statistic).name["en"]
        interval = f"{_one(estimate['low'])} – {_one(estimate['high'])}"
        assert profile[label] == [
            f"{_one(estimate['mean'])} 95% interval {interval}",
            f"{_one(peer['median'])} middle half {_one(peer['q1'])} – {_one(peer['q3'])}",
            f"{rank:.0f}",
        ], statistic


def _check_headline(page: str, entry: dict, peers: dict) -> None:
    jqi = entry["estimates"][0]
    assert jqi["statistic"] == "jqi"
    headline = re.search(r'<dd class="jqi">(.*?)<small>', page, re.S)
    assert headline
    assert headline.group(1).strip() == _one(jqi["mean"])
    rank = entry["percentiles"][0]
    words = reader_text(page)
    assert (
        f"Percentile rank {rank:.0f}: higher than about {rank:.0f}% of the"
        f" {peers['jqi']['n_employers']} employers in this round with enough responses."
    ) in words
    assert f"Median of the employers in this round: {_one(peers['jqi']['median'])}" in words
    assert f"{entry['dimensions_at_threshold']} of 8 dimensions score 50 or more." in words
    assert f"Based on {entry['n_responses']} responses from your workers." in words


def _check_strongest_and_start(page: str, entry: dict) -> None:
    means = sorted(
        (e["mean"], DIMENSIONS.index(e["statistic"]), e["statistic"])
        for e in entry["estimates"]
        if e["statistic"] in DIMENSIONS
    )
    strongest, weakest = means[-1], means[0]
    words = reader_text(page)
    name = V2.dimension(strongest[2]).name["en"]
    assert f"Your strongest dimension is {name}, with {_one(strongest[0])}." in words
    name = V2.dimension(weakest[2]).name["en"]
    assert f"Your weakest dimension is {name}, with {_one(weakest[0])}." in words
    start = page.split('id="start-heading"', 1)[1]
    headings = [reader_text(h) for h in re.findall(r"<h3>(.*?)</h3>", start)]
    assert headings == [V2.dimension(m[2]).name["en"] for m in means[:2]]
    for _mean, _order, dimension in means[:2]:
        for practice in PRACTICES[dimension]:
            assert str(practice) in words


def _check_equity(page: str, entry: dict) -> bool:
    """The employer's own language groups as stored; whether the release shows them."""
    language = next(e for e in entry["equity"] if e["grouping"] == "language")
    shown = [e for e in language["estimates"] if e["mean"] is not None]
    section = page.split("Survey language", 1)[1].split("</table>", 1)[0]
    if not shown:
        assert "<table" not in section
        return False
    table = {
        reader_text(m.group(1)): [
            reader_text(re.sub(r"<small>.*?</small>", "", c))
            for c in re.findall(r"<td[^>]*>(.*?)</td>", m.group(2), re.S)
        ]
        for m in re.finditer(r'<th scope="row">(.*?)</th>(.*?)</tr>', section, re.S)
    }
    for group, estimate in zip(language["groups"], language["estimates"], strict=True):
        label = {"en": "English", "es": "Spanish"}[group]
        assert table[label] == [str(estimate["n"]), _one(estimate["mean"])]
    return True


def test_every_number_equals_the_stored_release_and_surveyapp_score(app, tmp_path):
    # Six employers with k or more: a percentile rank needs five peers.
    console, wave_id = make_round(app, [14, 12, 11, 10, 9, 8], close=False)
    # Nobody gives shift, tenure or hours: an employer with one of those tables hidden
    # shows none of its tables (issue 13 audit), and the language one is checked here.
    with app.app_context():
        ids = select(Response.id).where(Response.wave_id == wave_id)
        db.session.execute(
            delete(Answer).where(
                Answer.response_id.in_(ids), Answer.item_id.in_(("SHIFT", "TENURE", "FTPT"))
            )
        )
        db.session.commit()
    close(app, wave_id)
    figures, _parameters = stored(app, wave_id)
    offline = offline_score(app, wave_id, tmp_path)
    peers = {p["statistic"]: p for p in figures["peers"]}
    assert peers == {p["statistic"]: p for p in offline["peers"]}
    employers = _names(app, console.partnership)
    equity_shown = []
    for employer_id, name in employers:
        entry = entry_of(app, wave_id, employer_id)
        assert entry is not None
        assert entry == by_name(offline["employers"])[name]
        client = employer_client(app, console.partnership, employer_id)
        response = client.get(page_url(wave_id))
        assert response.status_code == 200
        page = text(response)
        _check_profile(page, entry, peers)
        _check_headline(page, entry, peers)
        _check_strongest_and_start(page, entry)
        equity_shown.append(_check_equity(page, entry))
        assert 'role="img"' in page
        assert "<title>" in main_of(page)
        # Peers are anonymous: no other employer's name on the page.
        for _other, other_name in employers:
            assert (other_name in page) == (other_name == name)
        # Staff see the very same page (apart from where Back leads and the language link).
        staff_page = text(console.get(staff_url(wave_id, employer_id)))
        assert _without_back(main_of(staff_page)) == _without_back(main_of(page))
    assert any(equity_shown)  # the data exercise a shown breakdown


def _without_back(main: str) -> str:
    return re.sub(r'<a class="back[^"]*" href="[^"]*"', "", main)


# ------------------------------------------------------------- below k, and hidden


def test_hidden_employers_read_the_same_at_0_1_and_k_minus_1_and_when_suppressed(app):
    # Employers by name get these responses; the last is the one we watch. At K-1 (and
    # at 1) it is hidden, and the employer with 8 is hidden with it (complementary
    # suppression); at 0 it has no entry in the release at all.
    console, at_k_minus_1 = make_round(app, [12, 10, 9, 8, K - 1], close=False)
    # Both hidden employers sent their survey: the release holds their claims too.
    for employer_id, _name in _names(app, console.partnership)[3:]:
        send_survey(app, at_k_minus_1, employer_id, SURVEYS[0])
    close(app, at_k_minus_1)
    at_0 = _add_round(app, console.partnership, "Round with none", [12, 10, 9, 8, 0], seed=2)
    at_1 = _add_round(app, console.partnership, "Round with one", [12, 10, 9, 8, 1], seed=3)
    employers = _names(app, console.partnership)
    (suppressed_id, suppressed_name), (watched_id, watched_name) = employers[3], employers[4]
    # What the release holds for them: nothing shown, though it still counts the 8.
    assert entry_of(app, at_0, watched_id) is None
    for wave_id in (at_1, at_k_minus_1):
        entry = entry_of(app, wave_id, watched_id)
        assert entry is not None
        assert all(e["mean"] is None for e in entry["estimates"])
    suppressed = entry_of(app, at_k_minus_1, suppressed_id)
    assert suppressed is not None
    assert suppressed["n_responses"] == 8
    assert any(g["claim"] is not None for g in suppressed["gaps"])
    assert all(e["mean"] is None for e in suppressed["estimates"])

    client = employer_client(app, console.partnership, watched_id)
    pages = {}
    for wave_id in (at_0, at_1, at_k_minus_1):
        response = client.get(page_url(wave_id))
        assert response.status_code == 200
        with app.app_context():
            wave_name = db.session.get(Wave, wave_id).name
        pages[wave_id] = main_of(text(response)).replace(wave_name, "WAVE")
    assert pages[at_0] == pages[at_1] == pages[at_k_minus_1]
    page = pages[at_0]
    assert HIDDEN in page
    # Nothing else: the only number left once the names are gone is k.
    numbers = re.findall(r"\d+", reader_text(page.replace(watched_name, "EMPLOYER")))
    assert numbers == [str(K)]
    for word in ("Percentile", "gap", "Change since", "groups", "Where to start", "<table", "<svg"):
        assert word not in page

    other = employer_client(app, console.partnership, suppressed_id)
    with app.app_context():
        wave_name = db.session.get(Wave, at_k_minus_1).name
    suppressed_page = main_of(text(other.get(page_url(at_k_minus_1))))
    assert (
        suppressed_page.replace(wave_name, "WAVE").replace(suppressed_name, watched_name)
        == pages[at_k_minus_1]
    )


def test_at_k_and_k_plus_1_the_figures_show(app):
    console, wave_id = make_round(app, [12, 10, 9, K + 1, K])
    employers = _names(app, console.partnership)
    for (employer_id, _name), size in zip(employers[3:], (K + 1, K), strict=True):
        entry = entry_of(app, wave_id, employer_id)
        assert entry is not None
        assert entry["n_responses"] == size
        page = text(employer_client(app, console.partnership, employer_id).get(page_url(wave_id)))
        assert HIDDEN not in page
        assert f"Based on {size} responses from your workers." in reader_text(page)
        jqi = re.search(r'<dd class="jqi">(.*?)<small>', page, re.S)
        assert jqi
        assert jqi.group(1).strip() == _one(entry["estimates"][0]["mean"])


# ------------------------------------------------------------- rounds not closed


def test_open_and_draft_rounds_say_only_that_results_come_at_close(app):
    console, wave_id = make_round(app, [12, K - 1], close=False)
    employers = _names(app, console.partnership)
    with app.app_context():
        draft = Wave(partnership_id=console.partnership, name="Draft", status="draft")
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
        wave_name = db.session.get(Wave, wave_id).name
    mains = []
    for employer_id, name in employers:
        client = employer_client(app, console.partnership, employer_id)
        for round_id, round_name in ((wave_id, wave_name), (draft_id, "Draft")):
            response = client.get(page_url(round_id))
            assert response.status_code == 200
            main = main_of(text(response))
            assert CLOSES in main
            mains.append(main.replace(round_name, "WAVE").replace(name, "EMPLOYER"))
    # 12 responses or K-1, open or draft: the same words, and no number at all (rule 9).
    assert len(set(mains)) == 1
    assert not re.findall(r"\d", reader_text(mains[0]))
    staff_main = main_of(text(console.get(staff_url(wave_id, employers[0][0]))))
    assert CLOSES in staff_main


def test_a_closed_round_without_a_stored_release_says_so(app):
    console, wave_id = make_round(app, [6, 6, 6])
    with app.app_context():
        db.session.execute(delete(StoredRelease).where(StoredRelease.wave_id == wave_id))
        db.session.commit()
    employer_id = _names(app, console.partnership)[0][0]
    page = text(employer_client(app, console.partnership, employer_id).get(page_url(wave_id)))
    assert "This round closed before results were stored" in page
    assert "surveyapp results recompute" not in page  # a server command is for staff
    staff_page = text(console.get(staff_url(wave_id, employer_id)))
    assert f"surveyapp results recompute --wave {wave_id}" in staff_page


# ------------------------------------------------------------- access


def test_every_other_id_answers_like_a_missing_page(app):
    console, wave_id = make_round(app, [6, 6, 6])
    mine = _names(app, console.partnership)[0][0]
    theirs = _names(app, console.other)[0][0]
    their_wave = console.wave(console.other)
    employer = employer_client(app, console.partnership, mine)

    missing = employer.get(page_url(999_999))
    assert missing.status_code == 404
    assert employer.get(page_url(wave_id)).status_code == 200
    refused = [
        employer.get(page_url(their_wave)),  # another partnership's round
        employer.get(staff_url(wave_id, mine)),  # a staff page, even about itself
        console.get(page_url(wave_id)),  # staff on the employer page
        console.get(staff_url(their_wave, mine)),  # another partnership's round
        console.get(staff_url(wave_id, theirs)),  # another partnership's employer
        console.get(staff_url(their_wave, theirs)),
        console.get(staff_url(999_999, mine)),
        console.get(staff_url(wave_id, 999_999)),
    ]
    for response in refused:
        assert response.status_code == 404
        assert text(response) == text(missing)
    assert console.get(staff_url(wave_id, mine)).status_code == 200
    signed_out = app.test_client().get(page_url(wave_id))
    assert signed_out.status_code == 302
    assert "/login" in signed_out.location


def test_an_employer_user_sees_its_own_employer_only(app):
    console, wave_id = make_round(app, [7, 6, 6])
    (first, first_name), (second, second_name) = _names(app, console.partnership)[:2]
    page = text(employer_client(app, console.partnership, second).get(page_url(wave_id)))
    assert second_name in page
    assert first_name not in page
    entry = entry_of(app, wave_id, second)
    assert entry is not None
    assert f"Based on {entry['n_responses']} responses" in page


def test_hostile_employer_names_are_escaped(app):
    console, wave_id = make_round(app, [6, 6, 6], close=False)
    employer_id = _names(app, console.partnership)[0][0]
    with app.app_context():
        db.session.get(Employer, employer_id).name = "<script>alert(1)</script>"
        from surveyapp.waves import close_wave

        close_wave(db.session, db.session.get(Wave, wave_id))
        db.session.commit()
    for page in (
        text(employer_client(app, console.partnership, employer_id).get(page_url(wave_id))),
        text(console.get(staff_url(wave_id, employer_id))),
    ):
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ------------------------------------------------------------- trend and language


def test_trend_since_the_previous_round_equals_the_stored_release(app):
    console, first = make_round(app, [12, 10, 9, 8])
    second = _add_round(app, console.partnership, "Second", [11, 10, 9, 7], seed=2)
    employer_id = _names(app, console.partnership)[0][0]
    client = employer_client(app, console.partnership, employer_id)
    assert "There is no earlier closed round to compare with." in text(client.get(page_url(first)))
    page = text(client.get(page_url(second)))
    entry = entry_of(app, second, employer_id)
    assert entry is not None
    trend = {t["statistic"]: t for t in entry["trend"]}
    jqi = trend["jqi"]
    share = f"{100 * (jqi['cliffs_delta'] + 1) / 2:.0f}"
    assert (
        f"Job Quality Index: your workers this round score higher than last round in {share}%"
        f" of comparisons (change {jqi['difference']:+.1f} points)."
    ) in reader_text(page)
    table = rows(page, "trend")
    for statistic in DIMENSIONS:
        t = trend[statistic]
        label = V2.dimension(statistic).name["en"]
        assert table[label] == [
            f"{_one(t['previous']['mean'])} → {_one(t['current']['mean'])}",
            f"{t['difference']:+.1f}",
        ]
    # In Spanish the column is the noun "Cambio" (a difference), not the verb "Cambiar"
    # of the survey's check page.
    spanish = text(client.get(page_url(second) + "?lang=es"))
    head = re.search(r'<table[^>]*id="trend".*?</thead>', spanish, re.S)
    assert head
    assert ">Cambio</th>" in head.group(0)


def test_spanish_pages_write_decimals_with_a_comma(app):
    console, wave_id = make_round(app, [14, 11, 9, 8])
    employer_id = _names(app, console.partnership)[0][0]
    entry = entry_of(app, wave_id, employer_id)
    assert entry is not None
    client = employer_client(app, console.partnership, employer_id)
    page = text(client.get(page_url(wave_id) + "?lang=es"))
    jqi = re.search(r'<dd class="jqi">(.*?)<small>', page, re.S)
    assert jqi
    assert jqi.group(1).strip() == _one(entry["estimates"][0]["mean"]).replace(".", ",")
    assert 'lang="es"' in page
    words = reader_text(page)
    for spanish in ("Su perfil frente a otros empleadores", "Por dónde empezar", "Su puntaje"):
        assert spanish in words
    assert "Your profile" not in words


# ------------------------------------------------------------- gaps


#: Employer survey answers (employer-v1) and the claims they make on the worker items'
#: 0-100 scale, written out by hand: 14 days of notice is SCH1's "14 days or more"
#: (100); a predicted "Strongly agree" is 100, "Neither" 50; BEN2 "Yes" is 100; a $25
#: starting wage is PAY1's "$24 to $26.99" band, 1.06 times the living wage of 24 (50).
SURVEYS = {
    0: {"E4": Decimal(14), "E15_PAY2": 5, "E15_RES1": 3, "E3b_ft": 1, "E1": Decimal("25.00")},
    # Seven workers and yes/no questions: some have fewer than 6 answers that differ.
    4: {"E3b_ft": 1, "E3c_ft": 1, "E3d_ft": 1, "E9_together": 1, "E15_VOI1": 5, "E4": Decimal(3)},
}
CLAIMS = {
    0: {"SCH1": 100.0, "PAY2": 100.0, "RES1": 50.0, "BEN2": 100.0, "PAY1": 50.0},
    4: {"BEN2": 100.0, "BEN3": 100.0, "BEN4": 100.0, "VOI3": 100.0, "VOI1": 100.0, "SCH1": 50.0},
}
STATES = {"flagged", "tested", "too_few"}


def _gap_blocks(page: str) -> list[tuple[str, str, str]]:
    """(state, question, sentences) of each gap on the page, in page order."""
    return [
        (state, reader_text(question), reader_text(words))
        for state, question, words in re.findall(
            r'<div class="gap gap--(\w+)"><h3>(.*?)</h3>(.*?)</div>', page, re.S
        )
    ]


def _expected_sentences(gap: dict) -> tuple[str, str]:
    """The state and the sentences a stored gap result must read as."""
    share = f"{100 * gap['share_below']:.0f}%"
    median = gap["median_gap"]
    if median < 0:
        middle = f"The middle answer is {-median:.1f} points below yours."
    elif median > 0:
        middle = f"The middle answer is {median:.1f} points above yours."
    else:
        middle = "The middle answer is the same as yours."
    if gap["note"] == "too few to test":
        state = "too_few"
        verdict = "Too few to test: fewer than 6 of your workers answered differently"
    elif gap["flagged"]:
        state = "flagged"
        less = "less" if median < 0 else "more"
        verdict = f"A clear gap: your workers report {less} than you said."
    else:
        state = "tested"
        verdict = "No clear gap: the difference is under 10 points or could be chance."
    workers = (
        f"{share} of the {gap['n']} workers who answered gave an answer below yours on the"
        " 0 to 100 scale."
    )
    return state, f"{workers} {middle} {verdict}"


def test_gap_sentences_restate_the_gap_tests_of_the_stored_release(app, tmp_path):
    sizes = [14, 12, 11, 10, 7]
    console, wave_id = make_round(app, sizes, close=False)
    employers = _names(app, console.partnership)
    for index, answers in SURVEYS.items():
        send_survey(app, wave_id, employers[index][0], answers)
    close(app, wave_id)
    figures, parameters = stored(app, wave_id)
    # The gap numbers are employer_gaps called directly on the export's answers with the
    # hand-written claims, and what `surveyapp score` computes with those claims.
    claims = np.full((len(employers), len(GAP_IDS)), np.nan)
    for index, claimed in CLAIMS.items():
        for item_id, value in claimed.items():
            claims[index, GAP_IDS.index(item_id)] = value
    direct = gaps_offline(app, wave_id, tmp_path, claims)
    offline = score_with_claims(app, wave_id, tmp_path, claims)
    assert parameters["employer_ids"] == [e[0] for e in employers]
    seen: set[str] = set()
    for index, (employer_id, name) in enumerate(employers):
        entry = entry_of(app, wave_id, employer_id)
        assert entry is not None
        assert entry["gaps"] == by_name(offline["employers"])[name]["gaps"]
        assert entry["gaps"] == [
            json.loads(json.dumps(dataclasses.asdict(g))) for g in direct[index]
        ]
        page = text(employer_client(app, console.partnership, employer_id).get(page_url(wave_id)))
        blocks = _gap_blocks(page)
        claimed = [g for g in entry["gaps"] if g["claim"] is not None]
        assert len(blocks) == len(claimed) == len(CLAIMS.get(index, {}))
        if not claimed:
            assert "Nothing to compare" in page
            continue
        on_page = {question: (state, words) for state, question, words in blocks}
        for gap in claimed:
            state, words = _expected_sentences(gap)
            question = V2.item(gap["item_id"]).text["en"]
            assert on_page[question][0] == state, gap
            assert words in on_page[question][1], (words, on_page[question][1])
            seen.add(state)
        # Clear gaps first; "too few to test" never reads as "no gap".
        order = [state for state, _q, _w in blocks]
        assert order == sorted(order, key=["flagged", "tested", "too_few", "hidden"].index)
        assert "no gap" not in reader_text(page).lower()
    assert seen == STATES  # the data above exercise every verdict


# ------------------------------------------------------------- the chart


def test_peer_chart_draws_shown_figures_only_and_escapes_labels():
    chart = against_peers(
        [
            PeerRow("<b>Pay</b>", 40.0, 30.0, 50.0, 60.0, 55.0, 65.0),
            PeerRow("Hidden", None, None, None, 60.0, 55.0, 65.0),
        ],
        "Scores & peers",
        50.0,
    )
    assert "<b>" not in chart
    assert "&lt;b&gt;Pay&lt;/b&gt;" in chart
    assert 'aria-label="Scores &amp; peers"' in chart
    assert chart.count("<circle") == 1  # the hidden row draws no dot, no whisker
    assert chart.count("<path") == 1
    assert chart.count("<rect") == 2  # both rows show the peers' band
    # 40 on 0-100 between x = 10 and 620: 10 + 610 * 0.4.
    assert 'cx="254.0"' in chart
    assert "style=" not in chart  # the Content Security Policy forbids it


def test_gap_lines_hidden_and_too_few_read_as_such(sqlite_app):
    """Straight from gap results: a hidden gap says nothing but the claim; "too few to
    test" keeps its numbers (from k or more workers) but never reads as "no gap"."""
    base = {"item_id": "BEN2", "claim": 100.0, "p_value": None, "p_adjusted": None}
    hidden = {**base, "n": None, "median_gap": None, "share_below": None, "flagged": None}
    hidden["note"] = NOT_ENOUGH
    too_few = {**base, "n": 7, "median_gap": -100.0, "share_below": 5 / 7, "flagged": None}
    too_few["note"] = "too few to test"
    flagged = {**too_few, "item_id": "PAY2", "p_value": 0.001, "p_adjusted": 0.002}
    flagged.update(flagged=True, note=None, median_gap=-25.0)
    no_claim = {**hidden, "item_id": "SCH1", "claim": None}
    with sqlite_app.test_request_context("/"):
        names = Names(V2)
        lines = gap_lines([hidden, too_few, no_claim, flagged], names, 24.0)
    assert [line.state for line in lines] == ["flagged", "too_few", "hidden"]
    flagged_line, too_few_line, hidden_line = lines
    assert flagged_line.verdict == "A clear gap: your workers report less than you said."
    assert too_few_line.verdict is not None
    assert too_few_line.verdict.startswith("Too few to test")
    assert "71% of the 7 workers" in too_few_line.sentences[1]
    assert hidden_line.sentences == ("You said: “Yes”.",)
    assert hidden_line.verdict is None
    for line in lines:
        assert "no gap" not in " ".join([*line.sentences, line.verdict or ""]).lower()
