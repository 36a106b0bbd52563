"""Issue 11: the sector brief and the employer brief as PDF, from the routes and the CLI.

Every PDF is opened with pypdf and its numbers compared with the release stored at
close and with the results pages; hidden figures are checked absent, the hidden
employer's brief the same whatever its count, the sector brief free of employer
names, every id of every route checked, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from sqlalchemy import delete, select

from surveyapp.employer.advice import PRACTICES
from surveyapp.employer.gap_view import gap_lines
from surveyapp.extensions import db
from surveyapp.models import Employer, StoredRelease, Wave
from surveyapp.results_view import Names
from surveyapp.waves import close_wave, ensure_links

from ..employer_results_driver import (
    V2,
    K,
    close,
    employer_client,
    entry_of,
    make_round,
    page_url,
    rows,
    send_survey,
    staff_url,
    stored,
)
from ..factories import add_responses
from ..staff_driver import Console, text
from .test_employer_results import SURVEYS

DIMENSIONS = [d.id for d in V2.dimensions]
NOT_ENOUGH = "not enough responses"


def _reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def _flat(data: bytes) -> str:
    """Every page's text on one line, runs of whitespace as single spaces."""
    return " ".join(" ".join(page.extract_text() for page in _reader(data).pages).split())


def _one(value: float) -> str:
    return f"{value:.1f}"


def _names(app, partnership: int) -> list[tuple[int, str]]:
    """(id, name) of the partnership's employers by name: add_responses's order."""
    with app.app_context():
        found = db.session.execute(
            select(Employer.id, Employer.name)
            .where(Employer.partnership_id == partnership)
            .order_by(Employer.name)
        )
        return [(row.id, row.name) for row in found]


def _wave_name(app, wave_id: int) -> str:
    with app.app_context():
        return db.session.get(Wave, wave_id).name


def _brief_url(wave_id: int, employer_id: int | None = None) -> str:
    if employer_id is None:
        return f"/staff/waves/{wave_id}/brief.pdf"
    return f"/staff/waves/{wave_id}/employers/{employer_id}/brief.pdf"


def _own_url(wave_id: int) -> str:
    return f"/employer/waves/{wave_id}/brief.pdf"


def _pdf(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="[a-z0-9-]+\.pdf"', disposition), disposition
    return response.data


def _add_round(app, partnership: int, name: str, sizes: list[int], seed: int) -> int:
    """Another closed round of the partnership with these responses; its id."""
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


def _surveyed_round(app, sizes: list[int], surveyed: dict[int, int]) -> tuple[Console, int]:
    """make_round's partnership and wave, the i-th employer sending SURVEYS[j] for each
    i: j in ``surveyed``, then closed."""
    console, wave_id = make_round(app, sizes, close=False)
    employers = _names(app, console.partnership)
    for index, survey in surveyed.items():
        send_survey(app, wave_id, employers[index][0], SURVEYS[survey])
    close(app, wave_id)
    return console, wave_id


# ------------------------------------------------------------- the employer brief


def _profile_row(label: str, estimate: dict, peer: dict, rank: float) -> str:
    interval = f"{_one(estimate['low'])} – {_one(estimate['high'])}"
    middle = f"middle half {_one(peer['q1'])} – {_one(peer['q3'])}"
    return f"{label} {_one(estimate['mean'])} {interval} {_one(peer['median'])} {middle} {rank:.0f}"


def _check_employer_brief(app, flat: str, figures: dict, entry: dict, page: str) -> None:
    peers = {p["statistic"]: p for p in figures["peers"]}
    own = {e["statistic"]: e for e in entry["estimates"]}
    ranks = dict(zip(figures["statistics"], entry["percentiles"], strict=True))
    jqi = own["jqi"]
    assert f"Based on {entry['n_responses']} responses from your workers." in flat
    assert (
        f"Job Quality Index {_one(jqi['mean'])} (95% interval {_one(jqi['low'])} –"
        f" {_one(jqi['high'])})"
    ) in flat
    assert (
        f"Percentile rank {ranks['jqi']:.0f}: higher than about {ranks['jqi']:.0f}% of the"
        f" {peers['jqi']['n_employers']} employers in this round with enough responses."
        f" Median of the employers in this round: {_one(peers['jqi']['median'])}"
    ) in flat
    assert f"{entry['dimensions_at_threshold']} of 8 dimensions score 50 or more." in flat
    for statistic in ["jqi", *DIMENSIONS]:
        label = "Job Quality Index" if statistic == "jqi" else V2.dimension(statistic).name["en"]
        row = _profile_row(label, own[statistic], peers[statistic], ranks[statistic])
        assert row in flat, row
    # The page's own table reads the same numbers.
    for label, cells in rows(page, "profile", small=True).items():
        mean, interval = cells[0].split(" 95% interval ")
        assert f"{label} {mean} {interval} {cells[1]} {cells[2]}" in flat, label
    means = sorted(
        (own[d]["mean"], i, d) for i, d in enumerate(DIMENSIONS) if own[d]["mean"] is not None
    )
    for _mean, _order, dimension in means[:2]:  # where to start: the two weakest
        assert f"{V2.dimension(dimension).name['en']} • {PRACTICES[dimension][0]}" in flat
        for practice in PRACTICES[dimension]:
            assert " ".join(str(practice).split()) in flat
    with app.test_request_context("/"):
        lines = gap_lines(entry["gaps"], Names(V2), 24.0)
    positions = []
    for line in lines:
        said = f"{line.question} {' '.join(line.sentences)}"
        assert said in flat, said
        positions.append((flat.index(said), line.state))
        if line.verdict:
            assert line.verdict in flat
    # Clear gaps first, then no clear gap, then too few to test, as on the page.
    order = [state for _at, state in sorted(positions)]
    assert order == sorted(order, key=["flagged", "tested", "too_few", "hidden"].index)
    assert "no gap" not in flat.lower()


def test_employer_brief_numbers_equal_the_stored_release_and_the_page(app):
    # Six employers with k or more (a percentile rank needs five peers); two sent their
    # employer survey, so the brief has gap sentences of every kind.
    console, wave_id = _surveyed_round(app, [14, 12, 11, 10, 9, 7], {0: 0, 5: 4})
    figures, _parameters = stored(app, wave_id)
    employers = _names(app, console.partnership)
    for index in (0, 5, 2):
        employer_id, name = employers[index]
        entry = entry_of(app, wave_id, employer_id)
        assert entry is not None
        client = employer_client(app, console.partnership, employer_id)
        page = text(client.get(page_url(wave_id)))
        response = client.get(_own_url(wave_id))
        data = _pdf(response)
        assert response.headers["Content-Disposition"].startswith('attachment; filename="brief-')
        assert 2 <= len(_reader(data).pages) <= 3
        flat = _flat(data)
        _check_employer_brief(app, flat, figures, entry, page)
        if index == 2:
            assert "Nothing to compare: this round's results hold no answers" in flat
        # Peers are anonymous: no other employer is named.
        for _other, other_name in employers:
            assert (other_name in flat) == (other_name == name)
        # Staff download the very same file (apart from its creation second).
        staff = _pdf(console.get(_brief_url(wave_id, employer_id)))
        assert _flat(staff) == flat
        shared = _pdf(console.get(f"{_own_url(wave_id)}?employer={employer_id}"))
        assert _flat(shared) == flat


def test_trend_in_both_briefs_equals_the_stored_release(app):
    console, first = make_round(app, [12, 10, 9, 8])
    second = _add_round(app, console.partnership, "Second", [11, 10, 9, 7], seed=2)
    employer_id = _names(app, console.partnership)[0][0]
    client = employer_client(app, console.partnership, employer_id)
    assert "There is no earlier closed round to compare with." in _flat(
        _pdf(client.get(_own_url(first)))
    )
    entry = entry_of(app, second, employer_id)
    assert entry is not None
    flat = _flat(_pdf(client.get(_own_url(second))))
    figures, _parameters = stored(app, second)
    sector = _flat(_pdf(console.get(_brief_url(second))))
    for trends, words, sizes in ((entry["trend"], flat, False), (figures["trend"], sector, True)):
        for t in trends:
            label = (
                "Job Quality Index"
                if t["statistic"] == "jqi"
                else "Dimensions at threshold"
                if t["statistic"] == "at_threshold"
                else V2.dimension(t["statistic"]).name["en"]
            )
            share = f"{100 * (t['cliffs_delta'] + 1) / 2:.0f}"
            row = (
                f"{label} {_one(t['previous']['mean'])} {_one(t['current']['mean'])}"
                f" {t['difference']:+.1f} higher in {share}% of comparisons"
            )
            assert row in words, row
            if sizes:
                delta = abs(t["cliffs_delta"])
                size = (
                    "negligible"
                    if delta < 0.147
                    else "small"
                    if delta < 0.33
                    else "medium"
                    if delta < 0.474
                    else "large"
                )
                assert f"{row} {size}" in words, row
    jqi = next(t for t in entry["trend"] if t["statistic"] == "jqi")
    share = f"{100 * (jqi['cliffs_delta'] + 1) / 2:.0f}"
    assert (
        f"Job Quality Index: your workers this round score higher than last round in {share}%"
        f" of comparisons (change {jqi['difference']:+.1f} points)."
    ) in flat


# ------------------------------------------------------------- hidden employers


def _hidden_text(app, client, wave_id: int, employer: tuple[int, str]) -> str:
    """The one-page brief's text with the employer's, round's and partnership's names
    replaced."""
    _employer_id, name = employer
    data = _pdf(client.get(_own_url(wave_id)))
    assert len(_reader(data).pages) == 1
    with app.app_context():
        partnership = db.session.get(Wave, wave_id).partnership.name
    flat = _flat(data)
    return (
        flat.replace(name, "EMPLOYER")
        .replace(_wave_name(app, wave_id), "WAVE")
        .replace(partnership, "PARTNERSHIP")
    )


def test_hidden_employers_briefs_read_the_same_at_0_1_and_k_minus_1_and_when_suppressed(app):
    # By name: 12, 10, 9, 8, then the employer we watch (K-1 here), then one with none.
    # At K-1 the watched one is hidden and the one with 8 with it (complementary
    # suppression); the last has no entry in the release at all.
    console, at_k_minus_1 = _surveyed_round(app, [12, 10, 9, 8, K - 1, 0], {3: 0, 4: 0})
    at_1 = _add_round(app, console.partnership, "Round with one", [12, 10, 9, 8, 1, 0], seed=3)
    employers = _names(app, console.partnership)
    suppressed, watched, empty = employers[3], employers[4], employers[5]
    assert entry_of(app, at_k_minus_1, empty[0]) is None
    assert entry_of(app, at_k_minus_1, suppressed[0])["n_responses"] == 8
    clients = {
        e[0]: employer_client(app, console.partnership, e[0]) for e in (suppressed, watched, empty)
    }
    texts = [
        _hidden_text(app, clients[watched[0]], at_k_minus_1, watched),
        _hidden_text(app, clients[suppressed[0]], at_k_minus_1, suppressed),
        _hidden_text(app, clients[empty[0]], at_k_minus_1, empty),
        _hidden_text(app, clients[watched[0]], at_1, watched),
    ]
    assert len(set(texts)) == 1, texts
    words = texts[0]
    assert f"Results for a workplace are shown only when at least {K} of its workers" in words
    # Nothing else: once names and dates are gone, the numbers left are k and the page's.
    undated = re.sub(r"(Round closed on .*? · )?Made on \w+ \d+, \d{4}", "", words)
    assert re.findall(r"\d+", undated) == [str(K), "1"]
    for word in ("Percentile", "gap", "Change since", "Where to start", "You said"):
        assert word not in words


def test_an_employer_at_k_gets_its_figures(app):
    console, wave_id = make_round(app, [12, 10, 9, K + 1, K])
    employer_id = _names(app, console.partnership)[4][0]
    entry = entry_of(app, wave_id, employer_id)
    assert entry is not None
    flat = _flat(_pdf(console.get(_brief_url(wave_id, employer_id))))
    assert f"Based on {K} responses from your workers." in flat
    assert f"Job Quality Index {_one(entry['estimates'][0]['mean'])} (95% interval" in flat


# ------------------------------------------------------------- the sector brief


BANDS = ["1000+", "1000+", "250-999", "250-999", "50-249", "50-249", "1-49"]


def _set_bands(app, partnership: int) -> None:
    with app.app_context():
        for (employer_id, _name), band in zip(_names(app, partnership), BANDS, strict=True):
            db.session.get(Employer, employer_id).size_band = band
        db.session.commit()


def _gap_verdicts(entries: list[dict], item_id: str) -> tuple[int, ...] | None:
    """(compared, less, more, no clear gap, too few) over shown employers, by hand."""
    tally = [0, 0, 0, 0]
    for entry in entries:
        if all(e["mean"] is None for e in entry["estimates"]):
            continue
        gap = next((g for g in entry["gaps"] if g["item_id"] == item_id), None)
        if gap is None or gap["claim"] is None or gap["n"] is None:
            continue
        if gap["note"] == "too few to test":
            tally[3] += 1
        elif gap["flagged"]:
            tally[0 if gap["median_gap"] < 0 else 1] += 1
        else:
            tally[2] += 1
    return (sum(tally), *tally) if sum(tally) >= 3 else None


def test_sector_brief_numbers_equal_the_stored_release_and_name_no_employer(app):
    sizes = [14, 12, 11, 10, 9, 8, K - 1]
    console, wave_id = _surveyed_round(app, sizes, {0: 0, 1: 0, 2: 0, 3: 0, 5: 4, 6: 0})
    _set_bands(app, console.partnership)
    figures, _parameters = stored(app, wave_id)
    response = console.get(_brief_url(wave_id))
    data = _pdf(response)
    slug = re.sub(r"[^a-z0-9]+", "-", _wave_name(app, wave_id).lower()).strip("-")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="sector-brief-{slug}.pdf"'
    )
    assert 4 <= len(_reader(data).pages) <= 6
    flat = _flat(data)
    # Responses by size band, worked out by hand: 1-49 holds only the employer with
    # K-1, so it is hidden, and with it the smallest shown band (50-249: 9 + 8 = 17);
    # together they are 21, from which nobody can subtract their own count to below k.
    assert "1-49 1 not enough responses 50-249 2 not enough responses" in flat
    assert "250-999 2 21 1000+ 2 26 All employers 7 68" in flat
    sector = {e["statistic"]: e for e in figures["sector"]}
    jqi = sector["jqi"]
    assert f"Based on {figures['n_responses']} responses." in flat
    interval = f"{_one(jqi['low'])} – {_one(jqi['high'])}"
    assert f"Job Quality Index: {_one(jqi['mean'])} (95% interval {interval})" in flat
    for dimension in DIMENSIONS:
        e = sector[dimension]
        row = f"{V2.dimension(dimension).name['en']} {_one(e['mean'])} {_one(e['low'])} –"
        assert row in flat, row
    # The staff page shows the same numbers.
    page = text(console.get(f"/staff/waves/{wave_id}/results"))
    for label, cells in rows(page, "profile").items():
        assert f"{label} {cells[0]} {cells[1]}" in flat, label
    for entry in figures["reliability"]:
        label = V2.dimension(entry["dimension_id"]).name["en"]
        if entry["alpha"] is None:
            assert f"{label} not applicable" in flat or f"{label} {NOT_ENOUGH}" in flat
        else:
            row = f"{label} {entry['alpha']:.2f}"
            assert row in flat, row
    validity = figures["validity"]
    assert f"correlate at r = {validity['r']:.2f}" in flat
    # The spread: the shown employers' JQIs, no names.
    shown = [e["estimates"][0]["mean"] for e in figures["employers"] if e["estimates"][0]["mean"]]
    peers = {p["statistic"]: p for p in figures["peers"]}["jqi"]
    assert (
        f"{len(shown)} employers with enough responses: median {_one(peers['median'])}, middle"
        f" half {_one(peers['q1'])} – {_one(peers['q3'])}, lowest {_one(min(shown))}, highest"
        f" {_one(max(shown))}."
    ) in flat
    # Gaps across employers: the shown employers' verdicts counted per question.
    counted = 0
    for item_id in {g["item_id"] for e in figures["employers"] for g in e["gaps"]}:
        expected = _gap_verdicts(figures["employers"], item_id)
        question = V2.item(item_id).text["en"]
        if expected is not None:
            assert f"{question} {' '.join(str(n) for n in expected)}" in flat, item_id
            counted += 1
    assert counted >= 4
    # No employer is named anywhere in the sector brief.
    for _employer_id, name in _names(app, console.partnership):
        assert name not in flat
        assert name.encode() not in data


def test_sector_brief_equity_groups_equal_the_stored_release(app):
    console, wave_id = make_round(app, [20, 18, 16, 14])
    figures, _parameters = stored(app, wave_id)
    flat = _flat(_pdf(console.get(_brief_url(wave_id))))
    language = next(e for e in figures["equity"] if e["grouping"] == "language")
    assert language["estimates"]
    for group, e in zip(language["groups"], language["estimates"], strict=True):
        label = {"en": "English", "es": "Spanish"}[group]
        row = f"{label} {e['n']} {_one(e['mean'])} {_one(e['low'])} – {_one(e['high'])}"
        assert row in flat, row


# ------------------------------------------------------------- Spanish


def test_spanish_briefs_read_back_intact_with_decimal_commas(app):
    console, wave_id = _surveyed_round(app, [14, 12, 11, 10, 9], {0: 0, 1: 0, 2: 0})
    employer_id = _names(app, console.partnership)[0][0]
    with app.app_context():
        db.session.get(Employer, employer_id).name = "Clínica «Año» ¡Sí! ¿Qué? Ñandú Útil"
        db.session.commit()
    figures, _parameters = stored(app, wave_id)
    entry = entry_of(app, wave_id, employer_id)
    assert entry is not None
    data = _pdf(console.get(f"{_brief_url(wave_id)}?lang=es"))
    assert _reader(data).trailer["/Root"]["/Lang"] == "es"
    sector = _flat(data)
    for words in ("Informe del sector", "Quién respondió", "Cómo se calculan las cifras", "¿"):
        assert words in sector, words
    jqi = figures["sector"][0]
    assert f"Índice de calidad del empleo: {_one(jqi['mean']).replace('.', ',')}" in sector
    client = employer_client(app, console.partnership, employer_id)
    own = _flat(_pdf(client.get(f"{_own_url(wave_id)}?lang=es")))
    assert "Clínica «Año» ¡Sí! ¿Qué? Ñandú Útil: resultados de" in own
    for words in ("Lo que usted dijo y lo que reportan sus trabajadores", "Por dónde empezar"):
        assert words in own, words
    mean = _one(entry["estimates"][0]["mean"]).replace(".", ",")
    assert f"Índice de calidad del empleo {mean} (intervalo de 95%" in own
    assert "What you said" not in own


# ------------------------------------------------------------- hostile names, metadata


HOSTILE = "<font size=100>Ñandú</font> & <script>x</script> 😀 \u202eשלום " + "W" * 120


def test_hostile_names_give_valid_pdfs_with_the_markup_as_literal_text(app):
    console, wave_id = _surveyed_round(app, [12, 10, 9, 8], {0: 0, 1: 0, 2: 0})
    employer_id = _names(app, console.partnership)[0][0]
    with app.app_context():
        db.session.get(Employer, employer_id).name = HOSTILE
        wave = db.session.get(Wave, wave_id)
        wave.name = "<b>Round</b> & <img src='/etc/passwd'/>"
        wave.partnership.name = "<a href='javascript:x'>P</a>"
        db.session.commit()
    literal = "<font size=100>Ñandú</font> & <script>x</script> ? ????? WWW"
    for url in (_brief_url(wave_id), _brief_url(wave_id, employer_id)):
        data = _pdf(console.get(url))
        flat = _flat(data)
        assert "<b>Round</b> & <img src='/etc/passwd'/>" in flat
        assert "<a href='javascript:x'>P</a>" in flat
        assert b"/URI" not in data
        assert b"/Subtype /Image" not in data
        if "employers" in url:
            assert literal in flat
            assert 2 <= len(_reader(data).pages) <= 3
        else:
            assert "Ñandú" not in flat  # the sector brief names no employer


def test_metadata_has_title_and_language_and_no_machine_or_person(app):
    import getpass
    import socket

    from ..unit.test_pdf import _outside_streams

    console, wave_id = make_round(app, [12, 10, 9, K - 1])
    employers = _names(app, console.partnership)
    for url, title in (
        (_brief_url(wave_id), f"Sector brief: {_wave_name(app, wave_id)}"),
        (_brief_url(wave_id, employers[0][0]), f"{employers[0][1]}: results of"),
        (_brief_url(wave_id, employers[3][0]), f"{employers[3][1]}: results of"),
    ):
        data = _pdf(console.get(url))
        reader = _reader(data)
        assert reader.metadata["/Title"].startswith(title)
        assert reader.metadata["/Author"] == ""
        assert reader.metadata["/Creator"] == reader.metadata["/Producer"] == "surveyapp"
        assert reader.trailer["/Root"]["/Lang"] == "en-US"
        visible = _outside_streams(data).decode("latin-1")
        for who in {socket.gethostname(), getpass.getuser()}:
            pattern = re.compile(rf"(?<![/\w]){re.escape(who)}(?!\w)")
            assert not pattern.search(visible), who
            assert not pattern.search(_flat(data)), who
        assert b"ReportLab PDF Library" not in data


# ------------------------------------------------------------- access


def test_every_route_answers_only_its_own_users(app):
    console, wave_id = make_round(app, [6, 6, 6])
    mine, other_mine = _names(app, console.partnership)[:2]
    theirs = _names(app, console.other)[0][0]
    their_wave = console.wave(console.other)
    employer = employer_client(app, console.partnership, mine[0])

    missing_staff = console.get(_brief_url(999_999))
    assert missing_staff.status_code == 404
    for url in (
        _brief_url(their_wave),
        _brief_url(their_wave, mine[0]),
        _brief_url(wave_id, theirs),
        _brief_url(wave_id, 999_999),
        _own_url(wave_id),  # staff must say which employer
        f"{_own_url(wave_id)}?employer={theirs}",
        f"{_own_url(their_wave)}?employer={mine[0]}",
        f"{_own_url(wave_id)}?employer=x",
    ):
        response = console.get(url)
        assert response.status_code == 404, url
        assert response.data == missing_staff.data, url
    assert console.get(_brief_url(wave_id, mine[0])).status_code == 200

    missing = employer.get(_own_url(999_999))
    assert missing.status_code == 404
    for url in (
        _own_url(their_wave),
        f"{_own_url(wave_id)}?employer={other_mine[0]}",
        f"{_own_url(wave_id)}?employer={theirs}",
        _brief_url(wave_id),
        _brief_url(wave_id, mine[0]),
    ):
        response = employer.get(url)
        assert response.status_code == 404, url
        assert response.data == missing.data, url
    assert employer.get(_own_url(wave_id)).status_code == 200
    assert employer.get(f"{_own_url(wave_id)}?employer={mine[0]}").status_code == 200
    for url in (_own_url(wave_id), _brief_url(wave_id), _brief_url(wave_id, mine[0])):
        signed_out = app.test_client().get(url)
        assert signed_out.status_code == 302
        assert signed_out.headers["Location"].startswith("/login")
    assert console.get(f"{_brief_url(wave_id)}?paper=legal").status_code == 400
    a4 = _reader(_pdf(console.get(f"{_brief_url(wave_id)}?paper=a4")))
    assert [round(float(v)) for v in a4.pages[0].mediabox[2:]] == [595, 842]


def test_open_draft_and_unreleased_rounds_get_a_plain_409(app):
    console, open_wave = make_round(app, [12, K - 1], close=False)
    employer_id = _names(app, console.partnership)[0][0]
    client = employer_client(app, console.partnership, employer_id)
    with app.app_context():
        draft = Wave(partnership_id=console.partnership, name="Draft", status="draft")
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
    closed = _add_round(app, console.partnership, "Closed", [6, 6], seed=4)
    with app.app_context():
        db.session.execute(delete(StoredRelease).where(StoredRelease.wave_id == closed))
        db.session.commit()
    for wave_id, words in (
        (open_wave, "Results come when the round closes."),
        (draft_id, "Results come when the round closes."),
        (closed, "This round closed before results were stored"),
    ):
        for response in (
            console.get(_brief_url(wave_id)),
            console.get(_brief_url(wave_id, employer_id)),
            client.get(_own_url(wave_id)),
        ):
            assert response.status_code == 409
            assert response.mimetype == "text/html"
            assert words in text(response)
            assert not re.search(r"\d+ responses", text(response))


def test_results_pages_link_to_the_briefs(app):
    console, wave_id = make_round(app, [12, 10, 9, K - 1])
    employers = _names(app, console.partnership)
    shown_id, hidden_id = employers[0][0], employers[3][0]
    staff_page = text(console.get(f"/staff/waves/{wave_id}/results"))
    assert f'href="{_brief_url(wave_id)}" download>Download the brief (PDF)' in staff_page
    link = f'href="{_own_url(wave_id)}?employer={shown_id}" download>Download the brief (PDF)'
    client = employer_client(app, console.partnership, shown_id)
    assert link in text(client.get(page_url(wave_id)))
    assert link in text(console.get(staff_url(wave_id, shown_id)))
    hidden = text(console.get(staff_url(wave_id, hidden_id)))
    assert "Download the brief" not in hidden  # the page says all a hidden brief says


# ------------------------------------------------------------- surveyapp brief


def _cli(app, *args: str):
    from click.testing import CliRunner

    from surveyapp.cli import main as cli_main

    from ..conftest import SECRET

    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": SECRET}
    return CliRunner().invoke(cli_main, ["brief", *args], env=env, catch_exceptions=False)


def test_the_commands_write_the_same_briefs_as_the_downloads(app, tmp_path):
    console, wave_id = make_round(app, [12, 10, 9, 8, K - 1])
    employers = _names(app, console.partnership)
    out = tmp_path / "sector.pdf"
    result = _cli(app, "sector", "--wave", str(wave_id), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert _flat(out.read_bytes()) == _flat(_pdf(console.get(_brief_url(wave_id))))
    spanish = tmp_path / "sector-es.pdf"
    result = _cli(app, "sector", "--wave", str(wave_id), "-o", str(spanish), "--lang", "es")
    assert result.exit_code == 0, result.output
    assert "Informe del sector" in _flat(spanish.read_bytes())
    one = tmp_path / "one.pdf"
    employer_id = str(employers[0][0])
    args = ["employer", "--wave", str(wave_id), "--employer", employer_id, "-o", str(one)]
    assert _cli(app, *args).exit_code == 0
    assert _flat(one.read_bytes()) == _flat(_pdf(console.get(_brief_url(wave_id, employers[0][0]))))

    folder = tmp_path / "briefs"
    result = _cli(app, "employer", "--wave", str(wave_id), "--all", "-o", str(folder))
    assert result.exit_code == 0, result.output
    assert f"Wrote {len(employers)} employer brief(s)" in result.stdout
    assert "Employer briefs" in result.stderr  # the progress bar
    files = sorted(path.name for path in folder.iterdir())
    assert len(files) == len(employers)
    assert all(re.fullmatch(r"brief-[a-z0-9-]+\.pdf", name) for name in files)
    wave_slug = re.sub(r"[^a-z0-9]+", "-", _wave_name(app, wave_id).lower()).strip("-")
    for employer_id, name in employers:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        data = (folder / f"brief-{slug}-{wave_slug}.pdf").read_bytes()
        assert name in _flat(data)
        hidden = all(e["mean"] is None for e in entry_of(app, wave_id, employer_id)["estimates"])
        assert (len(_reader(data).pages) == 1) == hidden


def _one_line_error(result, exit_code: int, message: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert message in result.stderr
    if exit_code == 1:
        assert result.stderr.strip().count("\n") == 0, result.stderr
        assert result.stderr.startswith("error: ")


@pytest.mark.parametrize("kind", ["sector", "employer"])
def test_the_commands_refuse_bad_input_in_one_line(app, tmp_path, kind):
    console, closed = make_round(app, [6, 6, 6])
    open_wave = console.wave(console.other)
    theirs = _names(app, console.other)[0][0]
    out = tmp_path / "b.pdf"
    extra = (
        ["--employer", str(_names(app, console.partnership)[0][0])] if kind == "employer" else []
    )

    def run(wave: int, output: str, *more: str):
        return _cli(app, kind, "--wave", str(wave), "-o", output, *extra, *more)

    _one_line_error(run(999_999, str(out)), 1, "there is no wave 999999")
    _one_line_error(run(open_wave, str(out)), 1, "is open: briefs come when it closes")
    _one_line_error(run(closed, str(tmp_path / "no" / "dir" / "b.pdf")), 1, "cannot write")
    _one_line_error(run(closed, str(out), "--lang", "fr"), 2, "'fr' is not one of en, es")
    assert not out.exists()
    if kind == "employer":
        wrong = ["employer", "--wave", str(closed), "--employer", str(theirs), "-o", str(out)]
        _one_line_error(_cli(app, *wrong), 1, f"there is no employer {theirs}")
        both = ["employer", "--wave", str(closed), "--all", "--employer", "1", "-o", str(out)]
        _one_line_error(_cli(app, *both), 2, "give either --employer ID or --all")
        _one_line_error(_cli(app, "employer", "--wave", str(closed), "-o", str(out)), 2, "either")
        blocked = tmp_path / "file"
        blocked.write_text("not a folder")
        into_file = ["employer", "--wave", str(closed), "--all", "-o", str(blocked / "x")]
        _one_line_error(_cli(app, *into_file), 1, "cannot write")
        assert not out.exists()
