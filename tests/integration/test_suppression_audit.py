"""Issue 13, the suppression audit: everything published about a closed round, and
every group an attacker can recover from it by differencing, on each database.

Partnership P (k = 5) has employers with k-1, k and k+1 responses (the k-1 one hidden,
the k one hidden with it by complementary suppression, the k+1 one shown), four larger
employers whose shift and tenure subgroups sit at k-1, k and k+1, and one employer
without a response (what "missing" looks like). Partnership Q has one employer with
exactly 80 % of the round's responses (rule 7 hides every figure across employers).
Both rounds are closed the way staff close them; then every page, API response, CSV
export and PDF brief is fetched as staff, as each employer's users and as workers.

Staff download every response (the responses CSV), so what staff alone read is not an
attack surface; the audit takes everything else (employers' own pages, briefs and API
tokens, the sector brief put on the table at employer meetings, the sector dashboard
and its aggregates CSV, "What you told us") as published to one colluding reader.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.extensions import db
from surveyapp.models import Employer, Wave

from ..accounts_driver import employer_ids, make_user, partnership_ids, sign_in
from ..audit_outputs import (
    NOT_ENOUGH,
    Cell,
    Facts,
    Truth,
    add_cells,
    csv_rows,
    facts_from_release,
    get_ok,
    number_forms,
    occurrences,
    pdf_text,
    pinned_groups,
    visible_text,
)
from ..employer_results_driver import send_survey
from ..factories import make_wave
from ..survey_driver import csrf_from
from .test_api import make_token
from .test_employer_results import SURVEYS

K = 5
LIVING_WAGE = 24.0
DAY, NIGHT, BLANK = 1, 3, 0
T1, T2, T3 = 1, 2, 3

#: Partnership P, by employer: (size band, cells, answers only the lowest options).
P_SPEC: list[tuple[str, list[Cell], bool]] = [
    ("1-49", [Cell(DAY, 0, 2), Cell(NIGHT, 0, 1), Cell(BLANK, 0, 1)], True),  # k-1
    ("1-49", [Cell(DAY, 0, 3), Cell(NIGHT, 0, 1), Cell(BLANK, 0, 1)], True),  # k
    ("50-249", [Cell(DAY, 0, 4), Cell(NIGHT, 0, 1), Cell(BLANK, 0, 1)], False),  # k+1
    ("250-999", [Cell(DAY, T1, 5), Cell(NIGHT, T2, 5), Cell(BLANK, T3, 5)], False),
    ("250-999", [Cell(DAY, T1, 6), Cell(NIGHT, T2, 6), Cell(BLANK, T3, 6)], False),
    # tenure "less than 6 months" at k-1: this employer's tenure table is hidden
    (
        "1000+",
        [Cell(DAY, T1, 4), Cell(DAY, T2, 1), Cell(NIGHT, T2, 5), Cell(BLANK, T3, 5)],
        False,
    ),
    ("1000+", [Cell(DAY, 0, 6), Cell(NIGHT, 0, 6), Cell(BLANK, 0, 6)], False),
    ("50-249", [], False),  # no response: what a missing employer looks like
]
A, B, C, MISSING = 0, 1, 2, 7
#: The same round but for the seventh employer, 4 (k-1) of whose workers gave no
#: tenure: its tables are hidden. Two groupings' remainders over the hidden employers,
#: with the small employers' totals, give 3 and 4 workers to someone who knows which
#: cells are empty, and to nobody else.
P_SPEC_TWO_GROUPINGS = [
    *P_SPEC[:6],
    (
        "1000+",
        [Cell(DAY, T1, 6), Cell(DAY, 0, 1), Cell(NIGHT, T2, 7), Cell(NIGHT, 0, 3)],
        False,
    ),
    P_SPEC[7],
]
#: Partnership Q: the first employer has exactly 80 % of the responses.
Q_SIZES = [64, 5, 5, 6]


def _setup(app: Flask, spec: list[tuple[str, list[Cell], bool]]) -> dict[str, Any]:
    make_wave(app, employers=len(spec), k=K)
    make_wave(app, employers=len(Q_SIZES), k=K)
    p, q = partnership_ids(app)[-2:]
    world: dict[str, Any] = {"p": p, "q": q, "spec": spec}
    with app.app_context():
        for partnership, key in ((p, "p"), (q, "q")):
            wave = db.session.query(Wave).filter_by(partnership_id=partnership).one()
            world[f"{key}_wave"] = wave.id
            world[f"{key}_links"] = {link.employer_id: link.token for link in wave.links}
        world["p_employers"] = employer_ids(app, p)
        world["names"] = {db.session.get(Employer, e).name: e for e in world["p_employers"]}
        world["q_employers"] = employer_ids(app, q)
        for employer_id, (band, _cells, _low) in zip(world["p_employers"], spec, strict=True):
            employer = db.session.get(Employer, employer_id)
            employer.size_band = band
            employer.frontline_headcount = 40
        db.session.commit()
        wave = db.session.get(Wave, world["p_wave"])
        for index, (employer_id, (_b, cells, low)) in enumerate(
            zip(world["p_employers"], spec, strict=True)
        ):
            if index == C:  # its last response comes while the round is open, below
                cells = [*cells[:-1], Cell(cells[-1].shift, cells[-1].tenure, cells[-1].size - 1)]
            add_cells(wave, employer_id, cells, low=low, seed=100 + index)
        q_wave = db.session.get(Wave, world["q_wave"])
        for index, (employer_id, size) in enumerate(
            zip(world["q_employers"], Q_SIZES, strict=True)
        ):
            add_cells(q_wave, employer_id, [Cell(DAY, T1, size)], low=False, seed=200 + index)
    world["staff"] = _client(app, make_user(app, "audit@p.example.org", p))
    world["q_staff"] = _client(app, make_user(app, "audit@q.example.org", q))
    world["staff_token"] = make_token(app, "audit@p.example.org")
    world["users"], world["tokens"] = {}, {}
    for employer_id in world["p_employers"] + world["q_employers"]:
        partnership = p if employer_id in world["p_employers"] else q
        email = make_user(
            app, f"hr{employer_id}@audit.example.org", partnership, employer_id=employer_id
        )
        world["users"][employer_id] = _client(app, email)
        world["tokens"][employer_id] = make_token(app, email)
    return world


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _api(app: Flask, url: str, token: str) -> Any:
    response = app.test_client().get(url, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.get_json()


def _close(client: FlaskClient, wave_id: int) -> None:
    token = csrf_from(client.get(f"/staff/waves/{wave_id}/close"))
    response = client.post(f"/staff/waves/{wave_id}/close", data={"csrf_token": token})
    assert response.status_code in (302, 303), response.status_code


def _normal(text: str, world: dict[str, Any], employer_id: int) -> str:
    """An employer's output with what names it taken out (name, ids, link token, form
    tokens), so two employers' outputs compare as a reader would."""
    text = re.sub(r'name="csrf_token"[^>]*>', "", text)
    text = re.sub(r'<meta name="csrf-token"[^>]*>', "", text)
    token = world["p_links"].get(employer_id)
    if token:
        text = text.replace(token, "TOKEN")
    name = next(n for n, e in world["names"].items() if e == employer_id)
    text = re.sub(rf"{re.escape(name)}\b", "EMPLOYER", text)
    text = re.sub(rf'(/employers/|"employer_id": |"id": ){employer_id}\b', r"\1ID", text)
    text = re.sub(r"hr\d+@audit", "hr@audit", text)
    return re.sub(r"D:\d{14}\S*", "D:DATE", text)  # a PDF's creation time


# ---------------------------------------------------------------------------- open round
def _open_round_checks(app: Flask, world: dict[str, Any]) -> list[str]:
    """While open: no figure, and no count below k, moves with one more response."""
    problems = []
    wave_id, ids = world["p_wave"], world["p_employers"]

    def view(employer_id: int) -> tuple[str, str, Any]:
        user = world["users"][employer_id]
        return (
            _normal(user.get("/employer/").get_data(as_text=True), world, employer_id),
            _normal(
                user.get(f"/employer/waves/{wave_id}").get_data(as_text=True), world, employer_id
            ),
            _api(
                app,
                f"/api/v1/waves/{wave_id}/employers/{employer_id}/results",
                world["tokens"][employer_id],
            ),
        )

    below, missing = view(ids[A]), view(ids[MISSING])
    if below[0] != missing[0]:
        problems.append(
            "open round: the k-1 employer's dashboard differs from one without responses"
        )
    before = view(ids[C])
    with app.app_context():
        cells = world["spec"][C][1]
        add_cells(
            db.session.get(Wave, wave_id),
            ids[C],
            [Cell(cells[-1].shift, cells[-1].tenure, 1)],
            low=False,
            seed=999,
        )
    after = view(ids[C])
    if before[1] != after[1] or before[2] != after[2]:
        problems.append("open round: the k+1 employer's results moved with one response")
    # its dashboard may show the count, which went from k to k+1; nothing else moves
    changed = {m.group(0) for m in re.finditer(r"\d+", before[0])} ^ {
        m.group(0) for m in re.finditer(r"\d+", after[0])
    }
    if not changed <= {str(K), str(K + 1)}:
        problems.append(f"open round: the dashboard changed numbers {sorted(changed)}")
    return problems


# ---------------------------------------------------------------------------- gathering
def _gather(app: Flask, world: dict[str, Any]) -> dict[str, str]:
    """Every published output of P's closed round as text (PDFs read back)."""
    wave_id, staff = world["p_wave"], world["staff"]
    out: dict[str, str] = {}
    out["staff dashboard"] = get_ok(staff, f"/staff/waves/{wave_id}/results").get_data(as_text=True)
    out["sector brief"] = pdf_text(get_ok(staff, f"/staff/waves/{wave_id}/brief.pdf").data)
    out["aggregates csv"] = get_ok(
        staff, f"/staff/waves/{wave_id}/exports/aggregates.csv"
    ).get_data(as_text=True)
    out["claims csv"] = get_ok(staff, f"/staff/waves/{wave_id}/exports/claims.csv").get_data(
        as_text=True
    )
    status, body = _api(app, f"/api/v1/waves/{wave_id}/results", world["staff_token"])
    assert status == 200
    out["api sector"] = json.dumps(body)
    for employer_id in world["p_employers"]:
        user = world["users"][employer_id]
        e = f"employer {employer_id}"
        out[f"{e} staff page"] = get_ok(
            staff, f"/staff/waves/{wave_id}/employers/{employer_id}"
        ).get_data(as_text=True)
        out[f"{e} staff brief"] = pdf_text(
            get_ok(staff, f"/staff/waves/{wave_id}/employers/{employer_id}/brief.pdf").data
        )
        out[f"{e} dashboard"] = get_ok(user, "/employer/").get_data(as_text=True)
        out[f"{e} page"] = get_ok(user, f"/employer/waves/{wave_id}").get_data(as_text=True)
        out[f"{e} brief"] = pdf_text(get_ok(user, f"/employer/waves/{wave_id}/brief.pdf").data)
        out[f"{e} brief es"] = pdf_text(
            get_ok(user, f"/employer/waves/{wave_id}/brief.pdf?lang=es").data
        )
        url = f"/api/v1/waves/{wave_id}/employers/{employer_id}/results"
        status, own = _api(app, url, world["tokens"][employer_id])
        assert status == 200
        out[f"{e} api"] = json.dumps(own)
        status, by_staff = _api(app, url, world["staff_token"])
        assert status == 200
        assert by_staff == own, f"{e}: staff and employer tokens differ"
        token = world["p_links"][employer_id]
        told = app.test_client()
        out[f"{e} told"] = get_ok(told, f"/s/{token}/told").get_data(as_text=True)
        out[f"{e} told es"] = get_ok(told, f"/s/{token}/told?lang=es").get_data(as_text=True)
    # Spanish last: a language chosen once stays with the signed-in session.
    for employer_id in world["p_employers"]:
        out[f"employer {employer_id} page es"] = get_ok(
            world["users"][employer_id], f"/employer/waves/{wave_id}", **{"Accept-Language": "es"}
        ).get_data(as_text=True)
    out["sector brief es"] = pdf_text(
        get_ok(staff, f"/staff/waves/{wave_id}/brief.pdf?lang=es").data
    )
    out["staff dashboard es"] = get_ok(
        staff, f"/staff/waves/{wave_id}/results", **{"Accept-Language": "es"}
    ).get_data(as_text=True)
    return out


def _facts(world: dict[str, Any], truth: Truth, out: dict[str, str]) -> Facts:
    facts = Facts(truth.atoms())
    sector = json.loads(out["api sector"])["release"]
    employers = {}
    for employer_id in world["p_employers"]:
        body = json.loads(out[f"employer {employer_id} api"])
        if body["state"] == "shown":
            employers[employer_id] = body["results"]
    facts_from_release(facts, sector, employers, "api")
    # The aggregates CSV: each employer's count and means as the dashboard shows them.
    names = world["names"]
    for row in csv_rows(out["aggregates csv"]):
        employer_id = names[row["employer"]]
        mine = lambda e, s, t, x=employer_id: e == x  # noqa: E731
        if row.get("n_responses"):
            facts.add(f"csv {employer_id} n", mine, with_sum=False)
        if row.get("jqi_mean"):
            facts.add(f"csv {employer_id} jqi", mine, with_sum=True)
    # The sector brief's responses by size band ("1-49 ... 2 employers ... 9").
    bands = {band for band, _c, _l in world["spec"]}
    for band in bands:
        found = re.search(rf"{re.escape(band)}\s+(\d+)\s+(\d+)", out["sector brief"])
        if found:
            members = {
                e
                for e, (b, _c, _l) in zip(world["p_employers"], world["spec"], strict=True)
                if b == band
            }
            facts.add(f"brief band {band}", lambda e, s, t, m=members: e in m, with_sum=False)
    return facts


def test_every_published_figure_survives_differencing(app):
    assert not _audit(app, P_SPEC)


def test_two_groupings_over_the_hidden_employers(sqlite_app):
    """Two groupings' remainders over the hidden employers, with the small employers'
    totals, give 3 and 4 workers only to someone told which cells are empty (that
    every worker of the three small employers left tenure blank, and every worker in
    the longest tenure band left shift blank): the span check finds them, and no
    bound an outsider can derive pins them down."""
    assert not _audit(sqlite_app, P_SPEC_TWO_GROUPINGS, empty_cells_known=False)


def _audit(
    app: Flask, spec: list[tuple[str, list[Cell], bool]], *, empty_cells_known: bool = True
) -> list[str]:
    """Every problem the audit finds; with ``empty_cells_known`` a group counts as
    recovered when the published facts give it to someone who knows which cells are
    empty (the stricter test), otherwise only when bounds pin it down."""
    world = _setup(app, spec)
    problems = _open_round_checks(app, world)
    ids = world["p_employers"]
    send_survey(app, world["p_wave"], ids[A], SURVEYS[0])
    send_survey(app, world["p_wave"], ids[C], SURVEYS[0])
    _close(world["staff"], world["p_wave"])
    _close(world["q_staff"], world["q_wave"])

    out = _gather(app, world)
    truth = Truth.read(app, world["p_wave"], LIVING_WAGE)
    sizes = [int(truth.in_atoms([a]).sum()) for a in truth.atoms()]
    facts = _facts(world, truth, out)
    found = facts.recoverable_small(sizes, K)
    if empty_cells_known:
        for kind, combo, n in found:
            atoms = [truth.atoms()[i] for i in combo]
            problems.append(f"recoverable {kind} of {n} responses: atoms {atoms}")
    else:
        assert found, "the round no longer sets the trap this test is about"
        problems += pinned_groups(facts, truth, found, K)

    problems += _looks_missing(world, out)
    problems += _no_hidden_number(world, truth, out)
    problems += _peers_from_shown(out, world)
    problems += _dominated_sector(app, world)
    print("\n".join(problems))
    return problems


GEOMETRY = re.compile(
    r'\b(?:x|y|x1|x2|y1|y2|cx|cy|r|rx|width|height|font-size|stroke-width|viewBox|d|points)="[^"]*"'
)
HIDDEN_VIEWS = (
    "staff page",
    "page",
    "page es",
    "brief",
    "brief es",
    "staff brief",
    "api",
    "told",
    "told es",
    "dashboard",
)


def _looks_missing(world: dict[str, Any], out: dict[str, str]) -> list[str]:
    """Rule 8: the k-1 employer and the k one (hidden with it) read exactly like the
    employer without a response, in every output, and say "not enough responses"."""
    problems = []
    ids = world["p_employers"]
    for view in HIDDEN_VIEWS:
        missing = _normal(out[f"employer {ids[MISSING]} {view}"], world, ids[MISSING])
        for index in (A, B):
            mine = _normal(out[f"employer {ids[index]} {view}"], world, ids[index])
            if mine != missing:
                problems.append(f"rule 8: {view} of employer {index} differs from a missing one")
    for view in ("staff page", "page", "brief", "staff brief", "api"):
        if NOT_ENOUGH not in visible_text(out[f"employer {ids[A]} {view}"]).lower():
            problems.append(f"rule 8: the hidden {view} does not say {NOT_ENOUGH!r}")
    dashboard = {
        m.group(1): m.group(0)
        for m in re.finditer(
            r"<tr><th scope=\"row\"><a href=\"[^\"]*/employers/(\d+)\".*?</tr>",
            out["staff dashboard"],
        )
    }
    # The sector dashboard lists every employer of the round, and the k-1, the k and
    # the employer without a response read alike there.
    if str(ids[MISSING]) not in dashboard:
        problems.append("rule 8: the dashboard leaves out the employer without a response")
    else:
        row_missing = _normal(dashboard[str(ids[MISSING])], world, ids[MISSING])
        for index in (A, B):
            row = _normal(dashboard[str(ids[index])], world, ids[index])
            if row != row_missing or NOT_ENOUGH not in row:
                problems.append(f"rule 8: the dashboard row of employer {index} reads apart")
    rows = {r["employer"]: r for r in csv_rows(out["aggregates csv"])}
    names = {e: n for n, e in world["names"].items()}
    empty = {key: value for key, value in rows[names[ids[MISSING]]].items() if key != "employer"}
    for index in (A, B):
        row = {key: value for key, value in rows[names[ids[index]]].items() if key != "employer"}
        if row != empty or any(empty.values()):
            problems.append(f"rule 8: aggregates CSV row of employer {index} is not empty")
    return problems


def _hidden_values(world: dict[str, Any], truth: Truth) -> dict[str, float]:
    """The true figures of every group the rules hide: each hidden employer, the two
    together, and each subgroup cell below k (per employer and across employers)."""
    ids = world["p_employers"]
    groups: dict[str, np.ndarray] = {
        "employer k-1": truth.employers == ids[A],
        "employer k": truth.employers == ids[B],
        "hidden employers": np.isin(truth.employers, [ids[A], ids[B]]),
    }
    for code, label in ((DAY, "day"), (NIGHT, "night"), (BLANK, "no shift")):
        small = np.isin(truth.employers, ids[:3]) & (truth.shift == code)
        groups[f"{label} at the three small employers"] = small
        for index in (A, B, C):
            groups[f"{label} at employer {index}"] = (truth.employers == ids[index]) & (
                truth.shift == code
            )
    groups["newcomers at employer 5"] = (truth.employers == ids[5]) & (truth.tenure == T1)
    values = {}
    for name, rows in groups.items():
        if 0 < rows.sum() < K or name.startswith(("employer", "hidden")):
            for s, statistic in enumerate(truth.names[:-1]):
                values[f"{name} {statistic}"] = float(np.nanmean(truth.values[rows, s]))
    return values


def _shown_numbers(out: dict[str, str]) -> set[str]:
    """Every figure the API shows, written every way a page may write it."""
    shown: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, float | int) and not isinstance(node, bool):
            shown.update(number_forms(float(node)))

    for key, value in out.items():
        if key.endswith(" api") or key == "api sector":
            walk(json.loads(value))
    return shown


def _no_hidden_number(world: dict[str, Any], truth: Truth, out: dict[str, str]) -> list[str]:
    """No hidden figure anywhere: text, attributes, titles, chart data, PDF text."""
    shown = _shown_numbers(out)
    problems = []
    # Drawing positions are pixels, not figures; every other attribute (titles, labels,
    # data-*) and all text is searched.
    texts = {where: re.sub(GEOMETRY, "", text) for where, text in out.items()}
    for name, value in _hidden_values(world, truth).items():
        for form in number_forms(value) - shown:
            for where, text in texts.items():
                if occurrences(text, form):
                    problems.append(f"hidden {name} ({form}) appears in {where}")
    return problems


def _peers_from_shown(out: dict[str, str], world: dict[str, Any]) -> list[str]:
    """Peer median and quartiles come from the shown employers alone (with and
    without any one employer, the peer figures differ only by shown means)."""
    problems = []
    means: dict[str, list[float]] = {}
    peers = None
    for employer_id in world["p_employers"]:
        body = json.loads(out[f"employer {employer_id} api"])
        if body["state"] != "shown":
            continue
        peers = body["peers"]
        for estimate in body["results"]["estimates"]:
            if estimate["mean"] is not None:
                means.setdefault(estimate["statistic"], []).append(estimate["mean"])
    assert peers is not None
    for summary in peers:
        values = means.get(summary["statistic"], [])
        if summary["median"] is None:
            continue
        q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
        got = (summary["q1"], summary["median"], summary["q3"])
        if summary["n_employers"] != len(values) or not np.allclose(got, (q1, median, q3)):
            problems.append(f"peers of {summary['statistic']} are not the shown employers'")
    return problems


def _dominated_sector(app: Flask, world: dict[str, Any]) -> list[str]:
    """Q: one employer with 80 % of the responses hides every figure across
    employers (rule 7), on the dashboard, the brief and each employer's page."""
    problems = []
    wave_id, staff = world["q_wave"], world["q_staff"]
    truth = Truth.read(app, wave_id, LIVING_WAGE)
    sector = {f"{v:.1f}" for v in np.nanmean(truth.values[:, :-1], axis=0)}
    dashboard = get_ok(staff, f"/staff/waves/{wave_id}/results").get_data(as_text=True)
    brief = pdf_text(get_ok(staff, f"/staff/waves/{wave_id}/brief.pdf").data)
    for where, text in (("dashboard", dashboard), ("sector brief", brief)):
        for form in sector:
            if occurrences(text, form):
                problems.append(f"dominated sector: a sector mean ({form}) in the {where}")
    for employer_id in world["q_employers"]:
        status, body = _api(
            app,
            f"/api/v1/waves/{wave_id}/employers/{employer_id}/results",
            world["tokens"][employer_id],
        )
        assert status == 200
        assert body["state"] == "shown"
        if any(p.get("median") is not None for p in body["peers"]):
            problems.append("dominated sector: peer figures shown")
        if any(r is not None for r in body["results"]["percentiles"]):
            problems.append("dominated sector: a percentile shown")
    return problems


def test_the_bounds_audit_finds_what_complementary_suppression_prevents(sqlite_app, monkeypatch):
    """Without complementary suppression across employers (each employer's tables
    judged alone), bounds pin down small groups even for an attacker told nothing
    about empty cells: the lenient audit above is not blind."""
    from surveyapp.scoring import release_steps

    monkeypatch.setattr(release_steps, "_across_employers", lambda _w, _g, _s, employers: employers)
    problems = _audit(sqlite_app, P_SPEC, empty_cells_known=False)
    assert any("pinned" in problem for problem in problems), problems


def test_every_output_reads_the_stored_release_and_scores_nothing(sqlite_app, monkeypatch):
    """Issue 14: pages, briefs, CSVs and the API of a closed round read the release
    stored at close; with the scoring taken away afterwards every one still answers."""
    import scipy.stats

    from surveyapp.results import offline, store

    world = _setup(sqlite_app, P_SPEC)
    _close(world["staff"], world["p_wave"])
    _close(world["q_staff"], world["q_wave"])
    calls: list[str] = []

    def scoring_called(name: str):
        def refuse(*_args: object, **_kwargs: object):
            calls.append(name)
            raise AssertionError(f"{name} called while serving a closed round")

        return refuse

    for module, name in (
        (store, "release"),
        (store, "compute_release"),
        (offline, "release"),
        (scipy.stats, "bootstrap"),
        (scipy.stats, "kruskal"),
        (scipy.stats, "wilcoxon"),
    ):
        monkeypatch.setattr(module, name, scoring_called(name))
    out = _gather(sqlite_app, world)
    assert not calls
    assert len(out) > 6 * len(world["p_employers"])
    assert "Job Quality Index" in out["staff dashboard"]
