"""Issue 12, JSON API results: the stored release to the last digit, the pages once
rounded, ``surveyapp score`` on the export, and nothing at all about a hidden employer."""

from __future__ import annotations

import json

from surveyapp.employer.dashboard import is_hidden

from ..employer_results_driver import (
    V2,
    K,
    by_name,
    employer_client,
    entry_of,
    offline_score,
    page_url,
    reader_text,
    rows,
    stored,
)
from ..staff_driver import text
from .test_api import error_of, make_world

NOT_ENOUGH = "not enough responses"
DIMENSIONS = [d.id for d in V2.dimensions]


def _one(value: float) -> str:
    return f"{value:.1f}"


def test_sector_results_are_the_stored_release_to_the_last_digit(app, tmp_path):
    world = make_world(app)
    body = world.read(f"/api/v1/waves/{world.closed}/results", world.staff).get_json()
    figures, parameters = stored(app, world.closed)
    # Every sector-level key exactly as stored (floats compared exactly, not rounded).
    assert body["release"] == {k: v for k, v in figures.items() if k != "employers"}
    assert body["release"]["sector"][0]["mean"] == figures["sector"][0]["mean"]
    assert repr(body["release"]["sector"][0]["mean"]) == repr(figures["sector"][0]["mean"])
    assert body["employers"] == [
        {"id": i, "name": e["employer"], "hidden": is_hidden(e)}
        for i, e in zip(parameters["employer_ids"], figures["employers"], strict=True)
    ]
    # The same numbers as the offline scorer on the round's export.
    offline = offline_score(app, world.closed, tmp_path)
    for key in ("sector", "sector_proportions", "peers", "reliability", "validity", "equity"):
        assert body["release"][key] == offline[key], key

    # The staff dashboard shows the same numbers, rounded to one decimal.
    page = text(world.console.get(f"/staff/waves/{world.closed}/results"))
    sector = {e["statistic"]: e for e in body["release"]["sector"]}
    profile = rows(page, "profile")
    for dimension in V2.dimensions:
        estimate = sector[dimension.id]
        assert profile[dimension.name["en"]] == [
            _one(estimate["mean"]),
            f"{_one(estimate['low'])} – {_one(estimate['high'])}",
        ]
    assert f'<dd class="jqi">{_one(sector["jqi"]["mean"])}' in page


def test_employer_results_are_the_stored_entry_and_the_page_rounds_them(app):
    world = make_world(app)
    figures, _parameters = stored(app, world.closed)
    own = world.employers[0]
    for token in (world.staff, world.employer):
        body = world.read(f"/api/v1/waves/{world.closed}/employers/{own}/results", token).get_json()
        assert body["state"] == "shown"
        assert body["results"] == entry_of(app, world.closed, own)
        assert body["peers"] == figures["peers"]
        assert body["k"] == K
    page = text(employer_client(app, world.console.partnership, own).get(page_url(world.closed)))
    profile = rows(page, "profile")
    estimates = {e["statistic"]: e for e in body["results"]["estimates"]}
    peers = {p["statistic"]: p for p in body["peers"]}
    for statistic in ["jqi", *DIMENSIONS]:
        label = "Job Quality Index" if statistic == "jqi" else V2.dimension(statistic).name["en"]
        assert profile[label][0] == _one(estimates[statistic]["mean"]), statistic
        assert profile[label][1] == _one(peers[statistic]["median"]), statistic


def _hidden_bodies(world) -> dict[int, dict]:
    found = {}
    for employer_id in world.employers:
        response = world.read(
            f"/api/v1/waves/{world.closed}/employers/{employer_id}/results", world.staff
        )
        assert response.status_code == 200
        found[employer_id] = response.get_json()
    return found


def test_a_hidden_employer_reads_not_enough_responses_and_nothing_else(app):
    """Below k and hidden by complementary suppression read the same, count or not."""
    world = make_world(app)
    bodies = _hidden_bodies(world)
    hidden = {e: b for e, b in bodies.items() if b["state"] == "hidden"}
    entries = {e: entry_of(app, world.closed, e) for e in world.employers}
    assert set(hidden) == {e for e, entry in entries.items() if is_hidden(entry)}
    # One hidden below k, one hidden although it has k or more (complementary).
    sizes = dict(zip(world.employers, [25, 8, 6, 3, 12], strict=True))
    assert sorted(sizes[e] for e in hidden) == [3, 6]
    for employer_id, body in hidden.items():
        assert body == {
            "wave_id": world.closed,
            "employer_id": employer_id,
            "k": K,
            "state": "hidden",
            "message": NOT_ENOUGH,
        }
    complementary = next(e for e in hidden if sizes[e] >= K)
    # The stored entry still knows how many answered; the API must not say.
    assert str(sizes[complementary]) not in json.dumps(
        {k: v for k, v in hidden[complementary].items() if k not in ("wave_id", "employer_id")}
    )


def test_a_round_with_every_employer_below_k_shows_nothing(app):
    world = make_world(app, [3, 4, 2, 4, 1])
    body = world.read(f"/api/v1/waves/{world.closed}/results", world.staff).get_json()
    release = body["release"]
    for section in ("sector", "peers", "sector_proportions"):
        for figure in release[section]:
            for key in ("mean", "low", "high", "median", "q1", "q3", "share", "n_employers"):
                assert figure.get(key) is None, (section, figure)
    assert all(e["hidden"] for e in body["employers"])
    # (Reliability is pooled over the round's responses, not per employer: the release
    # may give it, and the staff dashboard shows it too.)
    for employer_id, hidden in _hidden_bodies(world).items():
        assert hidden["state"] == "hidden", employer_id
        assert set(hidden) == {"wave_id", "employer_id", "k", "state", "message"}
    own = world.read(
        f"/api/v1/waves/{world.closed}/employers/{world.employers[0]}/results", world.employer
    ).get_json()
    assert own["message"] == NOT_ENOUGH
    # As on the employer's page.
    page = employer_client(app, world.console.partnership, world.employers[0]).get(
        page_url(world.closed)
    )
    assert "Results for a workplace are shown only when at least" in reader_text(text(page))


def test_a_round_closed_before_releases_were_stored_says_how_to_fix_it(app):
    from sqlalchemy import delete

    from surveyapp.extensions import db
    from surveyapp.models import StoredRelease

    world = make_world(app)
    with app.app_context():
        db.session.execute(delete(StoredRelease).where(StoredRelease.wave_id == world.closed))
        db.session.commit()
    for url in (
        f"/api/v1/waves/{world.closed}/results",
        f"/api/v1/waves/{world.closed}/employers/{world.employers[0]}/results",
    ):
        message = error_of(world.read(url, world.staff), 409)
        assert f"surveyapp results recompute --wave {world.closed}" in message


def test_employer_names_are_those_stored_at_close(app):
    world = make_world(app)
    body = world.read(f"/api/v1/waves/{world.closed}/results", world.staff).get_json()
    figures, _ = stored(app, world.closed)
    assert [e["name"] for e in body["employers"]] == list(by_name(figures["employers"]))
