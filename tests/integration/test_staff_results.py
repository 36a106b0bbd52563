"""Issue 9: the sector dashboard of a closed round, read only from the stored release."""

from __future__ import annotations

import html
import json
import re

from click.testing import CliRunner
from sqlalchemy import delete, select

from surveyapp.cli import main
from surveyapp.extensions import db
from surveyapp.instruments import get_instrument, instrument_path
from surveyapp.models import Employer, StoredRelease, Wave
from surveyapp.waves import close_wave, ensure_links

from ..conftest import SECRET
from ..factories import add_responses
from ..staff_driver import Console, text

K = 5
NOT_ENOUGH = "not enough responses"
NO_EARLIER = "There is no earlier closed round to compare with."
V2 = get_instrument("worker", 2)  # what make_wave's waves ask


def _console(app, sizes: list[int], *, close: bool = True) -> tuple[Console, int]:
    console = Console.make(app, employers=len(sizes), k=K)
    wave_id = console.wave()
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        add_responses(wave, sizes)
        if close:
            close_wave(db.session, wave)
            db.session.commit()
    return console, wave_id


def _url(wave_id: int) -> str:
    return f"/staff/waves/{wave_id}/results"


def _rows(page: str, table_id: str) -> dict[str, list[str]]:
    """Row header -> the row's cells as a reader sees them, for the table ``table_id``."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert table, table_id
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S):
        header = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if header:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            rows[html.unescape(re.sub(r"<[^>]+>", "", header.group(1)))] = [
                html.unescape(re.sub(r"<small>.*?</small>", "", c, flags=re.S)).strip()
                for c in cells
            ]
    return rows


def _cli(app, *args: str):
    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": SECRET}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _offline_score(app, wave_id: int, folder) -> dict:
    out, codebook, scores = (folder / n for n in ("r.csv", "c.csv", "s.json"))
    result = _cli(
        app, "export", "--wave", str(wave_id), "--out", str(out), "--codebook", str(codebook)
    )
    assert result.exit_code == 0, result.output
    arguments = ["--instrument", str(instrument_path("worker", 2)), "--k", str(K)]
    arguments += ["--living-wage", "24", "--out", str(scores)]
    result = _cli(app, "score", str(out), *arguments)
    assert result.exit_code == 0, result.output
    return json.loads(scores.read_text("utf-8"))


def test_page_numbers_equal_surveyapp_score_on_the_export(app, tmp_path):
    console, wave_id = _console(app, [14, 11, 9, 8])
    response = console.get(_url(wave_id))
    assert response.status_code == 200
    page = text(response)
    offline = _offline_score(app, wave_id, tmp_path)
    sector = {e["statistic"]: e for e in offline["sector"]}
    profile = _rows(page, "profile")
    for dimension in V2.dimensions:
        estimate = sector[dimension.id]
        assert profile[dimension.name["en"]] == [
            f"{estimate['mean']:.1f}",
            f"{estimate['low']:.1f} – {estimate['high']:.1f}",
        ]
    headline = re.search(r'<dd class="jqi">(.*?)<small>', page, re.S)
    assert headline
    assert headline.group(1).strip() == f"{sector['jqi']['mean']:.1f}"
    employers = _rows(page, "employers")
    for entry in offline["employers"]:
        jqi = entry["estimates"][0]
        assert jqi["statistic"] == "jqi"
        if jqi["mean"] is None:
            assert employers[entry["employer"]] == [NOT_ENOUGH]
        else:
            # No headcount given: no response rate.
            assert employers[entry["employer"]] == [
                str(entry["n_responses"]),
                "–",
                f"{jqi['mean']:.1f}",
            ]
    # Highest JQI first.
    shown = [float(cells[2]) for cells in employers.values() if len(cells) == 3]
    assert shown == sorted(shown, reverse=True)
    assert shown
    assert 'role="img"' in page
    assert "<title>" in page
    assert NO_EARLIER in page
    assert "no detectable difference" in page.lower() or "The groups differ" in page
    assert "no difference" not in page.lower().replace("no detectable difference", "")


def _names(app, wave_id: int) -> list[str]:
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        return list(
            db.session.scalars(
                select(Employer.name)
                .where(Employer.partnership_id == wave.partnership_id)
                .order_by(Employer.name)
            )
        )


def test_an_employer_at_k_minus_one_shows_no_number_and_at_k_its_jqi(app):
    console, below = _console(app, [12, 10, 9, K - 1])
    page = text(console.get(_url(below)))
    small = _names(app, below)[3]
    assert _rows(page, "employers")[small] == [NOT_ENOUGH]
    row = re.search(
        rf"<tr><th scope=\"row\">(?:<a [^>]*>)?{re.escape(small)}(?:</a>)?</th>(.*?)</tr>",
        page,
        re.S,
    )
    assert row
    assert not re.search(r"\d", re.sub(r"<[^>]+>", "", row.group(1)))

    with app.app_context():  # a second round of the same partnership: the employer has k
        first = db.session.get(Wave, below)
        second = Wave(partnership=first.partnership, name="At k", status="open", min_group_size=K)
        db.session.add(second)
        db.session.flush()
        ensure_links(db.session, second)
        db.session.commit()
        add_responses(second, [12, 10, 9, K], seed=3)
        close_wave(db.session, second)
        db.session.commit()
        at_k = second.id
    page = text(console.get(_url(at_k)))
    cells = _rows(page, "employers")[_names(app, at_k)[3]]
    assert cells[0] == str(K)
    assert re.fullmatch(r"\d+\.\d", cells[2])


def test_open_and_draft_rounds_say_results_come_at_close(app):
    console, wave_id = _console(app, [6, 6], close=False)
    response = console.get(_url(wave_id))
    assert response.status_code == 200
    assert "Results come when the round closes." in text(response)
    with app.app_context():
        draft = Wave(partnership_id=console.partnership, name="Draft", status="draft")
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
    assert "Results come when the round closes." in text(console.get(_url(draft_id)))


def test_other_partnership_employer_user_and_signed_out_are_refused(app):
    console, wave_id = _console(app, [6, 6, 6])
    assert console.get(_url(console.wave(console.other))).status_code == 404
    assert console.get(_url(999_999)).status_code == 404
    assert console.employer_user().get(_url(wave_id)).status_code == 404
    signed_out = app.test_client().get(_url(wave_id))
    assert signed_out.status_code == 302
    assert "/login" in signed_out.location


def test_closed_wave_links_to_its_results(app):
    console, wave_id = _console(app, [6, 6, 6])
    assert _url(wave_id) in text(console.get(f"/staff/waves/{wave_id}"))


def test_missing_release_shows_the_recompute_command(app):
    console, wave_id = _console(app, [6, 6, 6])
    with app.app_context():
        db.session.execute(delete(StoredRelease).where(StoredRelease.wave_id == wave_id))
        db.session.commit()
    response = console.get(_url(wave_id))
    assert response.status_code == 200
    assert f"surveyapp results recompute --wave {wave_id}" in text(response)


def test_trend_sentence_only_with_a_previous_closed_round(app):
    console, first_id = _console(app, [12, 10, 9, 8])
    with app.app_context():
        first = db.session.get(Wave, first_id)
        second = Wave(partnership=first.partnership, name="Second", status="open", min_group_size=K)
        db.session.add(second)
        db.session.flush()
        ensure_links(db.session, second)
        db.session.commit()
        add_responses(second, [11, 10, 9, 7], seed=2)
        close_wave(db.session, second)
        db.session.commit()
        second_id = second.id
        trend = json.loads(db.session.get(StoredRelease, second_id).figures)["trend"]
    first_page = text(console.get(_url(first_id)))
    assert NO_EARLIER in first_page
    assert "trend-sentence" not in first_page
    page = text(console.get(_url(second_id)))
    assert NO_EARLIER not in page
    jqi = next(t for t in trend if t["statistic"] == "jqi")
    share = f"{100 * (jqi['cliffs_delta'] + 1) / 2:.0f}"
    assert (
        f"workers this round score higher than last round in {share}% of comparisons"
        f" (change {jqi['difference']:+.1f} points)"
    ) in html.unescape(page)


def test_hostile_employer_names_are_escaped(app):
    console, wave_id = _console(app, [6, 6, 6], close=False)
    with app.app_context():
        employer = db.session.scalar(
            select(Employer).where(Employer.partnership_id == console.partnership)
        )
        employer.name = "<script>alert(1)</script>"
        wave = db.session.get(Wave, wave_id)
        close_wave(db.session, wave)
        db.session.commit()
    page = text(console.get(_url(wave_id)))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _set_headcounts(app, wave_id: int, headcounts: list[int | None]) -> list[str]:
    """Give the wave's employers (by name) these frontline headcounts; their names."""
    names = _names(app, wave_id)
    with app.app_context():
        for name, headcount in zip(names, headcounts, strict=True):
            employer = db.session.scalar(select(Employer).where(Employer.name == name))
            employer.frontline_headcount = headcount
        db.session.commit()
    return names


def test_response_rates_and_the_30_percent_line(app):
    # Employers sorted by name get 12, 10, 9, 8 and K-1 responses; the one below k is
    # hidden, and so is the next smallest (complementary suppression).
    console, wave_id = _console(app, [12, 10, 9, 8, K - 1])
    # 12/40 = 30% exactly (not below); 10/34 = 29.4% (below); no headcount; hidden.
    names = _set_headcounts(app, wave_id, [40, 34, None, 6, 5])
    page = text(console.get(_url(wave_id)))
    rows = _rows(page, "employers")
    assert rows[names[0]][:2] == ["12", "30% of 40"]
    assert rows[names[1]][:2] == ["10", "29% of 34"]
    assert rows[names[2]][:2] == ["9", "–"]
    # Hidden employers: no count, no rate, no headcount (the rate would give n).
    assert rows[names[3]] == rows[names[4]] == [NOT_ENOUGH]
    for hidden in names[3:]:
        row = re.search(
            rf"<tr><th scope=\"row\">(?:<a [^>]*>)?{re.escape(hidden)}(?:</a>)?</th>(.*?)</tr>",
            page,
            re.S,
        )
        assert row
        assert not re.search(r"\d", re.sub(r"<[^>]+>", "", row.group(1)))
    warnings = re.findall(
        r"<tr><th scope=\"row\"><a [^>]*>([^<]*)</a></th>(?:(?!</tr>).)*read with care", page
    )
    assert [html.unescape(w) for w in warnings] == [names[1]]


def test_spanish_pages_write_decimals_with_a_comma(app, tmp_path):
    console, wave_id = _console(app, [14, 11, 9, 8])
    page = text(console.get(_url(wave_id) + "?lang=es"))
    offline = _offline_score(app, wave_id, tmp_path)
    jqi = {e["statistic"]: e for e in offline["sector"]}["jqi"]
    headline = re.search(r'<dd class="jqi">(.*?)<small>', page, re.S)
    assert headline
    assert headline.group(1).strip() == f"{jqi['mean']:.1f}".replace(".", ",")
    assert "Tasa de respuesta" in page
    alphas = [cells[0] for cells in _rows(page, "reliability").values() if cells[0][:1].isdigit()]
    assert alphas
    assert all(re.fullmatch(r"\d,\d\d( .*)?", a) for a in alphas), alphas
    english = text(console.get(_url(wave_id) + "?lang=en"))
    english_headline = re.search(r'<dd class="jqi">(.*?)<small>', english, re.S)
    assert english_headline
    assert english_headline.group(1).strip() == f"{jqi['mean']:.1f}"


def test_each_employer_name_leads_to_its_own_results(app):
    console, wave_id = _console(app, [12, 10, 9, K - 1])
    page = text(console.get(_url(wave_id)))
    links = re.findall(r'<th scope="row"><a href="([^"]+)">([^<]*)</a></th>', page)
    assert sorted(html.unescape(name) for _url_, name in links) == _names(app, wave_id)
    for url, _name in links:
        assert console.get(html.unescape(url)).status_code == 200
